"""Discovery from pages alone (no network): paging links, learned templates, probing, sitemaps.

The end-to-end behaviour on whole sites is in test_discovery_sites.py; these pin the rules.
"""

from __future__ import annotations

import gzip

import pytest

from jobtrail.crawler.extract.base import ExtractError, Page
from jobtrail.crawler.extract.discovery import Template, analyze
from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.page import KIND
from jobtrail.crawler.extract.paging import page_links
from jobtrail.crawler.extract.sitemaps import posting_groups, read_sitemap
from jobtrail.crawler.sources.config import SourceConfig

ORCHID = "https://orchid-ferries.example"
SOURCE = SourceConfig(name="orchid", url=f"{ORCHID}/crew", kind="page")

# A ferry operator's crew page: postings as <p> lines in two department <section>s (same markup,
# different classes), a German "Weiter »" pager, an arrow link, and a "More" link to a posting.
CREW = f"""<html><body>
<div class="menu"><a href="{ORCHID}/timetable">Timetable</a></div>
<section class="dept dept-deck"><h2>Deck</h2>
  <p class="line"><a href="/crew/deckhand-ostsee">Deckhand Ostsee</a></p>
  <p class="line"><a href="/crew/bootsmann">Bootsmann</a></p></section>
<section class="dept dept-galley"><h2>Galley</h2>
  <p class="line"><a href="/crew/schiffskoch">Schiffskoch</a></p>
  <p class="line"><a href="/crew/steward-in">Steward/-ess</a> <a href="/crew/steward-in">More</a></p></section>
<div class="pg"><a href="/crew?seite=1&amp;p=2">Weiter &raquo;</a>
  <a href="/crew?p=3" aria-label="Last page">&rsaquo;</a>
  <a href="/crew?p=1">1</a></div>
</body></html>"""


def parse(html: str, url: str, role: str = "listing", source: SourceConfig = SOURCE, **data: object):
    return KIND.parse(Page(url=url, body=html.encode(), role=role, data=dict(data)), source)


def test_paging_links_by_words_arrows_and_numbers() -> None:
    tree = parse_document(CREW)
    links = {link.url: link.why for link in page_links(tree, f"{ORCHID}/crew")}
    assert links == {
        f"{ORCHID}/crew?p=2&seite=1": "next-link",
        f"{ORCHID}/crew?p=3": "next-link",
        f"{ORCHID}/crew?p=1": "numbered",
    }, "the 'More' link to a posting is not a page of the listing"


def test_department_sections_are_one_group_with_titles() -> None:
    analysis = analyze(parse_document(CREW), f"{ORCHID}/crew")
    best = analysis.groups[0]
    assert best.urls == [f"{ORCHID}/crew/{slug}" for slug in ("deckhand-ostsee", "bootsmann", "schiffskoch",
                                                             "steward-in")]
    assert analysis.titles()[f"{ORCHID}/crew/steward-in"] == "Steward/-ess", "the title link wins over 'More'"
    assert {item.url: item.why for item in analysis.left_out}[f"{ORCHID}/timetable"] == "not in a posting-like group"


def test_learned_template_takes_matching_links_without_probing() -> None:
    first = parse(CREW, f"{ORCHID}/crew")
    probe = next(fetch for fetch in first.follow if fetch.role == "probe")
    learned = probe.data["learn"]
    again = parse(CREW, f"{ORCHID}/crew", learned=learned)
    assert [f.role for f in again.follow if f.role != "listing"] == ["candidate"] * 4
    assert {f.data["why"] for f in again.follow if f.role == "candidate"} == {"template"}


def test_a_template_that_stopped_matching_is_relearned() -> None:
    stale = Template(keys=(("orchid-ferries.example/jobs/*", "a<li<ul.old<body"),)).to_json()
    parsed = parse(CREW, f"{ORCHID}/crew", learned=stale)
    assert [f.role for f in parsed.follow if f.role != "listing"] == ["probe"]
    assert any("matches nothing" in note.why for note in parsed.notes)


def test_template_json_round_trip_and_garbage() -> None:
    template = Template(keys=(("*", "a<td<tr<tbody"), ("host/r/*", "a.row")), origin="sitemap")
    assert Template.from_json(template.to_json()) == template
    assert Template.from_json("{not json") is None and Template.from_json(None) is None


def test_next_pages_stop_at_the_cap_and_on_a_repeated_page() -> None:
    capped = parse(CREW, f"{ORCHID}/crew", source=SourceConfig(name="o", url=f"{ORCHID}/crew", max_pages=1))
    assert not [f for f in capped.follow if f.role == "listing"]
    first = parse(CREW, f"{ORCHID}/crew")
    page2 = next(f for f in first.follow if f.role == "listing")
    again = parse(CREW, page2.url, **page2.data)  # the site answers page 2 with page 1's list
    assert not [f for f in again.follow if f.role == "listing"], "a page repeating an earlier one ends the paging"


POSTING = """<html><body><main><h1>Bootsmann</h1><h2>Ihr Profil</h2><ul><li>Patent</li></ul></main></body></html>"""
INFO = "<html><body><main><h1>Unsere Flotte</h1><p>Zwölf Schiffe.</p></main></body></html>"


def test_a_confirmed_probe_releases_its_group() -> None:
    parsed = parse(POSTING, f"{ORCHID}/crew/bootsmann", role="probe", rest=["u1", "u2"], tries=1,
                   learn='{"keys": [["*", "a"]], "origin": "structure"}', why="probe")
    assert [p.title for p in parsed.postings] == ["Bootsmann"]
    assert [(f.url, f.role) for f in parsed.follow] == [("u1", "candidate"), ("u2", "candidate")]
    assert parsed.learned and not parsed.skipped


def test_a_probe_that_is_no_posting_is_skipped_and_the_next_one_probed() -> None:
    parsed = parse(INFO, f"{ORCHID}/crew/flotte", role="probe", rest=["u1", "u2"], tries=1, why="probe")
    assert parsed.postings == [] and parsed.skipped == [f"{ORCHID}/crew/flotte: not a posting (probe)"]
    assert [(f.url, f.role, f.data["rest"]) for f in parsed.follow] == [("u1", "probe", ["u2"])]
    last = parse(INFO, "u1", role="probe", rest=["u2"], tries=0, why="probe")
    assert last.follow == [] and any("not confirmed" in n.why for n in last.notes)


def test_candidate_pages_skip_a_404_but_fail_on_a_server_error() -> None:
    gone = KIND.parse(Page(url=f"{ORCHID}/crew/x", body=b"gone", role="candidate", status=404), SOURCE)
    assert gone.skipped == [f"{ORCHID}/crew/x: HTTP 404 (structure)"]
    with pytest.raises(ExtractError, match="HTTP 503"):
        KIND.parse(Page(url=f"{ORCHID}/crew/x", body=b"down", role="candidate", status=503), SOURCE)


URLSET = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{ORCHID}/crew</loc></url><url><loc>{ORCHID}/crew/faq</loc></url>
<url><loc>{ORCHID}/crew/v/88-deckhand</loc></url><url><loc>{ORCHID}/crew/v/91-koch</loc></url>
<url><loc>{ORCHID}/routes/kiel-oslo</loc></url><url><loc>https://elsewhere.example/crew/v/1-x</loc></url>
</urlset>""".encode()


def test_sitemaps_plain_and_gzip_and_the_groups_they_give() -> None:
    assert read_sitemap(URLSET) == read_sitemap(gzip.compress(URLSET))
    kind, locations = read_sitemap(URLSET)
    assert kind == "urlset" and len(locations) == 6
    ((template, urls),) = posting_groups(locations, f"{ORCHID}/crew", None)
    assert urls == [f"{ORCHID}/crew/v/88-deckhand", f"{ORCHID}/crew/v/91-koch"]
    assert template.origin == "sitemap"
    assert read_sitemap(b"<html><body>a page, not a sitemap</body></html>")[1] == []
    assert read_sitemap(b"") == ("", []) and read_sitemap(b"\x1f\x8bbroken gzip") == ("", [])
