"""Read what an alert message needs from the database into plain records (render stays pure).

Used by pipelines/alerts (digest, instant messages); all its SQL lives here, in storage.

A digest is postings (each with its changes), plus a footer: sources whose latest crawl
failed (and for how many runs in a row) and deliveries that failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from jobtrail.storage import records
from jobtrail.storage.models import Change, Delivery, Posting, PostingVersion, Source
from jobtrail.storage.sources import source_statuses


@dataclass(frozen=True)
class ChangeView:
    id: int
    kind: str  # new|changed|closed|reopened
    at: datetime
    diff: dict[str, Any]
    #: the requirements of the version this change produced (shown for a new posting)
    requirements: list[str] = field(default_factory=list)


@dataclass
class PostingView:
    posting_id: int
    source: str
    company: str
    title: str
    url: str
    locations: list[str]
    changes: list[ChangeView] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The posting's headline kind: its latest change."""
        return self.changes[-1].kind if self.changes else "changed"


@dataclass(frozen=True)
class FailedSource:
    name: str
    runs_in_row: int
    error: str | None


@dataclass(frozen=True)
class FailedDelivery:
    channel: str
    count: int
    last_error: str | None


@dataclass
class DigestData:
    postings: list[PostingView]
    failed_sources: list[FailedSource] = field(default_factory=list)
    failed_deliveries: list[FailedDelivery] = field(default_factory=list)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return records.aware(moment) if moment is not None else None


def postings_for_changes(session: Session, change_ids: Iterable[int]) -> list[PostingView]:
    """The changes, grouped by posting, ordered company → title → change time."""
    ids = sorted(set(change_ids))
    if not ids:
        return []
    latest, produced = aliased(PostingVersion), aliased(PostingVersion)
    rows = session.execute(
        select(Change, Posting, Source.name, Source.company, latest, produced.requirements)
        .join(Posting, Posting.id == Change.posting_id)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(latest, (latest.posting_id == Posting.id) & (latest.seq == Posting.latest_seq))
        .outerjoin(produced, produced.id == Change.to_version_id)
        .where(Change.id.in_(ids))
        .order_by(Change.created_at, Change.id)
    ).all()
    views: dict[int, PostingView] = {}
    for change, posting, source_name, source_company, version, produced_requirements in rows:
        view = views.get(posting.id)
        if view is None:
            view = views[posting.id] = PostingView(
                posting_id=posting.id, source=source_name,
                company=posting.company or source_company or source_name,
                title=posting.title, url=posting.url,
                locations=list(version.locations or []) if version else [],
            )
        view.changes.append(ChangeView(change.id, change.kind, records.aware(change.created_at),
                                       dict(change.diff or {}), list(produced_requirements or [])))
    return sorted(views.values(), key=lambda v: (v.company.lower(), v.title.lower(), v.posting_id))


def change_ids_since(session: Session, since: datetime) -> list[int]:
    return list(session.scalars(select(Change.id).where(Change.created_at >= since).order_by(Change.id)))


def failed_sources(session: Session) -> list[FailedSource]:
    """Sources whose latest crawls failed, with how many in a row; removed and orphaned sources
    (no longer in the config) are not failing, so they are left out."""
    result = []
    for status in source_statuses(session):
        if status.failure_streak and status.retired_at is None:
            error = (status.last_error or "").strip().splitlines()
            result.append(FailedSource(status.name, status.failure_streak, error[0] if error else None))
    return result


def failed_deliveries(session: Session) -> list[FailedDelivery]:
    """Per channel: how many deliveries gave up, and the latest reason (already masked)."""
    rows = session.execute(
        select(Delivery.channel, func.count(), func.max(Delivery.id))
        .where(Delivery.status == "failed").group_by(Delivery.channel).order_by(Delivery.channel)
    ).all()
    result = []
    for channel, count, last_id in rows:
        last = session.get(Delivery, last_id)
        result.append(FailedDelivery(channel, count, last.last_error if last else None))
    return result


def digest_data(session: Session, change_ids: Sequence[int]) -> DigestData:
    return DigestData(
        postings=postings_for_changes(session, change_ids),
        failed_sources=failed_sources(session),
        failed_deliveries=failed_deliveries(session),
    )
