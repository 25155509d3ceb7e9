"""Write what a crawl saw: new versions, changes and lifecycle, in batches.

Each call runs inside the caller's transaction, so a batch of versions, its changes
and whatever the caller adds (the alert outbox) commit together or not at all. The
caller preloads ``known`` once per source; no query runs per posting.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from jobtrail.crawler.items import CONTENT_FIELDS, JSON_FIELDS
from jobtrail.storage.models import Change, CrawlRun, Posting, PostingVersion, Source, utcnow

DiffFn = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
#: what a version row stores: every content field of a posting
VERSION_FIELDS: tuple[str, ...] = CONTENT_FIELDS
_LIST_VALUED: tuple[str, ...] = tuple(name for name in JSON_FIELDS if name != "salary")


@dataclass
class Known:
    """What the pipeline needs to know about a stored posting, and nothing more."""

    id: int
    content_hash: str
    latest_seq: int
    status: str


@dataclass(frozen=True)
class Incoming:
    external_id: str
    record: dict[str, Any]  # VERSION_FIELDS -> value, normalized
    content_hash: str


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    reopened: int = 0
    unchanged: int = 0
    closed: int = 0

    def add(self, other: Counts) -> None:
        for name in ("new", "changed", "reopened", "unchanged", "closed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BatchOutcome:
    counts: Counts = field(default_factory=Counts)
    changes: list[Change] = field(default_factory=list)
    #: ids of the postings this batch created (for the repost linker)
    new_ids: list[int] = field(default_factory=list)

    def merge(self, other: BatchOutcome) -> None:
        self.counts.add(other.counts)
        self.changes.extend(other.changes)
        self.new_ids.extend(other.new_ids)


def ensure_source(session: Session, name: str, kind: str, url: str | None, company: str | None) -> int:
    """The source's id, registering it if new; safe when several workers register it at once."""
    return upsert_sources(session, [(name, kind, url, company)])[name]


def upsert_sources(session: Session, sources: Sequence[tuple[str, str, str | None, str | None]]) -> dict[str, int]:
    """Register (name, kind, url, company) rows with INSERT … ON CONFLICT: no select-then-insert race."""
    if not sources:
        return {}
    now = utcnow()
    rows = [{"name": n, "kind": k, "url": u, "company": c, "created_at": now} for n, k, u, c in sources]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    ids: dict[str, int] = {}
    for start in range(0, len(rows), 500):
        values = insert(Source).values(rows[start:start + 500])
        statement = values.on_conflict_do_update(
            index_elements=[Source.name],
            # back in the config: no longer removed or orphaned
            set_={"kind": values.excluded.kind, "url": values.excluded.url,
                  "company": values.excluded.company, "retired_at": None, "retired_as": None},
        ).returning(Source.id, Source.name)
        ids.update({row.name: row.id for row in session.execute(statement)})
    return ids


def source_names(session: Session, source_ids: Sequence[int]) -> list[str]:
    return list(session.scalars(select(Source.name).where(Source.id.in_(list(source_ids))).order_by(Source.name)))


def start_run(session: Session, run_id: str, source_id: int, started_at: datetime, cycle_id: int | None = None) -> int:
    run = CrawlRun(run_id=run_id, source_id=source_id, started_at=started_at, status="running", cycle_id=cycle_id)
    session.add(run)
    session.flush()
    return run.id


def load_known(session: Session, source_id: int) -> dict[str, Known]:
    rows = session.execute(
        select(Posting.external_id, Posting.id, Posting.content_hash, Posting.latest_seq, Posting.status)
        .where(Posting.source_id == source_id)
    )
    return {row.external_id: Known(row.id, row.content_hash, row.latest_seq, row.status) for row in rows}


def apply_batch(
    session: Session,
    *,
    source_id: int,
    run_id: str,
    items: Iterable[Incoming],
    known: dict[str, Known],
    diff: DiffFn,
    now: datetime | None = None,
) -> BatchOutcome:
    """Store one batch of observed postings; ``known`` is updated in place."""
    now = now or utcnow()
    outcome = BatchOutcome()
    unique = {item.external_id: item for item in items}  # a posting listed twice counts once
    seen: list[Known] = []
    new_items: list[Incoming] = []
    changed: list[tuple[Known, Incoming]] = []
    for item in unique.values():
        stored = known.get(item.external_id)
        if stored is None:
            new_items.append(item)
        elif stored.content_hash != item.content_hash:
            changed.append((stored, item))
        else:
            seen.append(stored)
    _seen_or_reopened(session, seen, run_id, now, outcome)
    _insert_new(session, source_id, run_id, new_items, known, now, outcome)
    _insert_changed(session, run_id, changed, diff, now, outcome)
    session.flush()
    return outcome


def apply_seen(session: Session, *, run_id: str, stored: Iterable[Known], now: datetime | None = None) -> BatchOutcome:
    """Postings seen again without being extracted (their page did not change): unchanged, or reopened."""
    now = now or utcnow()
    outcome = BatchOutcome()
    _seen_or_reopened(session, list({known.id: known for known in stored}.values()), run_id, now, outcome)
    return outcome


def _seen_or_reopened(session: Session, stored: list[Known], run_id: str, now: datetime, outcome: BatchOutcome) -> None:
    """Mark postings seen; the database (not a map loaded earlier) says which of them were closed."""
    reopened = reopen_closed(session, [known.id for known in stored], now)
    mark_seen(session, [known.id for known in stored if known.id not in reopened], now)
    for known in stored:
        if known.id in reopened:
            known.status = "open"
            outcome.changes.append(_reopened_change(session, known.id, run_id, now, to_version_id=None))
            outcome.counts.reopened += 1
        else:
            outcome.counts.unchanged += 1


def reopen_closed(session: Session, posting_ids: list[int], now: datetime, chunk: int = 500) -> set[int]:
    """Reopen those of ``posting_ids`` that are closed now; returns their ids (decided in one UPDATE each chunk)."""
    reopened: set[int] = set()
    for start in range(0, len(posting_ids), chunk):
        rows = session.execute(
            update(Posting).where(Posting.id.in_(posting_ids[start:start + chunk]), Posting.status == "closed")
            .values(status="open", closed_at=None, missed_runs=0, last_seen=now)
            .returning(Posting.id).execution_options(synchronize_session=False)
        )
        reopened.update(row.id for row in rows)
    return reopened


def mark_seen(session: Session, posting_ids: list[int], now: datetime, chunk: int = 500) -> None:
    """One UPDATE per few hundred postings: seen in this run, so not missing."""
    for start in range(0, len(posting_ids), chunk):
        ids = posting_ids[start:start + chunk]
        session.execute(
            update(Posting).where(Posting.id.in_(ids)).values(last_seen=now, missed_runs=0)
            .execution_options(synchronize_session=False)
        )


def _insert_new(
    session: Session, source_id: int, run_id: str, items: list[Incoming], known: dict[str, Known],
    now: datetime, outcome: BatchOutcome,
) -> None:
    """Bulk INSERT ... RETURNING id for the postings, their first versions and their "new" changes:
    no unit of work for rows nothing reads back (it cost ~0.3 ms a posting, a third of a first crawl's writes)."""
    if not items:
        return
    # RETURNING without sort_by_parameter_order: one multi-row INSERT (sorted, SQLite inserts row by
    # row); the ids are matched back by external id (unique per source) and posting id
    id_of: dict[str, int] = {external_id: posting_id for external_id, posting_id in session.execute(
        insert(Posting).returning(Posting.external_id, Posting.id),
        [
            {"source_id": source_id, "external_id": item.external_id, "url": item.record["url"],
             "title": item.record["title"], "company": item.record.get("company"),
             "content_hash": item.content_hash, "latest_seq": 1, "first_seen": now, "last_seen": now,
             "status": "open", "missed_runs": 0}
            for item in items
        ],
    )}
    posting_ids = [id_of[item.external_id] for item in items]
    version_of: dict[int, int] = {posting_id: version_id for posting_id, version_id in session.execute(
        insert(PostingVersion).returning(PostingVersion.posting_id, PostingVersion.id),
        [_version_values(posting_id, 1, item, now) for posting_id, item in zip(posting_ids, items, strict=True)],
    )}
    version_ids = [version_of[posting_id] for posting_id in posting_ids]
    rows: list[dict[str, Any]] = [
        {"posting_id": posting_id, "from_version_id": None, "to_version_id": version_id, "kind": "new",
         "diff": {}, "run_id": run_id, "created_at": now}
        for posting_id, version_id in zip(posting_ids, version_ids, strict=True)
    ]
    change_of: dict[int, int] = {posting_id: change_id for posting_id, change_id in session.execute(
        insert(Change).returning(Change.posting_id, Change.id), rows)}
    for posting_id, item in zip(posting_ids, items, strict=True):
        known[item.external_id] = Known(posting_id, item.content_hash, 1, "open")
    # stored already; the objects (not added to the session) carry what listeners read
    outcome.changes.extend(
        Change(id=change_of[posting_id], **row) for posting_id, row in zip(posting_ids, rows, strict=True))
    outcome.new_ids.extend(posting_ids)
    outcome.counts.new += len(items)


def _insert_changed(
    session: Session, run_id: str, pairs: list[tuple[Known, Incoming]], diff: DiffFn, now: datetime,
    outcome: BatchOutcome,
) -> None:
    if not pairs:
        return
    previous = _latest_versions(session, [stored.id for stored, _ in pairs])
    versions: list[PostingVersion] = []
    for stored, item in pairs:
        versions.append(_version(stored.id, stored.latest_seq + 1, item, now))
    session.add_all(versions)
    session.flush()
    posting_updates = []
    was_closed = reopen_closed(session, [stored.id for stored, _ in pairs], now)
    for (stored, item), version in zip(pairs, versions, strict=True):
        old = previous[stored.id]
        reopened = stored.id in was_closed
        if reopened:
            outcome.changes.append(_reopened_change(session, stored.id, run_id, now, to_version_id=version.id))
            outcome.counts.reopened += 1
        fields_diff = diff(_record_of(old), item.record)
        if fields_diff:
            change = Change(posting_id=stored.id, from_version_id=old.id, to_version_id=version.id,
                            kind="changed", diff=fields_diff, run_id=run_id, created_at=now)
            session.add(change)
            outcome.changes.append(change)
            outcome.counts.changed += 1
        elif not reopened:
            outcome.counts.unchanged += 1  # only order or labels moved: a new version, no change to report
        posting_updates.append({
            "id": stored.id, "content_hash": item.content_hash, "latest_seq": version.seq,
            "url": item.record["url"], "title": item.record["title"], "company": item.record.get("company"),
            "last_seen": now, "missed_runs": 0, "status": "open", "closed_at": None,
        })
        stored.content_hash, stored.latest_seq, stored.status = item.content_hash, version.seq, "open"
    session.execute(update(Posting), posting_updates)


def _reopened_change(session: Session, posting_id: int, run_id: str, now: datetime,
                     to_version_id: int | None) -> Change:
    change = Change(posting_id=posting_id, to_version_id=to_version_id, kind="reopened", diff={}, run_id=run_id,
                    created_at=now)
    session.add(change)
    return change


def _latest_versions(session: Session, posting_ids: list[int]) -> dict[int, PostingVersion]:
    rows = session.scalars(
        select(PostingVersion).join(
            Posting, and_(Posting.id == PostingVersion.posting_id, Posting.latest_seq == PostingVersion.seq)
        ).where(Posting.id.in_(posting_ids))
    )
    return {row.posting_id: row for row in rows}


def _version(posting_id: int, seq: int, item: Incoming, now: datetime) -> PostingVersion:
    return PostingVersion(**_version_values(posting_id, seq, item, now))


def _version_values(posting_id: int, seq: int, item: Incoming, now: datetime) -> dict[str, Any]:
    values = {name: item.record.get(name) for name in VERSION_FIELDS}
    for name in _LIST_VALUED:
        values[name] = values[name] or []
    return {"posting_id": posting_id, "seq": seq, "content_hash": item.content_hash, "observed_at": now, **values}


def _record_of(version: PostingVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in VERSION_FIELDS}


def _unseen(source_id: int, run_started: datetime, excused: Collection[str]) -> list[Any]:
    """Open postings of the source not seen since ``run_started``, except those whose URL is excused
    (their page could not be reached this crawl: not seen, not missed)."""
    where = [Posting.source_id == source_id, Posting.status == "open", Posting.last_seen < run_started]
    if excused:
        where.append(Posting.url.not_in(sorted(excused)))
    return where


@dataclass(frozen=True)
class MissOutlook:
    """What the mass-disappearance guard weighs before any miss is counted."""

    would_miss: int  # open postings this crawl would count missing
    open_before: int  # postings open before this crawl started
    unknown: int  # found this crawl, first seen after the source's last ok crawl
    known: int  # found this crawl, known before it


def miss_outlook(session: Session, *, source_id: int, run_started: datetime,
                 excused: Collection[str] = ()) -> MissOutlook:
    """Counted in SQL. "Unknown" reaches back to the last ok crawl: what a suspect crawl stored
    stays unknown to the crawls after it, so a wall stored as a "posting" cannot turn known."""
    def count(*where: Any) -> int:
        return session.scalar(select(func.count()).select_from(Posting).where(*where)) or 0

    last_ok = session.scalar(select(func.max(CrawlRun.started_at)).where(
        CrawlRun.source_id == source_id, CrawlRun.status == "ok", CrawlRun.started_at < run_started))
    seen = [Posting.source_id == source_id, Posting.last_seen >= run_started]
    unknown = count(*seen, Posting.first_seen >= (last_ok or run_started))
    return MissOutlook(
        would_miss=count(*_unseen(source_id, run_started, excused)),
        open_before=count(Posting.source_id == source_id, Posting.status == "open", Posting.first_seen < run_started),
        unknown=unknown,
        known=count(*seen) - unknown,
    )


def close_missing(
    session: Session, *, source_id: int, run_id: str, run_started: datetime, close_after: int,
    now: datetime | None = None, excused: Collection[str] = (),
) -> list[Change]:
    """After a successful crawl: count a miss for every open posting not seen (``excused`` URLs
    aside); close the persistent ones."""
    now = now or utcnow()
    session.execute(
        update(Posting)
        .where(*_unseen(source_id, run_started, excused))
        .values(missed_runs=Posting.missed_runs + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(Posting.id, PostingVersion.id.label("version_id"))
        .join(PostingVersion, and_(PostingVersion.posting_id == Posting.id, PostingVersion.seq == Posting.latest_seq))
        .where(Posting.source_id == source_id, Posting.status == "open", Posting.missed_runs >= close_after)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        session.execute(
            update(Posting).where(Posting.id.in_(ids[start:start + 500])).values(status="closed", closed_at=now)
            .execution_options(synchronize_session=False)
        )
    changes = [
        Change(posting_id=row.id, from_version_id=row.version_id, kind="closed", diff={}, run_id=run_id,
               created_at=now)
        for row in rows
    ]
    session.add_all(changes)
    session.flush()
    return changes


def open_count(session: Session, source_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Posting).where(Posting.source_id == source_id, Posting.status == "open")
    ) or 0


def finish_run(
    session: Session, crawl_run_id: int, *, ok: bool, error: str | None, pages: int, seen: int, counts: Counts,
    now: datetime | None = None, status: str | None = None, unreachable: int = 0, note: str | None = None,
    skipped: int = 0,
) -> None:
    """Record the verdict; ``status`` (empty, blocked, suspect...) overrides the plain ok/failed."""
    session.execute(
        update(CrawlRun).where(CrawlRun.id == crawl_run_id).values(
            finished_at=now or utcnow(), status=status or ("ok" if ok else "failed"), error=error, pages=pages,
            unreachable=unreachable, note=note,
            postings_seen=seen, new=counts.new, changed=counts.changed, closed=counts.closed,
            reopened=counts.reopened, unchanged=counts.unchanged, skipped=skipped,
        )
    )


def runs_of(session: Session, run_id: str) -> list[tuple[CrawlRun, str]]:
    """Every source's crawl_runs row of one crawl, with the source's name, by name."""
    rows = session.execute(
        select(CrawlRun, Source.name).join(Source, Source.id == CrawlRun.source_id)
        .where(CrawlRun.run_id == run_id).order_by(Source.name)
    ).tuples()
    return list(rows)


def ever_had_postings(session: Session, source_id: int) -> bool:
    """Whether any posting, open or closed, was ever stored for the source."""
    return session.scalar(select(Posting.id).where(Posting.source_id == source_id).limit(1)) is not None
