"""Which links on a listing lead to its next pages.

Sites page their listings in a handful of ways: a ``rel="next"`` link, a "Next" / "›" / "»" /
"Load more" link with a real href, numbered page links, or URLs that only differ by
``?page=N`` / ``?offset=N`` / ``/page/N``. All of them are read here, from the page alone;
the page cap and loop detection live with the caller, which knows which pages it has seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin

from lxml.html import HtmlElement

from jobtrail.crawler.extract.links import absolute_url, split_url
from jobtrail.crawler.urls import canonical_url

#: "next page" link texts (en/de/fr/es/ca/pt/nl/it), compared lowercased without arrows
NEXT_WORDS = frozenset({
    "next", "next page", "more jobs", "load more", "show more", "more results", "older", "more",
    "weiter", "nächste", "nächste seite", "mehr laden", "mehr anzeigen", "suivant", "page suivante",
    "charger plus", "afficher plus", "siguiente", "página siguiente", "cargar más", "mostrar más",
    "següent", "carregar més", "mostra més", "próxima", "próximo", "próxima página", "carregar mais",
    "mostrar mais", "volgende", "volgende pagina", "meer laden", "toon meer", "successiva", "successivo",
    "avanti", "pagina successiva", "carica altri", "mostra altri",
})
ARROWS = frozenset({"›", "»", ">", "→", "»»", ">>", "❯", "⟩"})
#: query parameters that number a page or an offset into the list
PAGE_PARAMS = ("page", "p", "pg", "paged", "pagenumber", "offset", "start", "from", "skip")
_PAGE_SEGMENT = re.compile(r"/(?:page|seite|pagina|página|p)/(\d+)/?$", re.IGNORECASE)
_STRIP = " .:!»›→>«‹←<-–—❯⟩"


@dataclass(frozen=True)
class PageLink:
    url: str  # canonical
    number: int | None  # page number when the URL says it (?page=3, /page/3, a link "3")
    why: str  # rel-next | next-link | numbered


def page_links(tree: HtmlElement, page_url: str) -> list[PageLink]:
    """Links to other pages of this listing, in page order, each URL once, never the page itself."""
    found: dict[str, PageLink] = {}
    here = canonical_url(page_url)
    base = urljoin(page_url, (tree.xpath("//base/@href") or [""])[0].strip())
    for element in tree.xpath("//a[@href] | //link[@href][@rel]"):
        href = element.get("href", "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = canonical_url(absolute_url(base, href))
        if url == here or url in found:
            continue
        link = _classify(element, url, here)
        if link is not None:
            found[url] = link
    return list(found.values())


def page_number(url: str) -> int | None:
    """The page number a listing URL names (?page=3, /page/3), or None."""
    parts = split_url(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("page", "p", "pg", "paged", "pagenumber") and value.isdigit():
            return int(value)
    match = _PAGE_SEGMENT.search(parts.path)
    return int(match.group(1)) if match else None


def _classify(element: HtmlElement, url: str, here: str) -> PageLink | None:
    rel = f" {' '.join((element.get('rel') or '').split()).lower()} "
    if " next " in rel:
        return PageLink(url, page_number(url), "rel-next")
    if element.tag != "a":
        return None
    if not _same_listing(url, here):
        return None
    text, raw = _label(element), " ".join(element.text_content().split())
    if text in NEXT_WORDS or raw in ARROWS:
        return PageLink(url, page_number(url), "next-link")
    number = page_number(url)
    if text.isdigit() or (number is not None and _only_paging_differs(url, here)):
        return PageLink(url, number if number is not None else int(text) if text.isdigit() else None, "numbered")
    return None


def _label(element: HtmlElement) -> str:
    text = " ".join(element.text_content().split()).lower()
    label = (element.get("aria-label") or element.get("title") or "").lower().strip()
    stripped = text.strip(_STRIP)
    if not stripped and label:
        return " ".join(label.split()).strip(_STRIP)
    return stripped


def _same_listing(url: str, here: str) -> bool:
    """The URL is this listing with other paging: same path (or /page/N of it), or a paging parameter."""
    target, current = split_url(url), split_url(here)
    if target.netloc != current.netloc:
        return False
    base_target = _PAGE_SEGMENT.sub("", target.path).rstrip("/")
    base_current = _PAGE_SEGMENT.sub("", current.path).rstrip("/")
    return base_target == base_current


def _only_paging_differs(url: str, here: str) -> bool:
    target, current = split_url(url), split_url(here)
    strip = {key.lower() for key in PAGE_PARAMS}
    rest = [(k, v) for k, v in parse_qsl(target.query) if k.lower() not in strip]
    rest_here = [(k, v) for k, v in parse_qsl(current.query) if k.lower() not in strip]
    return sorted(rest) == sorted(rest_here)
