"""Digest and instant messages: DigestData -> subject + HTML + plain text (Jinja2, autoescaped).

Python decides *what* to show (lines with +/−, word-diff runs, caps); the templates in
pipelines/templates decide *how*. Every scraped string reaches HTML through autoescape,
and links are kept only when they are http(s).

The HTML is also what mail clients' text part is derived from (apprise converts it), so
each diff line carries its sign as text: "+ item", "− item".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jobtrail.crawler.items import FIELD_ORDER, TEXT_LIST_FIELDS
from jobtrail.pipelines import format as fmt
from jobtrail.storage.digest_data import ChangeView, DigestData, FailedDelivery, FailedSource, PostingView

#: most diff lines shown per posting; the rest become "and N more"
ITEM_CAP = 20
#: words of unchanged context kept around a description edit
CONTEXT_WORDS = 8
PLUS, MINUS = "+", "\u2212"
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
LABELS = {
    "related_jobs": "Related jobs", "nice_to_have": "Nice to have", "employment_type": "Employment type",
    "date_posted": "Date posted", "valid_through": "Valid through", "url": "URL",
}


@dataclass(frozen=True)
class Line:
    """One shown change: a sign and runs of (op, text), op ``=``, ``+`` or ``-``."""

    sign: str
    parts: tuple[tuple[str, str], ...]
    href: str | None = None

    @property
    def plain(self) -> str:
        """Text form: whole items as "+ item"; word edits inline as [-old-] / {+new+}."""
        if len({op for op, _ in self.parts}) == 1 and self.sign in (PLUS, MINUS):
            body = " ".join(text for _, text in self.parts)
        else:
            body = " ".join(_marked(op, text) for op, text in self.parts)
        return f"{self.sign} {body}" + (f" <{self.href}>" if self.href else "")


@dataclass(frozen=True)
class Section:
    label: str
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class PostingBlock:
    title: str
    href: str | None
    meta: str
    kind: str
    sections: tuple[Section, ...]
    more: int = 0


@dataclass(frozen=True)
class CompanyBlock:
    name: str
    postings: tuple[PostingBlock, ...]


@dataclass(frozen=True)
class Message:
    subject: str
    html: str
    text: str

    def body(self, fmt: str) -> str:
        return self.html if fmt == "html" else self.text


@dataclass(frozen=True)
class _View:
    heading: str | None
    companies: tuple[CompanyBlock, ...]
    more_postings: int = 0
    failed_sources: Sequence[FailedSource] = ()
    failed_deliveries: Sequence[FailedDelivery] = ()
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def safe_href(url: str | None) -> str | None:
    """The URL if it is http(s) (never javascript:, data:, ...)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def digest_subject(postings: Sequence[PostingView]) -> str:
    """"jobtrail: 3 postings changed at 2 companies (1 new, 2 changed)"."""
    if not postings:
        return "jobtrail: no posting changed"
    companies = len({p.company for p in postings})
    kinds = Counter(p.kind for p in postings)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in ("new", "changed", "reopened", "closed") if kinds[k])
    return (
        f"jobtrail: {_plural(len(postings), 'posting')} changed at {_plural(companies, 'company')}"
        f" ({by_kind})"
    )


def render_digest(data: DigestData, *, item_cap: int = ITEM_CAP, max_postings: int | None = None) -> Message:
    """The digest of ``data``; ``max_postings`` drops later postings into "and N more"."""
    shown = data.postings if max_postings is None else data.postings[:max_postings]
    view = _View(
        heading=digest_subject(data.postings).removeprefix("jobtrail: ").capitalize(),
        companies=_companies(shown, item_cap),
        more_postings=len(data.postings) - len(shown),
        failed_sources=data.failed_sources,
        failed_deliveries=data.failed_deliveries,
    )
    return Message(digest_subject(data.postings), _render("digest.html", view), _render("digest.txt", view))


def render_instant(posting: PostingView, *, item_cap: int = ITEM_CAP) -> Message:
    """One changed posting, for channels in ``instant`` mode."""
    block = posting_block(posting, item_cap)
    fields = [s.label.lower() for s in block.sections if s.lines and s.label not in ("New posting",)]
    what = f"{', '.join(fields)} changed" if posting.kind == "changed" and fields else posting.kind
    subject = f"jobtrail: {posting.title} at {posting.company} ({what})"
    view = _View(heading=None, companies=(CompanyBlock(posting.company, (block,)),))
    return Message(subject, _render("digest.html", view), _render("digest.txt", view))


def render_test(channel: str) -> Message:
    view = _View(heading=None, companies=(), note=f"Test message from jobtrail for channel {channel!r}.")
    return Message(f"jobtrail: test message ({channel})", _render("digest.html", view), _render("digest.txt", view))


def fit(render: Callable[[int | None], Message], count: int, limit: int, fmt: str) -> Message:
    """The fullest rendering whose ``fmt`` body fits ``limit`` characters (drops whole postings)."""
    full = render(None)
    if len(full.body(fmt)) <= limit:
        return full
    low, high = 0, count  # invariant: render(low) is the best known fit (0 always "fits")
    while low < high:
        middle = (low + high + 1) // 2
        if len(render(middle).body(fmt)) <= limit:
            low = middle
        else:
            high = middle - 1
    return render(low)


def posting_block(posting: PostingView, item_cap: int = ITEM_CAP) -> PostingBlock:
    sections = [section for change in posting.changes for section in _change_sections(change)]
    capped, more = cap_sections(sections, item_cap)
    meta = " · ".join(part for part in (fmt.locations(posting.locations), posting.source) if part)
    return PostingBlock(posting.title, safe_href(posting.url), meta, posting.kind, capped, more)


def _companies(postings: Sequence[PostingView], item_cap: int) -> tuple[CompanyBlock, ...]:
    grouped: dict[str, list[PostingBlock]] = {}
    for posting in postings:
        grouped.setdefault(posting.company, []).append(posting_block(posting, item_cap))
    return tuple(CompanyBlock(name, tuple(blocks)) for name, blocks in grouped.items())


def _change_sections(change: ChangeView) -> list[Section]:
    kind, diff = change.kind, change.diff
    if kind == "new":
        return [Section("New posting", tuple(Line(PLUS, (("=", item),)) for item in change.requirements))]
    head = [Section(kind.capitalize())] if kind in ("closed", "reopened") else []
    return head + list(diff_sections(diff))


def diff_sections(diff: dict[str, Any]) -> tuple[Section, ...]:
    """One labelled section of +/−/word-diff lines per changed field, in FIELD_ORDER.

    Shared by the digest, the web pages and the feeds (crawler/web), so a change reads
    the same everywhere.
    """
    return tuple(
        Section(field_label(name), tuple(_field_lines(name, diff[name]))) for name in FIELD_ORDER if name in diff
    )


def field_label(name: str) -> str:
    """"nice_to_have" -> "Nice to have"."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _field_lines(name: str, change: dict[str, Any]) -> list[Line]:
    if name == "related_jobs":
        return [Line(sign, ((op, job.get("title") or job.get("url", "")),), safe_href(job.get("url")))
                for sign, op, key in ((PLUS, "+", "added"), (MINUS, "-", "removed"))
                for job in change.get(key, [])]
    if name in TEXT_LIST_FIELDS:
        lines = [Line(PLUS, (("+", item),)) for item in change.get("added", [])]
        lines += [Line(MINUS, (("-", item),)) for item in change.get("removed", [])]
        for pair in change.get("reworded", []):
            words = [tuple(run) for run in pair.get("words") or [["-", pair["old"]], ["+", pair["new"]]]]
            lines.append(Line(MINUS, tuple((op, t) for op, t in words if op != "+")))
            lines.append(Line(PLUS, tuple((op, t) for op, t in words if op != "-")))
        return lines
    if "words" in change:
        return [Line("~", tuple(_compact(change["words"])))]
    old, new = fmt.value(name, change.get("old")), fmt.value(name, change.get("new"))
    return [Line("~", (("-", old), ("=", "\u2192"), ("+", new)))]


def _compact(words: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Word diff with long unchanged stretches cut to CONTEXT_WORDS on each side."""
    runs: list[tuple[str, str]] = []
    last = len(words) - 1
    for index, (op, text) in enumerate(words):
        tokens = text.split()
        if op == "=" and len(tokens) > CONTEXT_WORDS * 2:
            head = [] if index == 0 else tokens[:CONTEXT_WORDS]
            tail = [] if index == last else tokens[-CONTEXT_WORDS:]
            text = " ".join([*head, "\u2026", *tail]).strip()
        runs.append((op, text))
    return runs


def cap_sections(sections: Sequence[Section], cap: int) -> tuple[tuple[Section, ...], int]:
    """At most ``cap`` lines over all sections, and how many were left out ("and N more")."""
    kept: list[Section] = []
    room, more = cap, 0
    for section in sections:
        lines = section.lines[:max(room, 0)]
        more += len(section.lines) - len(lines)
        room -= len(lines)
        if lines or not section.lines:
            kept.append(replace(section, lines=lines))
    return tuple(kept), more


def _marked(op: str, text: str) -> str:
    return {"+": f"{{+{text}+}}", "-": f"[-{text}-]"}.get(op, text)


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("jobtrail.pipelines", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined, keep_trailing_newline=True,
    )


def _render(template: str, view: _View) -> str:
    rendered = _environment().get_template(template).render(view=view, PLUS=PLUS, MINUS=MINUS)
    if template.endswith(".html"):  # line breaks between tags would become blank lines in the text part
        rendered = _BETWEEN_TAGS.sub("><", rendered)
    return rendered
