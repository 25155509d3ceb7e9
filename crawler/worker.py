"""Scale-out: `jobtrail cycle start` queues a cycle's sources; `jobtrail worker` processes crawl them.

The unit of work is a source. A cycle queues one procrastinate job per group of sources of
one host (storage/queue.py); the job's lock keeps one job per host running at a time on any
machine. A worker runs several jobs at once in one asyncio/Twisted event loop: for each job
it takes the sources' leases (storage/leases.py), crawls the leased sources with a fresh
Scrapy crawler (so the scheduler and duplicate filter are local and start empty), renews the
leases while crawling, and the versioning pipeline writes only while the lease is held.

A reaper in every worker marks "worker lost" the crawl_runs of expired leases, sends jobs of
workers that stopped sending heartbeats back to the queue (their sources are then crawled
again from scratch by whoever takes the job), and closes a cycle whose sources are all
judged. The worker that closes the cycle drains the alert outbox (one drainer per cycle).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings

from jobtrail.crawler.sources.config import Config, SourceConfig
from jobtrail.crawler.sources.registry import resolve_kind
from jobtrail.crawler.spiders.careers import CareersSpider
from jobtrail.pipelines.alerts.outbox import drain_once
from jobtrail.storage import leases, queue, versioning
from jobtrail.storage.db import open_database, transaction

logger = logging.getLogger(__name__)
#: settings priority of per-job values (above Scrapy's "cmdline", 40)
JOB_PRIORITY = 50
#: the crawl ended without a verdict for a leased source (the crawler itself failed)
NO_VERDICT = "crawl did not finish (the crawler stopped before judging this source)"


@dataclass(frozen=True)
class CycleStarted:
    cycle_id: int
    sources: int
    jobs: int
    superseded: int


def host_of(source: SourceConfig) -> str:
    """The host a source is fetched from first (an ATS API host for ATS kinds): its politeness group."""
    try:
        fetches = resolve_kind(source).start(source)
    except Exception:  # noqa: BLE001 - a broken source still gets a lease and fails in its crawl
        fetches = []
    host = urlsplit(fetches[0].url).hostname if fetches else None
    return (host or "unknown").lower()


def start_cycle(config: Config, db_url: str, *, per_job: int) -> CycleStarted:
    """Register the sources, open a cycle (superseding an unfinished one) and queue its jobs."""
    engine, sessions = open_database(db_url)
    try:
        queue.ensure_schema(engine)
        hosts = {source.name: host_of(source) for source in config.sources}
        with transaction(sessions) as session:
            old = leases.supersede_open(session)
            cycle = leases.start_cycle(session, "distributed")
            ids = versioning.upsert_sources(
                session, [(s.name, s.kind, s.url, s.company) for s in config.sources])
            leases.queue_leases(session, cycle.id, [(ids[name], host) for name, host in hosts.items()])
            groups = leases.lease_groups(session, cycle.id)
        jobs = [
            queue.GroupJob(cycle.id, host, tuple(sid for sid, _ in members[start:start + per_job]))
            for host, members in groups.items() for start in range(0, len(members), per_job)
        ]
        asyncio.run(_queue_jobs(db_url, cycle.id, jobs))
    finally:
        engine.dispose()
    return CycleStarted(cycle.id, len(hosts), len(jobs), len(old))


async def _queue_jobs(db_url: str, cycle_id: int, jobs: Sequence[queue.GroupJob]) -> None:
    app = queue.make_app(db_url)
    async with app.open_async():
        await queue.cancel_stale(app, keep_cycle=cycle_id)
        await queue.defer_groups(app, jobs)


class Worker:
    """One long-lived worker process: procrastinate fetches jobs, Scrapy crawls them, leases guard them."""

    def __init__(self, config: Config, db_url: str, settings: Settings, *, concurrency: int,
                 name: str | None = None) -> None:
        self.config = config
        self.db_url = db_url
        self.settings = settings
        self.concurrency = concurrency
        self.name = name or f"worker-{uuid.uuid4().hex[:6]}"
        self.ttl = timedelta(seconds=settings.getfloat("JOBTRAIL_LEASE_SECONDS"))
        #: a worker without heartbeat this long has its jobs requeued, if their leases lapsed too
        self.stalled_after = self.ttl.total_seconds()
        self.engine, self.sessions = open_database(db_url)
        queue.ensure_schema(self.engine)
        self.runner = AsyncCrawlerRunner(settings)
        self.renewer = Renewer(self.sessions, self.ttl)
        self.app = queue.make_app(db_url)
        queue.tolerate_requeued_jobs(self.app)
        self.app.task(name=queue.GROUP_TASK, queue=queue.QUEUE)(self.crawl_group)

    async def run(self) -> None:
        """Work until SIGTERM/SIGINT (jobs in progress finish first)."""
        await self.runner.crawl(_WarmUp)  # imports and builds every Scrapy component before any lease is taken
        async with self.app.open_async():
            reaper = asyncio.ensure_future(self._reap_forever())
            try:
                await self.app.run_worker_async(
                    queues=[queue.QUEUE], concurrency=self.concurrency, name=self.name,
                    update_heartbeat_interval=max(self.ttl.total_seconds() / 3, 1.0),
                    # only used to prune silent workers' rows at start: generous, a busy loop is not death
                    stalled_worker_timeout=self.stalled_after * 10,
                    fetch_job_polling_interval=min(5.0, self.ttl.total_seconds() / 3),
                    install_signal_handlers=True, delete_jobs="successful",
                )
            finally:
                reaper.cancel()
                self.engine.dispose()

    async def crawl_group(self, cycle_id: int, host: str, source_ids: list[int]) -> None:
        """The job: crawl and judge these sources of ``host`` for the cycle, as long as the leases are ours."""
        remaining = list(source_ids)
        for _ in range(5):  # sources not judged yet (held by a dead owner, or our lease lapsed): again
            cycle = await asyncio.to_thread(self._cycle, cycle_id)
            if cycle is None or cycle.status != "open":
                logger.info("job for cycle %s skipped: the cycle is %s", cycle_id, cycle.status if cycle else "gone")
                return
            owner = uuid.uuid4().hex
            claim = await asyncio.to_thread(self._claim, cycle_id, remaining, owner)
            logger.info("%s: cycle %s host %s: %d source(s) leased as %s, %d done, %d busy", self.name, cycle_id,
                        host, len(claim.taken), owner, len(claim.done), len(claim.busy))
            if claim.taken:
                await self._crawl(cycle_id, owner, list(claim.taken))
            remaining = await asyncio.to_thread(self._unjudged, cycle_id, remaining)
            if not remaining:
                break
            if claim.busy:
                await asyncio.sleep(self.ttl.total_seconds() / 3)
        await self._after_job(cycle_id)

    async def _crawl(self, cycle_id: int, owner: str, source_ids: list[int]) -> None:
        names = await asyncio.to_thread(self._names, source_ids)
        crawler = Crawler(CareersSpider, self._crawl_settings(cycle_id, owner))
        self.renewer.add(owner, cycle_id)
        try:
            await self.runner.crawl(crawler, config=self.config, only=names)
        except Exception:  # noqa: BLE001 - the verdicts below say which sources were not judged
            logger.exception("crawl of %d sources failed", len(names))
        finally:
            self.renewer.discard(owner)
        await asyncio.to_thread(self._settle, cycle_id, owner, source_ids)

    def _crawl_settings(self, cycle_id: int, owner: str) -> Settings:
        """Per-job values, above "cmdline": the runner merges its own settings into every crawler it runs."""
        settings = self.settings.copy()
        values = {"JOBTRAIL_RUN_ID": owner, "JOBTRAIL_CYCLE_ID": cycle_id, "JOBTRAIL_LEASED": True,
                  "JOBTRAIL_MIGRATE": False}  # migrated once when the worker started
        for name, value in values.items():
            settings.set(name, value, priority=JOB_PRIORITY)
        return settings

    async def _reap_forever(self) -> None:
        while True:
            try:
                lost = await asyncio.to_thread(self._reap)
                retried = await queue.retry_stalled(self.app, self.stalled_after, self._abandoned)
                if lost or retried:
                    logger.warning("reaper: %d crawl run(s) marked worker lost, %d job(s) requeued", lost, retried)
                cycle = await asyncio.to_thread(self._current)
                if cycle is not None and cycle.status == "open":
                    await self._after_job(cycle.id)
            except Exception as exc:  # noqa: BLE001 - keep reaping
                logger.warning("reaper: %s", exc)
            await asyncio.sleep(self.ttl.total_seconds() / 2)

    async def _after_job(self, cycle_id: int) -> None:
        """The worker that closes the cycle drains the outbox for it."""
        if await asyncio.to_thread(self._finish_cycle, cycle_id):
            logger.info("cycle %s finished; delivering its alerts", cycle_id)
            await asyncio.to_thread(drain_once, self.sessions, self.config)

    # --- blocking database calls (run in threads) ------------------------------------------
    def _tx(self) -> Any:
        return transaction(self.sessions)

    def _cycle(self, cycle_id: int) -> leases.CycleInfo | None:
        with self._tx() as session:
            return leases.get_cycle(session, cycle_id)

    def _current(self) -> leases.CycleInfo | None:
        with self._tx() as session:
            return leases.current_cycle(session)

    def _claim(self, cycle_id: int, source_ids: list[int], owner: str) -> leases.Claim:
        with self._tx() as session:
            return leases.claim(session, cycle_id, source_ids, owner, self.ttl)

    def _abandoned(self, job: queue.GroupJob) -> bool:
        with self._tx() as session:
            return leases.abandoned(session, job.cycle_id, job.source_ids)

    def _unjudged(self, cycle_id: int, source_ids: list[int]) -> list[int]:
        with self._tx() as session:
            return leases.unjudged(session, cycle_id, source_ids)

    def _reap(self) -> int:
        with self._tx() as session:
            return leases.reap(session)

    def _finish_cycle(self, cycle_id: int) -> bool:
        with self._tx() as session:
            return leases.finish_if_complete(session, cycle_id)

    def _names(self, source_ids: list[int]) -> list[str]:
        with self._tx() as session:
            return versioning.source_names(session, source_ids)

    def _settle(self, cycle_id: int, owner: str, source_ids: list[int]) -> None:
        """Sources this run still holds but did not judge (the crawler broke): judged failed, lease done."""
        with self._tx() as session:
            leases.settle(session, cycle_id, owner, source_ids, NO_VERDICT)


class Renewer:
    """Renews the leases of running crawls from its own thread, every third of the lease.

    Not on the event loop: extraction and database writes of a busy crawl may hold the loop
    for seconds, and a lease must not lapse because its worker is busy, only because it died.
    """

    def __init__(self, sessions: Any, ttl: timedelta) -> None:
        self.sessions, self.ttl = sessions, ttl
        self.owners: dict[str, int] = {}
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="jobtrail-lease-renewer", daemon=True)
        self.thread.start()

    def add(self, owner: str, cycle_id: int) -> None:
        with self.lock:
            self.owners[owner] = cycle_id

    def discard(self, owner: str) -> None:
        with self.lock:
            self.owners.pop(owner, None)

    def _loop(self) -> None:
        while True:
            time.sleep(self.ttl.total_seconds() / 3)
            with self.lock:
                owners = dict(self.owners)
            for owner, cycle_id in owners.items():
                try:
                    with transaction(self.sessions) as session:
                        leases.renew(session, cycle_id, owner, self.ttl)
                except Exception as exc:  # noqa: BLE001 - a DB blip: the next round may succeed
                    logger.warning("lease renewal failed: %s", exc)


class _WarmUp(Spider):
    """A spider that fetches nothing: its crawl loads every middleware and extension once."""

    name = "jobtrail-warm-up"
    custom_settings = {"ITEM_PIPELINES": {}}

    async def start(self) -> AsyncIterator[Any]:
        for _ in ():
            yield _


def run_worker(config: Config, db_url: str, settings: Settings, *, concurrency: int, name: str | None) -> None:
    """Run a worker in this process until it is stopped (the Twisted reactor drives asyncio)."""
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    worker = Worker(config, db_url, settings, concurrency=concurrency, name=name)
    outcome: dict[str, BaseException] = {}

    def started() -> None:
        done = deferred_from_coro(worker.run())
        done.addErrback(lambda failure: outcome.setdefault("error", failure.value))
        done.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]

    reactor.callWhenRunning(started)  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if "error" in outcome:
        raise outcome["error"]

