"""storage.browse on SQLite and PostgreSQL: pages of changes cover every match once, newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage import browse, history
from jobtrail.storage.db import transaction
from jobtrail.storage.records import ChangeRecord
from tests.factories import build_history


def _every_page(session: Session, where: browse.ChangeFilter, limit: int) -> list[int]:
    found: list[int] = []
    before = None
    for _ in range(100):
        page = browse.recent_changes(session, where, limit=limit, before=before)
        assert len(page.changes) <= limit
        found += [change.change_id for change in page.changes]
        if page.next_before is None:
            return found
        before = page.next_before
    raise AssertionError("more than 100 pages")


def _wanted(change: ChangeRecord, where: browse.ChangeFilter) -> bool:
    return ((where.sources is None or change.source in where.sources)
            and (not where.company or (change.company or "").lower() == where.company.lower())
            and (not where.kinds or change.kind in where.kinds)
            and (not where.field or where.field in change.fields)
            and (not where.postings or change.posting_id in where.postings))


FILTERS: list[dict[str, Any]] = [
    {}, {"kinds": ("changed",)}, {"kinds": ("closed", "new")}, {"field": "requirements"}, {"field": "workplace"},
    {"field": "title"}, {"company": "AHREFS"}, {"sources": ("other",)}, {"sources": ("ahrefs", "other")},
    {"sources": ()}, {"postings": (1,)}, {"company": "ahrefs", "field": "related_jobs"},
]


@pytest.mark.parametrize("window", [3, 2000])
@pytest.mark.parametrize("limit", [1, 2, 50])
def test_pages_hold_every_match_once_newest_first(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, window: int, limit: int
) -> None:
    monkeypatch.setattr(browse, "SCAN_WINDOW", window)  # small: a filtered page stops early, Older goes on
    with transaction(sessions) as session:
        build_history(session)
    with sessions() as session:
        everything = list(reversed(history.changes_since(session, datetime(2000, 1, 1, tzinfo=UTC))))
        assert len(everything) == 6
        for spec in FILTERS:
            where = browse.ChangeFilter(**spec)
            expected = [c.change_id for c in everything if _wanted(c, where)]
            assert _every_page(session, where, limit) == expected, spec


def test_unknown_cursor_is_an_empty_page(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        build_history(session)
    with sessions() as session:
        assert browse.recent_changes(session, before=10_000) == browse.ChangePage([], None)


def test_a_postings_timeline_follows_the_chain(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        ids = build_history(session)
    with sessions() as session:
        chain = history.repost_chain(session, ids["backend2"])
        kinds = [(c.posting_id, c.kind) for c in browse.posting_changes(session, chain)]
    assert kinds == [(ids["backend"], "new"), (ids["backend"], "changed"), (ids["backend"], "changed"),
                     (ids["backend"], "closed"), (ids["backend2"], "new")]
