"""Run locks: overlapping `jobtrail run` processes never both deliver (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources import load_config
from jobtrail.storage.locks import LockBusy, _take_row, acquire, held, release
from jobtrail.storage.models import RunLock
from tests.alert_helpers import NEW, OLD, mailbox, record_changes
from tests.crawl_helpers import REPO, write_config

SOURCES = [{"name": "ahrefs", "url": "https://ahrefs.com/careers"}]


def _cli(config: Path, db_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "run", "--no-crawl", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_second_run_exits_cleanly_while_first_delivers(tmp_path: Path, sessions: sessionmaker[Session],
                                                       db_url: str) -> None:
    with mailbox(hold=True) as box:
        config = write_config(tmp_path, SOURCES, extra_toml=f'[[notify]]\nname = "mail"\nurl = "{box.url}"\n')
        record_changes(sessions, load_config(config), [("ahrefs", "a", OLD, NEW)])
        first = _cli(config, db_url)
        assert box.received.wait(60), first.communicate()
        second = _cli(config, db_url)  # the first is stuck mid-delivery, holding the lock
        out, err = second.communicate(timeout=60)
        assert second.returncode == 75, (out, err)
        assert "another run is in progress" in err and "lock 'run' is held by" in err
        box.release.set()
        assert first.wait(60) == 0
    assert len(box.messages) == 1


def test_second_run_with_wait_proceeds_after_the_first(tmp_path: Path, sessions: sessionmaker[Session],
                                                       db_url: str) -> None:
    with mailbox(hold=True) as box:
        config = write_config(tmp_path, SOURCES, extra_toml=f'[[notify]]\nname = "mail"\nurl = "{box.url}"\n')
        record_changes(sessions, load_config(config), [("ahrefs", "a", OLD, NEW)])
        first = _cli(config, db_url)
        assert box.received.wait(60)
        second = _cli(config, db_url, "--wait", "60")
        with pytest.raises(subprocess.TimeoutExpired):  # still waiting for the lock
            second.wait(1.5)
        box.release.set()
        assert first.wait(60) == 0
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, (out, err)
    assert len(box.messages) == 1  # the waiting run found nothing left to send


def test_lock_of_a_killed_process_is_taken_over_at_once(tmp_path: Path, sessions: sessionmaker[Session],
                                                        db_url: str) -> None:
    code = (
        "import sys, time\n"
        "from jobtrail.storage.db import open_database\n"
        "from jobtrail.storage.locks import acquire\n"
        "_, sessions = open_database(sys.argv[1])\n"
        "lock = acquire(sessions, 'run', 'doomed-holder')\n"
        "print('locked', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, db_url], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(LockBusy) as busy:
            acquire(sessions, "run", "me")
        assert busy.value.holder == "doomed-holder"
    finally:
        child.kill()
        child.wait(30)
    # the live lock died with the process, so the row is taken over without the 6-hour TTL wait;
    # the server may need a moment to notice the dead client, hence a few seconds of grace
    with held(sessions, "run", wait=10) as lock:
        with sessions() as session:
            assert session.get(RunLock, "run").holder == lock.holder  # type: ignore[union-attr]


def test_row_without_live_lock_is_taken_over_only_when_expired(sessions: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    assert _take_row(sessions, "x", "a", now, timedelta(minutes=10), takeover=False)
    assert not _take_row(sessions, "x", "b", now + timedelta(minutes=5), timedelta(minutes=10), takeover=False)
    assert _take_row(sessions, "x", "b", now + timedelta(minutes=11), timedelta(minutes=10), takeover=False)
    with sessions() as session:
        assert session.get(RunLock, "x").holder == "b"  # type: ignore[union-attr]


def test_held_waits_then_gives_up_and_release_frees(sessions: sessionmaker[Session]) -> None:
    lock = acquire(sessions, "run", "first")
    with pytest.raises(LockBusy), held(sessions, "run", wait=0.3, poll=0.05):
        pass
    release(lock)
    with held(sessions, "run") as mine:
        assert mine.holder != "first"
    with sessions() as session:
        assert session.get(RunLock, "run") is None


def test_postgres_locks_in_different_schemas_do_not_collide(pg_url: str) -> None:
    """Two jobtrail databases living in two schemas of one PostgreSQL database lock independently."""
    import uuid

    from sqlalchemy import create_engine, text

    from jobtrail.storage.db import open_database
    from jobtrail.storage.locks import held
    from tests.conftest import PG_URL

    other_schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other_schema}"'))
    try:
        _, first = open_database(pg_url)
        _, second = open_database(f"{PG_URL}?options=-csearch_path%3D{other_schema}")
        with held(first, "run"), held(second, "run"):
            pass
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other_schema}" CASCADE'))
        admin.dispose()
