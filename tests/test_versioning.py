"""Versioning on real SQLite and PostgreSQL: new, changed, unchanged, missing, closed, reopened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.items import Posting as PostingRecord
from jobtrail.pipelines.diff import diff_postings
from jobtrail.pipelines.normalize import content_hash, content_record, normalize_posting
from jobtrail.storage import versioning
from jobtrail.storage.db import transaction
from jobtrail.storage.models import Change, Posting, PostingVersion

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def incoming(external_id: str, title: str, requirements: list[str]) -> versioning.Incoming:
    posting = normalize_posting(PostingRecord(
        source="acme", external_id=external_id, url=f"https://acme.test/jobs/{external_id}", title=title,
        requirements=requirements,
    ))
    record = content_record(posting)
    return versioning.Incoming(external_id, record, content_hash(record))


def crawl(sessions: sessionmaker[Session], source_id: int, batch: list[versioning.Incoming], at: datetime,
          close_after: int = 2) -> versioning.Counts:
    """One successful crawl of a source: a batch, then the missing-postings pass."""
    with transaction(sessions) as session:
        known = versioning.load_known(session, source_id)
        outcome = versioning.apply_batch(session, source_id=source_id, run_id=at.isoformat(), items=batch,
                                         known=known, diff=diff_postings, now=at)
        closed = versioning.close_missing(session, source_id=source_id, run_id=at.isoformat(),
                                          run_started=at - timedelta(seconds=1), close_after=close_after, now=at)
        outcome.counts.closed = len(closed)
        return outcome.counts


def make_source(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return versioning.ensure_source(session, "acme", "page", "https://acme.test/careers", "Acme")


def test_lifecycle(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    a1 = incoming("1", "Engineer", ["Go", "SQL"])
    b1 = incoming("2", "Analyst", ["Excel"])
    counts = crawl(sessions, source_id, [a1, b1], T0)
    assert (counts.new, counts.changed, counts.unchanged) == (2, 0, 0)

    # same content, bullets reordered, extra whitespace: not a change
    a1_again = incoming("1", "Engineer ", ["SQL", "Go"])
    counts = crawl(sessions, source_id, [a1_again, b1], T0 + timedelta(days=1))
    assert (counts.new, counts.changed, counts.unchanged) == (0, 0, 2)

    a2 = incoming("1", "Engineer", ["Go or Rust", "SQL"])
    counts = crawl(sessions, source_id, [a2], T0 + timedelta(days=2))  # b missing once
    assert (counts.changed, counts.closed) == (1, 0)
    counts = crawl(sessions, source_id, [a2], T0 + timedelta(days=3))  # b missing twice: closed
    assert counts.closed == 1
    counts = crawl(sessions, source_id, [a2, b1], T0 + timedelta(days=4))  # b back: reopened
    assert counts.reopened == 1

    with sessions() as session:
        kinds = session.scalars(select(Change.kind).order_by(Change.id)).all()
        assert kinds == ["new", "new", "changed", "closed", "reopened"]
        change = session.scalar(select(Change).where(Change.kind == "changed"))
        assert change.diff["requirements"]["reworded"][0]["new"] == "Go or Rust"
        seqs = session.scalars(select(PostingVersion.seq).order_by(PostingVersion.id)).all()
        assert seqs == [1, 1, 2]
        b = session.scalar(select(Posting).where(Posting.external_id == "2"))
        assert (b.status, b.missed_runs, b.closed_at) == ("open", 0, None)


def test_batch_is_one_transaction(sessions: sessionmaker[Session]) -> None:
    """A failure inside a batch leaves nothing of it behind; a rerun stores it once."""
    source_id = make_source(sessions)
    batch = [incoming(str(i), f"Role {i}", ["x"]) for i in range(300)]

    def broken_diff(old, new):  # noqa: ANN001, ANN202 - used only to blow up mid-batch
        raise RuntimeError("boom")

    crawl(sessions, source_id, batch[:1], T0)
    changed = [incoming("0", "Role 0", ["y"]), *batch[1:]]
    try:
        with transaction(sessions) as session:
            known = versioning.load_known(session, source_id)
            versioning.apply_batch(session, source_id=source_id, run_id="r", items=changed, known=known,
                                   diff=broken_diff, now=T0 + timedelta(days=1))
    except RuntimeError:
        pass
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Posting)) == 1
    counts = crawl(sessions, source_id, changed, T0 + timedelta(days=2))
    assert (counts.new, counts.changed) == (299, 1)
    counts = crawl(sessions, source_id, changed, T0 + timedelta(days=3))
    assert counts.unchanged == 300
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PostingVersion)) == 301


def test_duplicate_ids_in_one_batch_count_once(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    counts = crawl(sessions, source_id, [incoming("1", "A", []), incoming("1", "A", [])], T0)
    assert counts.new == 1
