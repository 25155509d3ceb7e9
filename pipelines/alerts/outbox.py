"""The outbox: which changes are owed to which notify channel, and draining it.

Writing: ``outbox_listener`` runs inside the versioning transaction, so a change and its
``deliveries`` rows commit together or not at all (no change is ever forgotten).

Draining (``deliver_pending``) holds the ``outbox`` lock, so one process drains at a time
however many machines run `jobtrail run` or `jobtrail worker` (a worker drains once per
cycle, when it closes the cycle). Per message:
  1. render the message (nothing touched yet);
  2. mark its rows ``sending`` (attempts + 1) with the message's identity
     (``message_key``, derived from the rows it carries) and COMMIT;
  3. call apprise, the identity as e-mail Message-ID / webhook Idempotency-Key;
  4. mark ``sent`` (or back to ``pending`` with backoff, or ``failed`` after
     ``max_attempts``) and COMMIT.
A crash between 2 and 4 leaves rows in ``sending``: nobody knows whether the message got
out. With ``unconfirmed = "resend"`` (the default) the next drain sends the same rows again
as one message with the same identity: never lost, and a receiver that deduplicates (mail
stores by Message-ID, a webhook by Idempotency-Key) shows it once; channels without an
identity field may show a repeat. With ``unconfirmed = "hold"`` (at most once) such rows
become ``failed`` "unconfirmed" (listed by `jobtrail deliveries`, in the next digest's
footer, re-sendable with `jobtrail deliveries --retry`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources.config import Config
from jobtrail.pipelines.alerts import rules
from jobtrail.pipelines.alerts.config import Channel, load_channels
from jobtrail.storage import digest_data, outbox
from jobtrail.storage.locks import LockBusy, held
from jobtrail.storage.models import Change, Delivery

if TYPE_CHECKING:  # jinja2 and apprise load when something is sent, not in every crawl's pipeline
    from jobtrail.pipelines.alerts import render, send

#: one drainer at a time on a database (a live lock: a crashed drainer's lock is released)
OUTBOX_LOCK = "outbox"
#: how long a drain waits for another machine's drain to finish
DRAIN_WAIT_SECONDS = 300.0

#: called inside the versioning transaction with the changes just written for a source
ChangeListener = Callable[[Session, Sequence[Change], str], None]

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
UNCONFIRMED = (
    "unconfirmed: a run stopped while sending; it may or may not have arrived, and is not re-sent "
    "on its own (at most once). Re-send with: jobtrail deliveries --retry {id}"
)
RESENDING = "unconfirmed: a run stopped while sending; sending again with the same message identity"


@dataclass
class ChannelReport:
    channel: str
    messages: int = 0
    sent: int = 0  # deliveries (changes) confirmed sent
    retrying: int = 0  # back to pending, with backoff
    failed: int = 0  # gave up (max attempts) or unconfirmed
    errors: list[str] = field(default_factory=list)


@dataclass
class DeliveryReport:
    channels: list[ChannelReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(c.errors or c.failed for c in self.channels)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def outbox_listener(config: Config) -> ChangeListener | None:
    """The listener that writes deliveries rows for ``config``'s [[notify]] channels."""
    channels = load_channels(config)
    if not channels:
        return None
    tags_by_source = {source.name: source.tags for source in config.sources}

    def listener(session: Session, changes: Sequence[Change], source_name: str) -> None:
        if any(change.id is None for change in changes):
            session.flush()
        tags = tags_by_source.get(source_name, ())
        outbox.add_deliveries(session, [
            {"change_id": change.id, "channel": channel.name}
            for change in changes
            for channel in rules.matching_channels(channels, change.kind, change.diff, source_name, tags)
        ])

    return listener


def deliver_pending(sessions: sessionmaker[Session], config: Config, *, now: datetime | None = None,
                    channels: Sequence[Channel] | None = None, wait: float = DRAIN_WAIT_SECONDS) -> DeliveryReport:
    """Send every due pending delivery, holding the outbox lock (raises LockBusy after ``wait`` s)."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    chosen = channels if channels is not None else load_channels(config)
    if not chosen:
        return report
    with held(sessions, OUTBOX_LOCK, wait=wait):
        for channel in chosen:
            report.channels.append(_drain(sessions, channel, now))
    return report


def drain_once(sessions: sessionmaker[Session], config: Config) -> DeliveryReport | None:
    """A worker's drain at the end of a cycle; None when another process is draining right now."""
    try:
        return deliver_pending(sessions, config, wait=0)
    except LockBusy:
        return None


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def retry_failed(sessions: sessionmaker[Session], ids: Sequence[int] | None = None) -> int:
    """Put failed deliveries back in the queue (all of them, or ``ids``); returns how many."""
    with sessions() as session, session.begin():
        return outbox.retry_failed(session, ids)


def _drain(sessions: sessionmaker[Session], channel: Channel, now: datetime) -> ChannelReport:
    report = ChannelReport(channel.name)
    report.failed += _resolve_interrupted(sessions, channel)
    with sessions() as session:
        pending = outbox.pending(session, channel.name)
    groups = _groups(sessions, channel, pending)
    for group in groups:
        if not any(_due(row, now) for row in group):
            continue
        _send_group(sessions, channel, group, now, report)
    return report


def message_key(channel: str, delivery_ids: Sequence[int]) -> str:
    """A message's identity: the same rows to the same channel are the same message, whatever run sends it."""
    text = f"{channel}:" + ",".join(str(i) for i in sorted(delivery_ids))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _groups(sessions: sessionmaker[Session], channel: Channel, pending: list[Delivery]) -> list[list[Delivery]]:
    """Rows sent before (they carry a message key) go again as that same message; the others:
    digest, every pending row in one message; instant, one message per posting."""
    again: dict[str, list[Delivery]] = {}
    for row in pending:
        if row.message_key:
            again.setdefault(row.message_key, []).append(row)
    return list(again.values()) + _new_groups(sessions, channel, [row for row in pending if not row.message_key])


def _new_groups(sessions: sessionmaker[Session], channel: Channel, pending: list[Delivery]) -> list[list[Delivery]]:
    if not pending:
        return []
    if channel.mode == "digest":
        return [pending]
    with sessions() as session:
        posting_of = outbox.posting_of_changes(session, [row.change_id for row in pending])
    by_posting: dict[int, list[Delivery]] = {}
    for row in pending:
        by_posting.setdefault(posting_of[row.change_id], []).append(row)
    return list(by_posting.values())


def _due(row: Delivery, now: datetime) -> bool:
    due_at = digest_data.aware(row.next_attempt_at)
    return due_at is None or due_at <= now


def _send_group(sessions: sessionmaker[Session], channel: Channel, group: list[Delivery], now: datetime,
                report: ChannelReport) -> None:
    from jobtrail.pipelines.alerts import send

    target = send.build(channel)
    fmt = send.preferred_format(target, channel)
    message, attachments = _compose(sessions, channel, group, fmt, send.body_limit(target, channel))
    ids = [row.id for row in group]
    key = group[0].message_key or message_key(channel.name, ids)
    claimed = _mark_sending(sessions, ids, key)
    if not claimed:
        return  # someone else moved these rows on (should not happen under the outbox lock)
    if len(claimed) < len(group):  # send exactly what this drainer claimed, never a row another one holds
        group, ids = [row for row in group if row.id in claimed], claimed
        message, attachments = _compose(sessions, channel, group, fmt, send.body_limit(target, channel))
    result = send.send(channel, message, fmt=fmt, attachments=attachments, target=target, identity=key,
                       change_ids=[row.change_id for row in group])
    report.messages += 1
    _record(sessions, channel, ids, result, now, report)


def _compose(sessions: sessionmaker[Session], channel: Channel, group: list[Delivery], fmt: str,
             limit: int) -> tuple[render.Message, list[send.Attachment]]:
    from jobtrail.pipelines.alerts import render, send

    change_ids = [row.change_id for row in group]
    with sessions() as session:
        if channel.mode == "instant":
            posting = digest_data.postings_for_changes(session, change_ids)[0]
            return render.render_instant(posting), [send.Attachment(f"jobtrail-{posting.posting_id}.json",
                                                                    _structured(posting))]
        data = digest_data.digest_data(session, change_ids)

    def attempt(max_postings: int | None) -> render.Message:
        return render.render_digest(data, max_postings=max_postings)

    return render.fit(attempt, len(data.postings), limit, fmt), []


def _structured(posting: digest_data.PostingView) -> dict[str, object]:
    """What machines get with an instant message: the posting and each change's diff."""
    return {
        "posting": {"id": posting.posting_id, "source": posting.source, "company": posting.company,
                    "title": posting.title, "url": posting.url, "locations": posting.locations},
        "changes": [{"id": c.id, "kind": c.kind, "at": c.at.isoformat(), "diff": c.diff} for c in posting.changes],
    }


def _mark_sending(sessions: sessionmaker[Session], ids: list[int], key: str) -> list[int]:
    """Claim the rows still pending (the claim is the UPDATE itself); returns the claimed ids."""
    with sessions() as session, session.begin():
        return outbox.claim(session, ids, key)


def _record(sessions: sessionmaker[Session], channel: Channel, ids: list[int], result: send.SendResult,
            now: datetime, report: ChannelReport) -> None:
    with sessions() as session, session.begin():
        outcome = outbox.record_result(session, ids, ok=result.ok, error=result.error, now=now,
                                        max_attempts=channel.max_attempts, backoff=backoff)
    report.sent += outcome.sent
    report.retrying += outcome.retrying
    report.failed += outcome.failed
    if not result.ok and result.error:
        report.errors.append(result.error)


def _resolve_interrupted(sessions: sessionmaker[Session], channel: Channel) -> int:
    """Rows left in 'sending' by a crashed run: sent again with the same identity (``resend``, until
    max_attempts), or failed "unconfirmed" (``hold``: at most once). Returns how many failed."""
    resend_below = channel.max_attempts if channel.unconfirmed == "resend" else 0
    with sessions() as session, session.begin():
        return outbox.resolve_interrupted(session, channel.name, resend_below=resend_below, resend_note=RESENDING,
                                          failed_reason=UNCONFIRMED)
