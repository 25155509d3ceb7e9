"""The outbox: nothing lost, nothing sent twice — with real SMTP, real HTTP and real crashes."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.cli import main
from jobtrail.crawler.sources import Config, load_config
from jobtrail.pipelines.alerts.outbox import deliver_pending, outbox_listener, retry_failed
from jobtrail.storage.models import Delivery
from tests.alert_helpers import (
    NEW,
    OLD,
    Mailbox,
    add_posting_change,
    attachment_json,
    json_posts,
    mailbox,
    make_config,
    parts,
    record_changes,
)
from tests.crawl_helpers import REPO, write_config
from tests.mockserver import MockServer

T0 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
SOURCES = [{"name": "ahrefs", "url": "https://ahrefs.com/careers", "tags": ["backend"]}]


def _statuses(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def _three_changes(sessions: sessionmaker[Session], config: Config) -> list[int]:
    return record_changes(sessions, config, [
        ("ahrefs", "a", OLD, NEW), ("ahrefs", "b", None, {**NEW, "title": "Data Engineer"}),
        ("ahrefs", "c", OLD, {**NEW, "title": "SRE"}),
    ])


def test_deliveries_commit_with_their_change_or_not_at_all(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    config = make_config(tmp_path, [{"name": "m", "url": "json://127.0.0.1:9/x"}])
    listener = outbox_listener(config)
    assert listener is not None
    with pytest.raises(RuntimeError), sessions() as session, session.begin():
        change = add_posting_change(session, "ahrefs", "x", OLD, NEW)
        listener(session, [change], "ahrefs")
        raise RuntimeError("crash before commit")
    assert _statuses(sessions) == {}
    record_changes(sessions, config, [("ahrefs", "x", OLD, NEW)])
    assert _statuses(sessions) == {"pending": 1}


def test_smtp_down_two_runs_then_up_delivers_each_change_once(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    box = Mailbox()  # not started yet: the port refuses connections
    config = make_config(tmp_path, [{"name": "mail", "url": box.url}])
    _three_changes(sessions, config)

    first = deliver_pending(sessions, config, now=T0)
    assert not first.ok and first.channels[0].retrying == 3 and "127.0.0.1" in first.channels[0].errors[0]
    assert deliver_pending(sessions, config, now=T0 + timedelta(minutes=1)).channels[0].messages == 0  # backoff
    second = deliver_pending(sessions, config, now=T0 + timedelta(days=1))
    assert second.channels[0].retrying == 3
    with sessions() as session:
        assert {row.attempts for row in session.scalars(select(Delivery))} == {2}
    record_changes(sessions, config, [("ahrefs", "d", OLD, {**NEW, "title": "QA Engineer"})])  # arrives meanwhile

    box.start()
    try:
        third = deliver_pending(sessions, config, now=T0 + timedelta(days=2))
        fourth = deliver_pending(sessions, config, now=T0 + timedelta(days=3))
    finally:
        box.stop()
    assert third.ok and third.channels[0].sent == 4 and fourth.channels[0].messages == 0
    (message,) = box.messages
    text, _html = parts(message)
    for title in ("Backend Developer", "Data Engineer", "SRE", "QA Engineer"):
        assert text.count(f"{title} [") == 1
    assert _statuses(sessions) == {"sent": 4}


def test_gives_up_after_max_attempts_and_the_next_digest_says_so(
    tmp_path: Path, sessions: sessionmaker[Session], db_url: str
) -> None:
    with mailbox() as box:
        config = make_config(tmp_path, [
            {"name": "broken", "url": "json://127.0.0.1:9/nothing-listens", "max_attempts": 2},
            {"name": "mail", "url": box.url, "on": ["closed"]},
        ])
        record_changes(sessions, config, [("ahrefs", "a", OLD, NEW)])
        deliver_pending(sessions, config, now=T0)
        report = deliver_pending(sessions, config, now=T0 + timedelta(days=1))
        assert report.channels[0].failed == 1 and report.exit_code == 1
        with sessions() as session, session.begin():  # a later change that the mail channel wants
            change = add_posting_change(session, "ahrefs", "z", None, NEW, kind="closed")
            outbox_listener(config)(session, [change], "ahrefs")  # type: ignore[misc]
        deliver_pending(sessions, config, now=T0 + timedelta(days=2))
        (message,) = box.messages
    text, _ = parts(message)
    assert "Deliveries that failed" in text and "broken: 1 change" in text

    listing = CliRunner().invoke(main, ["-c", str(tmp_path / "none.toml"), "--db", db_url, "deliveries"])
    assert "failed" in listing.output and "broken" in listing.output and "Backend Developer" in listing.output
    assert retry_failed(sessions) == 1
    assert _statuses(sessions) == {"pending": 2, "sent": 1}  # re-queued + the later change still owed


def _kill_while_sending(tmp_path: Path, sessions: sessionmaker[Session], db_url: str, box: Mailbox, crash: str,
                        extra: str = "") -> Config:
    path = write_config(tmp_path, SOURCES, extra_toml=f'[[notify]]\nname = "mail"\nurl = "{box.url}"\n{extra}')
    config = load_config(path)
    _three_changes(sessions, config)
    args = [sys.executable, "-m", "tests.outbox_child", str(path), db_url]
    if crash == "after-send":
        child = subprocess.run([*args, "--die-after-send"], cwd=REPO, capture_output=True, timeout=60)
        assert child.returncode == -9, child.stderr
    else:
        process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert box.received.wait(30), "the child never sent"
        process.kill()  # SIGKILL while the server holds the message and the client awaits "250"
        assert process.wait(30) == -9
        box.release.set()
    assert len(box.messages) == 1
    assert _statuses(sessions) == {"sending": 3}
    return config


@pytest.mark.parametrize("crash", ["after-send", "during-send"])
def test_killed_while_sending_is_resent_with_the_same_message_id(
    tmp_path: Path, sessions: sessionmaker[Session], db_url: str, crash: str
) -> None:
    """Never lost: the next drain sends the same three changes again as the same message (same
    Message-ID), so a mail store keeps one copy; then nothing more is sent."""
    with mailbox(hold=crash == "during-send") as box:
        config = _kill_while_sending(tmp_path, sessions, db_url, box, crash)
        report = deliver_pending(sessions, config)
        again = deliver_pending(sessions, config)
        assert len(box.messages) == 2
        first, second = box.messages
        assert first["Message-ID"] == second["Message-ID"] and first["Message-ID"].startswith("<jobtrail.")
        assert len(first.get_all("Message-ID")) == 1
        assert first["X-Jobtrail-Changes"] == second["X-Jobtrail-Changes"]
        assert first["X-Jobtrail-Changes"].count(",") == 2  # the three changes, named
        assert first["Subject"] == second["Subject"]
    assert report.channels[0].sent == 3 and report.channels[0].failed == 0 and again.channels[0].messages == 0
    assert _statuses(sessions) == {"sent": 3}


@pytest.mark.parametrize("crash", ["after-send", "during-send"])
def test_killed_while_sending_with_hold_never_sends_twice(
    tmp_path: Path, sessions: sessionmaker[Session], db_url: str, crash: str
) -> None:
    """At most once (unconfirmed = "hold"): the next run marks the rows failed/unconfirmed instead
    of re-sending. The mailbox must hold exactly one copy."""
    with mailbox(hold=crash == "during-send") as box:
        config = _kill_while_sending(tmp_path, sessions, db_url, box, crash, extra='unconfirmed = "hold"\n')
        report = deliver_pending(sessions, config)
        again = deliver_pending(sessions, config)
        assert len(box.messages) == 1  # not re-sent: no duplicate
    assert report.channels[0].failed == 3 and again.channels[0].messages == 0
    with sessions() as session:
        errors = {row.last_error.split(":")[0] for row in session.scalars(select(Delivery))}  # type: ignore[union-attr]
    assert errors == {"unconfirmed"}  # not lost silently: listed, and re-sendable on request


def test_instant_channel_posts_one_json_per_changed_posting(
    tmp_path: Path, sessions: sessionmaker[Session], server: MockServer
) -> None:
    server.set("/hook", "ok", content_type="text/plain")
    url = server.url("/hook").replace("http://", "json://")
    config = make_config(tmp_path, [{"name": "chat", "url": url, "mode": "instant", "on": ["requirements"]}])
    record_changes(sessions, config, [
        ("ahrefs", "a", OLD, NEW),
        ("ahrefs", "b", OLD, {**NEW, "title": "Data Engineer", "requirements": ["Python"]}),
        ("ahrefs", "c", None, NEW),  # new posting: not wanted by on=["requirements"]
        ("ahrefs", "d", OLD, {**OLD, "title": "Renamed only"}),  # title change: not wanted either
    ])
    report = deliver_pending(sessions, config)
    assert report.ok and report.channels[0].messages == 2

    posts = json_posts(server, "/hook")
    assert [post["title"] for post in posts] == [
        "jobtrail: Backend Developer at Ahrefs (requirements, related jobs changed)",
        "jobtrail: Data Engineer at Ahrefs (title, requirements, related jobs changed)",
    ]
    structured = attachment_json(posts[0])
    (change,) = structured["changes"]
    assert change["kind"] == "changed"
    assert change["diff"]["requirements"]["added"] == ["Proficiency in OCaml", "Knowledge of D or C++ is a plus"]
    assert change["diff"]["requirements"]["reworded"][0]["new"] == "Experience with OCaml with some D and C++"
    assert "+ Proficiency in OCaml" in posts[0]["message"]
    assert deliver_pending(sessions, config).channels[0].messages == 0
    assert len(json_posts(server, "/hook")) == 2


def test_instant_http_error_keeps_it_pending(tmp_path: Path, sessions: sessionmaker[Session],
                                             server: MockServer) -> None:
    server.set("/hook", "boom", status=500, content_type="text/plain")
    url = server.url("/hook").replace("http://", "json://")
    config = make_config(tmp_path, [{"name": "chat", "url": url, "mode": "instant"}])
    record_changes(sessions, config, [("ahrefs", "a", OLD, NEW)])
    report = deliver_pending(sessions, config, now=T0)
    assert not report.ok and report.channels[0].retrying == 1
    server.set("/hook", "ok", content_type="text/plain")
    assert deliver_pending(sessions, config, now=T0 + timedelta(hours=1)).channels[0].sent == 1
    assert len(json_posts(server, "/hook")) == 2  # one failed try, one success
