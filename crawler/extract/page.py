"""kind = "page": a company's own careers pages, read like a person would.

A listing page gives posting links (``link_pattern``, else discovery by structure: see
extract/listing.py) and its next pages; a posting page gives one Posting, built from
schema.org JobPosting data for scalars and from the HTML for title and sections.
Per-source CSS selectors override any field when the heuristics get a site wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml.html import HtmlElement
from parsel import Selector

from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.extract.document import parse_document, readable_html
from jobtrail.crawler.extract.facts import Facts, facts_from_lines, workplace_from_text
from jobtrail.crawler.extract.jsonld import StructuredPosting, iso_date, job_postings_in
from jobtrail.crawler.extract.links import id_from_url, posting_links
from jobtrail.crawler.extract.listing import HEURISTIC_ROLES, confirm, read_listing, read_robots, read_sitemap_page
from jobtrail.crawler.extract.nodes import Element, Node, document_nodes, first_element, is_element
from jobtrail.crawler.extract.sections import (
    apply_sections,
    no_decisions,
    one_line,
    plain_text,
    read_sections,
    related_job,
    related_jobs_in,
)
from jobtrail.crawler.extract.title import PageHead, company_name, find_title, read_head, title_from_meta
from jobtrail.crawler.items import LIST_FIELDS, TEXT_LIST_FIELDS, Posting, RelatedJob
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.urls import canonical_url

if TYPE_CHECKING:  # bs4 is imported when a page is read with it (see nodes.py)
    from bs4 import BeautifulSoup, Tag

#: where the posting itself usually is, best guess first
MAIN_CONTENT = ("main", "article", "[role=main]", "[itemprop=description]")
#: roles of the pages that only discovery reads
DISCOVERY_READERS = {"robots": read_robots, "sitemap": read_sitemap_page}
#: description length that makes an h1 page a posting when nothing else says so
MIN_PROSE_CHARS = 200


@dataclass(frozen=True)
class PageKind:
    key: str = "page"

    def start(self, source: SourceConfig) -> list[Fetch]:
        if not source.url:
            raise ExtractError(f"source {source.name!r}: kind 'page' needs a 'url'")
        return [Fetch(url=source.url, role="listing")]

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        if page.role in DISCOVERY_READERS:  # robots.txt and sitemaps (extract/listing.py)
            return DISCOVERY_READERS[page.role](page)
        if page.status >= 400 and page.role not in HEURISTIC_ROLES:
            raise ExtractError(f"HTTP {page.status} for {canonical_url(page.url)}")
        html = page.text
        tree = parse_document(html)
        structured = job_postings_in(tree, page.url) if tree is not None else []
        if page.role == "listing":
            return self._listing(page, html, tree, source, structured)
        if page.role in HEURISTIC_ROLES:  # reached by discovery: not a posting is skipped, never a failure
            return confirm(page, self._maybe_posting(page, html, tree, source, structured), structured, prose=True)
        head = read_head(tree)  # before the chrome is cut: the logo and <title> are read here
        posting = build_posting(
            page, _readable_document(html, tree, source), source, structured, strict=page.role == "posting", head=head,
        )
        return Parsed(postings=[posting] if posting else [])

    def _maybe_posting(self, page: Page, html: str, tree: HtmlElement | None, source: SourceConfig,
                       structured: list[StructuredPosting]) -> Posting | None:
        if page.status >= 400:
            return None
        head = read_head(tree)
        try:
            return build_posting(page, _readable_document(html, tree, source), source, structured, strict=True,
                                 head=head)
        except ExtractError:
            return None

    def _listing(self, page: Page, html: str, tree: HtmlElement | None, source: SourceConfig,
                 structured: list[StructuredPosting]) -> Parsed:
        pattern = source.link_regex
        if len(structured) == 1 or (pattern and pattern.search(page.url)):
            posting = build_posting(page, _soup(html, source), source, structured, strict=True, head=read_head(tree))
            return Parsed(postings=[posting] if posting else [])
        pattern_urls = None
        if pattern:
            # the tree already parsed (a NUL byte is where parsel's own parse, which drops them, could differ)
            document = tree if tree is not None and "\x00" not in html else Selector(text=html or "<html></html>")
            pattern_urls = posting_links(document, page.url, pattern)
        return read_listing(page, tree if tree is not None else parse_document("<html></html>"), source, structured,
                            pattern_urls)


KIND = PageKind()


def _readable_document(html: str, tree: HtmlElement | None, source: SourceConfig) -> Node:
    """What the section extractor reads of the page: the page without chrome and scripts (see
    ``document``) as plain nodes (``nodes``); the whole page as BeautifulSoup when the source's
    own selectors may point anywhere (soupsieve runs on bs4) or lxml stopped at its nesting limit."""
    readable = readable_html(tree) if tree is not None and not source.selectors else None
    if readable is None:
        return _soup(html, source)
    # parsed again, as BeautifulSoup parsed it: lxml does not write every tree as it read it
    # (URIs are escaped, an empty <li> loses its end tag and takes in what follows)
    readable_tree = parse_document(readable)
    return document_nodes(readable_tree) if readable_tree is not None else _soup(readable, source)


def _soup(html: str, source: SourceConfig) -> BeautifulSoup:
    from bs4 import BeautifulSoup

    # class lists are only for the source's selectors; splitting every class attribute costs
    return BeautifulSoup(html or "", "lxml", **({} if source.selectors else {"multi_valued_attributes": None}))


def build_posting(
    page: Page, document: Node, source: SourceConfig, structured: list[StructuredPosting], *, strict: bool,
    head: PageHead,
) -> Posting | None:
    """One Posting from a posting page; None (or ExtractError when ``strict``) if there is none.

    A page counts as a posting when it has a JobPosting, a mapped section, or a match for one
    of the source's selectors; a page reached as a posting link (``strict``) also with an h1 and at
    least a paragraph of text (a "page not found" page has neither). ``document``: the page as
    BeautifulSoup or as nodes (``_readable_document``); ``head``: read before the chrome was cut.
    """
    data = structured[0] if structured else StructuredPosting()
    base_url = _base_url(document, page.url)
    # only a source with selectors has its page read as BeautifulSoup (soupsieve); no selectors, no overrides
    overrides = _selector_values(document, source, base_url) if not isinstance(document, Element) else {}
    main = _main_content(document)
    company = company_name(head, data.company, source.company)
    known = (company, data.company, source.company, head.meta("og:site_name"))
    heading = find_title(head, known)
    title = overrides.get("title") or heading or data.title or title_from_meta(head, known)
    # what a selector picked is that field's, not the description's
    shown = [text for text in (heading, title) if isinstance(text, str)]
    sections, lines = read_sections(main, base_url, title=shown, drop_selectors=list(source.selectors.values()))
    body = _body(document)
    if not sections.related_jobs and main is not body:  # related jobs often sit beside <main>
        with no_decisions():
            sections.related_jobs = related_jobs_in(_outside(main, body), base_url)
    sections.related_jobs = _canonical_jobs(sections.related_jobs)
    has_sections = any(getattr(sections, name) for name in LIST_FIELDS)
    # a page with its own title heading and a body of text is a posting, headings or not
    prose = bool(heading or strict) and len(sections.description or "") >= MIN_PROSE_CHARS
    recognized = bool(structured or has_sections or overrides or prose)
    if not recognized or not isinstance(title, str):
        if strict:
            raise ExtractError(f"no job posting found on {canonical_url(page.url)}")
        return None
    url = canonical_url(page.url)
    posting = Posting(
        source=source.name,
        external_id=data.external_id or id_from_url(url) or url,
        url=url,
        title=title,
        company=company,
        locations=list(data.locations),
        employment_type=data.employment_type,
        workplace=data.workplace,
        salary=data.salary,
        date_posted=data.date_posted,
        valid_through=data.valid_through,
    )
    # HTML first; but a page whose HTML has no lists while its JobPosting description does is
    # a script-rendered shell, and the JobPosting tells the posting better
    ordered = [sections, data.sections] if has_sections else [data.sections, sections]
    for found in ordered:
        if found is not None:
            apply_sections(posting, found)
    apply_facts(posting, facts_from_lines(lines, title))
    for name, value in overrides.items():
        setattr(posting, name, value)
    return posting


def apply_facts(posting: Posting, facts: Facts) -> None:
    """Fill what structured data left empty with what the page's text says."""
    posting.locations = posting.locations or list(facts.locations)
    posting.workplace = posting.workplace or facts.workplace
    posting.employment_type = posting.employment_type or facts.employment_type
    posting.salary = posting.salary or facts.salary


def _outside(main: Node, body: Node) -> list[Node]:
    """The parts of the page around the main content (asides, blocks after it), not it again."""
    around: list[Node] = []
    node: Node = main
    while node is not body and is_element(node.parent):
        around.extend(child for child in node.parent.children if is_element(child) and child is not node)
        node = node.parent
    return around


def _body(document: Node) -> Node:
    """<body>, else the whole document."""
    return first_element(document, lambda node: node.name == "body") or document


def _base_url(document: Node, page_url: str) -> str:
    """Where relative links resolve: <base href> when the page has one (in <head> if there is one)."""
    head = first_element(document, lambda node: node.name == "head") or document
    base = first_element(head, lambda node: node.name == "base" and node.get("href") is not None)
    return urljoin(page_url, str(base.get("href")).strip()) if base is not None else page_url


def _canonical_jobs(jobs: list[RelatedJob]) -> list[RelatedJob]:
    """Related jobs with canonical URLs (no tracking parameters), each URL once."""
    unique: dict[str, RelatedJob] = {}
    for job in jobs:
        url = canonical_url(job.url)
        unique.setdefault(url, RelatedJob(title=job.title, url=url))
    return list(unique.values())


#: MAIN_CONTENT as tests on an element, in the same order
_MAIN_TESTS: tuple[Callable[[Node], bool], ...] = (
    lambda node: node.name == "main",
    lambda node: node.name == "article",
    lambda node: node.get("role") == "main",
    lambda node: node.get("itemprop") == "description",
)


def _main_content(document: Node) -> Node:
    """The first of MAIN_CONTENT that the page has (each lookup stops at its first match)."""
    for test in _MAIN_TESTS:
        found = first_element(document, test)
        if found is not None:
            return found
    return _body(document)


def _selector_values(soup: BeautifulSoup, source: SourceConfig, base_url: str) -> dict[str, object]:
    """Field values from the source's CSS selectors; only selectors that match count (a page
    whose source has selectors is read as BeautifulSoup: see ``_readable_document``)."""
    from soupsieve import SelectorSyntaxError  # comes with bs4

    values: dict[str, object] = {}
    for name, css in source.selectors.items():
        try:
            matches = soup.select(css)
        except (SelectorSyntaxError, ValueError) as exc:
            raise ExtractError(f"source {source.name!r}: selector for {name!r} is not valid CSS: {css!r}") from exc
        value = _selector_value(name, matches, base_url)
        if value:
            values[name] = value
    return values


def _selector_value(name: str, matches: list[Tag], base_url: str) -> object:
    if name in TEXT_LIST_FIELDS:
        return list(dict.fromkeys(text for text in (one_line(m.get_text(" ")) for m in matches) if text))
    if name == "related_jobs":
        return _related_from(matches, base_url)
    if not matches:
        return None
    if name == "description":
        return plain_text(matches[0], base_url)
    text = one_line(matches[0].get_text(" "))
    if name in ("date_posted", "valid_through"):
        return iso_date(text)
    if name == "workplace":
        return workplace_from_text(text)
    return text or None


def _related_from(matches: list[Tag], base_url: str) -> list[RelatedJob]:
    jobs: dict[str, RelatedJob] = {}
    for match in matches:
        for link in [match] if match.name == "a" else match.find_all("a", href=True):
            job = related_job(link, base_url)
            if job:
                jobs.setdefault(job.url, job)
    return _canonical_jobs(list(jobs.values()))
