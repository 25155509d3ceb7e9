"""jobtrail.storage.fetch_state and versioning.apply_seen on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage import fetch_state, versioning
from jobtrail.storage.db import transaction
from jobtrail.storage.fetch_state import Fetched
from jobtrail.storage.models import Change, FetchState, Posting, utcnow


def make_source(sessions: sessionmaker[Session], fingerprint: str = "fp-1") -> int:
    with transaction(sessions) as session:
        source_id = versioning.ensure_source(session, "acme", "page", "https://acme.test/careers", None)
        fetch_state.reset(session, source_id, fingerprint)
    return source_id


def test_upsert_then_load_and_update_in_place(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    states = [Fetched(f"https://acme.test/jobs/{n}", f'"e{n}"', None, f"h{n}", (str(n),)) for n in range(700)]
    with transaction(sessions) as session:
        fetch_state.upsert(session, source_id, states)
    with transaction(sessions) as session:
        fetch_state.upsert(session, source_id, [Fetched("https://acme.test/jobs/3", None, "Tue, 01 Jul 2025",
                                                        "h3b", ("3", "3b"))])
    with transaction(sessions) as session:
        loaded = fetch_state.load(session, source_id, "fp-1")
        count = session.scalar(select(func.count()).select_from(FetchState))
    assert loaded is not None and len(loaded) == 700
    assert count == 701, "one row per URL, plus the fingerprint marker"
    assert loaded["https://acme.test/jobs/3"] == Fetched("https://acme.test/jobs/3", None, "Tue, 01 Jul 2025",
                                                         "h3b", ("3", "3b"))
    assert loaded["https://acme.test/jobs/699"].etag == '"e699"'


def test_other_fingerprint_means_no_usable_state(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    with transaction(sessions) as session:
        fetch_state.upsert(session, source_id, [Fetched("https://acme.test/jobs/1", '"e"', None, "h", ("1",))])
    with transaction(sessions) as session:
        assert fetch_state.load(session, source_id, "fp-2") is None
        fetch_state.reset(session, source_id, "fp-2")
    with transaction(sessions) as session:
        assert fetch_state.load(session, source_id, "fp-2") == {}
        assert fetch_state.load(session, source_id, "fp-1") is None


def test_forget_drops_only_the_given_urls(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    urls = [f"https://acme.test/jobs/{n}" for n in range(3)]
    with transaction(sessions) as session:
        fetch_state.upsert(session, source_id, [Fetched(url, None, None, "h", ("x",)) for url in urls])
        fetch_state.forget(session, source_id, urls[:2])
    with transaction(sessions) as session:
        assert set(fetch_state.load(session, source_id, "fp-1") or {}) == {urls[2]}


def test_apply_seen_marks_open_postings_and_reopens_closed_ones(sessions: sessionmaker[Session]) -> None:
    source_id = make_source(sessions)
    earlier = utcnow() - timedelta(days=3)
    with transaction(sessions) as session:
        postings = [
            Posting(source_id=source_id, external_id=str(n), url=f"https://acme.test/jobs/{n}", title="Role",
                    content_hash="h", first_seen=earlier, last_seen=earlier, missed_runs=1,
                    status="closed" if n == 0 else "open", closed_at=earlier if n == 0 else None)
            for n in range(600)
        ]
        session.add_all(postings)
    with transaction(sessions) as session:
        known = versioning.load_known(session, source_id)
        stored = list(known.values()) + [known["5"]]  # listed twice counts once
        outcome = versioning.apply_seen(session, run_id="r1", stored=stored)
    assert (outcome.counts.unchanged, outcome.counts.reopened) == (599, 1)
    with transaction(sessions) as session:
        rows = session.execute(select(Posting.status, Posting.missed_runs, Posting.last_seen)).all()
        kinds = session.scalars(select(Change.kind)).all()
    assert all(status == "open" and missed == 0 for status, missed, _ in rows)
    assert len({seen for _, _, seen in rows}) == 1
    assert kinds == ["reopened"]
