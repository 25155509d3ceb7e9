"""Points 2-5 of the operator's day: see, rename, remove, schedule and filter sources.

Real `python -m jobtrail.crawler` runs against the loopback server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jobtrail.crawler.sources.config import parse_config
from jobtrail.crawler.sources.schedule import due_sources, jitter
from jobtrail.storage.models import Change, CrawlRun, Posting, PostingVersion, Source
from tests.acme_site import acme_source, serve_acme
from tests.conftest import FIXTURES
from tests.crawl_helpers import rows, run_cli, write_config
from tests.mockserver import MockServer

QUILLMOOR = FIXTURES / "sites" / "quillmoor"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cli(config: Path, db_url: str, *args: str):  # noqa: ANN202 - CompletedProcess
    return run_cli(["-c", str(config), "--db", db_url, *args])


# --- point 2: see the sources -----------------------------------------------------------------

def test_sources_lists_status_streak_postings_and_next_due(server: MockServer, db_url: str,
                                                           tmp_path: Path) -> None:
    serve_acme(server, 1)
    gone = {"name": "gone", "url": f"http://127.0.0.1:{_closed_port()}/careers", "kind": "page"}
    config = write_config(tmp_path, [{**acme_source(server), "every": "6h"}, gone])
    for _ in range(2):
        assert _cli(config, db_url, "crawl", "--quiet").returncode == 1

    listed = _cli(config, db_url, "sources")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    acme = next(line for line in lines if line.startswith("acme "))
    assert acme.split()[1:3] == ["page", "6h"] and " ok " in acme and acme.rstrip().endswith("m")
    assert server.url("/careers") in listed.stdout
    assert "failed 2 run(s) in a row:" in listed.stdout

    data = json.loads(_cli(config, db_url, "sources", "--json").stdout)
    assert data["schema"] == 1
    by_name = {row["name"]: row for row in data["sources"]}
    assert by_name["acme"]["open_postings"] == 3 and by_name["acme"]["closed_postings"] == 0
    assert by_name["acme"]["every_seconds"] == 6 * 3600 and by_name["acme"]["due_now"] is False
    assert "T" in by_name["acme"]["next_due_at"] and by_name["acme"]["next_due_at"].endswith("+00:00")
    assert by_name["gone"]["failure_streak"] == 2 and by_name["gone"]["last_crawl"]["status"] == "failed"
    assert by_name["gone"]["every"] == "every run" and by_name["gone"]["due_now"] is True


# --- point 3: rename and remove -----------------------------------------------------------------

def test_rename_keeps_history_and_edits_the_config(server: MockServer, db_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)], extra_toml="# keep this comment\n")
    assert _cli(config, db_url, "crawl").returncode == 0

    renamed = _cli(config, db_url, "sources", "rename", "acme", "acme-robotics")
    assert renamed.returncode == 0, renamed.stderr
    text = config.read_text(encoding="utf-8")
    assert 'name = "acme-robotics"' in text and '"acme"' not in text and "# keep this comment" in text

    assert _cli(config, db_url, "crawl").returncode == 0
    assert len(rows(db_url, Posting)) == 3, "renaming must not store every posting twice"
    assert [s["name"] for s in rows(db_url, Source)] == ["acme-robotics"]
    assert all(c["kind"] == "new" for c in rows(db_url, Change)) and len(rows(db_url, Change)) == 3
    history = _cli(config, db_url, "history", "Platform Engineer", "--source", "acme-robotics", "--json")
    assert history.returncode == 0, history.stderr


def test_rename_prints_the_edit_when_the_config_cannot_be_edited_safely(server: MockServer, sqlite_url: str,
                                                                        tmp_path: Path) -> None:
    serve_acme(server, 1)
    notify = '[[notify]]\nname = "mail"\nurl = "json://127.0.0.1:9/"\nsources = ["acme"]\n'
    config = write_config(tmp_path, [acme_source(server)], extra_toml=notify)
    before = config.read_text(encoding="utf-8")
    assert _cli(config, sqlite_url, "crawl").returncode == 0
    result = _cli(config, sqlite_url, "sources", "rename", "acme", "acme2")
    assert result.returncode == 0
    assert config.read_text(encoding="utf-8") == before, "a name used elsewhere is not edited blindly"
    assert 'change  name = "acme"  to  name = "acme2"' in result.stderr
    assert "[[notify]] sources" in result.stderr


def test_remove_keeps_or_purges_history_and_leaves_the_digest_footer(server: MockServer, db_url: str,
                                                                       tmp_path: Path) -> None:
    serve_acme(server, 1)
    gone = {"name": "gone", "url": f"http://127.0.0.1:{_closed_port()}/careers", "kind": "page"}
    config = write_config(tmp_path, [acme_source(server), gone])
    assert _cli(config, db_url, "crawl", "--quiet").returncode == 1
    footer = _cli(config, db_url, "digest", "--since", "1d", "--dry-run", "--to", "json://127.0.0.1:9/")
    assert "gone (1 run in a row)" in footer.stdout

    refused = _cli(config, db_url, "sources", "remove", "gone")  # no terminal, no --yes
    assert refused.returncode == 2 and "--yes" in refused.stderr

    removed = _cli(config, db_url, "sources", "remove", "gone", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert '"gone"' not in config.read_text(encoding="utf-8")
    footer = _cli(config, db_url, "digest", "--since", "1d", "--dry-run", "--to", "json://127.0.0.1:9/")
    assert "gone" not in footer.stdout
    listed = json.loads(_cli(config, db_url, "sources", "--json").stdout)["sources"]
    assert {row["name"]: row["state"] for row in listed} == {"acme": "active", "gone": "removed"}

    purged = _cli(config, db_url, "sources", "remove", "acme", "--purge", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert "its 3 postings" in purged.stdout
    assert rows(db_url, Posting) == [] and rows(db_url, PostingVersion) == []
    assert sorted(s["name"] for s in rows(db_url, Source)) == ["gone"]


def test_orphaned_source_is_reported_once_and_never_as_failing(server: MockServer, sqlite_url: str,
                                                               tmp_path: Path) -> None:
    serve_acme(server, 1)
    gone = {"name": "gone", "url": f"http://127.0.0.1:{_closed_port()}/careers", "kind": "page"}
    config = write_config(tmp_path, [acme_source(server), gone])
    assert _cli(config, sqlite_url, "crawl", "--quiet").returncode == 1
    write_config(tmp_path, [acme_source(server)])  # the operator deletes it from the file by hand

    first = _cli(config, sqlite_url, "crawl", "--quiet")
    assert first.returncode == 0
    assert first.stderr.splitlines() == [line for line in first.stderr.splitlines() if "orphaned" in line]
    assert len(first.stderr.splitlines()) == 1 and "source gone orphaned" in first.stderr
    second = _cli(config, sqlite_url, "crawl", "--quiet")
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    footer = _cli(config, sqlite_url, "digest", "--since", "1d", "--dry-run", "--to", "json://127.0.0.1:9/")
    assert "gone" not in footer.stdout


# --- point 4: schedules --------------------------------------------------------------------------

def test_run_crawls_only_due_sources_and_all_forces(server: MockServer, db_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    hourly = {**acme_source(server), "name": "hourly", "every": "1h"}
    always = {**acme_source(server), "name": "always"}
    config = write_config(tmp_path, [hourly, always], extra_toml="[crawl]\nevery = \"1w\"\n")
    # "always" has no own schedule: the [crawl] default (1w) applies to it
    assert _cli(config, db_url, "run", "--quiet").returncode == 0
    assert _cli(config, db_url, "run").stdout.startswith("no source is due; next: hourly in ")

    def crawls() -> dict[str, int]:
        names = {s["id"]: s["name"] for s in rows(db_url, Source)}
        counted: dict[str, int] = {}
        for run in rows(db_url, CrawlRun):
            counted[names[run["source_id"]]] = counted.get(names[run["source_id"]], 0) + 1
        return counted

    assert crawls() == {"hourly": 1, "always": 1}
    assert _cli(config, db_url, "run", "--all", "--quiet").returncode == 0
    assert crawls() == {"hourly": 2, "always": 2}


def test_schedule_and_jitter_rules() -> None:
    config = parse_config({"crawl": {"every": "1d"}, "sources": [
        {"name": f"board-{n}", "url": f"https://example.com/{n}"} for n in range(200)
    ] + [{"name": "hourly", "url": "https://example.com/h", "every": "1h"}]}, None)
    start = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    last = {source.name: start for source in config.sources}
    assert due_sources(config, last, start + timedelta(minutes=50)) == []
    assert due_sources(config, last, start + timedelta(hours=1)) == ["hourly"]
    offsets = {jitter(f"board-{n}", 86400) for n in range(200)}
    assert len(offsets) == 200 and max(offsets) <= timedelta(minutes=30), "spread, and bounded"
    spread = [due_sources(config, last, start + timedelta(days=1) - timedelta(minutes=m)) for m in (29, 15, 1)]
    assert 0 < len(spread[0]) < len(spread[1]) < len(spread[2]) <= 201, "200 sources become due over 30 minutes"
    assert due_sources(config, {}, start) == [s.name for s in config.sources], "never crawled: due"


# --- point 5: filters, and point 8: one salary format ---------------------------------------------

def test_filters_never_store_excluded_postings_and_ignore_boilerplate(server: MockServer, db_url: str,
                                                                      tmp_path: Path) -> None:
    expected = json.loads((QUILLMOOR / "expected.json").read_text(encoding="utf-8"))
    server.set_file("/api/offers/", QUILLMOOR / "offers_v1.json")
    source = {"name": "quillmoor", "kind": "recruitee", "url": server.url("/api/offers/"), **expected["filters"]}
    config = write_config(tmp_path, [source])
    first = _cli(config, db_url, "crawl")
    assert first.returncode == 0, first.stderr
    stored = {p["external_id"] for p in rows(db_url, Posting)}
    assert sorted(stored) == expected["stored_after_v1"]
    assert not stored & set(expected["never_stored"])
    versions = {v["posting_id"]: v for v in rows(db_url, PostingVersion)}
    by_external = {p["external_id"]: p["id"] for p in rows(db_url, Posting)}
    assert versions[by_external["501"]]["description"] == expected["description_501_v1"]

    server.set_file("/api/offers/", QUILLMOOR / "offers_v2.json")
    assert _cli(config, db_url, "crawl").returncode == 0
    changed = [c for c in rows(db_url, Change) if c["kind"] == "changed"]
    want = expected["changes_after_v2"][0]
    assert [(c["posting_id"], sorted(c["diff"])) for c in changed] == [(by_external["501"], want["fields"])]

    text = _cli(config, db_url, "changes", "--since", "1d", "--kind", "changed", "--no-color")
    assert want["salary_line"] in text.stdout, text.stdout
    assert '"min"' not in text.stdout, "salary is never printed as raw JSON"


def test_filter_mistakes_are_config_errors(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "x", "url": "https://example.com/jobs",
                                      "include": {"team": ["backend"]}}])
    result = run_cli(["-c", str(config), "sources"])
    assert result.returncode == 2
    assert "'include': unknown field(s) team (one of: title, location, department)" in result.stderr
