"""Scrapy stage 2: keep every version of every posting, and record what changed.

Postings are buffered per source and written in batches (one transaction each, with
the alert outbox rows). When the crawl ends each source's run is judged: only a
successful crawl may count postings as missing, and only after JOBTRAIL_CLOSE_AFTER_MISSES
successful crawls in a row is a posting closed. Misses are counted once per cycle, from the
cycle's start (storage/leases.py); a worker (JOBTRAIL_LEASED) writes a source's batches and its
verdict only while it holds the source's lease, checked in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.conditional import Forgotten, Observed, Unchanged, extraction_fingerprint
from jobtrail.crawler.context import SourceProgress, crawl_context
from jobtrail.crawler.items import Posting
from jobtrail.pipelines.alerts.outbox import ChangeListener, outbox_listener
from jobtrail.pipelines.diff import diff_postings
from jobtrail.pipelines.normalize import content_hash, content_record
from jobtrail.storage import discovery, fetch_state, leases, versioning
from jobtrail.storage.db import open_database, transaction
from jobtrail.storage.models import RUN_EMPTY, utcnow
from jobtrail.storage.reposts import link_reposts

logger = logging.getLogger(__name__)


@dataclass
class SourceState:
    """Per-source bookkeeping for one crawl: ids and hashes only, never whole postings."""

    source_id: int
    crawl_run_id: int
    started_at: datetime
    known: dict[str, versioning.Known]
    buffer: list[versioning.Incoming] = field(default_factory=list)
    #: postings seen again on unchanged pages, not extracted
    seen_again: list[versioning.Known] = field(default_factory=list)
    #: fetch states to store once the postings they name are stored; URLs whose state is dropped
    observed: list[fetch_state.Fetched] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    counts: versioning.Counts = field(default_factory=versioning.Counts)
    seen: int = 0
    write_error: str | None = None
    #: another worker took the lease over: nothing more is written for this source
    lease_lost: bool = False


class LeaseLost(Exception):
    """This run no longer holds the source's lease; its transaction is rolled back."""


class VersionPipeline:
    def __init__(self, crawler: Crawler, db_url: str, run_id: str, batch_size: int, close_after: int,
                 repost_window_days: int, skip_unchanged: bool, suspect_share: float,
                 suspect_min_misses: int, cycle_id: int = 0, leased: bool = False, migrate: bool = True) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.run_id = run_id
        self.batch_size = batch_size
        self.close_after = close_after
        self.repost_window_days = repost_window_days
        self.skip_unchanged = skip_unchanged
        self.cycle_id = cycle_id
        self.leased = leased
        self.migrate = migrate
        #: a crawl outside any cycle is its own local cycle, finished when the crawl ends
        self.own_cycle = False
        self.suspect_share = suspect_share
        self.suspect_min_misses = suspect_min_misses
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.states: dict[str, SourceState] = {}
        self.listener: ChangeListener | None = None
        #: items buffered across every source: memory stays bounded however many sources a crawl has
        self.pending = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersionPipeline:
        settings = crawler.settings
        return cls(
            crawler,
            db_url=settings.get("JOBTRAIL_DB_URL") or "",
            run_id=settings.get("JOBTRAIL_RUN_ID") or uuid.uuid4().hex,
            batch_size=settings.getint("JOBTRAIL_BATCH_SIZE"),
            close_after=settings.getint("JOBTRAIL_CLOSE_AFTER_MISSES"),
            repost_window_days=settings.getint("JOBTRAIL_REPOST_WINDOW_DAYS"),
            skip_unchanged=settings.getbool("JOBTRAIL_SKIP_UNCHANGED"),
            suspect_share=settings.getfloat("JOBTRAIL_SUSPECT_SHARE"),
            suspect_min_misses=settings.getint("JOBTRAIL_SUSPECT_MIN_MISSES"),
            cycle_id=settings.getint("JOBTRAIL_CYCLE_ID"),
            leased=settings.getbool("JOBTRAIL_LEASED"),
            migrate=settings.getbool("JOBTRAIL_MIGRATE"),
        )

    def open_spider(self) -> None:
        context = crawl_context(self.crawler)
        config = context.config
        self.engine, self.sessions = open_database(self.db_url or config.database_url, migrate=self.migrate)
        self.listener = outbox_listener(config)
        now = utcnow()
        with transaction(self.sessions) as session:
            cycle_started = self._open_cycle(session, now)
            for name, progress in context.progress.items():
                source = progress.source
                source_id = versioning.ensure_source(session, name, progress.kind.key, source.url, source.company)
                state = SourceState(
                    source_id=source_id,
                    crawl_run_id=versioning.start_run(session, self.run_id, source_id, now, self.cycle_id),
                    started_at=cycle_started,
                    known=versioning.load_known(session, source_id),
                )
                self.states[name] = state
                learned = discovery.load_template(session, source_id)
                if learned:
                    context.templates[name] = learned
                fingerprint = extraction_fingerprint(source, progress.kind.key)
                stored = fetch_state.load(session, source_id, fingerprint)
                if stored is None:
                    fetch_state.reset(session, source_id, fingerprint, now)
                elif self.skip_unchanged:
                    context.recheck.load(name, _usable(stored, state.known))

    def _open_cycle(self, session: Session, now: datetime) -> datetime:
        """The cycle's start: postings not seen since then count as missed once this cycle."""
        if not self.cycle_id:
            self.cycle_id, self.own_cycle = leases.start_cycle(session, "local", now=now).id, True
            return now
        cycle = leases.get_cycle(session, self.cycle_id)
        if cycle is None:
            raise ValueError(f"cycle {self.cycle_id} does not exist")
        return cycle.started_at

    def _check_lease(self, session: Session, state: SourceState) -> None:
        if self.leased and not leases.holds(session, self.cycle_id, state.source_id, self.run_id):
            raise LeaseLost()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Posting):
            state = self.states[item.source]
            record = content_record(item)
            state.buffer.append(versioning.Incoming(item.external_id, record, content_hash(record)))
            state.seen += 1
        elif isinstance(item, Unchanged):
            state = self.states[item.source]
            state.seen_again += [state.known[eid] for eid in item.external_ids if eid in state.known]
            state.seen += len(item.external_ids)
        elif isinstance(item, Observed):
            state = self.states[item.source]
            state.observed.append(item.state)
        elif isinstance(item, Forgotten):
            state = self.states[item.source]
            state.forgotten.append(item.url)
        else:
            return item
        self.pending += 1
        if self.pending >= self.batch_size:
            self._flush_all()
        return item

    def _flush_all(self) -> None:
        """Write every source's buffer (one transaction per source, so a failure stays with its source).

        The threshold counts items across all sources: a crawl of many small sources would
        otherwise keep every posting in memory until the end, no source filling its own batch.
        """
        for name, state in self.states.items():
            self._flush(name, state)
        self.pending = sum(len(state.observed) for state in self.states.values())  # states still waiting

    def _flush(self, name: str, state: SourceState) -> None:
        if self.sessions is None or not (state.buffer or state.seen_again or state.observed or state.forgotten):
            return
        items, state.buffer = state.buffer, []
        seen_again, state.seen_again = state.seen_again, []
        if state.lease_lost:
            state.observed, state.forgotten = [], []
            return
        try:
            with transaction(self.sessions) as session:
                self._check_lease(session, state)
                outcome = versioning.apply_batch(
                    session, source_id=state.source_id, run_id=self.run_id, items=items, known=state.known,
                    diff=diff_postings,
                )
                outcome.merge(versioning.apply_seen(session, run_id=self.run_id, stored=seen_again))
                if outcome.new_ids:
                    link_reposts(session, state.source_id, outcome.new_ids, self.repost_window_days)
                self._store_fetch_states(session, state)
                if self.listener and outcome.changes:
                    self.listener(session, outcome.changes, name)
        except LeaseLost:
            self._lost(name, state)
            return
        except Exception as exc:  # keep crawling other sources; this one is judged failed
            logger.error("source %s: could not store %d postings: %s", name, len(items) + len(seen_again), exc)
            state.write_error = f"database error: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            state.known = self._reload_known(state.source_id)
            state.observed, state.forgotten = [], []
            return
        state.counts.add(outcome.counts)

    def _lost(self, name: str, state: SourceState) -> None:
        logger.warning("source %s: lease lost to another worker; this run writes nothing more for it", name)
        state.lease_lost = True
        state.observed, state.forgotten = [], []

    def _store_fetch_states(self, session: Session, state: SourceState) -> None:
        """Write the states whose postings are all stored; the rest wait for a later batch."""
        ready: list[fetch_state.Fetched] = []
        waiting: list[fetch_state.Fetched] = []
        for observed in state.observed:
            (ready if all(eid in state.known for eid in observed.external_ids) else waiting).append(observed)
        state.observed = waiting
        fetch_state.forget(session, state.source_id, state.forgotten)
        state.forgotten = []
        fetch_state.upsert(session, state.source_id, ready)

    def _reload_known(self, source_id: int) -> dict[str, versioning.Known]:
        assert self.sessions is not None
        with transaction(self.sessions) as session:
            return versioning.load_known(session, source_id)

    def close_spider(self) -> None:
        if self.sessions is None:
            return
        progress = crawl_context(self.crawler).progress
        for name, state in self.states.items():
            self._flush(name, state)
            self._finish(name, state, progress[name])
        if self.own_cycle:
            with transaction(self.sessions) as session:
                leases.finish_local_cycle(session, self.cycle_id)
        if self.engine is not None:
            self.engine.dispose()

    def _finish(self, name: str, state: SourceState, progress: SourceProgress) -> None:
        assert self.sessions is not None
        if state.lease_lost:
            return
        try:
            status, error = self._judge(state, progress, name)
        except LeaseLost:
            self._lost(name, state)
            return
        if error:
            # the CLI's summary reports it from crawl_runs; `scrapy crawl` users see it here
            logger.error("source %s %s: %s", name, status, error, extra={"jobtrail_reported": True})

    def _judge(self, state: SourceState, progress: SourceProgress, name: str) -> tuple[str, str | None]:
        """The verdict for one source (closures, crawl_run, lease done): one transaction, or none at all."""
        assert self.sessions is not None
        fates = progress.fates
        with transaction(self.sessions) as session:
            self._check_lease(session, state)
            status, error = self._verdict(session, state, progress)
            ok = status == "ok"
            if ok and not fates.excuse_all:
                closed = versioning.close_missing(
                    session, source_id=state.source_id, run_id=self.run_id, run_started=state.started_at,
                    close_after=self.close_after, excused=fates.excused_urls(),
                )
                state.counts.closed += len(closed)
                if closed:  # a role that closed now may continue as a posting that appeared earlier
                    link_reposts(session, state.source_id, None, self.repost_window_days)
                if self.listener and closed:
                    self.listener(session, closed, name)
            if ok and progress.learned:
                discovery.save_template(session, state.source_id, progress.learned)
            versioning.finish_run(
                session, state.crawl_run_id, ok=ok, error=error, pages=progress.pages, seen=state.seen,
                counts=state.counts, status=status, unreachable=len(fates.unreachable()), note=fates.summary(),
                skipped=len(progress.skipped),
            )
            if self.leased:
                leases.finish(session, self.cycle_id, state.source_id, self.run_id)
        return status, error

    def _verdict(self, session: Session, state: SourceState, progress: SourceProgress) -> tuple[str, str | None]:
        """The crawl's status word and reason: only an ``ok`` crawl may count misses and close.

        blocked: a wall stood where the listing (or every posting page) should be; failed: an
        error, or nothing found where postings were open; empty: nothing found, and the source
        never had postings (a blind crawl; the hint says what to try); suspect: see
        ``mass_disappearance``.
        """
        fates = progress.fates
        blocked = list(progress.blocked) or (list(fates.walls) if fates.all_walled else [])
        if blocked:
            return "blocked", _summarize(blocked)
        errors = list(progress.errors) + ([state.write_error] if state.write_error else [])
        if not errors and state.seen == 0:
            open_before = versioning.open_count(session, state.source_id)
            if open_before:
                errors.append(f"no postings found where {open_before} were open")
            elif not versioning.ever_had_postings(session, state.source_id):
                return RUN_EMPTY, empty_message(progress)  # never silent: a blind crawl is not "ok"
        if errors:
            return "failed", _summarize(errors)
        if fates.excuse_all:
            return "ok", None
        outlook = versioning.miss_outlook(
            session, source_id=state.source_id, run_started=state.started_at, excused=fates.excused_urls())
        reason = mass_disappearance(
            would_miss=outlook.would_miss, open_before=outlook.open_before, unknown=outlook.unknown,
            known=outlook.known, share=self.suspect_share, min_misses=self.suspect_min_misses,
        )
        return ("suspect", reason) if reason else ("ok", None)


def mass_disappearance(*, would_miss: int, open_before: int, unknown: int, known: int, share: float,
                       min_misses: int) -> str | None:
    """Why a successful-looking crawl must not judge, or None.

    A crawl that would count more than ``share`` of the open postings (and at least
    ``min_misses``) missing while what it found is mostly unknown is far more often a wall,
    a redesign or a broken listing than a company closing half its roles at once. Such a
    crawl is ``suspect``: it counts no misses and closes nothing. A real mass closure (the
    remaining postings known) is not suspect. "Unknown" means first seen since the source's last
    ok crawl, so a wall stored as a posting by a suspect crawl stays unknown to the next ones;
    after a real redesign that replaced every id the source stays suspect (exit 1) until
    someone looks and runs it once with ``jobtrail_suspect_share = 1``, which also turns the guard off.
    """
    if would_miss < max(min_misses, 1) or would_miss <= share * open_before or unknown <= known:
        return None
    return (f"would count {would_miss} of {open_before} open postings missing while {unknown} of "
            f"{unknown + known} postings found are unknown (a wall, a redesign or a wrong page?); nothing closed")


def _usable(
    stored: dict[str, fetch_state.Fetched], known: dict[str, versioning.Known]
) -> dict[str, fetch_state.Fetched]:
    """Only states whose postings are all stored may stand for them."""
    return {url: s for url, s in stored.items() if s.external_ids and all(eid in known for eid in s.external_ids)}


def empty_message(progress: SourceProgress) -> str:
    """The one line an `empty` source gets: what was seen, and the hint discovery left."""
    skipped = len(progress.skipped)
    seen = f"no postings found ({progress.pages} page(s) read" + (f", {skipped} skipped" if skipped else "") + ")"
    hint = progress.hint or "set link_pattern, or check for an ATS board (`jobtrail check NAME`)"
    return f"{seen}: {hint}"


def _summarize(errors: list[str]) -> str | None:
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    return f"{errors[0]} (and {len(errors) - 1} more error(s))"
