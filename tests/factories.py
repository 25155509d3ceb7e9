"""Rows for storage tests, written directly with SQLAlchemy (no crawl needed).

``add_posting`` stores one posting with a version per dict in ``versions`` (each dict
overrides the previous version's fields) and the changes the versioning pipeline would
record between them, with diffs from pipelines.diff.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage.models import Change, Posting, PostingVersion, Source

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BASE: dict[str, Any] = {
    "url": "https://jobs.example.com/1",
    "title": "Backend Developer",
    "company": "Acme",
    "locations": ["Singapore"],
    "department": None,
    "employment_type": "full-time",
    "workplace": "onsite",
    "salary": None,
    "date_posted": None,
    "valid_through": None,
    "description": "We build a search engine.",
    "requirements": ["Experience with OCaml"],
    "nice_to_have": [],
    "responsibilities": ["Write services"],
    "benefits": [],
    "related_jobs": [],
}


def add_source(session: Session, name: str = "acme", company: str | None = "Acme") -> Source:
    source = Source(name=name, kind="page", url=f"https://{name}.example.com/careers", company=company)
    session.add(source)
    session.flush()
    return source


def add_posting(
    session: Session,
    source: Source,
    versions: list[dict[str, Any]],
    *,
    external_id: str = "1",
    start: datetime = T0,
    step: timedelta = timedelta(days=7),
    closed_at: datetime | None = None,
    repost_of: int | None = None,
) -> Posting:
    """A posting whose version i was observed at ``start + i * step``."""
    records, current = [], dict(BASE)
    for overrides in versions:
        current = {**current, **overrides}
        records.append(current)
    times = [start + index * step for index in range(len(records))]
    last = records[-1]
    posting = Posting(
        source_id=source.id, external_id=external_id, url=last["url"], title=last["title"],
        company=last["company"], content_hash=f"h{len(records)}", latest_seq=len(records), first_seen=times[0],
        last_seen=times[-1], status="closed" if closed_at else "open", closed_at=closed_at,
        repost_of_id=repost_of,
    )
    session.add(posting)
    session.flush()
    rows = [
        PostingVersion(posting_id=posting.id, seq=seq, content_hash=f"h{seq}", observed_at=at, **record)
        for seq, (record, at) in enumerate(zip(records, times, strict=True), start=1)
    ]
    session.add_all(rows)
    session.flush()
    session.add(Change(posting_id=posting.id, to_version_id=rows[0].id, kind="new", diff={}, created_at=times[0]))
    for index in range(1, len(rows)):
        session.add(Change(
            posting_id=posting.id, from_version_id=rows[index - 1].id, to_version_id=rows[index].id,
            kind="changed", diff=diff_postings(records[index - 1], records[index]), created_at=times[index],
        ))
    if closed_at:
        session.add(Change(posting_id=posting.id, from_version_id=rows[-1].id, kind="closed", diff={},
                           created_at=closed_at))
    session.flush()
    return posting


def build_history(session: Session) -> dict[str, int]:
    """The scenario most history tests read: a role reworded, closed, reposted; and a second role.

    ``backend`` v1 -> v2 (C++ -> D and C++, "D or C++" added) -> v3 (degree dropped), closed;
    ``backend2`` reposts it 4 days later (repost_of set); ``data`` is another company's role.
    """
    ahrefs = add_source(session, "ahrefs", "Ahrefs")
    other = add_source(session, "other", "Other Co")
    backend = add_posting(session, ahrefs, [
        {"company": "Ahrefs",
         "requirements": ["Solid knowledge of OCaml with some C++", "A degree in Computer Science"],
         "description": "Ahrefs crawls the web.\nWe like OCaml."},
        {"requirements": ["Solid knowledge of OCaml with some D and C++", "Knowledge of D or C++ is a plus",
                          "A degree in Computer Science"],
         "related_jobs": [{"title": "Data Engineer", "url": "https://jobs.example.com/9"}]},
        {"requirements": ["Solid knowledge of OCaml with some D and C++", "Knowledge of D or C++ is a plus"],
         "workplace": "hybrid"},
    ], external_id="backend", closed_at=T0 + timedelta(days=20))
    backend2 = add_posting(session, ahrefs, [
        {"url": "https://jobs.example.com/2", "workplace": "hybrid", "company": "Ahrefs",
         "requirements": ["Solid knowledge of OCaml with some D and C++", "Knowledge of D or C++ is a plus"]},
    ], external_id="backend2", start=T0 + timedelta(days=24), repost_of=backend.id)
    data = add_posting(session, other, [
        {"url": "https://other.example.com/7", "title": "Data Engineer", "company": "Other Co",
         "requirements": ["C experience", "Some D, or a will to learn it"],
         "nice_to_have": ["A DEGREE in maths"]},
    ], external_id="data", start=T0 + timedelta(days=3))
    return {"backend": backend.id, "backend2": backend2.id, "data": data.id}
