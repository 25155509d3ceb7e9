"""Cycles and leases: every source is crawled and judged exactly once per cycle.

A *cycle* is one round over all sources (a local `jobtrail crawl`, or `jobtrail cycle start`
for a fleet of workers). In a distributed cycle each source has one *lease* row:
(source, cycle, owner, attempt, expires). A worker crawls a source only while it holds the
lease, renews it while crawling, and every write it makes for that source (batches of
versions, the verdict: closures, the crawl_run) checks the lease in the same transaction
(``holds`` locks the lease row), so a worker that lost its lease writes nothing more.

An expired lease (its worker crashed or stalled) is taken over with ``attempt + 1`` and the
source is crawled again from scratch; the dead owner's crawl_run is marked failed
("worker lost"). Times are the database's clock (``now()``), so machines' clocks do not
decide who owns what. Leases need PostgreSQL (row locks, ``FOR UPDATE``); a local crawl
on SQLite uses a cycle row only and relies on the run lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import Session

from jobtrail.storage.models import CrawlRun, Cycle, Lease, Source, utcnow

WORKER_LOST = "worker lost: its lease expired before it finished (the source is crawled again)"
SUPERSEDED = "cycle superseded: a newer cycle started before this source was judged"


@dataclass(frozen=True)
class CycleInfo:
    id: int
    kind: str
    started_at: datetime
    status: str


@dataclass(frozen=True)
class Claim:
    """What a worker got when it asked for a group of leases."""

    taken: dict[int, int]  # source id -> attempt
    done: frozenset[int]  # already judged this cycle
    busy: dict[int, datetime]  # held by a live owner until


@dataclass(frozen=True)
class CycleProgress:
    cycle: CycleInfo
    queued: int
    running: int
    done: int


def start_cycle(session: Session, kind: str, *, now: datetime | None = None) -> CycleInfo:
    """A new cycle (call ``supersede_open`` first for a distributed one)."""
    cycle = Cycle(kind=kind, started_at=now or utcnow(), status="open")
    session.add(cycle)
    session.flush()
    return _info(cycle)


def supersede_open(session: Session) -> list[int]:
    """Close every open distributed cycle: its running leases expire at once, its running crawls fail."""
    ids = list(session.scalars(
        update(Cycle).where(Cycle.kind == "distributed", Cycle.status == "open")
        .values(status="superseded", finished_at=func.now()).returning(Cycle.id)
    ))
    if not ids:
        return []
    owners = list(session.scalars(
        update(Lease).where(Lease.cycle_id.in_(ids), Lease.status == "running")
        .values(expires_at=func.now(), status="done", finished_at=func.now()).returning(Lease.owner)
    ))
    _fail_runs(session, [owner for owner in owners if owner], SUPERSEDED)
    session.execute(update(Lease).where(Lease.cycle_id.in_(ids), Lease.status == "queued")
                    .values(status="done", finished_at=func.now()))
    return ids


def finish_local_cycle(session: Session, cycle_id: int) -> None:
    session.execute(update(Cycle).where(Cycle.id == cycle_id, Cycle.status == "open")
                    .values(status="finished", finished_at=func.now()))


def get_cycle(session: Session, cycle_id: int) -> CycleInfo | None:
    cycle = session.get(Cycle, cycle_id)
    return _info(cycle) if cycle is not None else None


def current_cycle(session: Session) -> CycleInfo | None:
    """The newest distributed cycle (open or not)."""
    cycle = session.scalar(select(Cycle).where(Cycle.kind == "distributed").order_by(Cycle.id.desc()).limit(1))
    return _info(cycle) if cycle is not None else None


def queue_leases(session: Session, cycle_id: int, sources: Iterable[tuple[int, str]]) -> int:
    """One queued lease per (source id, host) for the cycle; returns how many."""
    rows = [{"cycle_id": cycle_id, "source_id": sid, "host": host[:255], "status": "queued", "attempt": 0}
            for sid, host in sources]
    for start in range(0, len(rows), 1000):
        session.execute(insert(Lease), rows[start:start + 1000])
    return len(rows)


def claim(session: Session, cycle_id: int, source_ids: Sequence[int], owner: str, ttl: timedelta) -> Claim:
    """Take the leases of ``source_ids`` that are free: queued, or expired (a takeover: attempt + 1)."""
    rows = list(session.execute(
        select(Lease.source_id, Lease.status, Lease.owner, Lease.expires_at, Lease.attempt, func.now().label("now"))
        .where(Lease.cycle_id == cycle_id, Lease.source_id.in_(list(source_ids)))
        .order_by(Lease.source_id).with_for_update()
    ))
    taken: dict[int, int] = {}
    done: set[int] = set()
    busy: dict[int, datetime] = {}
    lost_owners: list[str] = []
    for row in rows:
        if row.status == "done":
            done.add(row.source_id)
        elif row.status == "running" and row.expires_at is not None and row.expires_at > row.now:
            busy[row.source_id] = row.expires_at
        else:
            if row.status == "running" and row.owner:
                lost_owners.append(row.owner)
            taken[row.source_id] = row.attempt + 1
    if taken:
        session.execute(
            update(Lease).where(Lease.cycle_id == cycle_id, Lease.source_id.in_(list(taken)))
            .values(status="running", owner=owner, attempt=Lease.attempt + 1, expires_at=func.now() + ttl)
            .execution_options(synchronize_session=False)
        )
    _fail_runs(session, lost_owners, WORKER_LOST, source_ids=list(taken))
    return Claim(taken, frozenset(done), busy)


def renew(session: Session, cycle_id: int, owner: str, ttl: timedelta) -> set[int]:
    """Extend every live lease ``owner`` holds in the cycle; returns the source ids still held."""
    return set(session.scalars(
        update(Lease).where(Lease.cycle_id == cycle_id, Lease.owner == owner, Lease.status == "running",
                            Lease.expires_at > func.now())
        .values(expires_at=func.now() + ttl).returning(Lease.source_id)
    ))


def unjudged(session: Session, cycle_id: int, source_ids: Sequence[int]) -> list[int]:
    """Those of ``source_ids`` whose lease in the cycle is not done yet."""
    return sorted(session.scalars(select(Lease.source_id).where(
        Lease.cycle_id == cycle_id, Lease.source_id.in_(list(source_ids)), Lease.status != "done")))


def abandoned(session: Session, cycle_id: int, source_ids: Sequence[int]) -> bool:
    """A job for these sources may be requeued: its cycle is over, or none of its leases is alive."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or cycle.status != "open":
        return True
    alive = select(Lease.id).where(Lease.cycle_id == cycle_id, Lease.source_id.in_(list(source_ids)),
                                   Lease.status == "running", Lease.expires_at > func.now()).exists()
    return not session.scalar(select(alive))


def holds(session: Session, cycle_id: int, source_id: int, owner: str) -> bool:
    """Whether ``owner`` still holds the lease; locks the row until the caller's transaction ends,
    so a takeover waits for this transaction and a lost lease is seen before anything is written."""
    return session.scalar(
        select(Lease.id).where(Lease.cycle_id == cycle_id, Lease.source_id == source_id, Lease.owner == owner,
                               Lease.status == "running", Lease.expires_at > func.now())
        .with_for_update()
    ) is not None


def finish(session: Session, cycle_id: int, source_id: int, owner: str) -> None:
    """The source is judged for this cycle (call in the verdict's transaction, after ``holds``)."""
    session.execute(
        update(Lease).where(Lease.cycle_id == cycle_id, Lease.source_id == source_id, Lease.owner == owner)
        .values(status="done", finished_at=func.now())
    )


def settle(session: Session, cycle_id: int, owner: str, source_ids: Sequence[int], reason: str) -> int:
    """Leases ``owner`` still holds after its crawl ended without a verdict: its runs fail, the leases end."""
    held = list(session.scalars(
        update(Lease).where(Lease.cycle_id == cycle_id, Lease.owner == owner, Lease.status == "running",
                            Lease.source_id.in_(list(source_ids)), Lease.expires_at > func.now())
        .values(status="done", finished_at=func.now()).returning(Lease.source_id)
    ))
    if held:
        _fail_runs(session, [owner], reason, source_ids=held)
        recorded = set(session.scalars(select(CrawlRun.source_id).where(CrawlRun.run_id == owner)))
        session.add_all(CrawlRun(run_id=owner, source_id=sid, cycle_id=cycle_id, status="failed", error=reason,
                                 started_at=utcnow(), finished_at=utcnow()) for sid in held if sid not in recorded)
    return len(held)


def reap(session: Session) -> int:
    """Mark the crawl_runs of expired leases in open cycles failed ("worker lost"); returns how many."""
    owners = list(session.scalars(
        select(Lease.owner).join(Cycle, Cycle.id == Lease.cycle_id)
        .where(Cycle.status == "open", Lease.status == "running", Lease.expires_at < func.now())
    ))
    return _fail_runs(session, [owner for owner in owners if owner], WORKER_LOST)


def finish_if_complete(session: Session, cycle_id: int) -> bool:
    """Close the cycle when every lease is done; True for exactly one caller (the cycle's drainer)."""
    pending = select(Lease.id).where(Lease.cycle_id == cycle_id, Lease.status != "done").exists()
    closed = session.scalar(
        update(Cycle).where(Cycle.id == cycle_id, Cycle.status == "open", ~pending)
        .values(status="finished", finished_at=func.now()).returning(Cycle.id)
    )
    return closed is not None


def progress(session: Session, cycle_id: int) -> CycleProgress | None:
    cycle = get_cycle(session, cycle_id)
    if cycle is None:
        return None
    counts = dict(session.execute(
        select(Lease.status, func.count()).where(Lease.cycle_id == cycle_id).group_by(Lease.status)
    ).all())
    return CycleProgress(cycle, counts.get("queued", 0), counts.get("running", 0), counts.get("done", 0))


def lease_groups(session: Session, cycle_id: int) -> dict[str, list[tuple[int, str]]]:
    """Queued leases by host: (source id, source name) lists, for the queue's politeness groups."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for host, sid, name in session.execute(
        select(Lease.host, Source.id, Source.name).join(Source, Source.id == Lease.source_id)
        .where(Lease.cycle_id == cycle_id, Lease.status == "queued").order_by(Lease.host, Source.name)
    ):
        groups.setdefault(host, []).append((sid, name))
    return groups


def _fail_runs(session: Session, owners: list[str], reason: str, source_ids: list[int] | None = None) -> int:
    """Crawl runs still 'running' under these owners (= run ids) become failed with ``reason``."""
    if not owners:
        return 0
    condition = and_(CrawlRun.run_id.in_(owners), CrawlRun.status == "running")
    if source_ids is not None:
        condition = and_(condition, CrawlRun.source_id.in_(source_ids))
    return int(session.execute(
        update(CrawlRun).where(condition).values(status="failed", error=reason, finished_at=func.now())
        .execution_options(synchronize_session=False)
    ).rowcount)  # type: ignore[attr-defined]


def _info(cycle: Cycle) -> CycleInfo:
    return CycleInfo(cycle.id, cycle.kind, cycle.started_at, cycle.status)
