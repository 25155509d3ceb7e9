"""Read-only queries for browsing: pages of changes, a posting's events, the sources' health.

What `jobtrail serve` (pages and feeds) asks for beyond storage.queries: lists are bounded
and paged by a keyset cursor (newest first, stable while new changes arrive), and each
call runs a fixed number of statements whatever the size of the database. None writes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from jobtrail.storage.models import Change, CrawlRun, Posting, Source
from jobtrail.storage.queries import _change_record, _changes_select
from jobtrail.storage.records import aware

#: crawl runs read per source to count a failure streak (a longer streak shows as this many)
STREAK_WINDOW = 100


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


def recent_changes(
    session: Session, where: ChangeFilter = ChangeFilter(), *, limit: int = 50, before: int | None = None
) -> ChangePage:
    """Changes newest first (by time, then id), ``limit`` per page, after the change ``before``.

    The cursor is a change id, so a page's URL keeps showing the same rows while newer
    changes arrive. An unknown cursor gives an empty page.
    """
    if where.sources is not None and not where.sources:
        return ChangePage([], None)
    query = _filtered(_changes_select(), where)
    if before is not None:
        cursor = session.execute(select(Change.created_at).where(Change.id == before)).scalar()
        if cursor is None:
            return ChangePage([], None)
        query = query.where(or_(Change.created_at < cursor, and_(Change.created_at == cursor, Change.id < before)))
    rows = session.execute(query.order_by(Change.created_at.desc(), Change.id.desc()).limit(limit + 1)).all()
    records = [_change_record(row) for row in rows[:limit]]
    return ChangePage(records, records[-1].change_id if len(rows) > limit else None)


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
    query = _changes_select().where(Change.posting_id.in_(list(posting_ids)))
    return [_change_record(row) for row in session.execute(query.order_by(Change.created_at, Change.id))]


def companies(session: Session) -> list[str]:
    """Distinct company names, for the filter form (a few thousand at most)."""
    query = select(Posting.company).where(Posting.company.is_not(None)).distinct().order_by(Posting.company)
    return [name for name in session.scalars(query) if name]


def source_names(session: Session) -> list[str]:
    return list(session.scalars(select(Source.name).order_by(Source.name)))


# --- sources --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source's health: its latest crawl, how many crawls in a row failed, open postings."""

    name: str
    kind: str
    url: str | None
    company: str | None
    last_crawl_at: datetime | None
    last_status: str | None  # ok|failed|running, None if never crawled
    last_error: str | None
    failed_in_row: int
    last_ok_at: datetime | None
    open_postings: int
    closed_postings: int


def source_statuses(session: Session, names: Collection[str] | None = None) -> list[SourceStatus]:
    """Every source (or those named), by name, in three statements."""
    query = select(Source.id, Source.name, Source.kind, Source.url, Source.company).order_by(Source.name)
    if names is not None:
        query = query.where(Source.name.in_(list(names)))
    sources = session.execute(query).all()
    counts = _posting_counts(session)
    runs = _recent_runs(session)
    return [_status(row, counts.get(row.id, {}), runs.get(row.id, [])) for row in sources]


def _posting_counts(session: Session) -> dict[int, dict[str, int]]:
    query = select(Posting.source_id, Posting.status, func.count()).group_by(Posting.source_id, Posting.status)
    counts: dict[int, dict[str, int]] = {}
    for source_id, status, count in session.execute(query):
        counts.setdefault(source_id, {})[status] = count
    return counts


def _recent_runs(session: Session) -> dict[int, list[Any]]:
    """Per source, its latest STREAK_WINDOW runs, newest first (one windowed statement)."""
    ranked = select(
        CrawlRun.source_id, CrawlRun.started_at, CrawlRun.finished_at, CrawlRun.status, CrawlRun.error,
        func.row_number().over(partition_by=CrawlRun.source_id,
                               order_by=(CrawlRun.started_at.desc(), CrawlRun.id.desc())).label("rank"),
    ).subquery()
    query = select(ranked).where(ranked.c.rank <= STREAK_WINDOW).order_by(ranked.c.source_id, ranked.c.rank)
    runs: dict[int, list[Any]] = {}
    for row in session.execute(query):
        runs.setdefault(row.source_id, []).append(row)
    return runs


def _status(source: Any, counts: dict[str, int], runs: list[Any]) -> SourceStatus:
    streak = 0
    for run in runs:
        if run.status != "failed":
            break
        streak += 1
    last = runs[0] if runs else None
    last_ok = next((run for run in runs if run.status == "ok"), None)
    error = (last.error or "").strip().splitlines() if last is not None and last.status == "failed" else []
    return SourceStatus(
        name=source.name, kind=source.kind, url=source.url, company=source.company,
        last_crawl_at=_at(last.finished_at or last.started_at) if last else None,
        last_status=last.status if last else None, last_error=error[0] if error else None,
        failed_in_row=streak, last_ok_at=_at(last_ok.finished_at or last_ok.started_at) if last_ok else None,
        open_postings=counts.get("open", 0), closed_postings=counts.get("closed", 0),
    )


def _at(moment: datetime | None) -> datetime | None:
    return aware(moment) if moment is not None else None
