"""Typed, read-only records returned by storage.history, .search and .export (what a notebook gets back).

Plain frozen dataclasses, so they print well, compare by value and turn into JSON with
``to_dict()``; ``from_dict()`` reads an export line back into the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from jobtrail.crawler.items import POSTING_FIELDS


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 text for JSON output; naive datetimes (SQLite) are taken as UTC."""
    return aware(value).isoformat() if value is not None else None


def aware(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime (SQLite hands back naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_iso(value: str | None) -> datetime | None:
    return aware(datetime.fromisoformat(value)) if value else None


#: record type -> its datetime fields (a dict, not functools.cache: dataclass types are keys by identity)
_DATETIME_FIELDS: dict[type, tuple[str, ...]] = {}


def _datetime_fields(record_type: type) -> tuple[str, ...]:
    found = _DATETIME_FIELDS.get(record_type)
    if found is None:
        specs = fields(record_type)
        found = _DATETIME_FIELDS[record_type] = tuple(s.name for s in specs if str(s.type).startswith("datetime"))
    return found


class _Record:
    """to_dict/from_dict shared by the records: datetimes as ISO text, the rest as is."""

    def to_dict(self) -> dict[str, Any]:
        """Field -> value, datetimes as ISO text; values are shared, not copied (exports are hot)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}  # type: ignore[attr-defined]
        for name in _datetime_fields(type(self)):
            data[name] = iso(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        values = {}
        for spec in fields(cls):  # type: ignore[arg-type]
            value = data.get(spec.name)
            if spec.type in ("datetime", "datetime | None") and isinstance(value, str):
                value = parse_iso(value)
            values[spec.name] = value
        return cls(**values)


@dataclass(frozen=True, slots=True)
class PostingRecord(_Record):
    """A posting as it stands now (latest version's identity fields)."""

    id: int
    source: str
    external_id: str
    url: str
    title: str
    company: str | None
    status: str
    first_seen: datetime
    last_seen: datetime
    closed_at: datetime | None
    latest_seq: int
    repost_of_id: int | None


@dataclass(frozen=True, slots=True)
class VersionRecord(_Record):
    """One stored version: every Posting field, plus the diff from the version before it.

    ``diff`` has the shape of pipelines/diff.py; it is empty for a posting's first version
    (unless the version continues a repost, then it is the diff from the old posting's last).
    """

    posting_id: int
    version_id: int
    seq: int
    observed_at: datetime
    content_hash: str
    source: str
    external_id: str
    url: str
    title: str
    company: str | None = None
    locations: list[str] = field(default_factory=list)
    department: str | None = None
    employment_type: str | None = None
    workplace: str | None = None
    salary: dict[str, Any] | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    description: str | None = None
    requirements: list[str] = field(default_factory=list)
    nice_to_have: list[str] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    related_jobs: list[dict[str, str]] = field(default_factory=list)
    diff: dict[str, Any] = field(default_factory=dict)
    #: the posting as it stands now (exports carry them; None where a query did not read them)
    status: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    closed_at: datetime | None = None

    def posting(self) -> dict[str, Any]:
        """The version as a normalized-posting dict (the input of pipelines.diff.diff_postings)."""
        return {name: getattr(self, name) for name in POSTING_FIELDS}


@dataclass(frozen=True, slots=True)
class ChangeRecord(_Record):
    """One row of `jobtrail changes`: what happened to which posting, and when."""

    posting_id: int
    source: str
    company: str | None
    title: str
    url: str
    kind: str  # new|changed|closed|reopened
    at: datetime
    fields: dict[str, Any]
    change_id: int = 0
    from_seq: int | None = None
    to_seq: int | None = None
    #: the posting as it stands now (open | closed), whatever the change was
    status: str = "open"
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    closed_at: datetime | None = None

    def summary(self) -> dict[str, Any]:
        """The documented `changes --json` shape (docs/json.md; no storage ids beyond posting_id)."""
        data = self.to_dict()
        return {key: data[key] for key in ("posting_id", "source", "company", "title", "url", "kind", "at",
                                           "fields", "status", "first_seen", "last_seen", "closed_at")}


@dataclass(frozen=True, slots=True)
class SearchHit(_Record):
    """Where a phrase lives in one posting's history, per field.

    ``first_seq``/``first_at``: the version that first contained it; ``last_seq``/``last_at``:
    the last version that did; ``present``: the latest version still does; ``removed_at``:
    when the version without it was observed (None while present).
    """

    posting_id: int
    source: str
    company: str | None
    title: str
    url: str
    field: str
    first_seq: int
    first_at: datetime
    last_seq: int
    last_at: datetime
    present: bool
    removed_seq: int | None
    removed_at: datetime | None
    text: str  # the bullet or sentence that contained it, latest wording
    #: the posting as it stands now: a phrase "present" in a closed posting was there until it closed
    status: str = "open"
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    closed_at: datetime | None = None
