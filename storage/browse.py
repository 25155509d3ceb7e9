"""Read-only queries for browsing: pages of changes and a posting's events (sources: storage/sources.py).

What `jobtrail serve` (pages and feeds) asks for beyond storage.history: lists are bounded
and paged by a keyset cursor (newest first, stable while new changes arrive), and each
call runs a fixed number of statements whatever the size of the database. None writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from jobtrail.storage.models import Change, Posting, PostingVersion, Source
from jobtrail.storage.rows import change_record, changes_select

#: changes examined per filtered page, newest first (bounds a page's cost at any size)
SCAN_WINDOW = 2000


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which changes to list; every part optional, all given parts must hold.

    ``sources``: source names (a tag is resolved to its sources by the caller, since tags
    live in jobtrail.toml); an empty tuple given on purpose means "no source" (nothing).
    ``field``: only changes whose diff touches this posting field (e.g. "requirements").
    """

    sources: tuple[str, ...] | None = None
    company: str | None = None
    kinds: tuple[str, ...] = ()
    field: str | None = None
    postings: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of changes, newest first; ``next_before`` is the cursor of the next page."""

    changes: list[Any]  # ChangeRecord
    next_before: int | None
    #: a filtered page that examined a whole window: fewer rows does not mean the end
    searched: bool = False


def recent_changes(
    session: Session, where: ChangeFilter = ChangeFilter(), *, limit: int = 50, before: int | None = None
) -> ChangePage:
    """Changes newest first (by time, then id), ``limit`` per page, after the change ``before``.

    The cursor is a change id, so a page's URL keeps showing the same rows while newer
    changes arrive; an unknown cursor gives an empty page. With a filter (other than
    postings), one page examines at most SCAN_WINDOW changes: a rare filter's page may hold
    fewer than ``limit`` rows, and its next cursor continues where the window ended, so
    every page stays fast at any database size and no match is ever skipped.
    """
    if where.sources is not None and not where.sources:
        return ChangePage([], None)
    after = _after(session, before)
    if after is False:
        return ChangePage([], None)
    query = _base() if after is None else _base().where(after)
    edge = None
    if (where.sources or where.company or where.kinds or where.field) and not where.postings:
        edge = session.execute(_newest(after).offset(SCAN_WINDOW - 1).limit(1)).first()  # None: fewer remain
        if edge is not None:
            query = query.where(Change.created_at >= edge.created_at,  # a range the index can use
                                or_(Change.created_at > edge.created_at, Change.id >= edge.id))
    query = _filtered(query, where).order_by(Change.created_at.desc(), Change.id.desc()).limit(limit + 1)
    records = [change_record(row) for row in session.execute(query).all()]
    if len(records) > limit:
        return ChangePage(records[:limit], records[limit - 1].change_id)
    return ChangePage(records, edge.id if edge is not None else None, searched=edge is not None)


def _after(session: Session, before: int | None) -> Any:
    """The condition "older than change ``before``" (None: no cursor; False: unknown cursor)."""
    if before is None:
        return None
    cursor = session.execute(select(Change.created_at).where(Change.id == before)).scalar()
    if cursor is None:
        return False
    # the plain range first: an OR across columns alone would hide it from the index
    return and_(Change.created_at <= cursor, or_(Change.created_at < cursor, Change.id < before))


def _newest(after: Any) -> Any:
    query = select(Change.id, Change.created_at).order_by(Change.created_at.desc(), Change.id.desc())
    return query.where(after) if after is not None else query


@cache
def _base() -> Any:
    """The changes SELECT, built once: building its aliased joins costs more than running it."""
    return changes_select()


def _filtered(query: Any, where: ChangeFilter) -> Any:
    if where.sources:
        ids = select(Source.id).where(Source.name.in_(list(where.sources))).scalar_subquery()
        query = query.where(Posting.source_id.in_(ids))
    if where.company:
        query = query.where(func.lower(Posting.company) == where.company.lower())
    if where.kinds:
        query = query.where(Change.kind.in_(list(where.kinds)))
    if where.field:  # as text: SQLite's JSON path would quote a missing key as 'null', never NULL
        query = query.where(Change.diff[where.field].as_string().is_not(None))
    if where.postings:
        query = query.where(Change.posting_id.in_(list(where.postings)))
    return query


def posting_changes(session: Session, posting_ids: Sequence[int]) -> list[Any]:
    """Every change of these postings (a repost chain), oldest first: the posting's timeline."""
    query = _base().where(Change.posting_id.in_(list(posting_ids)))
    return [change_record(row) for row in session.execute(query.order_by(Change.created_at, Change.id))]


def new_requirements(session: Session, changes: Sequence[Any]) -> dict[int, list[str]]:
    """change id -> the requirements of the version a "new" change produced (a feed shows them)."""
    ids = [change.change_id for change in changes if change.kind == "new"]
    if not ids:
        return {}
    query = (select(Change.id, PostingVersion.requirements)
             .join(PostingVersion, PostingVersion.id == Change.to_version_id).where(Change.id.in_(ids)))
    return {change_id: list(requirements or []) for change_id, requirements in session.execute(query)}
