"""storage.history and storage.export on SQLite and PostgreSQL: history, show --at, changes, export."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.cli.history import VERSION_COLUMNS, export_versions
from jobtrail.crawler.cli.output import read_csv, write_csv, write_jsonl
from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage import export as storage_export
from jobtrail.storage import history
from jobtrail.storage.records import ChangeRecord, VersionRecord
from tests.factories import T0, add_posting, add_source, build_history


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions.begin() as session:
        return build_history(session)


def test_history_is_oldest_first_with_stored_diffs_and_follows_reposts(sessions, ids) -> None:
    with sessions() as session:
        found = history.history(session, ids["backend2"], diff=diff_postings)
        alone = history.history(session, ids["backend2"], follow_reposts=False)
    assert [(v.posting_id, v.seq) for v in found] == [
        (ids["backend"], 1), (ids["backend"], 2), (ids["backend"], 3), (ids["backend2"], 1)
    ]
    assert found[0].diff == {}
    assert found[1].diff["requirements"]["added"] == ["Knowledge of D or C++ is a plus"]
    assert found[2].diff["requirements"]["removed"] == ["A degree in Computer Science"]
    assert set(found[3].diff) == {"related_jobs", "url", "description"}  # computed across the repost
    assert [(v.posting_id, v.seq, v.diff) for v in alone] == [(ids["backend2"], 1, {})]


def test_history_from_the_old_posting_reaches_the_repost(sessions, ids) -> None:
    with sessions() as session:
        assert history.repost_chain(session, ids["backend"]) == [ids["backend"], ids["backend2"]]
        assert history.repost_chain(session, ids["data"]) == [ids["data"]]


@pytest.mark.parametrize(
    ("at", "seq"),
    [
        (T0 - timedelta(seconds=1), None),  # before it was first seen
        (T0, 1),
        (T0 + timedelta(days=6, hours=23), 1),
        (T0 + timedelta(days=7), 2),
        (T0 + timedelta(days=100), 3),
        (None, 3),
    ],
)
def test_version_at(sessions, ids, at, seq) -> None:
    with sessions() as session:
        version = history.version_at(session, ids["backend"], at)
    assert (version.seq if version else None) == seq


def test_versions_in_the_order_asked_and_missing_left_out(sessions, ids) -> None:
    with sessions() as session:
        found = history.versions(session, ids["backend"], [3, 1, 9])
    assert [v.seq for v in found] == [3, 1]
    assert found[1].requirements == ["Solid knowledge of OCaml with some C++", "A degree in Computer Science"]


@pytest.mark.parametrize(
    ("since_days", "options", "expected"),
    [
        (0, {}, [("backend", "new"), ("data", "new"), ("backend", "changed"), ("backend", "changed"),
                 ("backend", "closed"), ("backend2", "new")]),
        (10, {}, [("backend", "changed"), ("backend", "closed"), ("backend2", "new")]),
        (0, {"kinds": ["changed"]}, [("backend", "changed"), ("backend", "changed")]),
        (0, {"source": "other"}, [("data", "new")]),
        (0, {"company": "AHREFS", "kinds": ["new", "closed"]}, [("backend", "new"), ("backend", "closed"),
                                                                 ("backend2", "new")]),
    ],
)
def test_changes_since(sessions, ids, since_days, options, expected) -> None:
    names = {posting_id: key for key, posting_id in ids.items()}
    with sessions() as session:
        found = history.changes_since(session, T0 + timedelta(days=since_days), **options)
    assert [(names[c.posting_id], c.kind) for c in found] == expected


def test_change_record_carries_the_diff_and_versions(sessions, ids) -> None:
    with sessions() as session:
        [change] = history.changes_since(session, T0 + timedelta(days=7), kinds=["changed"])[:1]
    assert (change.from_seq, change.to_seq, change.at) == (1, 2, T0 + timedelta(days=7))
    assert list(change.summary()) == ["posting_id", "source", "company", "title", "url", "kind", "at", "fields",
                                      "status", "first_seen", "last_seen", "closed_at"]
    assert change.fields["related_jobs"]["added"] == [{"title": "Data Engineer", "url": "https://jobs.example.com/9"}]


@pytest.mark.parametrize(
    ("query", "company", "expected"),
    [
        ("backend developer", None, ["backend2", "backend"]),
        ("DEVELOPER backend", "ahrefs", ["backend2", "backend"]),
        ("backend developer", "Other Co", []),
        ("https://other.example.com/7", None, ["data"]),
        ("engineer", None, ["data"]),
        ("100%_", None, []),
    ],
)
def test_find_postings(sessions, ids, query, company, expected) -> None:
    names = {posting_id: key for key, posting_id in ids.items()}
    with sessions() as session:
        assert [names[p.id] for p in history.find_postings(session, query, company)] == expected
        assert [p.id for p in history.find_postings(session, str(ids["data"]))] == [ids["data"]]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize(("export", "record_type"), [("export_versions", VersionRecord),
                                                      ("export_changes", ChangeRecord)])
def test_export_round_trip(sessions, ids, fmt, export, record_type) -> None:
    with sessions() as session:
        records = list(getattr(storage_export, export)(session))
    rows = [record.to_dict() for record in records]
    out = io.StringIO()
    if fmt == "csv":
        write_csv(rows, list(rows[0]), out)
        back = list(read_csv(io.StringIO(out.getvalue()), record_type))
    else:
        write_jsonl(rows, out)
        back = [record_type.from_dict(json.loads(line)) for line in out.getvalue().splitlines()]
    assert len(records) == (6 if export == "export_changes" else 5)
    assert back == records


ODD = {
    "title": "Café \"Barista\" \\ Lead", "company": None, "department": "Ops\tteam",
    "locations": ["Zürich", "東京"], "salary": {"min": 5000.5, "max": 7000, "currency": "CHF", "interval": "month"},
    "requirements": ["Crème brûlée \"expert\"", "Back\\slash and 100% effort", "emoji \U0001f600"],
    "related_jobs": [{"title": "Café Manager", "url": "https://cafe.example.com/2"}],
    "description": "Line one\nLine \u2028two, \"quoted\"",
}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_fast_export_writes_what_the_records_would(sessions, ids, fmt) -> None:
    """`jobtrail export` splices stored JSON text; the output must equal encoding each record."""
    with sessions.begin() as session:
        add_posting(session, add_source(session, "odd", None), [ODD, {**ODD, "salary": None, "benefits": []}],
                    external_id="odd")
    with sessions() as session:
        records = [{name: record.to_dict()[name] for name in VERSION_COLUMNS}
                   for record in storage_export.export_versions(session)]
        fast, slow = io.StringIO(), io.StringIO()
        count = export_versions(session, fmt, fast)
    if fmt == "csv":
        write_csv(records, VERSION_COLUMNS, slow)
    else:
        write_jsonl(records, slow)
    assert count == len(records) == 7
    assert fast.getvalue() == slow.getvalue()
