"""Scrapy stage 2: keep every version of every posting, and record what changed.

Postings are buffered per source and written in batches (one transaction each, with
the alert outbox rows). When the crawl ends each source's run is judged: only a
successful crawl may count postings as missing, and only after JOBTRAIL_CLOSE_AFTER_MISSES
successful crawls in a row is a posting closed.
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

from crawler.config import Config
from crawler.items import Posting
from pipelines.alerts.outbox import ChangeListener, outbox_listener
from pipelines.diff import diff_postings
from pipelines.normalize import content_hash, content_record
from storage import versioning
from storage.db import open_database, transaction
from storage.models import utcnow

logger = logging.getLogger(__name__)


@dataclass
class SourceState:
    """Per-source bookkeeping for one crawl: ids and hashes only, never whole postings."""

    source_id: int
    crawl_run_id: int
    started_at: datetime
    known: dict[str, versioning.Known]
    buffer: list[versioning.Incoming] = field(default_factory=list)
    counts: versioning.Counts = field(default_factory=versioning.Counts)
    seen: int = 0
    write_error: str | None = None


class VersionPipeline:
    def __init__(self, crawler: Crawler, db_url: str, run_id: str, batch_size: int, close_after: int) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.run_id = run_id
        self.batch_size = batch_size
        self.close_after = close_after
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.states: dict[str, SourceState] = {}
        self.listener: ChangeListener | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersionPipeline:
        settings = crawler.settings
        return cls(
            crawler,
            db_url=settings.get("JOBTRAIL_DB_URL") or "",
            run_id=settings.get("JOBTRAIL_RUN_ID") or uuid.uuid4().hex,
            batch_size=settings.getint("JOBTRAIL_BATCH_SIZE", 200),
            close_after=settings.getint("JOBTRAIL_CLOSE_AFTER_MISSES", 2),
        )

    def open_spider(self) -> None:
        spider = self.crawler.spider
        config: Config = spider.config
        self.engine, self.sessions = open_database(self.db_url or config.database_url)
        self.listener = outbox_listener(config)
        now = utcnow()
        with transaction(self.sessions) as session:
            for name, progress in spider.progress.items():
                source = progress.source
                source_id = versioning.ensure_source(session, name, progress.kind.key, source.url, source.company)
                self.states[name] = SourceState(
                    source_id=source_id,
                    crawl_run_id=versioning.start_run(session, self.run_id, source_id, now),
                    started_at=now,
                    known=versioning.load_known(session, source_id),
                )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Posting):
            return item
        state = self.states[item.source]
        record = content_record(item)
        state.buffer.append(versioning.Incoming(item.external_id, record, content_hash(record)))
        state.seen += 1
        if len(state.buffer) >= self.batch_size:
            self._flush(item.source, state)
        return item

    def _flush(self, name: str, state: SourceState) -> None:
        if not state.buffer or self.sessions is None:
            return
        items, state.buffer = state.buffer, []
        try:
            with transaction(self.sessions) as session:
                outcome = versioning.apply_batch(
                    session, source_id=state.source_id, run_id=self.run_id, items=items, known=state.known,
                    diff=diff_postings,
                )
                if self.listener and outcome.changes:
                    self.listener(session, outcome.changes, name)
        except Exception as exc:  # keep crawling other sources; this one is judged failed
            logger.error("source %s: could not store %d postings: %s", name, len(items), exc)
            state.write_error = f"database error: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            state.known = self._reload_known(state.source_id)
            return
        state.counts.add(outcome.counts)

    def _reload_known(self, source_id: int) -> dict[str, versioning.Known]:
        assert self.sessions is not None
        with transaction(self.sessions) as session:
            return versioning.load_known(session, source_id)

    def close_spider(self) -> None:
        if self.sessions is None:
            return
        spider = self.crawler.spider
        for name, state in self.states.items():
            self._flush(name, state)
            self._finish(name, state, spider.progress[name])
        if self.engine is not None:
            self.engine.dispose()

    def _finish(self, name: str, state: SourceState, progress: Any) -> None:
        assert self.sessions is not None
        errors = list(progress.errors) + ([state.write_error] if state.write_error else [])
        with transaction(self.sessions) as session:
            if not errors and state.seen == 0:
                open_before = versioning.open_count(session, state.source_id)
                if open_before:
                    errors.append(f"no postings found where {open_before} were open")
            ok = not errors
            if ok:
                closed = versioning.close_missing(
                    session, source_id=state.source_id, run_id=self.run_id, run_started=state.started_at,
                    close_after=self.close_after,
                )
                state.counts.closed += len(closed)
                if self.listener and closed:
                    self.listener(session, closed, name)
            error = _summarize(errors)
            versioning.finish_run(
                session, state.crawl_run_id, ok=ok, error=error, pages=progress.pages, seen=state.seen,
                counts=state.counts,
            )
        if error:
            logger.error("source %s failed: %s", name, error)


def _summarize(errors: list[str]) -> str | None:
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    return f"{errors[0]} (and {len(errors) - 1} more error(s))"
