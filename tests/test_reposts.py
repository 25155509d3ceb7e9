"""The repost linker: which closed posting a new one continues, and which it does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage import history
from jobtrail.storage.models import Posting, Source
from jobtrail.storage.reposts import link_reposts, normalize_title
from tests.factories import T0, add_posting, add_source

CLOSED = T0 + timedelta(days=10)
OLD: dict[str, Any] = {"title": "Backend Developer", "company": "Acme", "locations": ["Singapore"]}

CASES = [
    # (id, new posting's fields, its first_seen (days after T0), old posting closes, linked?)
    ("same-role", {}, 14, CLOSED, True),
    ("title-case-and-gender-tag", {"title": "backend  developer (m/f/d)"}, 14, CLOSED, True),
    ("company-any-case", {"company": "ACME"}, 14, CLOSED, True),
    ("repost-before-old-closes", {}, 9, CLOSED, True),
    ("other-title", {"title": "Frontend Developer"}, 14, CLOSED, False),
    ("other-location", {"locations": ["Berlin"]}, 14, CLOSED, False),
    ("other-company", {"company": "Globex"}, 14, CLOSED, False),
    ("outside-window", {}, 45, CLOSED, False),
    ("old-still-open", {}, 14, None, False),
]


def _old_and_new(session: Session, new: dict[str, Any], new_day: int, closed_at: Any) -> tuple[int, int, int]:
    source = add_source(session)
    old = add_posting(session, source, [dict(OLD)], external_id="old", closed_at=closed_at)
    fresh = add_posting(session, source, [{**OLD, "url": "https://jobs.example.com/new", **new}],
                        external_id="new", start=T0 + timedelta(days=new_day))
    return source.id, old.id, fresh.id


@pytest.mark.parametrize(("new", "new_day", "closed_at", "linked"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_link_reposts(sessions: sessionmaker[Session], new, new_day, closed_at, linked) -> None:
    with sessions.begin() as session:
        source_id, old_id, new_id = _old_and_new(session, new, new_day, closed_at)
        made = link_reposts(session, source_id, [new_id], 30, now=T0 + timedelta(days=new_day))
    with sessions() as session:
        repost_of = session.scalar(select(Posting.repost_of_id).where(Posting.id == new_id))
    assert (made, repost_of) == ((1, old_id) if linked else (0, None))


def test_sweep_links_once_the_old_posting_has_closed(sessions) -> None:
    """The repost shows up a run before the old posting is closed; the sweep (ids=None) links it later."""
    with sessions.begin() as session:
        source_id, old_id, new_id = _old_and_new(session, {}, 9, None)
        assert link_reposts(session, source_id, [new_id], 30, now=T0 + timedelta(days=9)) == 0
        session.get(Posting, old_id).status, session.get(Posting, old_id).closed_at = "closed", CLOSED
        session.flush()
        assert link_reposts(session, source_id, None, 30, now=T0 + timedelta(days=10)) == 1
        assert link_reposts(session, source_id, None, 30, now=T0 + timedelta(days=10)) == 0  # idempotent
    with sessions() as session:
        assert history.repost_chain(session, old_id) == [old_id, new_id]


def test_a_closed_posting_is_continued_once(sessions) -> None:
    with sessions.begin() as session:
        source_id, old_id, first = _old_and_new(session, {}, 12, CLOSED)
        source = session.get(Source, source_id)
        second = add_posting(session, source, [{**OLD, "url": "https://x/3"}],
                             external_id="third", start=T0 + timedelta(days=13)).id
        assert link_reposts(session, source_id, [first, second], 30, now=T0 + timedelta(days=13)) == 1
    with sessions() as session:
        links = dict(session.execute(select(Posting.id, Posting.repost_of_id)).all())
    assert (links[first], links[second]) == (old_id, None)


def test_source_company_stands_in_for_a_missing_one(sessions) -> None:
    with sessions.begin() as session:
        source = add_source(session, "acme", company="Acme")
        old = add_posting(session, source, [{**OLD, "company": None}], external_id="a", closed_at=CLOSED)
        new = add_posting(session, source, [{**OLD, "company": None, "url": "https://x/b"}], external_id="b",
                          start=T0 + timedelta(days=12))
        assert link_reposts(session, source.id, [new.id], 30, now=T0 + timedelta(days=12)) == 1
        assert session.get(Posting, new.id).repost_of_id == old.id


@pytest.mark.parametrize(
    ("title", "normalized"),
    [("Senior Backend-Developer (m/w/d)", "senior backend developer"), ("  Ingénieur  Données ", "ingenieur donnees")],
)
def test_normalize_title(title, normalized) -> None:
    assert normalize_title(title) == normalized
