"""kind = "page": every fixture folder under tests/fixtures/page/, plus listing pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jobtrail.crawler.extract.base import ExtractError, Fetch, Page
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.registry import extract, get_kind

FIXTURES = Path(__file__).parent / "fixtures"
#: the full-record dumps; hand-written corpus cases (expected.json an object with "why") are
#: checked field by field in tests/test_extraction_corpus.py
CASES = sorted(
    path for path in (FIXTURES / "page").iterdir()
    if path.is_dir() and isinstance(json.loads((path / "expected.json").read_text(encoding="utf-8")), list)
)
LISTING = FIXTURES / "page_listing"
KIND = get_kind("page")


def load_case(folder: Path) -> tuple[bytes, str, SourceConfig]:
    """input.html, url.txt and the optional source.json (extra SourceConfig fields) of a case."""
    url = (folder / "url.txt").read_text(encoding="utf-8").strip()
    extra: dict[str, Any] = {}
    if (folder / "source.json").exists():
        extra = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    return (folder / "input.html").read_bytes(), url, SourceConfig(name="fixture", url=url, kind="page", **extra)


@pytest.mark.parametrize("folder", CASES, ids=[case.name for case in CASES])
def test_fixture_case(folder: Path) -> None:
    body, url, source = load_case(folder)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert [posting.to_dict() for posting in extract(body, url, source)] == expected


def test_every_case_is_complete() -> None:
    assert len(CASES) >= 15
    for folder in CASES:
        assert {"input.html", "url.txt", "expected.json"} <= {p.name for p in folder.iterdir()}, folder.name


def case_posting(name: str) -> dict[str, Any]:
    body, url, source = load_case(FIXTURES / "page" / name)
    (posting,) = extract(body, url, source)
    return posting.to_dict()


def test_seed_like_page_reads_like_the_seed() -> None:
    posting = case_posting("ahrefs_backend_developer")
    assert posting["requirements"][:2] == ["Proficiency in OCaml", "Knowledge of D or C++ is a plus"]
    assert "Write flexible, maintainable code and adapt to post-launch requirements/tweaks" in posting["requirements"]
    assert posting["benefits"][0] == "Competitive compensation package"
    assert "[Remote] Hardware allowance" in posting["benefits"]
    assert {"title": "Security Engineer Ubuntu", "url": "https://ahrefs.example/careers/security-engineer-ubuntu"} in (
        posting["related_jobs"]
    )
    assert len(posting["related_jobs"]) == 5
    description = posting["description"]
    assert "OCaml with some D and C++" in description
    assert "Proficiency in OCaml" not in description
    assert "Competitive compensation" not in description
    assert "Security Engineer Ubuntu" not in description
    assert "All jobs" not in description and "Apply for this job" not in description
    assert posting["url"] == "https://ahrefs.example/careers/backend-developer"  # utm_* and #fragment gone


def test_non_utf8_page_is_decoded_from_its_meta_charset() -> None:
    posting = case_posting("non_utf8")
    assert posting["title"] == "Chef de cuisine – Café Lumière"
    assert "Budget de 2 000 € par semaine géré" in posting["requirements"]


def test_selector_overrides_beat_heuristics() -> None:
    posting = case_posting("selectors_override")
    assert posting["title"] == "Robotics Software Engineer"  # not the <h1> brand
    assert posting["company"] == "Acme Robotics"
    assert posting["requirements"] == ["ROS 2 and modern C++", "Linear algebra you can explain"]
    assert posting["responsibilities"] == ["Write motion planning code", "Test on real robots weekly"]
    assert "ROS 2" not in posting["description"]


def test_scalar_selectors_are_normalized() -> None:
    body = b"<h1>Cook</h1><p class=w>Hybrid (2 days in the kitchen)</p><p class=d>2024-06-01T08:00</p>"
    selectors = {"workplace": ".w", "date_posted": ".d", "valid_through": ".missing"}
    source = SourceConfig(name="s", url="https://example.com/jobs/9", kind="page", selectors=selectors)
    parsed = KIND.parse(Page(url="https://example.com/jobs/9", body=body, role="posting"), source)
    (posting,) = parsed.postings
    assert (posting.workplace, posting.date_posted, posting.valid_through) == ("hybrid", "2024-06-01", None)


def test_no_posting_as_followed_link_is_a_one_line_error() -> None:
    body, url, source = load_case(FIXTURES / "page" / "no_posting")
    with pytest.raises(ExtractError) as error:
        KIND.parse(Page(url=url, body=body, role="posting"), source)
    assert str(error.value) == "no job posting found on https://quietharbor.example/blog/missing-page"


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe garbage", b"<html><body></body></html>", b"{\"not\": \"html\"}"])
def test_empty_or_junk_bodies_give_no_posting(body: bytes) -> None:
    source = SourceConfig(name="junk", url="https://example.com/jobs/1", kind="page")
    assert extract(body, "https://example.com/jobs/1", source) == []
    with pytest.raises(ExtractError, match="^no job posting found on https://example.com/jobs/1$"):
        KIND.parse(Page(url=source.url or "", body=body, role="posting"), source)


def test_followed_posting_with_only_prose_is_still_a_posting() -> None:
    text = "Keep the hotel lobby safe at night, welcome late guests and help the morning team. " * 3
    body = f"<html><body><h1>Night Porter</h1><p>{text}</p></body></html>".encode()
    source = SourceConfig(name="hotel", url="https://hotel.example/careers", kind="page")
    page = Page(url="https://hotel.example/careers/night-porter", body=body, role="posting")
    parsed = KIND.parse(page, source)
    assert [(p.title, p.description, p.external_id) for p in parsed.postings] == [
        ("Night Porter", text.strip(), "https://hotel.example/careers/night-porter"),
    ]
    assert [p.title for p in extract(body, page.url, source)] == ["Night Porter"]  # a saved file too


def test_error_status_is_a_one_line_error() -> None:
    source = SourceConfig(name="gone", url="https://example.com/jobs", kind="page")
    page = Page(url="https://example.com/jobs/1?utm_source=x", body=b"<h1>Gone</h1>", role="posting", status=404)
    with pytest.raises(ExtractError, match="^HTTP 404 for https://example.com/jobs/1$"):
        KIND.parse(page, source)


def test_invalid_selector_is_a_one_line_error() -> None:
    body, url, _ = load_case(FIXTURES / "page" / "jsonld_basic")
    source = SourceConfig(name="bad", url=url, kind="page", selectors={"title": "h1[[["})
    with pytest.raises(ExtractError, match="^source 'bad': selector for 'title' is not valid CSS"):
        extract(body, url, source)


def test_start_fetches_the_configured_url_as_listing() -> None:
    source = SourceConfig(name="ahrefs", url="https://ahrefs.example/careers", kind="page")
    assert KIND.start(source) == [Fetch(url="https://ahrefs.example/careers", role="listing")]


def listing(name: str, url: str, source: SourceConfig, page_no: int | None = None) -> list[Fetch]:
    data = {"page_no": page_no} if page_no else {}
    page = Page(url=url, body=(LISTING / name).read_bytes(), role="listing", data=data)
    parsed = KIND.parse(page, source)
    assert parsed.postings == []
    return parsed.follow


def test_listing_discovery_probes_the_posting_group_and_follows_the_next_page() -> None:
    """One list of postings with mixed URL shapes (markup group); nav, files, other sites, Teams and
    Apply pages left out. The first link is probed carrying the rest; page 2 is followed."""
    source = SourceConfig(name="ahrefs", url="https://ahrefs.example/careers", kind="page")
    probe, page2 = listing("careers.html", "https://ahrefs.example/careers", source)
    assert (probe.role, probe.url) == ("probe", "https://ahrefs.example/careers/backend-developer")
    assert probe.data["rest"] == [
        "https://ahrefs.example/careers/reasonml-developer",
        "https://ahrefs.example/jobs/10442",
        "https://www.ahrefs.example/careers/positions/devops-engineer?lang=en",
    ]
    assert probe.data["titles"]["https://ahrefs.example/jobs/10442"] == "Data Engineer"
    assert (page2.role, page2.url, page2.data["page_no"]) == ("listing", "https://ahrefs.example/careers?page=2", 2)


def test_listing_pagination_stops_at_max_pages() -> None:
    source = SourceConfig(name="ahrefs", url="https://ahrefs.example/careers", kind="page", max_pages=1)
    follow = listing("careers.html", "https://ahrefs.example/careers", source)
    assert [fetch.role for fetch in follow] == ["probe"]


def test_last_listing_page_has_no_next() -> None:
    source = SourceConfig(name="ahrefs", url="https://ahrefs.example/careers", kind="page")
    follow = listing("careers_page2.html", "https://ahrefs.example/careers?page=2", source, page_no=2)
    assert [(f.role, f.url) for f in follow] == [("probe", "https://ahrefs.example/careers/security-engineer")]


def test_listing_link_pattern_picks_links() -> None:
    source = SourceConfig(
        name="kestrel", url="https://kestrel.example/openings", kind="page", link_pattern=r"/o/kestrel/\d+",
    )
    follow = listing("openings_custom.html", "https://kestrel.example/openings", source)
    assert follow == [
        Fetch(url="https://kestrel.example/o/kestrel/2201", role="posting", data={"why": "pattern"}),
        Fetch(url="https://kestrel.example/o/kestrel/2202", role="posting", data={"why": "pattern"}),
    ]


def test_listing_structure_finds_unusual_paths_without_a_pattern() -> None:
    """/o/<company>/<id> has no job word: the URL shape and the repeated rows find it anyway."""
    source = SourceConfig(name="kestrel", url="https://kestrel.example/openings", kind="page")
    (probe,) = listing("openings_custom.html", "https://kestrel.example/openings", source)
    assert probe.url == "https://kestrel.example/o/kestrel/2201"
    assert probe.data["rest"] == ["https://kestrel.example/o/kestrel/2202"]


def test_listing_url_that_is_a_posting_is_a_one_posting_source() -> None:
    body, url, _ = load_case(FIXTURES / "page" / "jsonld_basic")
    source = SourceConfig(name="northwind", url=url, kind="page")
    parsed = KIND.parse(Page(url=url, body=body, role="listing"), source)
    assert [p.external_id for p in parsed.postings] == ["NW-48213"] and parsed.follow == []
    body, url, _ = load_case(FIXTURES / "page" / "ahrefs_backend_developer")
    source = SourceConfig(name="ahrefs", url=url, kind="page", link_pattern=r"/careers/[^/]+$")
    parsed = KIND.parse(Page(url=url.split("?")[0], body=body, role="listing"), source)
    assert [p.title for p in parsed.postings] == ["Backend Developer"]


def test_huge_page_finishes() -> None:
    """5 MB of HTML (a long description plus thousands of related links) parses without error."""
    bullets = "".join(f"<li>Requirement number {n} with some more words to make it longer</li>" for n in range(50_000))
    links = "".join(f'<li><a href="/jobs/{n}">Job {n}</a></li>' for n in range(20_000))
    html = (
        "<html><body><main><h1>Huge</h1>" + "<p>A long introduction paragraph, said again.</p>" * 30_000
        + "<h2>Requirements</h2><ul>" + bullets + "</ul>"
        "<h2>Related jobs</h2><ul>" + links + "</ul></main></body></html>"
    ).encode()
    assert len(html) > 5_000_000
    source = SourceConfig(name="huge", url="https://example.com/jobs/1", kind="page")
    (posting,) = extract(html, "https://example.com/jobs/1", source)
    assert len(posting.requirements) == 50_000 and len(posting.related_jobs) == 20_000


def test_deeply_nested_broken_html_does_not_hit_the_recursion_limit() -> None:
    html = ("<html><body><h1>Deep</h1><h2>Requirements</h2>" + "<div>" * 5000 + "<li>Patience</li>").encode()
    source = SourceConfig(name="deep", url="https://example.com/jobs/2", kind="page")
    (posting,) = extract(html, "https://example.com/jobs/2", source)
    assert posting.requirements == ["Patience"]


# What each older quirk case exists for, field by field (the full dumps above say everything at
# once; these say which part of the record a regression would break, in the case's own words).


def test_broken_html_keeps_sections_across_unclosed_tags() -> None:
    posting = case_posting("broken_html")
    assert posting["title"] == "Support Engineer (Nights)"
    assert posting["requirements"] == [
        "Linux troubleshooting", "Comfort reading nginx and HAProxy logs", "Written English at C1",
    ]  # an unclosed <b> and a </h3> closing an <h2> swallow nothing
    assert posting["benefits"] == ["Night shift allowance", "Two paid certifications a year"]
    assert "Shifts are four nights on, four nights off." in posting["description"]


def test_li_without_ul_reads_loose_items_and_drops_empty_ones() -> None:
    posting = case_posting("li_without_ul")
    assert posting["requirements"] == ["Driving licence (B)", "Electrical certification"]
    assert posting["benefits"] == ["Company van", "Overtime paid at 150%"]  # spans joined by one space
    assert "How to apply" in posting["description"]  # an unknown heading ends the benefits


def test_bullet_characters_start_items_but_a_dash_inside_text_does_not() -> None:
    posting = case_posting("bullet_char_lines")
    assert posting["responsibilities"] == [
        "Prototype and ship gameplay features", "Tune controls with designers", "Review code from other programmers",
    ]  # '•' without a space and '●&nbsp;' too
    assert posting["requirements"][2:4] == ["Unreal Engine 5", "Comfortable with profilers"]  # '*' lines after <br>
    assert posting["nice_to_have"] == ["Multiplayer netcode", "Console certification"]  # pre-line text, one per line
    assert posting["benefits"] == ["Profit sharing"]
    assert "-5 degrees below burnout" in posting["description"]


def test_colon_lines_are_headings_and_a_lead_in_does_not_end_the_section() -> None:
    posting = case_posting("colon_line_headings")
    assert posting["responsibilities"] == [
        "Design batch and streaming pipelines in Spark and Flink", "Keep data contracts with the product teams",
    ]
    assert posting["requirements"] == ["4+ years of data engineering", "Strong SQL"]
    assert posting["benefits"] == ["Pension with 8% employer contribution"]  # "About Tidal Bank:" ends it
    assert "Tidal Bank is a licensed bank for small businesses." in posting["description"]


def test_bold_paragraphs_are_headings_but_bold_sentences_and_labels_are_not() -> None:
    posting = case_posting("bold_paragraph_headings")
    # the repeated bullet is listed once
    assert posting["requirements"] == ["A portfolio of shipped product work", "Comfort with Figma prototypes"]
    assert posting["nice_to_have"] == ["Experience with legal or finance tools"]
    assert posting["benefits"] == ["A yearly team retreat", "Home office budget of €1,500"]
    assert "Note: we only hire in countries where we have an entity." in posting["description"]
    assert "We review every application by hand." in posting["description"]


def test_one_broken_json_ld_block_does_not_hide_the_next() -> None:
    posting = case_posting("jsonld_invalid_json")
    assert (posting["company"], posting["locations"], posting["employment_type"]) == (
        "Greenleaf Grocers", ["Leeds, GB"], "full-time",
    )
    assert posting["requirements"] == ["Forklift licence", "Experience leading a team of 10+"]


def test_escaped_json_ld_description_is_read_and_unreadable_dates_are_null() -> None:
    posting = case_posting("jsonld_escaped_description")
    assert posting["requirements"] == ["Fluent English and Portuguese", "2 years leading people"]
    assert posting["benefits"] == ["Free language courses", "Flexible hours"]
    assert (posting["date_posted"], posting["valid_through"]) == (None, None)  # "last week", 2024-13-45
    assert "&lt;" not in posting["description"] and "&nbsp;" not in posting["description"]


def test_json_ld_graph_inside_an_array() -> None:
    posting = case_posting("jsonld_graph_array")
    assert (posting["external_id"], posting["workplace"]) == ("77031", "remote")  # numeric identifier, TELECOMMUTE
    assert posting["locations"] == ["United Kingdom", "Ireland"]
    assert posting["salary"] == {"min": 32.5, "max": 32.5, "currency": "GBP", "interval": "hour"}  # "gbp" upper-cased


def test_microdata_posting_and_an_impossible_date() -> None:
    posting = case_posting("microdata")
    assert (posting["external_id"], posting["company"], posting["locations"]) == (
        "HA-2291", "Harbor Analytics", ["Oslo, Norway"],
    )
    assert (posting["date_posted"], posting["valid_through"]) == ("2024-02-29", None)  # 2024-02-30 does not exist
    assert posting["nice_to_have"] == ["Maritime domain knowledge"]


def test_related_job_links_resolve_against_base_and_drop_noise() -> None:
    posting = case_posting("related_jobs_links")
    assert [job["url"] for job in posting["related_jobs"]] == [
        "https://careers.finchpay.example/jobs/4313/backend-engineer-risk",  # <base href>, utm_source gone
        "https://careers.finchpay.example/jobs/4320/staff-engineer-ledger",  # listed once
        "https://careers.finchpay.example/jobs/4401/site-reliability-engineer",
    ]  # "#top" and mailto: are not jobs
    assert posting["related_jobs"][0]["title"] == "Backend Engineer, Risk"  # the card's heading, not its meta line
