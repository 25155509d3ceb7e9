"""The outbox table (``deliveries``): which changes are owed to which notify channel.

Every statement that reads or moves a delivery row lives here; the policy (which channel gets
what, when to retry, what a message says) lives in pipelines/alerts/outbox.py. Each function runs
in the caller's session and transaction, so the caller decides what commits together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from jobtrail.storage.digest_data import aware
from jobtrail.storage.models import Change, Delivery, Posting


@dataclass(frozen=True)
class Outcome:
    """How many rows one send moved to each state."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def add_deliveries(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """New pending rows ({"change_id", "channel"}), in the caller's (versioning) transaction."""
    if rows:
        session.execute(insert(Delivery), [{**row, "status": "pending", "attempts": 0} for row in rows])


def pending(session: Session, channel: str) -> list[Delivery]:
    """The channel's pending rows, oldest first."""
    return list(session.scalars(
        select(Delivery).where(Delivery.channel == channel, Delivery.status == "pending").order_by(Delivery.id)
    ))


def posting_of_changes(session: Session, change_ids: Iterable[int]) -> dict[int, int]:
    """change id -> posting id."""
    rows = session.execute(select(Change.id, Change.posting_id).where(Change.id.in_(list(change_ids))))
    return {change_id: posting_id for change_id, posting_id in rows.tuples()}


def claim(session: Session, ids: Sequence[int], message_key: str) -> list[int]:
    """Mark pending rows ``sending`` (attempts + 1) as part of message ``message_key``; returns the
    ids claimed (the UPDATE is the claim: a row another drainer took is not among them)."""
    return sorted(session.scalars(
        update(Delivery).where(Delivery.id.in_(list(ids)), Delivery.status == "pending")
        .values(status="sending", attempts=Delivery.attempts + 1, message_key=message_key)
        .returning(Delivery.id)
    ))


def record_result(
    session: Session, ids: Sequence[int], *, ok: bool, error: str | None, now: datetime, max_attempts: int,
    backoff: Callable[[int], timedelta],
) -> Outcome:
    """After a send: ``sent`` when ``ok``, else back to ``pending`` with backoff, or ``failed``
    once ``max_attempts`` is reached. A send the service refused was no message: its rows lose
    their message key and may go out later with other rows (only an *unconfirmed* send keeps it)."""
    sent = retrying = failed = 0
    rows = session.scalars(select(Delivery).where(Delivery.id.in_(list(ids)), Delivery.status == "sending"))
    for row in rows:
        if ok:
            row.status, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, None, None
            sent += 1
            continue
        row.message_key = None
        if row.attempts >= max_attempts:
            row.status, row.last_error, row.next_attempt_at = "failed", error, None
            failed += 1
        else:
            row.status, row.last_error = "pending", error
            row.next_attempt_at = now + backoff(row.attempts)
            retrying += 1
    return Outcome(sent, retrying, failed)


def resolve_interrupted(session: Session, channel: str, *, resend_below: int, resend_note: str,
                        failed_reason: str) -> int:
    """Rows a crashed run left in ``sending``: those with fewer than ``resend_below`` attempts go back to
    ``pending``, due now, keeping their message key (sent again as the same message); the others
    become ``failed`` (``failed_reason`` may name ``{id}``). Returns how many failed."""
    rows = list(session.scalars(
        select(Delivery).where(Delivery.channel == channel, Delivery.status == "sending")
    ))
    failed = 0
    for row in rows:
        row.next_attempt_at = None
        if row.attempts < resend_below:
            row.status, row.last_error = "pending", resend_note
            continue
        row.status, row.last_error = "failed", failed_reason.format(id=row.id)
        failed += 1
    return failed


def retry_failed(session: Session, ids: Sequence[int] | None = None) -> int:
    """Put failed rows back in the queue (all of them, or ``ids``); returns how many."""
    statement = (
        update(Delivery).where(Delivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=None, last_error=None)
    )
    if ids:
        statement = statement.where(Delivery.id.in_(list(ids)))
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    change_id: int
    change_kind: str
    title: str
    company: str | None


def list_deliveries(session: Session, statuses: Sequence[str]) -> list[DeliveryRow]:
    """Outbox rows in ``statuses``, oldest first, with the posting they are about."""
    rows = session.execute(
        select(Delivery, Change.kind, Posting.title, Posting.company)
        .join(Change, Change.id == Delivery.change_id).join(Posting, Posting.id == Change.posting_id)
        .where(Delivery.status.in_(list(statuses))).order_by(Delivery.id)
    ).all()
    return [
        DeliveryRow(d.id, d.channel, d.status, d.attempts, aware(d.next_attempt_at), aware(d.sent_at),
                    d.last_error, d.change_id, kind, title, company)
        for d, kind, title, company in rows
    ]
