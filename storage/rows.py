"""Select builders and row readers shared by the history and export queries.

Rows are read positionally (exports build a million records), so the column order of
``versions_select`` and the positions below are defined together, here.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, Text, cast, func, select, type_coerce
from sqlalchemy.orm import aliased

from jobtrail.crawler.items import CONTENT_FIELDS, JSON_FIELDS
from jobtrail.storage.models import Change, Posting, PostingVersion, Source
from jobtrail.storage.records import ChangeRecord, VersionRecord, aware


def changes_select() -> Select[*tuple[Any, ...]]:
    old, new = aliased(PostingVersion), aliased(PostingVersion)
    return (
        select(
            Change.id, Change.posting_id, Change.kind, Change.diff, Change.created_at,
            Source.name.label("source"), Posting.company, Posting.url,
            func.coalesce(new.title, Posting.title).label("title"),
            old.seq.label("from_seq"), new.seq.label("to_seq"),
            Posting.status, Posting.first_seen, Posting.last_seen, Posting.closed_at,
        )
        .join(Posting, Posting.id == Change.posting_id)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(old, old.id == Change.from_version_id)
        .outerjoin(new, new.id == Change.to_version_id)
    )


def change_record(row: Any) -> ChangeRecord:
    return ChangeRecord(
        posting_id=row.posting_id, source=row.source, company=row.company, title=row.title, url=row.url,
        kind=row.kind, at=aware(row.created_at), fields=row.diff or {}, change_id=row.id,
        from_seq=row.from_seq, to_seq=row.to_seq, status=row.status, first_seen=_aware(row.first_seen),
        last_seen=_aware(row.last_seen), closed_at=_aware(row.closed_at),
    )


def _aware(value: Any) -> Any:
    return aware(value) if value is not None else None


CONTENT_COLUMNS = CONTENT_FIELDS
JSON_COLUMNS = JSON_FIELDS
LIST_COLUMNS = tuple(name for name in JSON_FIELDS if name != "salary")


def versions_select(
    raw_json: bool = False, json_text: bool = False, with_status: bool = False
) -> Select[*tuple[Any, ...]]:
    """Version columns in VersionRecord order; ``raw_json``: JSON as the driver hands it back
    undecoded by SQLAlchemy; ``json_text``: JSON cast to text in SQL (PostgreSQL's driver would
    decode jsonb itself); ``with_status``: then the posting's status, first_seen, last_seen, closed_at."""
    def content(name: str) -> Any:
        column = getattr(PostingVersion, name)
        if name not in JSON_COLUMNS:
            return column
        if json_text:
            return cast(column, Text).label(name)
        return type_coerce(column, Text).label(name) if raw_json else column

    return (
        select(
            PostingVersion.posting_id, PostingVersion.id.label("version_id"), PostingVersion.seq,
            PostingVersion.observed_at, PostingVersion.content_hash,
            Source.name.label("source"), Posting.external_id,
            *(content(name) for name in CONTENT_COLUMNS),
            *((Posting.status, Posting.first_seen, Posting.last_seen, Posting.closed_at) if with_status else ()),
        )
        .join(Posting, Posting.id == PostingVersion.posting_id)
        .join(Source, Source.id == Posting.source_id)
    )


#: positions in a versions_select() row, which lists columns in VersionRecord field order
OBSERVED_AT = 3
JSON_POSITIONS = tuple(7 + CONTENT_COLUMNS.index(name) for name in JSON_COLUMNS)
LIST_POSITIONS = frozenset(7 + CONTENT_COLUMNS.index(name) for name in LIST_COLUMNS)
#: where the ``with_status`` columns start, and which of them are moments
STATUS_AT = 7 + len(CONTENT_COLUMNS)
STATUS_MOMENTS = (STATUS_AT + 1, STATUS_AT + 2, STATUS_AT + 3)


def version_record(row: Any, diff: dict[str, Any]) -> VersionRecord:
    """Positional, because exports build a million of these."""
    values = list(row)
    values[OBSERVED_AT] = aware(values[OBSERVED_AT])
    for index in JSON_POSITIONS:
        value = values[index]
        if isinstance(value, str):
            value = [] if value == "[]" else json.loads(value)
        values[index] = [] if value is None and index in LIST_POSITIONS else value
    for index in STATUS_MOMENTS[:max(0, len(values) - STATUS_AT - 1)]:
        values[index] = aware(values[index]) if values[index] is not None else None
    arguments: list[Any] = [*values[:STATUS_AT], diff, *values[STATUS_AT:]]
    return VersionRecord(*arguments)


def with_diff(record: VersionRecord, diff: dict[str, Any]) -> VersionRecord:
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    values["diff"] = diff
    return VersionRecord(**values)
