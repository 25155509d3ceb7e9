"""Identity across reposts: a closed role that reappears under a new id/URL is the same role.

When a posting closes and a posting with the same company, normalized title and locations
appears within a window, the newer one gets ``repost_of_id`` = the older one, so history
follows the role. Called by the versioning pipeline after a source's crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from jobtrail.storage.models import Posting, PostingVersion, Source, utcnow
from jobtrail.storage.records import aware
from jobtrail.storage.search import unaccent_lower

_GENDER_TAG = re.compile(r"\(\s*[mfwdx](?:\s*/\s*[mfwdx])+\s*\)")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class _Role:
    id: int
    key: tuple[Any, ...]
    first_seen: datetime
    closed_at: datetime | None


def normalize_title(title: str) -> str:
    """"Senior Backend Developer (m/f/d)" and "senior backend-developer" compare equal."""
    return " ".join(_NON_WORD.sub(" ", unaccent_lower(_GENDER_TAG.sub(" ", title))).split())


def normalize_locations(locations: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted({" ".join(_NON_WORD.sub(" ", unaccent_lower(place)).split()) for place in locations or ()}))


def link_reposts(
    session: Session,
    source_id: int,
    new_posting_ids: Sequence[int] | None,
    window_days: int,
    *,
    now: datetime | None = None,
) -> int:
    """Link new postings of ``source_id`` to the closed role they continue; returns links made.

    ``new_posting_ids``: the postings to consider; None means every unlinked posting of the
    source first seen within the window (use it after closing, since an old posting often
    closes a run or two after its repost appeared). A closed posting is continued at most once.
    """
    window = timedelta(days=window_days)
    newcomers = _newcomers(session, source_id, new_posting_ids, aware(now or utcnow()) - window)
    if not newcomers:
        return 0
    candidates = _closed_roles(session, newcomers, min(role.first_seen for role in newcomers) - window)
    links = _match(newcomers, candidates, window)
    if links:
        session.execute(update(Posting), [{"id": new, "repost_of_id": old} for new, old in links.items()])
    return len(links)


def _match(newcomers: list[_Role], candidates: list[_Role], window: timedelta) -> dict[int, int]:
    links: dict[int, int] = {}
    taken: set[int] = set()
    for role in sorted(newcomers, key=lambda r: (r.first_seen, r.id)):
        fitting = [
            old for old in candidates
            if old.key == role.key and old.id not in taken and old.id != role.id
            and old.first_seen < role.first_seen and old.closed_at is not None
            and abs(role.first_seen - old.closed_at) <= window
        ]
        if fitting:
            best = max(fitting, key=lambda old: (old.closed_at, old.id))
            links[role.id] = best.id
            taken.add(best.id)
    return links


@cache
def _roles_select() -> Any:
    """Built once: an alias of posting_versions costs ~2 ms to build, and this runs twice per written batch.

    Statements are immutable (``.where`` returns a new one), so sharing it is safe.
    """
    latest = aliased(PostingVersion)
    company = func.coalesce(Posting.company, Source.company).label("company")
    return (
        select(Posting.id, Posting.source_id, Posting.title, company, Posting.first_seen, Posting.closed_at,
               latest.locations)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(latest, and_(latest.posting_id == Posting.id, latest.seq == Posting.latest_seq))
    )


def _role(row: Any) -> _Role:
    owner = ("company", unaccent_lower(row.company).strip()) if row.company else ("source", row.source_id)
    return _Role(
        id=row.id, key=(owner, normalize_title(row.title), normalize_locations(row.locations)),
        first_seen=aware(row.first_seen), closed_at=aware(row.closed_at) if row.closed_at else None,
    )


def _newcomers(
    session: Session, source_id: int, ids: Sequence[int] | None, earliest: datetime
) -> list[_Role]:
    statement = _roles_select().where(Posting.source_id == source_id, Posting.repost_of_id.is_(None))
    if ids is None:
        return [_role(row) for row in session.execute(statement.where(Posting.first_seen >= earliest))]
    roles: list[_Role] = []
    for start in range(0, len(ids), 500):
        chunk = statement.where(Posting.id.in_(ids[start:start + 500]))
        roles += [_role(row) for row in session.execute(chunk)]
    return roles


@cache
def _closed_select() -> Any:
    """Closed postings not yet continued (built once, like ``_roles_select``)."""
    successor = aliased(Posting)
    return _roles_select().where(
        Posting.status == "closed", ~exists().where(successor.repost_of_id == Posting.id),
    )


def _closed_roles(session: Session, newcomers: list[_Role], earliest: datetime) -> list[_Role]:
    """Postings closed since ``earliest`` and not yet continued, with a newcomer's key.

    Owners are compared in Python (accent- and case-folded), not in SQL; the window keeps
    the number of recently closed postings small.
    """
    statement = _closed_select().where(Posting.closed_at >= earliest)
    wanted = {role.key for role in newcomers}
    return [role for role in map(_role, session.execute(statement)) if role.key in wanted]
