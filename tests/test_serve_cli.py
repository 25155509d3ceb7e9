"""`jobtrail serve` as cron's neighbour runs it: loopback by default, --public only on purpose,
read-only connections on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from jobtrail.crawler.cli.serve import is_loopback
from jobtrail.storage.db import open_database, open_read_only, transaction
from jobtrail.storage.models import Source
from tests.crawl_helpers import run_cli, write_config
from tests.factories import add_posting, add_source
from tests.web_helpers import fetch, serving


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.4.5", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("example.com", False),
])
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_network_address_needs_public(tmp_path: Path, sqlite_url: str) -> None:
    open_database(sqlite_url)[0].dispose()
    result = run_cli(["--db", sqlite_url, "serve", "--host", "0.0.0.0", "--port", "0"], cwd=tmp_path)
    assert result.returncode == 2
    assert "--public" in result.stderr and "not a loopback address" in result.stderr


def test_public_warns_and_accepts_any_host_header(tmp_path: Path, sqlite_url: str) -> None:
    engine, sessions = open_database(sqlite_url)
    with transaction(sessions) as session:
        add_posting(session, add_source(session), [{}])
    engine.dispose()
    config = write_config(tmp_path, [])
    with serving(config, sqlite_url, "--host", "0.0.0.0", "--public") as base:
        port = base.rsplit(":", 1)[1]
        reply = fetch(f"http://127.0.0.1:{port}/changes", headers={"Host": "jobs.internal.example"})
        assert reply.status == 200 and "Backend Developer" in reply.body


def test_missing_database_is_named_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run_cli(["--db", f"sqlite:///{missing}", "serve", "--port", "0"], cwd=tmp_path)
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not missing.exists()


def test_read_only_sessions_refuse_writes(db_url: str) -> None:
    engine, sessions = open_read_only(db_url)
    try:
        with pytest.raises(DBAPIError, match="(?i)read.?only"), transaction(sessions) as session:
            session.execute(insert(Source).values(name="sneaky", kind="page"))
        with sessions() as session:
            assert session.query(Source).count() == 0
    finally:
        engine.dispose()
