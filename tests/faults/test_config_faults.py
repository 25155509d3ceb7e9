"""Config mistakes are found before any fetch: exit 2, one line naming the fix, no request made."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer

CASES = [
    # (extra toml, source overrides, expected words in the one-line error)
    ("[crawl]\ndownlod_timeout = 5\n", {}, ["unknown setting 'downlod_timeout'", "did you mean 'download_timeout'"]),
    ('[crawl]\ndownload_timeout = "soon"\n', {}, ["'download_timeout' must be a number", "'soon'"]),
    ("[crawl]\nautothrottle_enabled = 1\n", {}, ["'autothrottle_enabled' must be true or false"]),
    ("[crawl]\njobtrail_close_after_mises = 3\n", {},
     ["unknown setting 'jobtrail_close_after_mises'", "did you mean 'jobtrail_close_after_misses'"]),
    ("", {"selectors": {"requirements": "section.needs > ul li:nth-child(odd"}},
     ["selector for 'requirements' is not valid CSS"]),
]


@pytest.mark.parametrize(("extra", "overrides", "words"), CASES)
def test_config_error_before_any_fetch(tmp_path: Path, server: MockServer, extra: str, overrides: dict[str, object],
                                       words: list[str]) -> None:
    source = {"name": "quillmere-press", "url": server.url("/about/jobs"), "kind": "page", **overrides}
    config = write_config(tmp_path, [source], extra_toml=extra)
    result = run_cli(["-c", str(config), "--db", f"sqlite:///{tmp_path / 'j.db'}", "crawl"])
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0]
    assert server.requests == []  # nothing fetched


@pytest.mark.parametrize("url", ["mysql://ops@db.internal/jobs", "mssql+pyodbc://ops:hunter2@dsn"])
def test_unsupported_database_named_with_supported_ones(tmp_path: Path, server: MockServer, url: str) -> None:
    config = write_config(tmp_path, [{"name": "quillmere-press", "url": server.url("/about/jobs"), "kind": "page"}],
                          db_url=url)
    result = run_cli(["-c", str(config), "crawl"])
    assert result.returncode == 2, result.stderr
    assert "is not supported" in result.stderr and "sqlite:///" in result.stderr and "postgresql://" in result.stderr
    assert "MySQLdb" not in result.stderr and "hunter2" not in result.stderr and "Traceback" not in result.stderr
    assert server.requests == []
