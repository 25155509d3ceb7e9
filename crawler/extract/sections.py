"""The one section extractor: description HTML -> description text + bullet lists.

Careers pages and ATS descriptions are written by people, not schemas: sections start
at h1-h6, at a paragraph that is only bold text, or at a short line ending in ":";
bullets come from ``<li>`` or from lines starting with "•", "-", "*"... Every source
kind calls ``extract_sections`` so that one posting reads the same wherever it is
published. Headings map to fields through ``crawler.extract.vocabulary``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

from jobtrail.crawler.extract.vocabulary import field_for_heading, normalize_heading
from jobtrail.crawler.items import LIST_FIELDS, Posting, RelatedJob

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
_STRUCTURE_TAGS = BLOCK_TAGS | HEADING_TAGS
BOLD_TAGS = frozenset({"b", "strong"})
#: levels of the "weak" headings, below every h1-h6
BOLD_LINE_LEVEL = 7
COLON_LINE_LEVEL = 8
#: a heading-like line longer than this is a sentence, not a heading
MAX_HEADING_CHARS = 80
#: a line that is only a link this short is navigation ("Back to jobs"), kept out of the description
MAX_NAV_LINK_CHARS = 40

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣·■□➢➤✓✔○]|[-*–—](?=\s))\s*")
#: zero-width and soft-hyphen characters, C0 controls and U+FFFD: never meant as text
_INVISIBLE = str.maketrans(dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0xFEFF, 0x00AD, 0xFFFD, 0x7F, *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)],
))
_ARROWS = "←→‹›«»<> "
_BLANK_LINE = re.compile(r"\n\s*\n")
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


@dataclass
class _Line:
    text: str
    kind: str  # "heading" | "bullet" | "para"
    level: int = 0  # headings: 1-6 for h1-h6, then BOLD_LINE_LEVEL, COLON_LINE_LEVEL
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, absolute url)


def fold(text: str) -> str:
    """One line of text: invisible characters gone, whitespace (NBSP too) folded to single spaces."""
    return " ".join(text.translate(_INVISIBLE).split())


def extract_sections(
    html: str, base_url: str = "", *, drop_selectors: Sequence[str] = (), title: str | None = None,
) -> Sections:
    """Sections of a description given as HTML (or plain text); never raises on bad markup.

    ``title``: an h1 equal to it is the page title, not a section heading, and is skipped.
    """
    soup = BeautifulSoup(html or "", "lxml")
    return sections_from_tag(soup.body or soup, base_url, drop_selectors=drop_selectors, title=title)


def sections_from_tag(
    root: Tag, base_url: str = "", *, drop_selectors: Sequence[str] = (), title: str | None = None,
) -> Sections:
    """Like ``extract_sections`` on an already parsed element. Removes ``drop_selectors`` matches from it."""
    for selector in drop_selectors:
        for element in root.select(selector):
            element.decompose()
    skip = normalize_heading(title) if title else None
    return _assemble(linearize(root, base_url, skip_h1=skip))


def plain_text(root: Tag, base_url: str = "") -> str | None:
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


def linearize(root: Tag, base_url: str = "", *, skip_h1: str | None = None) -> list[_Line]:
    """The element as a flat list of heading / bullet / paragraph lines, in reading order.

    Iterative (not recursive), so deeply nested broken HTML cannot hit the recursion limit.
    """
    walker = _Walker(base_url, skip_h1)
    stack: list[Tag | NavigableString | _Exit] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, _Exit):
            walker.leave(item.tag)
        elif isinstance(item, Tag):
            if walker.enter(item):
                stack.append(_Exit(item))
                stack.extend(reversed(item.contents))
        elif type(item) is NavigableString:
            walker.text(str(item))
    walker.flush()
    return walker.lines


@dataclass
class _Exit:
    tag: Tag


class _Walker:
    """Collects inline text into a buffer and turns it into lines at every block boundary."""

    def __init__(self, base_url: str, skip_h1: str | None) -> None:
        self.base_url = base_url
        self.skip_h1 = skip_h1
        self.lines: list[_Line] = []
        self.pieces: list[tuple[str, bool]] = []  # (text, is bold)
        self.links: list[tuple[str, str]] = []
        self.li_depth = 0
        self.bold_depth = 0
        self.pending_heading = 0  # level of an open heading whose text is being collected

    def text(self, text: str) -> None:
        self.pieces.append((text, self.bold_depth > 0))

    def enter(self, tag: Tag) -> bool:
        """Handle an opening tag; True when its children should be walked."""
        name = tag.name
        if name in DROP_TAGS:
            return False
        if name in ("br", "hr"):
            self.flush()
            return False
        if name in HEADING_TAGS:
            self.flush()
            if _first_descendant(tag, _STRUCTURE_TAGS) is None:
                self._heading(tag, int(name[1]))
                return False
            # an unclosed heading that swallowed the page: its own leading text is the heading
            self.pending_heading = int(name[1])
            return True
        if name == "a" and tag.get("href"):
            self._anchor(tag)
            return False
        if name in BLOCK_TAGS:
            self.flush()
            self.li_depth += name == "li"
        self.bold_depth += name in BOLD_TAGS
        return True

    def leave(self, tag: Tag) -> None:
        if tag.name in BLOCK_TAGS or tag.name in HEADING_TAGS:
            self.flush()
            self.li_depth -= tag.name == "li"
        self.bold_depth -= tag.name in BOLD_TAGS

    def _heading(self, tag: Tag, level: int) -> None:
        text = fold(tag.get_text(" "))
        if not text or (level == 1 and self.skip_h1 and normalize_heading(text) == self.skip_h1):
            return
        links = [link for a in _descendants(tag, frozenset({"a"})) if (link := self._link(a))]
        if links and fold(" ".join(title for title, _ in links)) == text:
            self.lines.append(_Line(text, "para", links=links))  # a linked title (job card), not a heading
        elif self.li_depth:
            self.lines.append(_Line(_strip_bullet(text), "bullet"))
        else:
            self.lines.append(_Line(text, "heading", level))

    def _anchor(self, tag: Tag) -> None:
        text = tag.get_text(" ")
        self.pieces.append((text, self.bold_depth > 0 or (len(text) <= MAX_HEADING_CHARS and _all_bold(tag))))
        link = self._link(tag)
        if link:
            self.links.append(link)

    def _link(self, tag: Tag) -> tuple[str, str] | None:
        job = related_job(tag, self.base_url)
        return (job.title, job.url) if job else None

    def flush(self) -> None:
        level, self.pending_heading = self.pending_heading, 0
        if not self.pieces:
            self.links.clear()
            return
        if level:
            text = fold("".join(text for text, _ in self.pieces))
            self.pieces.clear()
            self.links.clear()
            if text and not (level == 1 and self.skip_h1 and normalize_heading(text) == self.skip_h1):
                self.lines.append(_Line(text, "heading", level))
            return
        raw = "".join(text for text, _ in self.pieces)
        all_bold = all(bold for text, bold in self.pieces if text.strip())
        self.pieces.clear()
        texts = [text for text in map(fold, _split_lines(raw)) if text]
        new = [self._classify(text, all_bold and len(texts) == 1) for text in texts]
        for title, url in self.links:
            owner = next((line for line in new if title in line.text), new[-1] if new else None)
            if owner is not None:
                owner.links.append((title, url))
        self.links.clear()
        self.lines.extend(line for line in new if line.text)

    def _classify(self, text: str, bold: bool) -> _Line:
        if self.li_depth:
            return _Line(_strip_bullet(text), "bullet")
        if _BULLET.match(text):
            return _Line(_strip_bullet(text), "bullet")
        short = len(text) <= MAX_HEADING_CHARS
        if bold and short and not text.endswith((".", "!", "?")):
            return _Line(text, "heading", BOLD_LINE_LEVEL)
        if short and text.endswith(":"):
            return _Line(text, "heading", COLON_LINE_LEVEL)
        return _Line(text, "para")


def heading_text(tag: Tag) -> str:
    """A heading's own text: what comes before any block inside it (unclosed <h1> swallows pages)."""
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name in _STRUCTURE_TAGS:
            break
        if type(node) is NavigableString:
            parts.append(str(node))
    return fold("".join(parts))


def related_job(anchor: Tag, base_url: str = "") -> RelatedJob | None:
    """A link as a job: its title (a heading inside the link wins) and absolute URL."""
    href = str(anchor.get("href") or "").strip()
    if not href or _SKIP_HREF.match(href):
        return None
    inner = _first_descendant(anchor, HEADING_TAGS)
    title = fold((inner or anchor).get_text(" "))
    return RelatedJob(title=title, url=urljoin(base_url, href)) if title else None


def _descendants(tag: Tag, names: frozenset[str]) -> Iterator[Tag]:
    """Descendant elements named ``names``, outermost only (bs4's find_all is slow on hot paths)."""
    stack = list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name in names:
                yield node
            else:
                stack.extend(reversed(node.contents))


def _first_descendant(tag: Tag, names: frozenset[str]) -> Tag | None:
    return next(_descendants(tag, names), None)


def _strip_bullet(text: str) -> str:
    return _BULLET.sub("", text, count=1).strip()


def _all_bold(tag: Tag) -> bool:
    bold = "".join(node.get_text() for node in _descendants(tag, BOLD_TAGS))
    return bool(bold.strip()) and fold(bold) == fold(tag.get_text())


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


@dataclass
class _Section:
    name: str | None  # a Posting field, or None for an unmapped section
    level: int
    lines: list[_Line] = field(default_factory=list)


def _assemble(lines: list[_Line]) -> Sections:
    result = Sections()
    description = _Description()
    current = _Section(None, 0)
    for line in lines:
        if line.kind == "heading":
            name = field_for_heading(line.text)
            lead_in = line.level > current.level or (line.level == current.level and not current.lines)
            if name is None and current.name and lead_in:
                current.lines.append(_Line(line.text, "para"))  # a sub-heading or lead-in inside a section
                continue
            _close(current, result, description)
            current = _Section(name, line.level)
            if name is None:
                description.add(line)
        elif current.name:
            current.lines.append(line)
        elif not _is_nav_link(line):
            description.add(line)
    _close(current, result, description)
    result.description = description.text()
    for name in LIST_FIELDS:  # exact duplicates go; order stays
        setattr(result, name, list(dict.fromkeys(getattr(result, name))))
    return result


def _is_nav_link(line: _Line) -> bool:
    """A short line that is only a link ("← All jobs", "Apply now"): navigation, not text."""
    titles = fold(" ".join(title for title, _ in line.links))
    return bool(titles) and len(line.text) <= MAX_NAV_LINK_CHARS and titles.strip(_ARROWS) == line.text.strip(_ARROWS)


def _close(section: _Section, result: Sections, description: _Description) -> None:
    if section.name is None:
        return
    if section.name == "related_jobs":
        _close_related(section, result, description)
        return
    items: list[str] = getattr(result, section.name)
    bullets = [line for line in section.lines if line.kind == "bullet"]
    for line in section.lines:
        if not bullets or line.kind == "bullet":
            items.append(line.text)
        else:
            description.add(line)


def _close_related(section: _Section, result: Sections, description: _Description) -> None:
    seen = {job.url for job in result.related_jobs}
    for line in section.lines:
        if not line.links:
            description.add(line)
        for title, url in line.links:
            if url not in seen:
                seen.add(url)
                result.related_jobs.append(RelatedJob(title=title, url=url))
