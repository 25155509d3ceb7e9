"""Point 9 of the operator's day: messages that say what happened, and where to look.

Each case runs the real CLI in a subprocess, as a person or cron would.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import run_cli, run_crawl_cli, write_config
from tests.mockserver import MockServer


def test_read_command_in_the_wrong_folder_creates_no_database(tmp_path: Path) -> None:
    result = run_cli(["changes"], cwd=tmp_path)
    assert result.returncode == 1
    assert f"no database at {tmp_path.resolve() / 'jobtrail.db'}" in result.stderr
    assert "jobtrail init" in result.stderr and "jobtrail.toml" in result.stderr
    assert list(tmp_path.iterdir()) == [], "a read command must not leave an empty jobtrail.db behind"


def test_bad_apprise_url_shows_apprises_own_reason(tmp_path: Path) -> None:
    result = run_cli(["digest", "--to", "slack://abc", "--dry-run"], cwd=tmp_path)
    assert result.returncode != 0
    assert "apprise does not accept slack://abc: " in result.stderr
    assert "Token" in result.stderr, "apprise's reason (an invalid Slack token) is shown"


def test_show_at_accepts_a_duration(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    assert run_crawl_cli(config, sqlite_url).returncode == 0
    base = ["-c", str(config), "--db", sqlite_url]
    posting = json.loads(run_cli([*base, "history", "Platform Engineer", "--json"]).stdout)["posting"]["id"]
    result = run_cli([*base, "show", str(posting), "--at", "12h"])
    assert result.returncode == 1, result.stdout
    assert "neither a duration" not in result.stderr
    assert "first seen" in result.stderr  # 12 hours ago the posting had not been seen yet: said so

    now = run_cli([*base, "show", str(posting), "--at", "0m"])
    assert now.returncode == 0 and "Platform Engineer" in now.stdout


def test_search_with_a_filter_says_what_the_filter_excluded(server: MockServer, sqlite_url: str,
                                                            tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    assert run_crawl_cli(config, sqlite_url).returncode == 0
    base = ["-c", str(config), "--db", sqlite_url]
    plain = run_cli([*base, "search", "Python"])
    assert plain.returncode == 0 and "Platform Engineer" in plain.stdout
    removed = run_cli([*base, "search", "Python", "--removed"])
    assert removed.returncode == 0
    assert "No posting contained" not in removed.stdout
    assert "had 'Python' removed" in removed.stdout


def test_changes_for_an_unknown_source_is_an_error(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    assert run_crawl_cli(config, sqlite_url).returncode == 0
    result = run_cli(["-c", str(config), "--db", sqlite_url, "changes", "--source", "nope"])
    assert result.returncode == 2
    assert "no source named 'nope'" in result.stderr and "acme" in result.stderr


def test_scrapy_crawl_works_outside_the_checkout_as_documented(server: MockServer, sqlite_url: str,
                                                               tmp_path: Path) -> None:
    """docs/operating.md: an installed jobtrail, `scrapy crawl careers` from any folder."""
    import os
    import subprocess
    import sys

    from jobtrail.storage.models import Posting
    from tests.crawl_helpers import rows

    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)], db_url=sqlite_url)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "jobtrail.crawler.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "careers", "-s", f"JOBTRAIL_CONFIG={config}",
         "-s", "LOG_LEVEL=WARNING"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert len(rows(sqlite_url, Posting)) == 3
