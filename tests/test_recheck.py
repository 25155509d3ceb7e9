"""Cheap re-checks through the real CLI: a 304 or an unchanged body is not extracted again.

`jobtrail crawl -vv` runs as a subprocess against the mock server; the spider logs
"extracting URL" for every page it hands to an extractor, so the set of extracted URLs is
read from its log. The database shows the lifecycle: skipped postings stay open and seen.
"""

from __future__ import annotations

import re
from pathlib import Path

from jobtrail.storage.models import Change, CrawlRun, FetchState, Posting, PostingVersion
from tests.acme_site import SITE, acme_source, serve_acme
from tests.ats_boards import greenhouse_board, serve_greenhouse
from tests.crawl_helpers import rows, run_crawl_cli, write_config
from tests.mockserver import MockServer

POSTINGS = ("/jobs/1001-platform-engineer", "/jobs/1002-data-analyst", "/jobs/1003-support-lead")
EXTRACTING = re.compile(r"extracting (\S+)")
#: loopback needs no politeness delay; keeps each crawl fast
FAST = "\n[crawl]\nautothrottle_enabled = false\n"


def crawl(config: Path, db_url: str, expect: int = 0) -> set[str]:
    """Run `jobtrail crawl -vv`; returns the paths of the pages that were extracted."""
    result = run_crawl_cli(config, db_url, "-vv")
    assert result.returncode == expect, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return {path_of(url) for url in EXTRACTING.findall(result.stderr)}


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def with_validators(server: MockServer, path: str, tag: str, day: int = 1) -> None:
    """Give a route an ETag and a Last-Modified, as most servers do."""
    route = server.routes[path]
    server.set(path, route.body, content_type=route.content_type,
               headers={"ETag": f'"{tag}"', "Last-Modified": f"Tue, {day:02d} Jul 2025 08:00:00 GMT"})


def last_run(db_url: str) -> dict:
    return max(rows(db_url, CrawlRun), key=lambda r: r["id"])


def acme_config(server: MockServer, tmp_path: Path, **extra: object) -> Path:
    return write_config(tmp_path, [{**acme_source(server), **extra}], extra_toml=FAST)


def test_recheck_sends_validators_and_skips_what_did_not_change(server: MockServer, db_url: str,
                                                                tmp_path: Path) -> None:
    serve_acme(server, 1)
    with_validators(server, "/jobs/1001-platform-engineer", "1001-a")
    with_validators(server, "/jobs/1003-support-lead", "1003-a")  # 1002 has none: only its body hash helps
    config = acme_config(server, tmp_path)
    assert crawl(config, db_url) == {"/careers", *POSTINGS}
    states = {path_of(r["url"]): r for r in rows(db_url, FetchState)}
    assert states["/jobs/1001-platform-engineer"]["etag"] == '"1001-a"'
    assert states["/jobs/1002-data-analyst"]["external_ids"] == ["1002"]
    assert "/careers" not in states, "a listing is always fetched in full and parsed"

    # a new process: the states come from the database. 1001 and 1003 answer 304, 1002 has the same body
    server.requests.clear()
    assert crawl(config, db_url) == {"/careers"}, "neither a 304 nor an unchanged body is extracted"
    sent = {r.path.split("?")[0]: r.headers.get("If-None-Match") for r in server.requests if "robots" not in r.path}
    assert sent == {"/careers": None, "/jobs/1001-platform-engineer": '"1001-a"',
                    "/jobs/1002-data-analyst": None, "/jobs/1003-support-lead": '"1003-a"'}
    assert len(rows(db_url, PostingVersion)) == 3
    run = last_run(db_url)
    assert (run["status"], run["unchanged"], run["postings_seen"]) == ("ok", 3, 3)

    # 1001 changes (new body, new ETag): only it is extracted, and it gets a new version
    server.set_file("/jobs/1001-platform-engineer", SITE / "posting_1001_v2.html")
    with_validators(server, "/jobs/1001-platform-engineer", "1001-b", day=2)
    assert crawl(config, db_url) == {"/careers", "/jobs/1001-platform-engineer"}
    run = last_run(db_url)
    assert (run["changed"], run["unchanged"], run["new"]) == (1, 2, 0)
    assert sorted(c["kind"] for c in rows(db_url, Change)) == ["changed", "new", "new", "new"]

    # two re-checks in which 1002 and 1003 were never extracted: they are seen, not missing
    postings = rows(db_url, Posting)
    assert all(p["status"] == "open" and p["missed_runs"] == 0 for p in postings)
    assert all(p["last_seen"] > p["first_seen"] for p in postings), "seen again after the first crawl"


def test_reopen_and_404_with_skipped_pages(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)], extra_toml=FAST + "jobtrail_close_after_misses = 1\n")
    crawl(config, sqlite_url)
    server.set_file("/careers", SITE / "listing_v2.html")  # 1003 no longer listed (1004 is)
    server.set_file("/jobs/1004-security-engineer", SITE / "posting_1004.html")
    crawl(config, sqlite_url)
    assert {p["external_id"]: p["status"] for p in rows(sqlite_url, Posting)}["1003"] == "closed"

    # 1003 is listed again with the very same page: not extracted, but reopened
    server.set_file("/careers", SITE / "listing_v1.html")
    assert "/jobs/1003-support-lead" not in crawl(config, sqlite_url)
    assert {p["external_id"]: p["status"] for p in rows(sqlite_url, Posting)}["1003"] == "open"
    assert last_run(sqlite_url)["reopened"] == 1

    # a posting page that now 404s fails the source even though its neighbours were skipped
    server.remove("/jobs/1002-data-analyst")
    result = run_crawl_cli(config, sqlite_url)
    assert result.returncode == 1 and "HTTP 404" in result.stderr  # one line per failed source, on stderr
    assert {p["external_id"]: p["status"] for p in rows(sqlite_url, Posting)}["1002"] == "open"
    assert last_run(sqlite_url)["status"] == "failed"


def test_a_config_change_extracts_everything_again(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    crawl(acme_config(server, tmp_path), sqlite_url)
    config = acme_config(server, tmp_path, company="Acme Robotics")
    assert crawl(config, sqlite_url) == {"/careers", *POSTINGS}, "stored states were made under other settings"
    assert {p["company"] for p in rows(sqlite_url, Posting)} == {"Acme Robotics"}


def test_an_unchanged_ats_list_marks_its_postings_seen(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    board = greenhouse_board()
    source = {"name": "northwind", "kind": "greenhouse", **serve_greenhouse(server, board)}
    config = write_config(tmp_path, [source], extra_toml=FAST)
    assert crawl(config, sqlite_url) == {"/v1/boards/northwind/jobs"}
    assert crawl(config, sqlite_url) == set(), "one unchanged body stands for the whole board"
    run = last_run(sqlite_url)
    assert (run["status"], run["unchanged"], run["new"]) == ("ok", len(board.jobs), 0)
