"""Tables. Every schema change goes through an Alembic migration in storage/migrations.

Posting fields are stored column-per-field (lists and salary as JSON) so that SQL can
filter on them; the same names as the normalized posting record (docs/posting.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JsonType}


class Source(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set by `jobtrail sources remove` (history kept) or when a crawl first finds the source gone from
    #: the config (reported once as orphaned); cleared when the source is crawled again
    retired_at: Mapped[datetime | None]
    retired_as: Mapped[str | None] = mapped_column(String(10))  # removed | orphaned


#: crawl_runs.status words: how a source's crawl ended (docs/sources.md says what each means)
RUN_RUNNING, RUN_OK, RUN_FAILED, RUN_EMPTY = "running", "ok", "failed", "empty"
RUN_BLOCKED, RUN_SUSPECT = "blocked", "suspect"


class CrawlRun(Base):
    """One source crawled once. ``run_id`` groups the sources of one `jobtrail crawl`."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: running | ok | failed | empty (nothing found, never had postings) | blocked (a wall) |
    #: suspect (mass disappearance, nothing closed) — docs/sources.md says what each means
    status: Mapped[str] = mapped_column(String(10), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    #: pages heuristic discovery reached that were not postings (skipped, never a failure)
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    postings_seen: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    #: posting requests that got no answer (not seen, not missed), and why
    unreachable: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note: Mapped[str | None] = mapped_column(Text)
    #: the cycle this crawl belongs to (every source is judged once per cycle; storage/leases.py)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"), index=True)
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)


class Cycle(Base):
    """One round in which every source is crawled and judged once (local `crawl`, or `cycle start`)."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # local|distributed
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|finished|superseded


class Lease(Base):
    """Who may crawl and judge a source in a cycle; renewed while crawling, taken over when expired."""

    __tablename__ = "leases"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    #: the politeness group: one job per host runs at a time (crawler/worker.py)
    host: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|done
    owner: Mapped[str | None] = mapped_column(String(200))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("cycle_id", "source_id", name="uq_leases_cycle_source"),
        Index("ix_leases_source_status", "source_id", "status"),
    )


class Posting(Base):
    __tablename__ = "postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    latest_seq: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|closed
    closed_at: Mapped[datetime | None]
    missed_runs: Mapped[int] = mapped_column(Integer, default=0)
    repost_of_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_postings_source_external"),
        Index("ix_postings_company_title", "company", "title"),
        Index("ix_postings_url", "url"),
        Index("ix_postings_status_closed", "status", "closed_at"),
        # the sources page counts postings per (source, status) from this index alone (migration 0007)
        Index("ix_postings_source_status", "source_id", "status"),
        # partial: nearly every posting has no repost_of_id (see migration 0002)
        Index("ix_postings_repost_of", "repost_of_id", sqlite_where=text("repost_of_id IS NOT NULL"),
              postgresql_where=text("repost_of_id IS NOT NULL")),
    )


class PostingVersion(Base):
    __tablename__ = "posting_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(String(300))
    locations: Mapped[list[str]] = mapped_column(JsonType, default=list)
    department: Mapped[str | None] = mapped_column(Text)
    employment_type: Mapped[str | None] = mapped_column(String(100))
    workplace: Mapped[str | None] = mapped_column(String(20))
    salary: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    date_posted: Mapped[str | None] = mapped_column(String(32))
    valid_through: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    requirements: Mapped[list[str]] = mapped_column(JsonType, default=list)
    nice_to_have: Mapped[list[str]] = mapped_column(JsonType, default=list)
    responsibilities: Mapped[list[str]] = mapped_column(JsonType, default=list)
    benefits: Mapped[list[str]] = mapped_column(JsonType, default=list)
    related_jobs: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)
    __table_args__ = (UniqueConstraint("posting_id", "seq", name="uq_versions_posting_seq"),)


class Change(Base):
    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    from_version_id: Mapped[int | None] = mapped_column(ForeignKey("posting_versions.id"))
    to_version_id: Mapped[int | None] = mapped_column(ForeignKey("posting_versions.id"))
    kind: Mapped[str] = mapped_column(String(10))  # new|changed|closed|reopened
    #: {field: {added, removed, reworded} | {old, new[, words]}}; see docs/diff.md
    diff: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    run_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        Index("ix_changes_created", "created_at"),
        Index("ix_changes_posting", "posting_id"),
        Index("ix_changes_to_version", "to_version_id"),
    )


class Delivery(Base):
    """Outbox row: one change owed to one notify channel (written with the change)."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: identity of the message this row went out in (Message-ID / Idempotency-Key), set when sending
    message_key: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        UniqueConstraint("change_id", "channel", name="uq_deliveries_change_channel"),
        Index("ix_deliveries_status", "status", "channel"),
    )


class RunLock(Base):
    """A named lock row so that overlapping cron runs do not both crawl or deliver."""

    __tablename__ = "run_locks"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class FetchState(Base):
    """What we last saw at a URL: validators for conditional requests and a raw-body hash."""

    __tablename__ = "fetch_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    #: external ids of the postings that this body produced, to mark seen on a skip
    external_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_fetch_state_source_url"),)


class DiscoveryTemplate(Base):
    """The posting-link template learned for a source (URL shapes + markup signatures, as JSON),
    so re-checks take the same links without analysing or probing again (crawler/extract/discovery.py)."""

    __tablename__ = "discovery_templates"
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    template: Mapped[str] = mapped_column(Text)
    learned_at: Mapped[datetime] = mapped_column(default=utcnow)
