"""Point 1 of the operator's day: cron mails whatever a run prints, so print only what matters.

Real runs of `python -m jobtrail.crawler` against the loopback server; one source points at a
port nobody listens on. Before this work, `crawl --quiet` printed 78 stderr lines for it
(Scrapy's log and two tracebacks); now it prints exactly one.
"""

from __future__ import annotations

import socket
from pathlib import Path

from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: connections are refused


def _config(server: MockServer, tmp_path: Path, extra_toml: str = "") -> Path:
    serve_acme(server, 1)
    unreachable = {"name": "gone", "url": f"http://127.0.0.1:{_closed_port()}/careers", "kind": "page"}
    return write_config(tmp_path, [acme_source(server), unreachable], extra_toml=extra_toml)


def test_quiet_run_with_an_unreachable_source_prints_one_line(server: MockServer, sqlite_url: str,
                                                               tmp_path: Path) -> None:
    config = _config(server, tmp_path)
    result = run_cli(["-c", str(config), "--db", sqlite_url, "crawl", "--quiet"])
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("jobtrail: source gone failed: ")
    assert "Connection was refused" in lines[0] or "refused" in lines[0].lower()


def test_default_run_prints_the_table_on_stdout_and_only_the_failure_on_stderr(
    server: MockServer, sqlite_url: str, tmp_path: Path
) -> None:
    config = _config(server, tmp_path)
    result = run_cli(["-c", str(config), "--db", sqlite_url, "crawl"])
    assert result.returncode == 1
    assert [line.split()[:2] for line in result.stdout.splitlines()[1:]] == [["acme", "ok"], ["gone", "failed"]]
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Using AsyncCrawlerProcess" not in result.stderr + result.stdout


def test_quiet_run_prints_nothing_when_all_is_well(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    result = run_cli(["-c", str(config), "--db", sqlite_url, "run", "--quiet"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_verbose_shows_scrapy_log_and_log_file_keeps_it(server: MockServer, sqlite_url: str,
                                                         tmp_path: Path) -> None:
    log_file = tmp_path / "crawl.log"
    config = _config(server, tmp_path, extra_toml=f'[crawl]\nLOG_FILE = "{log_file}"\n')
    quiet = run_cli(["-c", str(config), "--db", sqlite_url, "crawl", "--quiet"])
    assert len(quiet.stderr.splitlines()) == 1, quiet.stderr
    logged = log_file.read_text(encoding="utf-8")
    assert "[scrapy.core.engine] INFO: Spider opened" in logged
    assert "127.0.0.1" in logged and "ERROR" in logged

    verbose = run_cli(["-c", str(config), "--db", sqlite_url, "crawl", "--debug"])
    assert "[scrapy.core.engine] DEBUG" in verbose.stderr or "[scrapy.core.engine] INFO" in verbose.stderr
    assert verbose.stderr.count("\n") > 10
