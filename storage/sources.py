"""Sources as the operator sees them: status, failure streaks, and the two edits — rename, remove.

`jobtrail sources` and the digest footer read ``source_statuses``; a fixed number of
statements whatever the number of sources (no query per source).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from jobtrail.storage.models import CrawlRun, Posting, Source
from jobtrail.storage.records import _Record, aware

#: latest crawls read per source to count a failure streak ("failed 12 runs in a row")
STREAK_WINDOW = 100


class SourceError(ValueError):
    """A rename or removal that cannot be done, phrased for the operator."""


@dataclass(frozen=True, slots=True)
class SourceStatus(_Record):
    """One stored source and how its crawls went (what `jobtrail sources --json` prints)."""

    name: str
    kind: str
    url: str | None
    company: str | None
    retired_at: datetime | None
    retired_as: str | None  # removed (by `jobtrail sources remove`) | orphaned (gone from the config)
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_status: str | None  # ok | failed | running (a crawl in progress or killed)
    last_error: str | None
    last_postings_seen: int | None
    last_ok_at: datetime | None
    failure_streak: int
    open_postings: int
    closed_postings: int


def source_statuses(session: Session, names: Collection[str] | None = None) -> list[SourceStatus]:
    """Every stored source (or those named), by name, with its latest crawl and posting counts."""
    query = select(Source).order_by(Source.name)
    if names is not None:
        query = query.where(Source.name.in_(list(names)))
    sources = list(session.scalars(query))
    ids = [source.id for source in sources]
    counts = _posting_counts(session, ids)
    runs = _latest_runs(session, ids)
    last_ok = dict(session.execute(
        select(CrawlRun.source_id, func.max(CrawlRun.started_at))
        .where(CrawlRun.source_id.in_(ids), CrawlRun.status == "ok").group_by(CrawlRun.source_id)
    ).all()) if ids else {}
    return [_status(source, runs.get(source.id, []), counts, last_ok.get(source.id)) for source in sources]


def source_names(session: Session) -> list[str]:
    return list(session.scalars(select(Source.name).order_by(Source.name)))


def retire_missing(session: Session, configured: Collection[str]) -> list[str]:
    """Mark stored sources that are no longer configured as retired; returns the names newly marked.

    Called by each crawl, so an orphan is reported once and never counted as failing.
    """
    names = list(session.scalars(
        select(Source.name).where(Source.retired_at.is_(None), Source.name.not_in(list(configured)))
        .order_by(Source.name)
    ))
    if names:
        session.execute(
            update(Source).where(Source.name.in_(names)).values(retired_at=datetime.now(UTC), retired_as="orphaned")
        )
    return names


def rename_source(session: Session, old: str, new: str) -> None:
    """Give a stored source a new name; its postings, versions and crawls follow (same id)."""
    source = session.scalar(select(Source).where(Source.name == old))
    if source is None:
        raise SourceError(f"no source named {old!r} in the database")
    taken = session.scalar(select(Source.id).where(Source.name == new))
    if taken is not None:
        postings = session.scalar(select(func.count()).select_from(Posting).where(Posting.source_id == taken))
        raise SourceError(
            f"the database already has a source named {new!r} ({postings} postings: a crawl ran after the config "
            f"was edited); to keep {old!r}'s history under the new name, delete that copy first with "
            f"`jobtrail sources remove {new} --purge --yes`, then rename again"
        )
    source.name = new


def remove_source(session: Session, name: str, *, purge: bool) -> int:
    """Retire a source (history kept) or, with ``purge``, delete it and everything it stored.

    Returns how many postings it had. Deleting cascades in the database (postings, versions,
    changes, outbox rows, crawl runs, fetch states).
    """
    source_id = session.scalar(select(Source.id).where(Source.name == name))
    if source_id is None:
        raise SourceError(f"no source named {name!r} in the database")
    postings = session.scalar(select(func.count()).select_from(Posting).where(Posting.source_id == source_id)) or 0
    if purge:
        session.execute(delete(Source).where(Source.id == source_id))
    else:
        session.execute(
            update(Source).where(Source.id == source_id).values(retired_at=datetime.now(UTC), retired_as="removed")
        )
    return postings


def last_started(session: Session) -> dict[str, datetime]:
    """Source name -> when its latest crawl started (what schedules count from)."""
    rows = session.execute(
        select(Source.name, func.max(CrawlRun.started_at)).join(CrawlRun, CrawlRun.source_id == Source.id)
        .group_by(Source.name)
    ).all()
    return {name: aware(started) for name, started in rows if started is not None}


def _posting_counts(session: Session, ids: list[int]) -> dict[tuple[int, str], int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Posting.source_id, Posting.status, func.count()).where(Posting.source_id.in_(ids))
        .group_by(Posting.source_id, Posting.status)
    ).all()
    return {(source_id, status): count for source_id, status, count in rows}


def _latest_runs(session: Session, ids: list[int]) -> dict[int, list[CrawlRun]]:
    """Up to STREAK_WINDOW latest crawls per source, newest first (one windowed query)."""
    if not ids:
        return {}
    ranked = select(
        CrawlRun.id,
        func.row_number().over(
            partition_by=CrawlRun.source_id, order_by=(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        ).label("rank"),
    ).where(CrawlRun.source_id.in_(ids)).subquery()
    rows = session.scalars(
        select(CrawlRun).join(ranked, ranked.c.id == CrawlRun.id).where(ranked.c.rank <= STREAK_WINDOW)
        .order_by(CrawlRun.source_id, ranked.c.rank)
    )
    grouped: dict[int, list[CrawlRun]] = defaultdict(list)
    for run in rows:
        grouped[run.source_id].append(run)
    return grouped


def _status(source: Source, runs: list[CrawlRun], counts: dict[tuple[int, str], int],
            last_ok: datetime | None) -> SourceStatus:
    latest = runs[0] if runs else None
    streak = 0
    for run in runs:
        if run.status == "running":  # in progress, or killed: neither a success nor a failure
            continue
        if run.status == "ok":
            break
        streak += 1
    return SourceStatus(
        name=source.name, kind=source.kind, url=source.url, company=source.company,
        retired_at=_aware(source.retired_at), retired_as=source.retired_as,
        last_started_at=_aware(latest.started_at if latest else None),
        last_finished_at=_aware(latest.finished_at if latest else None),
        last_status=latest.status if latest else None, last_error=latest.error if latest else None,
        last_postings_seen=latest.postings_seen if latest else None, last_ok_at=_aware(last_ok),
        failure_streak=streak, open_postings=counts.get((source.id, "open"), 0),
        closed_postings=counts.get((source.id, "closed"), 0),
    )


def _aware(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None
