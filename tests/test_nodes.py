"""crawler/extract/nodes.py holds what BeautifulSoup would hold for the section extractor.

The page kind used to hand the readable HTML to BeautifulSoup; it now builds light nodes from
lxml's parse of that same HTML. Each case is markup where the two could part: whitespace-only
strings (folded by bs4 outside <pre>/<textarea>), strings bs4 keeps as Script/Stylesheet/...
(no text), comments and processing instructions (they end a string), attributes as written.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.nodes import Element, document_nodes
from jobtrail.crawler.extract.sections import extract_sections, sections_from_tag

CASES = {
    "whitespace between blocks": "<div>\n  <p>One</p>\n\n  <p>Two</p>  </div>",
    "whitespace kept in pre and textarea": "<pre>  a\n\n  b  </pre><textarea>\n\n</textarea><p>  </p>",
    "tab and form feed only": "<ul><li>a</li>\t\x0c<li>b</li></ul>",
    "nbsp is not ASCII whitespace": "<p>\u00a0</p><p> \u00a0 </p>",
    "script, style, template text": "<h2>Ti<script>x=1</script>tle<style>p{}</style></h2><template><p>t</p></template>",
    "ruby annotations": "<p>漢<ruby>字<rt>ji</rt><rp>(</rp></ruby> text</p>",
    "comments split strings": "<p>a<!-- c -->b<!-- d -->  <!-- e -->c</p>",
    "processing instruction": "<p>a<?php echo 1 ?>b</p>",
    "attributes as written": "<div class=' a  b ' role=main data-x=''><a href=' /jobs/1 '>x</a></div>",
    "nested inline and bold": "<p><b>Requirements:</b> Go, <strong>SQL</strong><br>more</p>",
    "empty li": "<ul><li></li><li> </li><li>x</li></ul>",
}


def _bs4_view(node: Any) -> Any:
    if isinstance(node, Tag):
        kept = [child for child in node.contents if isinstance(child, Tag) or type(child) is NavigableString]
        return (node.name, dict(node.attrs), [_bs4_view(child) for child in kept])
    return str(node)


def _node_view(node: Any) -> Any:
    if isinstance(node, Element):
        return (node.name, dict(node.attrs), [_node_view(child) for child in node.contents])
    return node


@pytest.mark.parametrize("markup", CASES.values(), ids=CASES.keys())
def test_nodes_hold_what_beautifulsoup_holds(markup: str) -> None:
    html = f"<html><head><title>T</title></head><body>{markup}</body></html>"
    tree = parse_document(html)
    assert tree is not None
    soup = BeautifulSoup(html, "lxml", multi_valued_attributes=None)
    assert _node_view(document_nodes(tree)) == _bs4_view(soup)


def test_sections_read_the_same_from_nodes_and_from_beautifulsoup() -> None:
    html = ("<html><body><main><h2>What you'll do</h2><ul><li>Build <b>APIs</b></li>\n<li>Own\n\nreleases</li></ul>"
            "<p><b>Requirements:</b> Go, SQL</p><pre>  keep\n\n  this  </pre><h3>Benefits<script>x</script></h3>"
            "<ul><li>Free lunch</li><li>Remote days</li></ul></main></body></html>")
    tree = parse_document(html)
    assert tree is not None
    document = document_nodes(tree)
    main = next(node for node in document.descendants if isinstance(node, Element) and node.name == "main")
    assert sections_from_tag(main) == extract_sections(html)
