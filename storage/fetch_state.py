"""What was last fetched at each URL of a source: validators, a raw-body hash, the postings it gave.

A re-check uses it to send conditional requests and to skip extraction of an unchanged
body. It lives in the database next to the postings (not in an on-disk HTTP cache), so it
survives between cron runs, is shared by every worker, and works the same on PostgreSQL.

One row per source is a marker (``FINGERPRINT_URL``): the fingerprint of the extraction
settings the other rows were recorded under. When the source's config or jobtrail's version
changes, the stored rows no longer say what extraction would give, so they are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jobtrail.storage.models import FetchState, utcnow

#: pseudo-URL of the per-source row whose body_hash is the extraction fingerprint
FINGERPRINT_URL = "jobtrail:extraction-fingerprint"


@dataclass(frozen=True, slots=True)
class Fetched:
    """One URL's state: what to send next time and what its unchanged body stands for."""

    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    external_ids: tuple[str, ...]


def load(session: Session, source_id: int, fingerprint: str) -> dict[str, Fetched] | None:
    """Every URL state of a source by URL; None when recorded under another fingerprint (or never)."""
    rows = session.execute(
        select(FetchState.url, FetchState.etag, FetchState.last_modified, FetchState.body_hash,
               FetchState.external_ids)
        .where(FetchState.source_id == source_id)
    ).all()
    marker = next((row for row in rows if row.url == FINGERPRINT_URL), None)
    if marker is None or marker.body_hash != fingerprint:
        return None
    return {
        row.url: Fetched(row.url, row.etag, row.last_modified, row.body_hash, tuple(row.external_ids or ()))
        for row in rows if row.url != FINGERPRINT_URL
    }


def reset(session: Session, source_id: int, fingerprint: str, now: datetime | None = None) -> None:
    """Forget a source's URL states and record the fingerprint the next ones belong to."""
    session.execute(delete(FetchState).where(FetchState.source_id == source_id))
    upsert(session, source_id, [Fetched(FINGERPRINT_URL, None, None, fingerprint, ())], now)


def upsert(session: Session, source_id: int, states: Sequence[Fetched], now: datetime | None = None,
           chunk: int = 500) -> None:
    """INSERT ... ON CONFLICT (source_id, url) DO UPDATE, a few hundred rows per executemany.

    One statement per dialect, built and compiled once: a multi-row VALUES built per batch was
    compiled again for every batch size (a third of a first crawl's write time).
    """
    if not states:
        return
    now = now or utcnow()
    rows = [
        {"source_id": source_id, "url": s.url, "etag": s.etag, "last_modified": s.last_modified,
         "body_hash": s.body_hash, "external_ids": list(s.external_ids), "fetched_at": now}
        for s in states
    ]
    statement = _upsert_statement(session.get_bind().dialect.name)
    for start in range(0, len(rows), chunk):
        session.execute(statement, rows[start:start + chunk])


@cache
def _upsert_statement(dialect: str) -> Any:
    table = cast(Table, FetchState.__table__)  # the Core table: executemany, not ORM bulk processing
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.url],
        set_={name: statement.excluded[name] for name in ("etag", "last_modified", "body_hash", "external_ids",
                                                           "fetched_at")},
    )


def forget(session: Session, source_id: int, urls: Iterable[str]) -> None:
    """Drop the states of URLs that no longer stand for postings (gone, or now a listing)."""
    urls = list(urls)
    for start in range(0, len(urls), 500):
        session.execute(
            delete(FetchState).where(FetchState.source_id == source_id, FetchState.url.in_(urls[start:start + 500]))
        )
