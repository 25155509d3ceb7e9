"""What the pages show, built from storage records: pure functions, no database, no HTML.

Diffs come from pipelines.diff (the one diff function) and read through the digest's
pieces (pipelines.alerts.render: sections of +/−/word-diff lines, field labels, http(s)-only
links; pipelines/format.py: salaries, locations, moments), so the web shows a change exactly as the e-mail does. The
templates only lay these out; Jinja2 autoescape turns every scraped string into text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jobtrail.crawler.items import FIELD_ORDER, LIST_FIELDS, TEXT_LIST_FIELDS
from jobtrail.pipelines import format as fmt
from jobtrail.pipelines.alerts.render import ITEM_CAP, Section, cap_sections, diff_sections, field_label, safe_href
from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage.records import ChangeRecord, VersionRecord

#: the bullet-list fields of a posting, in reading order
TEXT_SECTIONS = LIST_FIELDS
#: short facts shown above a posting's text
FACTS = ("locations", "workplace", "employment_type", "department", "salary", "date_posted", "valid_through")

Parts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Item:
    """One side's line of a comparison: runs of (op, text) and an optional safe link."""

    parts: Parts
    href: str | None = None


@dataclass(frozen=True)
class CompareRow:
    """One field of two versions side by side; ``changed`` when the diff touches it."""

    label: str
    old: tuple[Item, ...]
    new: tuple[Item, ...]
    changed: bool
    bullets: bool


def change_sections(change: ChangeRecord, cap: int = ITEM_CAP) -> tuple[tuple[Section, ...], int]:
    """The digest's sections for a change's diff, capped at ``cap`` lines (+ how many were left out)."""
    return cap_sections(diff_sections(change.fields), cap)


def facts(version: VersionRecord) -> list[tuple[str, str]]:
    """(label, text) for the facts a version states, in FACTS order."""
    found = []
    for name in FACTS:
        value = getattr(version, name)
        if value not in (None, "", [], {}):
            found.append((field_label(name), fmt.value(name, value)))
    return found


def paragraphs(text: str | None) -> list[str]:
    """A description as paragraphs (blank lines separate them)."""
    return [block.strip() for block in (text or "").split("\n\n") if block.strip()]


def related(version: VersionRecord) -> list[tuple[str, str | None]]:
    """(title, http(s) link or None) per related job."""
    return [(job.get("title") or job.get("url") or "", safe_href(job.get("url"))) for job in version.related_jobs]


def compare(old: VersionRecord, new: VersionRecord) -> list[CompareRow]:
    """Every field either version has, side by side, with word-level marks where they differ."""
    diff = diff_postings(old.posting(), new.posting())
    rows = []
    for name in FIELD_ORDER:
        before, after = old.posting().get(name), new.posting().get(name)
        if before in (None, "", [], {}) and after in (None, "", [], {}):
            continue
        change = diff.get(name)
        left, right = _sides(name, before, after, change)
        bullets = name in TEXT_LIST_FIELDS or name == "related_jobs"
        rows.append(CompareRow(field_label(name), left, right, change is not None, bullets))
    return rows


def _sides(name: str, before: Any, after: Any, change: Mapping[str, Any] | None) -> tuple[tuple[Item, ...], ...]:
    if name == "related_jobs":
        return _job_side(before or [], change, "removed", "-"), _job_side(after or [], change, "added", "+")
    if name in TEXT_LIST_FIELDS:
        return _list_side(before or [], change, "removed", "-"), _list_side(after or [], change, "added", "+")
    if change and "words" in change:
        runs = [tuple(run) for run in change["words"]]
        return (Item(tuple((op, t) for op, t in runs if op != "+")),), (Item(tuple((op, t) for op, t in runs
                                                                                   if op != "-")),)
    op_old, op_new = ("-", "+") if change else ("=", "=")
    left = (Item(((op_old, fmt.value(name, before)),)),) if before not in (None, "", [], {}) else ()
    right = (Item(((op_new, fmt.value(name, after)),)),) if after not in (None, "", [], {}) else ()
    return left, right


def _list_side(items: Sequence[str], change: Mapping[str, Any] | None, gone: str, op: str) -> tuple[Item, ...]:
    """Bullets of one side: whole bullets added/removed, reworded ones with their word marks."""
    change = change or {}
    whole = set(change.get(gone, []))
    own = "old" if op == "-" else "new"
    other = "+" if op == "-" else "-"
    reworded = {pair[own]: pair for pair in change.get("reworded", [])}
    side = []
    for item in items:
        if item in whole:
            side.append(Item(((op, item),)))
        elif item in reworded:
            words = reworded[item].get("words") or [[op, item]]
            side.append(Item(tuple((o, t) for o, t in words if o != other)))
        else:
            side.append(Item((("=", item),)))
    return tuple(side)


def _job_side(jobs: Sequence[Mapping[str, str]], change: Mapping[str, Any] | None, gone: str,
              op: str) -> tuple[Item, ...]:
    urls = {job.get("url") for job in (change or {}).get(gone, [])}
    return tuple(
        Item(((op if job.get("url") in urls else "=", job.get("title") or job.get("url") or ""),),
             safe_href(job.get("url")))
        for job in jobs
    )


@dataclass(frozen=True)
class Event:
    """One line of a posting's timeline: a version (with its diff) or a lifecycle change."""

    at: Any
    kind: str  # new|changed|reposted|closed|reopened
    posting_id: int
    seq: int | None
    sections: tuple[Section, ...]
    compare_from: int | None = None  # the seq before, when it is of the same posting


def timeline(versions: Sequence[VersionRecord], changes: Sequence[ChangeRecord]) -> list[Event]:
    """Versions (diffs included, reposts crossed) and closures/reopenings, newest first."""
    events: list[Event] = []
    previous: VersionRecord | None = None
    for version in versions:
        if previous is None:
            kind = "new"
        else:
            kind = "reposted" if previous.posting_id != version.posting_id else "changed"
        same = previous is not None and previous.posting_id == version.posting_id
        events.append(Event(version.observed_at, kind, version.posting_id, version.seq,
                            diff_sections(version.diff), previous.seq if same and previous else None))
        previous = version
    for change in changes:
        if change.kind in ("closed", "reopened"):
            events.append(Event(change.at, change.kind, change.posting_id, change.to_seq, ()))
    return sorted(events, key=lambda event: event.at, reverse=True)
