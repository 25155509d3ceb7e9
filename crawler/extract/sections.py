"""The one section extractor: description HTML -> description text + bullet lists.

Careers pages and ATS descriptions are written by people, not schemas: sections start
at h1-h6, at a paragraph that is only bold text, or at a short line ending in ":";
bullets come from ``<li>`` or from lines starting with "•", "-", "*"... Every source
kind calls ``extract_sections`` so that one posting reads the same wherever it is
published. Headings (and lists under headings nobody named) map to fields through
``crawler.extract.classify``; every decision is kept in ``Sections.decisions`` for
``jobtrail extract --explain``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast
from urllib.parse import urljoin

from jobtrail.crawler.extract.classify import (
    NONE,
    Verdict,
    classify_heading,
    classify_items,
    has_preference_marker,
    is_exact_phrase,
    is_subgroup_label,
)
from jobtrail.crawler.extract.nodes import Node, is_element, is_text
from jobtrail.crawler.extract.vocabulary import normalize_heading
from jobtrail.crawler.items import LIST_FIELDS, Posting, RelatedJob

if TYPE_CHECKING:
    from bs4 import Tag

#: never content: code, chrome and controls
DROP_TAGS = frozenset({
    "script", "style", "nav", "header", "footer", "form", "noscript", "template", "svg", "iframe",
    "button", "select", "textarea", "input", "object", "head", "title", "meta", "link",
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "aside", "ul", "ol", "li", "dl", "dt", "dd", "table",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "blockquote", "pre", "figure", "figcaption",
    "address", "center", "details", "summary", "body", "html", "fieldset", "hgroup",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol"})
_STRUCTURE_TAGS = BLOCK_TAGS | HEADING_TAGS
BOLD_TAGS = frozenset({"b", "strong"})
#: levels of the "weak" headings, below every h1-h6
BOLD_LINE_LEVEL = 7
COLON_LINE_LEVEL = 8
#: a short line that only introduces the bullets after it ("Sound like you?")
LEAD_LINE_LEVEL = 9
#: a heading-like line longer than this is a sentence, not a heading
MAX_HEADING_CHARS = 80
#: a line that is only a link this short is navigation ("Back to jobs"), kept out of the description
MAX_NAV_LINK_CHARS = 40
#: an li this short over a nested list is a label ("Must have:", "Languages"), not an item
MAX_LABEL_CHARS = 60
#: a heading cue score below this is weak: the section's own items may overrule it
STRONG_CUE_SCORE = 3.0
#: a paragraph in a list section longer than this, or of several sentences, is prose
MAX_ITEM_CHARS = 240

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣·■□➢➤✓✔○]|[-*–—](?=\s))\s*")
#: zero-width and soft-hyphen characters, C0 controls and U+FFFD: never meant as text
_INVISIBLE_CODES = (0x200B, 0x200C, 0x200D, 0xFEFF, 0x00AD, 0xFFFD, 0x7F, *range(0x00, 0x09), 0x0B, 0x0C,
                    *range(0x0E, 0x20))
_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE_CODES))
#: any of _INVISIBLE's characters: most texts hold none, and a search is cheaper than translate
_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(code)) for code in _INVISIBLE_CODES) + "]")
_ARROWS = "←→‹›«»<> "
_BLANK_LINE = re.compile(r"\n\s*\n")
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
#: class names of page chrome that is not in a <footer>/<nav> tag
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:foot|footer|site-?footer|copyright|cookies?|cookie-?banner|consent)(?:$|[\s_])", re.IGNORECASE,
)
_SKIP_HREF = re.compile(r"^\s*(?:#|javascript:|mailto:|tel:|data:)", re.IGNORECASE)


@dataclass
class Sections:
    #: plain text of everything not captured into a mapped list section; paragraphs split by "\n\n"
    description: str | None = None
    requirements: list[str] = field(default_factory=list)
    nice_to_have: list[str] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    related_jobs: list[RelatedJob] = field(default_factory=list)
    #: how each heading and each list was read (``jobtrail extract --explain``); not content
    decisions: list[Decision] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class Decision:
    """One heading or list: where its items went and which rule said so."""

    heading: str | None  # None: a list with no heading
    field: str | None  # None: kept in the description
    how: str  # "vocabulary 9.0", "cues 4.0 [qualif]", "items 0.75 [3/4 items]", "sub-heading of 'X'"
    items: int = 0

    def line(self) -> str:
        where = self.field or "description"
        count = f", {self.items} items" if self.items else ""
        return f"{self.heading or '(list without heading)'!r} -> {where} ({self.how}{count})"


@dataclass
class _Line:
    text: str
    kind: str  # "heading" | "bullet" | "para" | "label" (an li over a nested list)
    level: int = 0  # headings: 1-6 for h1-h6, then BOLD_LINE_LEVEL, COLON_LINE_LEVEL, LEAD_LINE_LEVEL
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, absolute url)
    depth: int = 0  # bullets and labels: how deep the li is nested


#: where ``collect_decisions`` gathers every decision made while it is active
_COLLECTOR: ContextVar[list[Decision] | None] = ContextVar("jobtrail_section_decisions", default=None)


@contextmanager
def collect_decisions() -> Iterator[list[Decision]]:
    """Every heading/list decision made inside the block, in order (for ``--explain``)."""
    decisions: list[Decision] = []
    token = _COLLECTOR.set(decisions)
    try:
        yield decisions
    finally:
        _COLLECTOR.reset(token)


@contextmanager
def no_decisions() -> Iterator[None]:
    """A second look at the same text (the page around <main>) must not be reported twice."""
    token = _COLLECTOR.set(None)
    try:
        yield
    finally:
        _COLLECTOR.reset(token)


def one_line(text: str) -> str:
    """One line of text: invisible characters gone, whitespace (NBSP too) folded to single spaces."""
    if _HAS_INVISIBLE.search(text) is not None:  # translate deletes only these: without them it is a no-op
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def extract_sections(
    html: str, base_url: str = "", *, drop_selectors: Sequence[str] = (), title: str | None = None,
) -> Sections:
    """Sections of a description given as HTML (or plain text); never raises on bad markup.

    ``title``: an h1 equal to it is the page title, not a section heading, and is skipped.
    """
    from bs4 import BeautifulSoup  # on use: see nodes.py

    soup = BeautifulSoup(html or "", "lxml")
    return sections_from_tag(soup.body or soup, base_url, drop_selectors=drop_selectors, title=title)


def read_html(
    html: str, base_url: str = "", *, drop_selectors: Sequence[str] = (),
) -> tuple[Sections, list[tuple[str, str]]]:
    """``extract_sections`` plus the lines as (kind, text), for reading facts (pay sentences)."""
    from bs4 import BeautifulSoup  # on use: see nodes.py

    soup = BeautifulSoup(html or "", "lxml")
    return read_sections(soup.body or soup, base_url, drop_selectors=drop_selectors)


def sections_from_tag(
    root: Node, base_url: str = "", *, drop_selectors: Sequence[str] = (), title: str | None = None,
) -> Sections:
    """Like ``extract_sections`` on an already parsed element. Removes ``drop_selectors`` matches from it."""
    return read_sections(root, base_url, drop_selectors=drop_selectors, title=title)[0]


def read_sections(
    root: Node, base_url: str = "", *, drop_selectors: Sequence[str] = (), title: str | Sequence[str] | None = None,
) -> tuple[Sections, list[tuple[str, str]]]:
    """``sections_from_tag`` plus the element's lines as (kind, text), for reading facts."""
    for selector in drop_selectors:  # a source's own selectors: its page is read as BeautifulSoup (soupsieve)
        for element in cast("Tag", root).select(selector):
            element.decompose()
    titles = [title] if isinstance(title, str) else list(title or ())
    lines = linearize(root, base_url, skip=frozenset(normalize_heading(t) for t in titles if t))
    return _assemble(lines), [(line.kind, line.text) for line in lines]


def related_jobs_in(roots: Sequence[Node], base_url: str = "") -> list[RelatedJob]:
    """Related jobs in these elements read as one text (the blocks around a page's main content)."""
    lines = [line for root in roots for line in linearize(root, base_url)]
    return _assemble(lines).related_jobs if lines else []


def plain_text(root: Node, base_url: str = "") -> str | None:
    """All text of an element, one paragraph per block, bullets as "- item" lines."""
    return _Description.of(linearize(root, base_url)).text()


def apply_sections(posting: Posting, sections: Sections) -> None:
    """Fill the fields of ``posting`` that are still empty from ``sections``."""
    if not posting.description and sections.description:
        posting.description = sections.description
    for name in LIST_FIELDS:
        if not getattr(posting, name):
            setattr(posting, name, list(getattr(sections, name)))
    if not posting.related_jobs:
        posting.related_jobs = list(sections.related_jobs)


# -- HTML -> lines -------------------------------------------------------------------------------


def linearize(root: Node, base_url: str = "", *, skip: frozenset[str] = frozenset()) -> list[_Line]:
    """The element as a flat list of heading / bullet / paragraph lines, in reading order.

    Iterative (not recursive), so deeply nested broken HTML cannot hit the recursion limit.
    """
    walker = _Walker(base_url, skip)
    stack: list[Node | str | object] = [root]
    while stack:
        item = stack.pop()
        if item is _EXIT:  # the element below it on the stack is done
            walker.leave(stack.pop())  # type: ignore[arg-type]
        elif is_element(item):
            if walker.enter(item):
                stack.append(item)
                stack.append(_EXIT)
                stack.extend(reversed(item.contents))
        elif is_text(item):
            walker.text(str(item))
    walker.flush()
    return walker.lines


#: on the walker's stack above an element whose children are all walked
_EXIT = object()


class _Walker:
    """Collects inline text into a buffer and turns it into lines at every block boundary."""

    def __init__(self, base_url: str, skip: frozenset[str]) -> None:
        self.base_url = base_url
        self.skip = skip  # headings that are the page's title (normalized), not sections
        self.lines: list[_Line] = []
        self.pieces: list[tuple[str, bool]] = []  # (text, is bold)
        self.links: list[tuple[str, str]] = []
        self.li_depth = 0
        self.bold_depth = 0
        self.pending_heading = 0  # level of an open heading whose text is being collected
        self.label_li = 0  # depth of an li over a nested list whose own text is not flushed yet

    def text(self, text: str) -> None:
        self.pieces.append((text, self.bold_depth > 0))

    def enter(self, tag: Node) -> bool:
        """Handle an opening tag; True when its children should be walked."""
        name = tag.name
        if name in DROP_TAGS and not (name == "header" and is_content_header(tag)):
            return False
        if name in BLOCK_TAGS and _is_chrome_block(tag):
            return False
        if name in ("br", "hr"):
            self.flush()
            return False
        level = int(name[1]) if name in HEADING_TAGS else _aria_heading_level(tag)
        if level:
            self.flush()
            if _first_descendant(tag, _STRUCTURE_TAGS) is None:
                self._heading(tag, level)
                return False
            # an unclosed heading that swallowed the page: its own leading text is the heading
            self.pending_heading = level
            return True
        if name == "a" and tag.get("href"):
            self._anchor(tag)
            return False
        if name in BLOCK_TAGS:
            self.flush()
            if _is_list_item(tag):
                self.li_depth += 1
                if _first_descendant(tag, LIST_TAGS) is not None:
                    self.label_li = self.li_depth
        self.bold_depth += _is_bold(tag)
        return True

    def leave(self, tag: Node) -> None:
        if tag.name in BLOCK_TAGS or tag.name in HEADING_TAGS:
            self.flush()
            self.li_depth -= _is_list_item(tag)
        self.bold_depth -= _is_bold(tag)

    def _heading(self, tag: Node, level: int) -> None:
        text = one_line(tag.get_text(" "))
        if not text or self._is_title(text):
            return
        links = [link for a in _descendants(tag, frozenset({"a"})) if (link := self._link(a))]
        if links and one_line(" ".join(title for title, _ in links)) == text:
            self.lines.append(_Line(text, "para", links=links))  # a linked title (job card), not a heading
        elif self.li_depth:
            self.lines.append(_Line(_strip_bullet(text), "bullet", depth=self.li_depth))
        else:
            self.lines.append(_Line(text, "heading", level))

    def _anchor(self, tag: Node) -> None:
        text = tag.get_text(" ")
        self.pieces.append((text, self.bold_depth > 0 or (len(text) <= MAX_HEADING_CHARS and _all_bold(tag))))
        link = self._link(tag)
        if link:
            self.links.append(link)

    def _link(self, tag: Node) -> tuple[str, str] | None:
        job = related_job(tag, self.base_url)
        return (job.title, job.url) if job else None

    def flush(self) -> None:
        level, self.pending_heading = self.pending_heading, 0
        if not self.pieces:
            self.links.clear()
            return
        if level:
            text = one_line("".join(text for text, _ in self.pieces))
            self.pieces.clear()
            self.links.clear()
            if text and not self._is_title(text):
                self.lines.append(_Line(text, "heading", level))
            return
        label = self.label_li and self.label_li == self.li_depth
        self.label_li = 0
        if all(not text.strip() for text, _ in self.pieces):  # whitespace between blocks: no line, no link
            self.pieces.clear()
            self.links.clear()
            return
        new = self._label(label) or self._bold_label() or self._lines()
        for title, url in self.links:
            owner = next((line for line in new if title in line.text), new[-1] if new else None)
            if owner is not None:
                owner.links.append((title, url))
        self.links.clear()
        self.lines.extend(line for line in new if line.text)

    def _lines(self) -> list[_Line]:
        raw = "".join(text for text, _ in self.pieces)
        all_bold = all(bold for text, bold in self.pieces if text.strip())
        self.pieces.clear()
        texts = [text for text in map(one_line, _split_lines(raw) if "\n" in raw else [raw]) if text]
        lines = [self._classify(text, all_bold and len(texts) == 1) for text in texts]
        # a styled title that is no <h1> (a bold span) is the title too, not a section
        return [line for line in lines if not (line.kind == "heading" and self._is_title(line.text))]

    def _is_title(self, text: str) -> bool:
        return bool(self.skip) and normalize_heading(text) in self.skip

    def _label(self, label: bool) -> list[_Line]:
        """The own text of an li over a nested list: a label when it is short, else an item."""
        if not label:
            return []
        text = _strip_bullet(one_line("".join(text for text, _ in self.pieces)))
        if not text or len(text) > MAX_LABEL_CHARS or text.endswith("."):
            return []
        self.pieces.clear()
        return [_Line(text, "label", depth=self.li_depth)]

    def _bold_label(self) -> list[_Line]:
        """A paragraph that starts with a bold section name ("<b>Requirements:</b> Go, SQL"):
        the name is a heading and the rest its text."""
        if self.li_depth or not next((bold for text, bold in self.pieces if text.strip()), False):
            return []
        split = next((i for i, (text, bold) in enumerate(self.pieces) if not bold and text.strip()), None)
        if split is None:
            return []
        label = one_line("".join(text for text, _ in self.pieces[:split]))
        if not label or len(label) > MAX_HEADING_CHARS or classify_heading(label).field is None:
            return []
        self.pieces[:split] = []
        return [_Line(label, "heading", BOLD_LINE_LEVEL), *self._lines()]

    def _classify(self, text: str, bold: bool) -> _Line:
        if self.li_depth:
            text = _strip_bullet(text)
            if _is_item_label(text, bold):  # "<li><b>Nice to have:</b></li>" over the items after it
                return _Line(text, "label", depth=self.li_depth - 1)
            return _Line(text, "bullet", depth=self.li_depth)
        if _BULLET.match(text):
            return _Line(_strip_bullet(text), "bullet", depth=1)
        short = len(text) <= MAX_HEADING_CHARS
        if bold and short and not text.endswith((".", "!")):
            return _Line(text, "heading", BOLD_LINE_LEVEL)
        if short and text.endswith(":"):
            return _Line(text, "heading", COLON_LINE_LEVEL)
        if short and (_is_caps_heading(text) or is_exact_phrase(text)):
            return _Line(text, "heading", COLON_LINE_LEVEL)
        return _Line(text, "para")


def is_content_header(tag: Node) -> bool:
    """A ``<header>`` that only frames a content heading (TYPO3, WordPress entry headers),
    not the site's banner: a heading, no lists or navigation, at most two links."""
    if tag.get("role") == "banner" or _first_descendant(tag, HEADING_TAGS) is None:
        return False
    return next(_descendants(tag, frozenset({"nav", "ul", "ol", "li"})), None) is None and sum(
        1 for _ in _descendants(tag, frozenset({"a"}))) <= 2


def _is_chrome_block(tag: Node) -> bool:
    """A block the site marks as its footer or cookie notice (``<div class="foot">``)."""
    classes = tag.get("class")
    if not classes:
        return False
    return bool(_CHROME_CLASS.search(classes if isinstance(classes, str) else " ".join(classes)))


def _is_list_item(tag: Node) -> bool:
    """<li>, or an element that says it is one (``role="listitem"`` in div soup)."""
    return tag.name == "li" or (tag.name != "ul" and tag.get("role") == "listitem")


def _is_bold(tag: Node) -> bool:
    """<b>, <strong>, or a span styled bold (text pasted from a word processor into an ATS)."""
    if tag.name in BOLD_TAGS:
        return True
    style = tag.get("style") if tag.name == "span" else None
    return bool(style) and bool(_BOLD_STYLE.search(str(style)))


def _is_item_label(text: str, bold: bool) -> bool:
    """A list item that only names the items after it: "Bonus:", a bold "Languages"."""
    if not text or len(text) > MAX_LABEL_CHARS:
        return False
    if text.endswith(":"):
        return True
    return bold and (is_subgroup_label(text) or classify_heading(text).field is not None)


def _aria_heading_level(tag: Node) -> int:
    """``<div role="heading" aria-level="2">``: a heading without an h tag (0: not one)."""
    if tag.get("role") != "heading":
        return 0
    level = str(tag.get("aria-level") or "2").strip()
    return int(level) if level.isdigit() and 1 <= int(level) <= 6 else 2


def _is_caps_heading(text: str) -> bool:
    """"REQUIREMENTS", "WHAT YOU'LL DO": a short all-caps line is set as a heading."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters) and len(text.split()) <= 8


def heading_text(tag: Node) -> str:
    """A heading's own text: what comes before any block inside it (unclosed <h1> swallows pages)."""
    parts: list[str] = []
    for node in tag.descendants:
        if is_element(node) and node.name in _STRUCTURE_TAGS:
            break
        if is_text(node):
            parts.append(str(node))
    return one_line("".join(parts))


def related_job(anchor: Node, base_url: str = "") -> RelatedJob | None:
    """A link as a job: its title (a heading inside the link wins) and absolute URL."""
    href = str(anchor.get("href") or "").strip()
    if not href or _SKIP_HREF.match(href):
        return None
    inner = _first_descendant(anchor, HEADING_TAGS) or _card_title(anchor)
    title = one_line((inner or anchor).get_text(" "))
    return RelatedJob(title=title, url=urljoin(base_url, href)) if title else None


def _card_title(anchor: Node) -> Node | None:
    """A job card's title: the bold part of a link that also holds other details ("Cook · Altea")."""
    bold = _first_descendant(anchor, BOLD_TAGS)
    if bold is None or len([child for child in anchor.children if is_element(child)]) < 2:
        return None
    return bold


def _descendants(tag: Node, names: frozenset[str]) -> Iterator[Node]:
    """Descendant elements named ``names``, outermost only (bs4's find_all is slow on hot paths)."""
    stack = list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if is_element(node):
            if node.name in names:
                yield node
            else:
                stack.extend(reversed(node.contents))


def _first_descendant(tag: Node, names: frozenset[str]) -> Node | None:
    return next(_descendants(tag, names), None)


def _strip_bullet(text: str) -> str:
    return _BULLET.sub("", text, count=1).strip()


def _all_bold(tag: Node) -> bool:
    bold = "".join(node.get_text() for node in _descendants(tag, BOLD_TAGS))
    return bool(bold.strip()) and one_line(bold) == one_line(tag.get_text())


def _split_lines(raw: str) -> list[str]:
    """Split a text run where its own newlines carry structure: blank lines, bullet lines,
    and after a short line ending in ":" (plain-text descriptions)."""
    out: list[str] = []
    for chunk in _BLANK_LINE.split(raw):
        current: list[str] = []
        for line in chunk.split("\n"):
            stripped = line.strip()
            previous = current[-1].strip() if current else ""
            lead_out = previous.endswith(":") and len(previous) <= MAX_HEADING_CHARS
            if current and stripped and (_BULLET.match(stripped) or lead_out):
                out.append(" ".join(current))
                current = []
            if stripped:
                current.append(line)
        out.append(" ".join(current))
    return out


# -- lines -> sections ---------------------------------------------------------------------------


class _Description:
    """Paragraphs for the description; consecutive bullets become "- item" lines of one paragraph."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.last_was_bullet = False

    @classmethod
    def of(cls, lines: Iterable[_Line]) -> _Description:
        description = cls()
        for line in lines:
            description.add(line)
        return description

    def add(self, line: _Line) -> None:
        if line.kind == "bullet":
            if self.last_was_bullet:
                self.blocks[-1].append(f"- {line.text}")
            else:
                self.blocks.append([f"- {line.text}"])
        else:
            self.blocks.append([line.text])
        self.last_was_bullet = line.kind == "bullet"

    def text(self) -> str | None:
        return "\n\n".join("\n".join(block) for block in self.blocks) or None


#: the fields a section may be; related_jobs is read from links, not items
_SECTION_FIELDS = frozenset({*LIST_FIELDS, "related_jobs"})
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")


@dataclass
class _Block:
    """A heading and the lines up to the next heading that is not below it."""

    heading: _Line | None
    level: int
    field: str | None  # None: not a section (its lists may still be read from their items)
    how: str
    lines: list[_Line] = field(default_factory=list)
    inherited: bool = False
    nested: bool = False  # inside another section
    filled: bool = False  # it, or a block below it, has lines
    weak: bool = False  # named by a weak cue only: its items may say otherwise ("Extras")


def _assemble(lines: list[_Line]) -> Sections:
    result = Sections()
    description = _Description()
    for block in _blocks(_promote_lead_lines(lines)):
        if block.field == "related_jobs":
            _close_related(block, result, description)
        elif block.field is not None:
            _close_section(block, result, description)
        else:
            _close_unknown(block, result, description)
    result.description = description.text()
    for name in LIST_FIELDS:  # exact duplicates go; order stays
        setattr(result, name, list(dict.fromkeys(getattr(result, name))))
    collector = _COLLECTOR.get()
    if collector is not None:
        collector.extend(result.decisions)
    return result


def _promote_lead_lines(lines: list[_Line]) -> list[_Line]:
    """A short plain line right before bullets that names a section is its heading
    ("Sound like you?" in a div, "What you'll need" in a <p>)."""
    out: list[_Line] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if (
            line.kind == "para" and following is not None and following.kind != "heading"
            and not line.links and len(line.text) <= MAX_HEADING_CHARS and not line.text.endswith((".", ","))
            and _names_section(line.text, strongly=following.kind == "para")
        ):
            line = _Line(line.text, "heading", LEAD_LINE_LEVEL)
        out.append(line)
    return out


def _names_section(text: str, *, strongly: bool) -> bool:
    """A plain line reads as a section name; before paragraphs (not a list) only when it is
    short and the classifier is sure ("What we need" in a styled <div>, then <p> items)."""
    verdict = classify_heading(text)
    if verdict.field is None:
        return False
    return not strongly or (verdict.score >= 3 and len(text.split()) <= 8)


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Lines grouped under their headings; a heading's field is decided here (lists later)."""
    blocks = [_Block(None, 0, None, "")]
    stack: list[_Block] = []  # open headed blocks, outermost first
    for line in lines:
        if line.kind != "heading":
            blocks[-1].lines.append(line)
            for block in stack:
                block.filled = True
            continue
        verdict = classify_heading(line.text)
        parent = _parent(stack, line, verdict)
        block = _new_block(line, verdict, parent)
        stack.append(block)
        blocks.append(block)
    return blocks


def _parent(stack: list[_Block], line: _Line, verdict: Verdict) -> _Block | None:
    """Close the blocks this heading ends; the nearest section still open is its parent.

    A heading at the same level stays inside a section when it is that section's first
    line ("Requirements" then "Technical") or a sub-group label ("Languages").
    """
    while stack and stack[-1].level >= line.level:
        top = stack[-1]
        same = top.level == line.level and top.field in LIST_FIELDS
        if same and verdict.field is None and verdict.rule != "against" and (
            not top.filled or is_subgroup_label(line.text)
        ):
            break
        stack.pop()
    return next((block for block in reversed(stack) if block.field in _SECTION_FIELDS), None)


def _new_block(line: _Line, verdict: Verdict, parent: _Block | None) -> _Block:
    if verdict.field is not None:
        weak = verdict.rule == "cues" and verdict.score < STRONG_CUE_SCORE
        return _Block(line, line.level, verdict.field, verdict.explain(), nested=parent is not None, weak=weak)
    if parent is not None and parent.heading is not None and verdict.rule != "against":
        how = f"sub-heading of {parent.heading.text!r}"
        return _Block(line, line.level, parent.field, how, inherited=True, nested=True)
    return _Block(line, line.level, None, verdict.explain())


def _close_section(block: _Block, result: Sections, description: _Description) -> None:
    """A section's bullets are its items (labels over nested lists scope them); its
    paragraphs are items only when it has no bullets and they are not prose."""
    assert block.field is not None
    if block.weak or (block.field == "nice_to_have" and not block.how.startswith("vocabulary")):
        _second_opinion(block, only="benefits" if not block.weak else None)
    has_bullets = any(line.kind in ("bullet", "label") for line in block.lines)
    placed = _section_items(block.lines, block.field, has_bullets, result)
    heading = block.heading.text if block.heading else None
    if block.inherited and not placed.ids:
        # a sub-heading over prose only ("A note on visas"): the reader sees text, not a list
        _close_unknown(_Block(block.heading, block.level, None, block.how, block.lines), result, description)
        return
    if block.nested and block.heading is not None and _is_lead_in(block.heading):
        description.add(_Line(block.heading.text, "para"))
    for line in block.lines:
        if line.kind == "para" and id(line) not in placed.ids:
            description.add(line)
    result.decisions.append(Decision(heading, block.field, block.how, len(placed.ids)))
    result.decisions.extend(Decision(label, name, how) for label, (name, how) in placed.labels.items())


def _second_opinion(block: _Block, only: str | None = None) -> None:
    """A heading named by a weak cue (or by a preference cue: "Les plus du poste") gives way
    when its items clearly say another section ("Extras" over health insurance and free coffee
    is benefits). Items cannot tell a nice-to-have from a requirement, so a preference heading
    keeps requirement-like items."""
    bullets = [line.text for line in block.lines if line.kind == "bullet"]
    if len(bullets) < 2:  # one item is no evidence against its heading
        return
    verdict = classify_items(bullets)
    if verdict.field in (None, block.field) or (block.field == "nice_to_have" and verdict.field == "requirements"):
        return
    if only is not None and verdict.field != only:
        return
    block.field = verdict.field
    block.how = f"{block.how}; items say otherwise: {verdict.explain()}"


@dataclass
class _Placed:
    """What one section put into the result: which lines became items, which labels scoped them."""

    ids: set[int] = field(default_factory=set)  # id() of the lines that became items
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (field, how)


def _section_items(lines: list[_Line], default: str, has_bullets: bool, result: Sections) -> _Placed:
    """Put a section's items into ``result``; returns what went where (for the decisions)."""
    scopes: list[tuple[int, str]] = []  # (li depth of a label, field of the items below it)
    placed = _Placed()
    for line in lines:
        if line.kind == "para":
            if has_bullets or _is_prose(line.text):
                continue
            target = _preference(default, line.text)
        else:
            while scopes and scopes[-1][0] >= line.depth:
                scopes.pop()
            current = scopes[-1][1] if scopes else default
            if line.kind == "label":
                name, how = _label_field(line.text, current)
                scopes.append((line.depth, name))
                placed.labels[line.text] = (name, how)
                continue
            target = _preference(current, line.text)
        getattr(result, target).append(line.text)
        placed.ids.add(id(line))
    return placed


def _label_field(text: str, current: str) -> tuple[str, str]:
    """Where the items under an li label go: its own section when it names one, else on."""
    verdict = classify_heading(text)
    if verdict.field in LIST_FIELDS:
        return verdict.field, verdict.explain()
    return current, "label inside the section"


def _preference(name: str, text: str) -> str:
    """A requirement marked optional by itself ("Preferred: …", "… (nice to have)")."""
    return "nice_to_have" if name == "requirements" and has_preference_marker(text) else name


def _is_lead_in(heading: _Line) -> bool:
    """"In particular, you will need:": a sentence leading into a list, kept as text."""
    return heading.level == COLON_LINE_LEVEL and len(heading.text.split()) >= 4


def _is_prose(text: str) -> bool:
    """A paragraph that reads as text, not as one item: long, several sentences, or a lead-in."""
    if text.endswith(":") or len(text) > MAX_ITEM_CHARS:
        return True
    return len(_SENTENCE_END.findall(text)) >= 2 and len(text) > 120


def _close_unknown(block: _Block, result: Sections, description: _Description) -> None:
    """A block whose heading names no section: each list in it is read from its items, and
    whatever is not clearly one section stays in the description, heading included."""
    runs = _runs(block.lines)
    verdicts = [classify_items([line.text for line in run if line.kind == "bullet"]) if _is_list(run) else NONE
                for run in runs]
    heading = block.heading.text if block.heading else None
    if block.heading is not None:  # a heading no section is named by stays text, as the reader sees it
        description.add(block.heading)
    if block.heading is not None and not any(_is_list(run) for run in runs):
        result.decisions.append(Decision(heading, None, block.how or "no section named"))
    for run, verdict in zip(runs, verdicts, strict=True):
        if not _is_list(run):
            for line in run:
                if not _is_nav_link(line):
                    description.add(line)
            continue
        if verdict.field is None:
            for line in run:
                description.add(line if line.kind == "bullet" else _Line(line.text, "para"))
            result.decisions.append(Decision(heading, None, f"{block.how + '; ' if block.how else ''}"
                                             f"{verdict.explain()}", len(run)))
            continue
        placed = _section_items(run, verdict.field, True, result)
        result.decisions.append(Decision(heading, verdict.field, verdict.explain(), len(placed.ids)))


def _runs(lines: list[_Line]) -> list[list[_Line]]:
    """Lines split into runs of list lines (bullets, labels) and runs of everything else."""
    runs: list[list[_Line]] = []
    for line in lines:
        is_list = line.kind in ("bullet", "label")
        if runs and _is_list(runs[-1]) == is_list:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _is_list(run: list[_Line]) -> bool:
    return bool(run) and run[0].kind in ("bullet", "label")


def _is_nav_link(line: _Line) -> bool:
    """A short line that is only a link ("← All jobs", "Apply now"): navigation, not text."""
    titles = one_line(" ".join(title for title, _ in line.links))
    return bool(titles) and len(line.text) <= MAX_NAV_LINK_CHARS and titles.strip(_ARROWS) == line.text.strip(_ARROWS)


def _close_related(block: _Block, result: Sections, description: _Description) -> None:
    seen = {job.url for job in result.related_jobs}
    before = len(result.related_jobs)
    for line in block.lines:
        if not line.links:
            description.add(line)
        for title, url in line.links:
            if url not in seen:
                seen.add(url)
                result.related_jobs.append(RelatedJob(title=title, url=url))
    heading = block.heading.text if block.heading else None
    result.decisions.append(Decision(heading, "related_jobs", block.how, len(result.related_jobs) - before))
