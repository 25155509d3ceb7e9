"""Reading a careers listing without a ``link_pattern``: which links to fetch, and how to be sure.

Page 1 of a listing is analysed (extract/discovery.py). Each candidate group is *probed*: its
first link is fetched as role ``probe``; a probe that reads as a posting (exactly one schema.org
JobPosting, or a title with a requirements-type section, or an h1 naming the link's title over
a page of text) confirms the group, and the rest of it is fetched as role ``candidate``. A probe
that does not read as a posting is skipped (counted) and the group's next link is probed, up to
``PROBES_PER_GROUP``. Probes run one after another, so a confirmed group costs no request more
than its postings, and no request is ever made twice.

A confirmed group becomes the source's learned template (cached in the database by the crawl);
on later crawls the listing's links that match it are fetched as candidates at once. When it
matches nothing on page 1, the listing is analysed again. When the listing yields nothing at
all, the site's sitemaps are read (extract/sitemaps.py).

Everything here is pure: Page in, Parsed out; state travels in ``Fetch.data``.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from jobtrail.crawler.extract.base import ExtractError, Fetch, LinkNote, Page, Parsed
from jobtrail.crawler.extract.discovery import Analysis, Group, Template, analyze, matching
from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.jsonld import StructuredPosting
from jobtrail.crawler.extract.links import APPLY_WORDS
from jobtrail.crawler.extract.paging import PageLink, page_links
from jobtrail.crawler.extract.sitemaps import (
    child_sitemaps,
    posting_groups,
    read_sitemap,
    robots_sitemaps,
    sitemap_fetches,
)
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.urls import canonical_url

DEFAULT_MAX_PAGES = 20
PROBES_PER_GROUP = 2
#: pages reached by heuristic discovery: one that is not a posting is skipped and counted
HEURISTIC_ROLES = frozenset({"probe", "candidate"})


def read_listing(page: Page, tree: HtmlElement, source: SourceConfig, structured: list[StructuredPosting],
                 pattern_urls: list[str] | None = None) -> Parsed:
    """Posting fetches (probes, candidates), next listing pages, and notes for `jobtrail check`.

    ``pattern_urls``: the links the source's ``link_pattern`` picked; they are postings, no analysis.
    """
    data = page.data
    paging = page_links(tree, page.url)
    analysis = analyze(tree, page.url, [p.url for p in paging])
    parsed = Parsed(notes=[LinkNote(canonical_url(page.url), False, "listing page")])
    if pattern_urls is not None:
        seen = {canonical_url(page.url), *pattern_urls}
        parsed.follow = [Fetch(url=url, role="posting", data={"why": "pattern"}) for url in pattern_urls]
        parsed.follow += _structured(structured, seen)
        parsed.notes += [LinkNote(url, True, "pattern", analysis.titles().get(url)) for url in pattern_urls]
        parsed.notes += [LinkNote(item.url, False, item.why, item.text or None) for item in analysis.left_out
                         if item.url not in seen]
        if int(data.get("page_no", 1)) == 1 and not parsed.follow:
            parsed.hint = f"link_pattern {source.link_pattern!r} matches no link on the listing"
        parsed.follow += _next_pages(page, paging, source, analysis, None, [])
        return parsed
    learned = Template.from_json(data.get("learned"))
    first = int(data.get("page_no", 1)) == 1
    if learned is not None and learned.origin == "sitemap" and first:
        parsed.follow += sitemap_fetches(page.url, {"learned": learned.to_json()})
        parsed.notes += [LinkNote(page.url, False, "postings come from the sitemap (learned)")]
        return parsed
    taken = matching(analysis.links, learned) if learned and learned.origin != "sitemap" else []
    if learned is not None and not taken and first:
        parsed.notes.append(LinkNote(page.url, False, "the learned template matches nothing: analysing again"))
        learned = None
    groups = [] if taken else _groups(analysis, data)
    seen = {canonical_url(page.url)}
    if taken:
        parsed.follow += [_candidate(link.url, "template", link.title) for link in taken]
        parsed.notes += [LinkNote(link.url, True, "template", link.title) for link in taken]
        seen.update(link.url for link in taken)
    for group in groups:
        parsed.follow += _probe_chain(group, seen, analysis)
    parsed.follow += _structured(structured, seen)
    parsed.notes += _left_out(analysis, seen, groups)
    if first and not parsed.follow:
        parsed.hint = empty_hint(analysis)
        parsed.follow += sitemap_fetches(page.url, {})
    parsed.follow += _next_pages(page, paging, source, analysis, learned, groups)
    return parsed


def _groups(analysis: Analysis, data: dict[str, object]) -> list[Group]:
    """This page's groups, plus links matching the groups page 1 found (a last page may hold one)."""
    groups = list(analysis.groups)
    known = {g.template.keys for g in groups}
    for text in data.get("groups") or []:  # type: ignore[attr-defined]
        template = Template.from_json(str(text))
        if template is None or template.keys in known:
            continue
        links = matching(analysis.links, template)
        if links:
            groups.append(Group(template=template, links=links, score=0.0))
    return groups


def _probe_chain(group: Group, seen: set[str], analysis: Analysis) -> list[Fetch]:
    """The group's links not yet asked for, probed one after another."""
    urls = [url for url in group.urls if url not in seen]
    seen.update(urls)
    return probe(urls, group.template, analysis.titles(), why="probe")


def probe(urls: list[str], template: Template, titles: dict[str, str], why: str) -> list[Fetch]:
    """A probe of the first URL carrying the rest of the group (fetched once the group is confirmed)."""
    if not urls:
        return []
    data = {
        "rest": urls[1:], "tries": PROBES_PER_GROUP - 1, "learn": template.to_json(),
        "title": titles.get(urls[0]), "titles": {url: titles[url] for url in urls[1:] if url in titles},
        "why": why, "optional": True,
    }
    return [Fetch(url=urls[0], role="probe", data=data)]


def _candidate(url: str, why: str, title: str | None) -> Fetch:
    return Fetch(url=url, role="candidate", data={"why": why, "title": title, "optional": True})


def _structured(structured: list[StructuredPosting], seen: set[str]) -> list[Fetch]:
    """Postings a listing names in its own JobPosting data (with a URL of their own)."""
    fetches = []
    for item in structured:
        url = canonical_url(item.url) if item.url else None
        if url and url not in seen:
            seen.add(url)
            fetches.append(_candidate(url, "jsonld", item.title))
    return fetches


def _left_out(analysis: Analysis, seen: set[str], groups: list[Group]) -> list[LinkNote]:
    probing = {url for group in groups for url in group.urls}
    notes = [LinkNote(url, True, "probe", analysis.titles().get(url)) for url in dict.fromkeys(probing)]
    notes += [LinkNote(item.url, False, item.why, item.text or None) for item in analysis.left_out
              if item.url not in seen]
    return notes


def _next_pages(page: Page, paging: list[PageLink], source: SourceConfig, analysis: Analysis,
                learned: Template | None, groups: list[Group]) -> list[Fetch]:
    """Further listing pages, within the source's page cap, never a page already read or one that
    repeats an earlier page's links (a site answering ?page=99 with page 1)."""
    data = page.data
    page_no = int(data.get("page_no", 1))
    cap = source.max_pages or DEFAULT_MAX_PAGES
    seen_pages = [*data.get("seen_pages", []), canonical_url(page.url)]
    signature = "|".join(sorted({link.url for link in analysis.links}))[:4000]
    signatures = list(data.get("link_sigs", []))
    if page_no > 1 and signature in signatures:
        return []
    signatures.append(signature)
    carried = {
        "learned": learned.to_json() if learned else None,
        "groups": [g.template.to_json() for g in groups] or data.get("groups") or [],
        "seen_pages": seen_pages, "link_sigs": signatures,
    }
    fetches = []
    for link in paging:
        number = link.number if link.number and link.number > page_no else page_no + 1
        if link.url in seen_pages or number > cap or (link.number is not None and link.number <= page_no):
            continue
        fetches.append(Fetch(url=link.url, role="listing", data={"page_no": number, **carried}))
    return fetches


def empty_hint(analysis: Analysis) -> str:
    """One line on why a listing gave nothing, and what to try."""
    if not analysis.links and analysis.scripts:
        return (f"the listing has no content links but {analysis.scripts} script(s): it is probably built by "
                "JavaScript; try render = \"browser\", or look for an ATS board or a JSON API behind it")
    return (f"no group of posting-like links among {len(analysis.links)} content link(s) on the listing; "
            "set link_pattern (see `jobtrail check NAME`), or look for an ATS board behind it")


# --- sitemaps -------------------------------------------------------------------------------------

def read_robots(page: Page) -> Parsed:
    """robots.txt: its Sitemap: lines (a missing robots.txt is normal: /sitemap.xml is asked anyway)."""
    if page.status >= 400:
        return Parsed(notes=[LinkNote(canonical_url(page.url), False, f"no robots.txt (HTTP {page.status})")])
    data = {key: value for key, value in page.data.items() if key in ("listing", "learned", "optional", "depth")}
    return Parsed(follow=robots_sitemaps(page.text, page.url, data))


def read_sitemap_page(page: Page) -> Parsed:
    """A sitemap or sitemap index: child sitemaps, or probes of the groups of posting-like URLs."""
    url = canonical_url(page.url)
    if page.status >= 400:
        return Parsed(notes=[LinkNote(url, False, f"no sitemap (HTTP {page.status})")])
    kind, locations = read_sitemap(page.body)
    if kind == "sitemapindex":
        return Parsed(follow=child_sitemaps(locations, page.data), notes=[LinkNote(url, False, "sitemap index")])
    learned = Template.from_json(str(page.data.get("learned") or ""))
    groups = posting_groups(locations, str(page.data.get("listing") or page.url),
                            learned if learned and learned.origin == "sitemap" else None)
    parsed = Parsed(notes=[LinkNote(url, False, f"sitemap with {len(locations)} URL(s)")])
    for template, urls in groups:
        if learned is not None and template == learned:
            parsed.follow += [Fetch(url=u, role="posting", data={"why": "sitemap"}) for u in urls]
            parsed.notes += [LinkNote(u, True, "sitemap") for u in urls]
        else:
            parsed.follow += probe(urls, template, {}, why="sitemap")
            parsed.notes += [LinkNote(u, True, "sitemap, probing") for u in urls]
    return parsed


# --- probe and candidate pages ------------------------------------------------------------------------

def confirm(page: Page, posting: Posting | None, structured: list[StructuredPosting], prose: bool) -> Parsed:
    """A probed or candidate page: a posting (and, for a probe, its group confirmed), or skipped."""
    data = page.data
    why = str(data.get("why", "structure"))
    if page.role == "candidate" and (page.status >= 500 or page.status == 429):
        # a confirmed posting link the site failed to serve: a failure, so nothing closes by mistake
        raise ExtractError(f"HTTP {page.status} at {canonical_url(page.url)}")
    if posting is None or not (page.role == "candidate" or _reads_as_posting(posting, structured, prose, data,
                                                                               page.text)):
        return _not_a_posting(page, why)
    parsed = Parsed(postings=[posting], notes=[LinkNote(canonical_url(page.url), True, why, posting.title)])
    if page.role == "probe":
        rest = list(data.get("rest", []))
        titles = dict(data.get("titles", {}))
        role = "posting" if _origin(data) == "sitemap" else "candidate"
        parsed.follow = [Fetch(url=url, role=role, data={"why": "sitemap" if role == "posting" else "structure",
                                                           "title": titles.get(url), "optional": role != "posting"})
                         for url in rest]
        parsed.learned = str(data.get("learn")) if data.get("learn") else None
    return parsed


def _reads_as_posting(posting: Posting, structured: list[StructuredPosting], prose: bool,
                      data: dict[str, object], page_text: str) -> bool:
    """Exactly one JobPosting; or a title with a requirements-type section; or an h1 equal to the
    title the listing gave the link, over a paragraph of text, with a call to apply."""
    if len(structured) == 1:
        return True
    if posting.title and (posting.requirements or posting.responsibilities or posting.nice_to_have):
        return True
    listed = " ".join(str(data.get("title") or "").split()).lower()
    return prose and bool(listed) and " ".join(posting.title.split()).lower() == listed and apply_cue(page_text)


def apply_cue(html: str) -> bool:
    """A link, button or form that says "Apply" (in a supported language), or a mailto link."""
    tree = parse_document(html)
    if tree is None:
        return False
    for element in tree.iter("a", "button", "input"):
        label = element.get("value") if element.tag == "input" else element.text_content()
        if " ".join((label or "").lower().split()).strip(" .!»›→") in APPLY_WORDS:
            return True
        if element.tag == "a" and (element.get("href") or "").startswith("mailto:"):
            return True
    return False


def _not_a_posting(page: Page, why: str) -> Parsed:
    url = canonical_url(page.url)
    reason = f"HTTP {page.status}" if page.status >= 400 else "not a posting"
    parsed = Parsed(skipped=[f"{url}: {reason} ({why})"], notes=[LinkNote(url, False, f"{reason} ({why})")])
    rest = list(page.data.get("rest", []))
    tries = int(page.data.get("tries", 0))
    if page.role == "probe" and rest and tries > 0:
        titles = dict(page.data.get("titles", {}))
        data = {**page.data, "rest": rest[1:], "tries": tries - 1, "title": titles.get(rest[0])}
        parsed.follow = [Fetch(url=rest[0], role="probe", data=data)]
    elif page.role == "probe" and rest:
        parsed.notes += [LinkNote(url, False, "its group was not confirmed by probing") for url in rest]
    return parsed


def _origin(data: dict[str, object]) -> str:
    template = Template.from_json(str(data.get("learn") or ""))
    return template.origin if template else "structure"
