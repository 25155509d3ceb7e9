"""One lxml parse per page, shared by the structured-data reader and the HTML extractor.

BeautifulSoup builds a Python object per node: ~13 ms for a 50 KB careers page that is
mostly mega-menu, footer and an inline app-state script, none of which extraction reads.
lxml (C) parses the same page in about a millisecond. So a page is parsed once with lxml,
JSON-LD and microdata are read from that tree, and only what the section extractor can
ever look at goes on to it: the tree with its chrome, scripts and styles cut out, written
out and read again as light nodes (``nodes``; BeautifulSoup when a source has CSS selectors).
"""

from __future__ import annotations

import lxml.etree
import lxml.html

from jobtrail.crawler.extract.sections import DROP_TAGS

#: elements extraction looks up anywhere in the page; a subtree holding one is never cut
_LANDMARKS = ("h1", "main", "article", "title", "meta", "base")
#: tags the section extractor skips; those that are (or hold) page metadata are kept whole
_CUT_TAGS = tuple(sorted(DROP_TAGS - {"head", "title", "meta", "link"}))
#: text inside links and headings is read with get_text(), dropped tags included
_TEXT_READERS = ("a", "h1", "h2", "h3", "h4", "h5", "h6")
#: elements that are landmarks through their attributes ([role=main], [itemprop=description])
#: (the parents of those attributes: ~5x faster than testing every element for them)
_MARKED = lxml.etree.XPath("//@role/.. | //@itemprop/..")
#: a <header> framing a content heading, not the site banner (see sections.is_content_header)
_CONTENT_HEADER = lxml.etree.XPath(
    "not(@role='banner') and .//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    " and not(.//nav or .//ul or .//ol or .//li) and count(.//a) <= 2"
)
#: libxml2 stops reading a document nested deeper than 256 elements (broken HTML of unclosed divs):
#: an element with 254 ancestors, i.e. 255 levels down from the root (a path, one step a level:
#: ~6x faster than counting every element's ancestors)
_AT_DEPTH_LIMIT = lxml.etree.XPath("boolean(/" + "/".join(["*"] * 255) + ")")


def parse_document(html: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml document (<html> root); None for an empty or unparseable page."""
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_parser())
    except (lxml.etree.ParserError, ValueError):
        return None


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding="utf-8")


def readable_html(tree: lxml.html.HtmlElement) -> str | None:
    """The whole document without what extraction never reads. Cuts ``tree`` in place.

    Cut: script, style, nav, header, footer, form... subtrees (the section extractor skips
    them) unless they sit inside a link or heading, or hold an element looked up page-wide
    (h1, main, article, title, meta, base, [role], [itemprop]). Text after a cut element stays.
    None when lxml stopped at its nesting limit: then only BeautifulSoup sees the whole page.
    """
    if _AT_DEPTH_LIMIT(tree):
        return None
    for element in _cuttable(tree):
        element.drop_tree()
    return str(lxml.html.tostring(tree, encoding="unicode"))


def _cuttable(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Subtrees the section extractor skips and nothing else reads (one pass over the landmarks)."""
    holders: set[lxml.html.HtmlElement] = set()
    for landmark in [*tree.iter(*_LANDMARKS), *_MARKED(tree)]:
        holders.add(landmark)
        for ancestor in landmark.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    return [
        element for element in tree.iter(*_CUT_TAGS)
        if element not in holders and next(element.iterancestors(*_TEXT_READERS), None) is None
        and not (element.tag == "header" and _CONTENT_HEADER(element))
    ]
