"""Which links on a careers listing are its postings, found by structure rather than by words.

Postings on a listing share two things whatever the site's language or URL scheme: their URLs
have one shape with one varying part (``/en/open-positions/*``, ``/acme/*``, ``/r/*``,
``/job?id=*``) and their links sit in repeated markup (sibling cards, list items, table rows of
one shape). Links are grouped by both; groups are ranked by size, by how title-like their texts
are, and by path words in the supported languages (a help, never required). Links in site
chrome (nav, header, footer), other sites, assets, paging and section pages (Benefits, FAQ,
Teams) are left out, each with the reason. Titles come from the link text, or when that is
generic ("Learn more", "Mehr erfahren", "Voir l'offre"), from the card or row around it.

A learned ``Template`` (the URL shapes and markup signatures of the postings) is cached per
source so a re-check takes the same links without analysing again; it stops matching when
the site changes, and the listing is analysed afresh.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin

from lxml.html import HtmlElement

from jobtrail.crawler.extract.links import (
    ASSET_EXTENSIONS,
    ID_PARAMS,
    absolute_url,
    job_word,
    looks_like_posting,
    nav_word,
    same_site,
    split_url,
    title_like,
)
from jobtrail.crawler.urls import canonical_url

#: ancestors (above the link) whose tag and first class make a link's markup signature
SIGNATURE_DEPTH = 3
#: groups tried per listing, best first
MAX_GROUPS = 3
#: a group needs this share of the best group's score to be tried at all
RELATIVE_SCORE = 0.3
MIN_SCORE = 0.9
_CHROME = "nav"
_LANDMARK_TAGS = frozenset({"main", "article", "section", "li", "td", "tr"})
_TITLE_CLASS = re.compile(r"title|name|role|position|heading|stelle|titre|titulo|titel|naam|nome", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CLASSES = re.compile(r"\.[^<]*")


@dataclass(frozen=True)
class Template:
    """Posting links learned for a source: (URL shape, markup signature) pairs; '*' = any."""

    keys: tuple[tuple[str, str], ...]
    origin: str = "structure"  # structure | sitemap

    def matches(self, shapes: Iterable[str], dom: str) -> bool:
        shapes = set(shapes)
        return any((shape == "*" or shape in shapes) and (sig == "*" or sig == dom) for shape, sig in self.keys)

    def to_json(self) -> str:
        return json.dumps({"keys": [list(key) for key in self.keys], "origin": self.origin}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Template | None:
        """The stored template, or None when there is none or it cannot be read (it is then relearned)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(keys=tuple((str(a), str(b)) for a, b in data["keys"]), origin=str(data.get("origin")))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class Link:
    url: str  # canonical
    text: str
    dom: str
    shapes: tuple[str, ...]
    element: HtmlElement = field(repr=False, compare=False)
    title: str | None = None


@dataclass
class Group:
    template: Template
    links: list[Link]
    score: float

    @property
    def urls(self) -> list[str]:
        return [link.url for link in self.links]


@dataclass(frozen=True)
class LeftOut:
    url: str
    text: str
    why: str


@dataclass
class Analysis:
    links: list[Link]
    groups: list[Group]  # ranked, at most MAX_GROUPS, none a subset of a better one
    left_out: list[LeftOut]
    scripts: int

    def titles(self) -> dict[str, str]:
        return {link.url: link.title for link in self.links if link.title}


def analyze(tree: HtmlElement, page_url: str, paging: Iterable[str] = ()) -> Analysis:
    """Group the listing's links and rank the groups that may be its postings."""
    links, left_out = collect_links(tree, page_url, set(paging))
    assign_titles(links)
    groups = rank_groups(links, page_url)
    taken = {url for group in groups for url in group.urls}
    left_out += [LeftOut(link.url, link.text, "not in a posting-like group") for link in _unique(links)
                 if link.url not in taken]
    return Analysis(links=links, groups=groups, left_out=left_out, scripts=len(tree.xpath("//script")))


def matching(links: list[Link], template: Template) -> list[Link]:
    """The links a learned template takes, each URL once, in page order."""
    return _unique(link for link in links if template.matches(link.shapes, link.dom))


def collect_links(tree: HtmlElement, page_url: str, paging: set[str]) -> tuple[list[Link], list[LeftOut]]:
    """Every same-site content link (one entry per anchor); what was left out and why."""
    base = urljoin(page_url, (tree.xpath("//base/@href") or [""])[0].strip())
    here = canonical_url(page_url)
    links: list[Link] = []
    left_out: list[LeftOut] = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        url = canonical_url(absolute_url(base, href))
        text = " ".join(anchor.text_content().split())
        why = _leave_out(anchor, url, here, paging)
        if why:
            left_out.append(LeftOut(url, text, why))
            continue
        links.append(Link(url=url, text=text, dom=dom_signature(anchor), shapes=url_shapes(url), element=anchor))
    return links, _unique_left_out(left_out)


def _leave_out(anchor: HtmlElement, url: str, here: str, paging: set[str]) -> str | None:
    parts = split_url(url)
    if parts.scheme not in ("http", "https"):
        return "not a web link"
    if url == here:
        return "the listing itself"
    if url in paging:
        return "a page of the listing"
    if not same_site(url, here):
        return "another site"
    if ASSET_EXTENSIONS.search(parts.path):
        return "a file, not a page"
    if in_chrome(anchor):
        return "site navigation (nav/header/footer)"
    segments = [s for s in parts.path.split("/") if s]
    if segments and (nav_word(segments[-1]) or (len(segments) > 1 and nav_word(segments[-2]))):
        return f"a section page ({segments[-1] if nav_word(segments[-1]) else segments[-2]})"
    here_parts = split_url(here)
    if parts.path.rstrip("/") == here_parts.path.rstrip("/") and not _id_param(parts.query):
        return "the listing with other filters"
    if here_parts.path.startswith(parts.path.rstrip("/") + "/") or not segments:
        return "a page above the listing"
    return None


def in_chrome(element: HtmlElement) -> bool:
    """Inside site navigation: <nav>, [role=navigation], or a page-level <header>/<footer>.

    A <header> or <footer> inside an article, section, list item or main is part of that
    content (a card's header holds its title), not of the site's chrome.
    """
    for ancestor in element.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        role = (ancestor.get("role") or "").lower()
        if tag == _CHROME or role in ("navigation", "banner", "contentinfo"):
            return True
        if tag in ("header", "footer"):
            return not any(isinstance(a.tag, str) and a.tag in _LANDMARK_TAGS for a in ancestor.iterancestors())
    return False


def dom_signature(anchor: HtmlElement) -> str:
    """The link's tag and class, then its nearest ancestors': 'a.more<div.card-foot<div.card<div.grid'."""
    parts = [_node(anchor)]
    for depth, ancestor in enumerate(anchor.iterancestors()):
        if depth >= SIGNATURE_DEPTH or not isinstance(ancestor.tag, str):
            break
        parts.append(_node(ancestor))
    return "<".join(parts)


def _node(element: HtmlElement) -> str:
    classes = (element.get("class") or "").split()
    first = _DIGITS.sub("", classes[0]).strip("-_") if classes else ""
    return f"{element.tag}.{first}" if first else str(element.tag)


def url_shapes(url: str) -> tuple[str, ...]:
    """Every shape of the URL with one part made variable: host/a/*/c, host/a/b/*, host/job?id=*."""
    parts = split_url(url)
    host = (parts.hostname or "").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    shapes = []
    param = _id_param(parts.query)
    if param:
        shapes.append(f"{host}/{'/'.join(segments)}?{param}=*")
    for index in range(len(segments)):
        varied = [*segments[:index], "*", *segments[index + 1:]]
        shapes.append(f"{host}/{'/'.join(varied)}")
    return tuple(shapes)


@lru_cache(maxsize=4096)
def _id_param(query: str) -> str | None:
    names = {key: value for key, value in parse_qsl(query)}
    return next((name for name in ID_PARAMS if names.get(name, "").strip()), None)


# --- titles ----------------------------------------------------------------------------------------

def assign_titles(links: list[Link]) -> None:
    """Each link's title: its own text when it reads as one, else its card's heading or strongest text."""
    cards = _cards(links)
    for link in links:
        if title_like(link.text):
            link.title = link.text
            continue
        label = " ".join((link.element.get("aria-label") or link.element.get("title") or "").split())
        link.title = label if title_like(label) else card_title(cards.get(id(link.element)), link.element)


def _cards(links: list[Link]) -> dict[int, HtmlElement]:
    """For each anchor, the largest element around it holding no link to another URL (its card or row)."""
    urls_below: dict[HtmlElement, set[str]] = defaultdict(set)
    for link in links:
        for ancestor in link.element.iterancestors():
            urls_below[ancestor].add(link.url)
    cards: dict[int, HtmlElement] = {}
    for link in links:
        card = link.element
        for ancestor in link.element.iterancestors():
            if ancestor.tag in ("body", "html") or len(urls_below[ancestor]) > 1:
                break
            card = ancestor
        cards[id(link.element)] = card
    return cards


def card_title(card: HtmlElement | None, anchor: HtmlElement) -> str | None:
    """The heading, a title-ish element, bold text, or the first title-like line of the card."""
    if card is None or card is anchor:
        return None
    candidates: list[HtmlElement] = [e for e in card.iter(*_HEADINGS)]
    candidates += [e for e in card.iter() if isinstance(e.tag, str) and _TITLE_CLASS.search(e.get("class") or "")]
    candidates += [e for e in card.iter("strong", "b", "th", "dt")]
    for element in candidates:
        text = " ".join(element.text_content().split())
        if title_like(text):
            return text
    for chunk in card.itertext():
        text = " ".join(chunk.split())
        if title_like(text):
            return text
    return None


# --- groups ----------------------------------------------------------------------------------------

def rank_groups(links: list[Link], page_url: str) -> list[Group]:
    """The groups worth trying, best first: tight groups (one URL shape, one markup signature) and
    their unions by shape (postings split over department sections) or by markup (one list, mixed URLs)."""
    tight: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in links:
        for shape in link.shapes:
            tight[(shape, link.dom)].append(link)
    groups = [_group(((shape, dom),), members, page_url) for (shape, dom), members in tight.items()
              if len({m.url for m in members}) >= 2]
    groups += _unions(groups, page_url) + _markup_groups(links, page_url)
    groups += _singletons(links, page_url) if not any(g.score >= MIN_SCORE for g in groups) else []
    return _best(groups)


def _markup_groups(links: list[Link], page_url: str) -> list[Group]:
    """Links in one repeated markup whatever their URLs (one list of postings with mixed URL shapes)."""
    by_dom: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_dom[link.dom].append(link)
    groups = []
    for dom, members in by_dom.items():
        if len({m.url for m in members}) >= 2 and len({m.shapes[-1] if m.shapes else "" for m in members}) > 1:
            group = _group((("*", dom),), members, page_url)
            group.score *= 0.85  # less coherent than one URL shape
            groups.append(group)
    return groups


def _unions(groups: list[Group], page_url: str) -> list[Group]:
    """Tight groups of one URL shape whose markup differs only by class names (postings split over
    department sections); links in other kinds of markup (tiles vs. a list) stay apart."""
    by_shape: dict[tuple[str, str], list[Group]] = defaultdict(list)
    for group in groups:
        shape, dom = group.template.keys[0]
        by_shape[(shape, _CLASSES.sub("", dom))].append(group)
    unions = []
    for parts in by_shape.values():
        if len(parts) > 1:
            keys = tuple(sorted({key for part in parts for key in part.template.keys}))
            members = [link for part in parts for link in part.links]
            union = _group(keys, members, page_url)
            union.score *= 0.85  # less coherent than one tight group of the same size
            unions.append(union)
    return unions


def _singletons(links: list[Link], page_url: str) -> list[Group]:
    """One posting on the page: taken only when its path and text both say so."""
    wanted = [link for link in _unique(links) if looks_like_posting(link.url, link.title or link.text, page_url)]
    if not wanted:
        return []
    keys = tuple(sorted({(link.shapes[-1], link.dom) for link in wanted}))
    group = _group(keys, wanted, page_url)
    group.score = max(group.score, MIN_SCORE)
    return [group]


def _group(keys: tuple[tuple[str, str], ...], members: list[Link], page_url: str) -> Group:
    unique = _without_parents(_unique(members))
    return Group(template=Template(keys=keys), links=unique, score=score(unique, page_url))


def score(links: list[Link], page_url: str) -> float:
    """Size x title quality x path hints. Distinct, title-like titles count most."""
    if not links:
        return 0.0
    titles = [link.title for link in links if link.title and title_like(link.title)]
    quality = 0.2 + 0.8 * (len(set(titles)) / len(links))
    paths = [split_url(link.url).path for link in links]
    job_share = sum(any(job_word(s) for s in p.split("/") if s) for p in paths) / len(paths)
    id_share = sum(bool(_DIGITS.search(p.rsplit("/", 1)[-1] or p)) for p in paths) / len(paths)
    listing = split_url(page_url).path.rstrip("/")
    below = sum(p.startswith(listing + "/") for p in paths) / len(paths) if listing else 0.0
    return len(links) * quality * (1 + 0.6 * job_share) * (1 + 0.3 * id_share) * (1 + 0.2 * below)


def _best(groups: list[Group]) -> list[Group]:
    ranked = sorted(groups, key=lambda g: (-g.score, -len(g.links), g.template.keys))
    if not ranked:
        return []
    top = ranked[0].score
    chosen: list[Group] = []
    for group in ranked:
        if group.score < max(MIN_SCORE, RELATIVE_SCORE * top) or len(chosen) >= MAX_GROUPS:
            break
        if any(set(group.urls) <= set(better.urls) for better in chosen):
            continue
        chosen.append(group)
    return chosen


def _without_parents(links: list[Link]) -> list[Link]:
    """Drop a link whose path is the folder of another member's ("All openings" -> /o/acme/)."""
    paths = [split_url(link.url).path.rstrip("/") + "/" for link in links]
    return [link for link, path in zip(links, paths, strict=True)
            if not any(other != path and other.startswith(path) for other in paths)]


def _unique(links: Iterable[Link]) -> list[Link]:
    """One Link per URL, in page order, keeping the best title any of its anchors gave."""
    found: dict[str, Link] = {}
    for link in links:
        kept = found.get(link.url)
        if kept is None:
            found[link.url] = link
        elif not (kept.title and title_like(kept.title)) and link.title and title_like(link.title):
            found[link.url] = link
    return list(found.values())


def _unique_left_out(items: list[LeftOut]) -> list[LeftOut]:
    return list({item.url: item for item in reversed(items)}.values())[::-1]
