"""History questions over stored postings: what the CLI calls, and what a notebook can call.

    from jobtrail.storage.db import open_database
    from jobtrail.storage import history
    engine, sessions = open_database("sqlite:///jobtrail.db")
    with sessions() as session:
        for version in history.history(session, 42):
            print(version.seq, version.observed_at, list(version.diff))

Every function takes a Session and returns typed records (storage.records); none writes.
Each runs a fixed number of statements whatever the size of the result (no N+1).
Phrase search is in storage/search.py, exports in storage/export.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from jobtrail.storage.models import Change, Posting, PostingVersion, Source
from jobtrail.storage.records import ChangeRecord, PostingRecord, VersionRecord, aware
from jobtrail.storage.rows import change_record, changes_select, version_record, versions_select, with_diff

#: a function (old posting dict, new posting dict) -> diff, e.g. pipelines.diff.diff_postings
DiffFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]


# --- changes --------------------------------------------------------------------------------

def changes_since(
    session: Session,
    since: datetime,
    *,
    source: str | None = None,
    company: str | None = None,
    kinds: Collection[str] | None = None,
) -> list[ChangeRecord]:
    """Changes recorded at or after ``since``, oldest first (what `jobtrail changes` lists)."""
    query = changes_select().where(Change.created_at >= aware(since))
    if source:
        query = query.where(Source.name == source)
    if company:
        query = query.where(func.lower(Posting.company) == company.lower())
    if kinds:
        query = query.where(Change.kind.in_(list(kinds)))
    return [change_record(row) for row in session.execute(query.order_by(Change.created_at, Change.id))]


# --- postings -------------------------------------------------------------------------------

def find_postings(session: Session, query: str, company: str | None = None) -> list[PostingRecord]:
    """Postings by id ("42"), URL, or title words (all of them, any case), newest first."""
    query = query.strip()
    statement = _postings_select()
    if query.isdigit():
        statement = statement.where(Posting.id == int(query))
    elif "://" in query:
        statement = statement.where(Posting.url == query)
    else:
        for word in query.lower().split():
            statement = statement.where(func.lower(Posting.title).contains(word, autoescape=True))
    if company:
        statement = statement.where(func.lower(Posting.company) == company.lower())
    rows = session.execute(statement.order_by(Posting.first_seen.desc(), Posting.id.desc()))
    return [_posting_record(row) for row in rows]


def get_posting(session: Session, posting_id: int) -> PostingRecord | None:
    row = session.execute(_postings_select().where(Posting.id == posting_id)).first()
    return _posting_record(row) if row else None


def repost_chain(session: Session, posting_id: int) -> list[int]:
    """The ids of one role across reposts, oldest first (just ``[posting_id]`` if never reposted)."""
    chain = [posting_id]
    previous = session.scalar(select(Posting.repost_of_id).where(Posting.id == posting_id))
    while previous is not None and previous not in chain:
        chain.insert(0, previous)
        previous = session.scalar(select(Posting.repost_of_id).where(Posting.id == previous))
    following = _successor(session, posting_id)
    while following is not None and following not in chain:
        chain.append(following)
        following = _successor(session, following)
    return chain


def _successor(session: Session, posting_id: int) -> int | None:
    return session.scalar(
        select(Posting.id).where(Posting.repost_of_id == posting_id).order_by(Posting.first_seen).limit(1)
    )


def _postings_select() -> Select[*tuple[Any, ...]]:
    return select(
        Posting.id, Source.name.label("source"), Posting.external_id, Posting.url, Posting.title,
        Posting.company, Posting.status, Posting.first_seen, Posting.last_seen, Posting.closed_at,
        Posting.latest_seq, Posting.repost_of_id,
    ).join(Source, Source.id == Posting.source_id)


def _posting_record(row: Any) -> PostingRecord:
    values = dict(row._mapping)
    for key in ("first_seen", "last_seen", "closed_at"):
        values[key] = aware(values[key]) if values[key] is not None else None
    return PostingRecord(**values)


# --- versions -------------------------------------------------------------------------------

def history(
    session: Session, posting_id: int, follow_reposts: bool = True, diff: DiffFunction | None = None
) -> list[VersionRecord]:
    """Every version of a posting, oldest first, each with the diff from the version before.

    Diffs come from the stored changes. Across a repost (a new posting continuing a closed
    one) nothing is stored; pass ``diff`` (pipelines.diff.diff_postings) to compute it.
    """
    chain = repost_chain(session, posting_id) if follow_reposts else [posting_id]
    order = {pid: index for index, pid in enumerate(chain)}
    rows = session.execute(versions_select().where(PostingVersion.posting_id.in_(chain)))
    found = sorted(rows, key=lambda row: (order[row.posting_id], row.seq))
    stored: dict[int, dict[str, Any]] = dict(
        session.execute(
            select(Change.to_version_id, Change.diff).where(
                Change.posting_id.in_(chain),
                Change.from_version_id.is_not(None),
                Change.to_version_id.is_not(None),
            )
        ).all()
    )
    records: list[VersionRecord] = []
    for row in found:
        record = version_record(row, stored.get(row.version_id) or {})
        if records and not record.diff and diff is not None:
            record = with_diff(record, diff(records[-1].posting(), record.posting()))
        records.append(record)
    return records


def version_at(session: Session, posting_id: int, at: datetime | None = None) -> VersionRecord | None:
    """The version a reader saw at ``at`` (the latest one observed by then); latest if None."""
    statement = versions_select().where(PostingVersion.posting_id == posting_id)
    if at is not None:
        statement = statement.where(PostingVersion.observed_at <= aware(at))
    row = session.execute(statement.order_by(PostingVersion.seq.desc()).limit(1)).first()
    return version_record(row, {}) if row else None


def versions(session: Session, posting_id: int, seqs: Sequence[int]) -> list[VersionRecord]:
    """The versions ``seqs`` of a posting, in the order asked; missing ones are left out."""
    statement = versions_select().where(
        PostingVersion.posting_id == posting_id, PostingVersion.seq.in_(list(seqs))
    )
    by_seq = {row.seq: row for row in session.execute(statement)}
    return [version_record(by_seq[seq], {}) for seq in seqs if seq in by_seq]
