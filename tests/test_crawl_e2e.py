"""The whole loop through the real CLI, as cron runs it: crawl, change the site, crawl again.

A real HTTP server on 127.0.0.1 serves fixture pages; `jobtrail crawl` runs as a
subprocess; the database (SQLite and PostgreSQL) and `changes --json` are checked.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from jobtrail.storage.models import Change, CrawlRun, Posting, PostingVersion
from tests.acme_site import SITE, acme_source, serve_acme
from tests.crawl_helpers import rows, run_cli, run_crawl_cli, write_config
from tests.mockserver import MockServer


def test_crawl_twice_records_new_changed_and_missing(server: MockServer, db_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])

    first = run_crawl_cli(config, db_url)
    assert first.returncode == 0, first.stderr
    assert "acme" in first.stdout and " 3 " in first.stdout
    assert {p["external_id"] for p in rows(db_url, Posting)} == {"1001", "1002", "1003"}

    serve_acme(server, 2)
    second = run_crawl_cli(config, db_url)
    assert second.returncode == 0, second.stderr

    changes = rows(db_url, Change)
    kinds = sorted(c["kind"] for c in changes)
    assert kinds == ["changed", "new", "new", "new", "new"]  # 1003 is missed once, not yet closed
    changed = next(c for c in changes if c["kind"] == "changed")
    reworded = changed["diff"]["requirements"]["reworded"]
    assert reworded[0]["old"] == "Good knowledge of Go or Python"
    assert reworded[0]["new"] == "Good knowledge of Go, Rust or Python"
    assert "description" not in changed["diff"], "'Posted N days ago' is volatile, not a change"
    versions = rows(db_url, PostingVersion)
    assert len(versions) == 5  # 3 first versions + 1004 + one new version of 1001

    # a third successful crawl without 1003 closes it (2 misses in a row)
    third = run_crawl_cli(config, db_url)
    assert third.returncode == 0, third.stderr
    support = next(p for p in rows(db_url, Posting) if p["external_id"] == "1003")
    assert support["status"] == "closed"
    assert sum(1 for c in rows(db_url, Change) if c["kind"] == "closed") == 1


def test_changes_json_lists_the_requirement_change(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    assert run_crawl_cli(config, sqlite_url).returncode == 0
    serve_acme(server, 2)
    assert run_crawl_cli(config, sqlite_url).returncode == 0

    result = run_cli(["-c", str(config), "--db", sqlite_url, "changes", "--since", "1d", "--json"])
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    changed = [c for c in changes if c["kind"] == "changed"]
    assert len(changed) == 1
    assert changed[0]["source"] == "acme"
    assert changed[0]["title"] == "Platform Engineer"
    assert set(changed[0]["fields"]) == {"requirements"}


def test_failed_source_closes_nothing_and_others_still_crawl(server: MockServer, sqlite_url: str,
                                                            tmp_path: Path) -> None:
    serve_acme(server, 1)
    unreachable = {"name": "gone", "url": "http://127.0.0.1:9/careers", "kind": "page"}
    config = write_config(tmp_path, [acme_source(server), unreachable])
    first = run_crawl_cli(config, sqlite_url)
    assert first.returncode == 1, "a failed source must make cron notice"
    assert "gone" in first.stdout and "failed" in first.stdout
    assert len(rows(sqlite_url, Posting)) == 3, "the healthy source is still crawled"

    # the listing now answers 503 twice in a row: acme fails, nothing is counted as missing
    server.set("/careers", "down for maintenance", status=503)
    for _ in range(2):
        result = run_crawl_cli(config, sqlite_url, "--source", "acme")
        assert result.returncode == 1
    assert all(p["status"] == "open" and p["missed_runs"] == 0 for p in rows(sqlite_url, Posting))
    runs = [r for r in rows(sqlite_url, CrawlRun) if r["status"] == "failed"]
    assert any("HTTP 503" in (r["error"] or "") for r in runs)


@pytest.mark.parametrize(
    ("path", "body", "content_type", "expect_error"),
    [
        ("/jobs/1003-support-lead", b"", None, "HTTP 404"),
        ("/jobs/1003-support-lead", b"<html><body><div><p>unclosed <b>tags", None, None),
        ("/jobs/1003-support-lead", "<h1>Kassierer f\u00fcr B\u00fcro</h1><ul><li>Gr\u00fc\u00dfe</li></ul>"
         .encode("cp1252"), "text/html; charset=windows-1252", None),
    ],
    ids=["posting-404", "broken-html", "non-utf8"],
)
def test_bad_posting_pages_fail_alone(server: MockServer, sqlite_url: str, tmp_path: Path, path: str,
                                      body: bytes, content_type: str | None, expect_error: str | None) -> None:
    serve_acme(server, 1)
    if expect_error == "HTTP 404":
        server.remove(path)
    else:
        server.set(path, body, content_type=content_type)
    config = write_config(tmp_path, [acme_source(server)])
    result = run_crawl_cli(config, sqlite_url)
    assert "Traceback" not in result.stderr
    stored = {p["external_id"] for p in rows(sqlite_url, Posting)}
    assert {"1001", "1002"} <= stored, "good postings are stored whatever happens to a bad one"
    if expect_error:
        assert result.returncode == 1 and expect_error in result.stderr  # the reason: one line on stderr


def test_scrapy_crawl_still_works(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    """`scrapy crawl careers` from the repo root, with the config given as a setting."""
    import subprocess
    import sys

    from tests.crawl_helpers import REPO

    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)], db_url=sqlite_url)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "careers",
         "-s", f"JOBTRAIL_CONFIG={config}", "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(rows(sqlite_url, Posting)) == 3


def test_overlapping_crawls_do_not_interleave(server: MockServer, db_url: str, tmp_path: Path) -> None:
    """Cron overlap: while one crawl runs, a second exits 75 with a clear message; --wait waits."""
    import subprocess
    import sys
    import threading
    import time

    serve_acme(server, 1)
    gate = threading.Event()
    server.set("/jobs/1002-data-analyst", (SITE / "posting_1002.html").read_bytes(), gate=gate)
    config = write_config(tmp_path, [acme_source(server)])
    first = subprocess.Popen([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "crawl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not server.requested("/jobs/1002-data-analyst") and time.monotonic() < deadline:
        time.sleep(0.1)
    second = run_crawl_cli(config, db_url)  # the first crawl is held mid-way by the gate
    assert second.returncode == 75, second.stderr
    assert "another run is in progress" in second.stderr

    waiting = subprocess.Popen(
        [sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "crawl", "--wait", "90"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(1)
    gate.set()
    out, err = first.communicate(timeout=90)
    assert first.returncode == 0, err
    w_out, w_err = waiting.communicate(timeout=90)
    assert waiting.returncode == 0, w_err
    assert len(rows(db_url, Posting)) == 3 and len(rows(db_url, PostingVersion)) == 3


def test_429_with_retry_after_is_retried(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    """A rate-limited listing (429 + Retry-After) is retried after the wait, and the crawl succeeds."""
    import time

    serve_acme(server, 1)
    server.set_once("/careers", "slow down", status=429, headers={"Retry-After": "2"})
    config = write_config(tmp_path, [acme_source(server)])
    started = time.monotonic()
    result = run_crawl_cli(config, sqlite_url)
    assert result.returncode == 0, result.stdout + result.stderr
    listing_hits = server.requested("/careers")
    assert len(listing_hits) == 2, "one 429, then the retry"
    assert time.monotonic() - started >= 2, "the retry waited for Retry-After"
    assert len(rows(sqlite_url, Posting)) == 3


def test_killed_crawl_leaves_consistent_db_and_rerun_has_no_duplicates(
    server: MockServer, db_url: str, tmp_path: Path
) -> None:
    """SIGKILL mid-crawl (after some batches committed): complete rows only; the rerun adds the rest once."""
    import signal
    import subprocess
    import sys
    import time

    serve_acme(server, 1)
    server.set_file("/jobs/1003-support-lead", SITE / "posting_1003.html", delay=30)
    config = write_config(tmp_path, [acme_source(server)], extra_toml="[crawl]\njobtrail_batch_size = 1\n")
    crawl = subprocess.Popen([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "crawl"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if len(rows(db_url, PostingVersion)) >= 2:
                break
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            continue
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    versions = rows(db_url, PostingVersion)
    assert len(versions) == 2 and all(v["title"] and v["content_hash"] for v in versions)
    assert len(rows(db_url, Change)) == 2, "each stored version came with its change"

    server.set_file("/jobs/1003-support-lead", SITE / "posting_1003.html")
    rerun = run_crawl_cli(config, db_url)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert sorted(p["external_id"] for p in rows(db_url, Posting)) == ["1001", "1002", "1003"]
    assert len(rows(db_url, PostingVersion)) == 3
    assert sorted(c["kind"] for c in rows(db_url, Change)) == ["new", "new", "new"]


def test_user_agent_names_the_operators_contact_url(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)],
                          extra_toml='[crawl]\njobtrail_contact_url = "https://ops.example/jobs-monitor"\n')
    assert run_crawl_cli(config, sqlite_url).returncode == 0
    agent = server.requested("/careers")[0].headers["User-Agent"]
    assert agent == f"jobtrail/{version('jobtrail')} (+https://ops.example/jobs-monitor)"  # the real version


def test_many_small_sources_are_written_during_the_crawl(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    """The write batch counts items across sources: small sources are not all held in memory to the end."""
    import subprocess
    import sys
    import threading
    import time

    serve_acme(server, 1)  # source "acme": 3 postings
    links = "".join(f'<li><a href="/other/jobs/{n}-role">Role {n}</a></li>' for n in (2001, 2002, 2003))
    server.set("/other/careers", f"<html><body><main><ul>{links}</ul></main></body></html>")
    gate = threading.Event()
    for n in (2001, 2002, 2003):
        page = (f"<html><body><main><h1>Role {n}</h1><h2>Requirements</h2><ul><li>Skill {n}</li></ul>"
                "</main></body></html>")
        server.set(f"/other/jobs/{n}-role", page, gate=gate if n == 2003 else None)
    other = {"name": "other", "url": server.url("/other/careers"), "kind": "page", "link_pattern": r"/jobs/\d+-"}
    config = write_config(tmp_path, [acme_source(server), other], extra_toml="[crawl]\njobtrail_batch_size = 8\n")
    crawl = subprocess.Popen([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", sqlite_url, "crawl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not server.requested("/other/jobs/2003-role") and time.monotonic() < deadline:
            time.sleep(0.1)
        written, until = 0, time.monotonic() + 20
        while written < 3 and time.monotonic() < until:  # the crawl is held: only batching can write
            time.sleep(0.2)
            written = len(rows(sqlite_url, PostingVersion))
    finally:
        gate.set()
    out, err = crawl.communicate(timeout=90)
    assert crawl.returncode == 0, out + err
    # 5 postings + their 5 fetch states are in hand: over the batch of 8 in all, though no source alone is
    assert written >= 3, f"only {written} postings were written while the crawl was held"
    assert len(rows(sqlite_url, PostingVersion)) == 6


def test_two_sources_may_watch_the_same_page(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    """Scrapy's duplicate filter must not let the first source starve the second."""
    serve_acme(server, 1)
    engineering = {**acme_source(server), "name": "acme-engineering", "link_pattern": r"/jobs/1001-"}
    everything = {**acme_source(server), "name": "acme-all"}
    config = write_config(tmp_path, [engineering, everything])
    result = run_crawl_cli(config, sqlite_url)
    assert result.returncode == 0, result.stdout + result.stderr
    by_source: dict[int, int] = {}
    for posting in rows(sqlite_url, Posting):
        by_source[posting["source_id"]] = by_source.get(posting["source_id"], 0) + 1
    assert sorted(by_source.values()) == [1, 3]
