"""The readable part of a page as plain Python nodes, built in one pass over an lxml tree.

The section extractor walks element names, attributes, children and text. BeautifulSoup
gives it those at ~10 us a node (its tree builder runs Python code per tag and per string:
~1 ms for the readable part of a heavy careers page). These nodes hold the same things, read
from lxml's parse of the same HTML (libxml2 parses it either way), for a tenth of that. They answer the part of bs4's ``Tag`` interface the extractor reads (``name``,
``get``, ``contents``, ``children``, ``descendants``, ``parent``, ``get_text``), and hold the text
BeautifulSoup would have held, so that a page reads the same either way:

- a string of only ASCII whitespace is one "\\n" (if it holds one) or one " ", except inside
  <pre> and <textarea>;
- text inside <script>, <style>, <template>, <rt> and <rp> is no text (bs4 keeps it as
  Script/Stylesheet/... strings that neither the walker nor ``get_text`` read); nor are
  comments and processing instructions, which still end the text before them.

Pages whose source has CSS selectors (soupsieve needs bs4) and pages beyond lxml's nesting
limit still go to BeautifulSoup; ``is_element`` and ``is_text`` know both kinds of node. They
know bs4's by its classes' names, so that bs4 (with soupsieve and html5lib: ~0.1 s) is imported
only by a crawl that reads a page with it, not by every crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from lxml.html import HtmlElement

if TYPE_CHECKING:
    from bs4 import Tag

#: BeautifulSoup's string containers: their text is not the page's text
_HIDDEN_TEXT = frozenset({"script", "style", "template", "rt", "rp"})
#: BeautifulSoup keeps whitespace as written only inside these
_KEEP_WHITESPACE = frozenset({"pre", "textarea"})
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"


class Element:
    """One element: its name, attributes (values as written: class is one string) and children
    (``Element`` or ``str``, in document order)."""

    __slots__ = ("name", "attrs", "contents", "parent")

    def __init__(self, name: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.name = name
        self.attrs = attrs
        self.contents: list[Element | str] = []
        self.parent = parent

    def __bool__(self) -> bool:  # like a bs4 Tag: an element is there even when it is empty
        return True

    def __repr__(self) -> str:
        return f"<{self.name} {self.attrs}>"

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrs.get(key, default)

    @property
    def children(self) -> Iterator[Element | str]:
        return iter(self.contents)

    @property
    def descendants(self) -> Iterator[Element | str]:
        """Every node below this one, in document order."""
        stack = list(reversed(self.contents))
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, Element):
                stack.extend(reversed(node.contents))

    def get_text(self, separator: str = "") -> str:
        return separator.join(node for node in self.descendants if type(node) is str)


#: an element of either tree (bs4's BeautifulSoup object is a Tag too)
Node: TypeAlias = "Tag | Element"


class _ByType(dict[type, bool]):
    """type -> whether a test holds for it, worked out the first time a type is seen."""

    def __init__(self, test: Callable[[type], bool]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, kind: type) -> bool:
        self[kind] = answer = self.test(kind)
        return answer


def _bs4_class(kind: type, name: str) -> bool:
    return kind.__name__ == name and kind.__module__ == "bs4.element"


#: an Element, or a bs4 Tag (of any subclass: BeautifulSoup is one)
_ELEMENT = _ByType(lambda kind: issubclass(kind, Element) or any(_bs4_class(base, "Tag") for base in kind.__mro__))
#: the page's text strings: these nodes' str and bs4's plain NavigableString (exactly: not its
#: Comment, Script... subclasses)
_TEXT = _ByType(lambda kind: kind is str or _bs4_class(kind, "NavigableString"))


def is_element(node: object) -> TypeGuard[Node]:
    """An element of either tree."""
    return _ELEMENT[type(node)]


def is_text(node: object) -> TypeGuard[str]:
    """A text string of either tree (a bs4 NavigableString is a str)."""
    return _TEXT[type(node)]


def document_nodes(root: HtmlElement) -> Element:
    """The document under ``root`` (an lxml <html>), as nodes below a "[document]" element."""
    document = Element("[document]", {}, None)
    html = Element(root.tag, dict(root.attrib), document)
    document.contents.append(html)
    stack = [(html, root, root.tag in _HIDDEN_TEXT, root.tag in _KEEP_WHITESPACE)]
    while stack:
        _fill(*stack.pop(), stack)
    return document


def _fill(node: Element, element: HtmlElement, hidden: bool, keep: bool,
          stack: list[tuple[Element, HtmlElement, bool, bool]]) -> None:
    """``node``'s children from ``element``'s text, child elements and their tails; each child
    element goes on ``stack`` to be filled in turn (no recursion: trees nest 250 deep)."""
    if element.text and not hidden:
        node.contents.append(_text(element.text, keep))
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions are no nodes
            child_node = Element(child.tag, dict(child.attrib), node)
            node.contents.append(child_node)
            stack.append((child_node, child, hidden or child.tag in _HIDDEN_TEXT,
                          keep or child.tag in _KEEP_WHITESPACE))
        if child.tail and not hidden:
            node.contents.append(_text(child.tail, keep))


def _text(text: str, keep: bool) -> str:
    if keep or text.strip(_ASCII_SPACES):
        return text
    return "\n" if "\n" in text else " "


def first_element(root: Node, test: Callable[[Node], bool]) -> Node | None:
    """The first element below ``root`` (document order) that passes ``test``."""
    return next((node for node in root.descendants if is_element(node) and test(node)), None)
