"""A run killed while sending: every change still arrives, and where the channel carries an
identity the receiver can drop the repeat (exactly once after dedupe).

Real parts: the outbox drained by a child process that is SIGKILLed while the receiver holds
the request (a real HTTP receiver on loopback for json://; aiosmtpd for mail is covered in
tests/test_outbox.py), then a normal drain.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources import load_config
from jobtrail.pipelines.alerts.outbox import deliver_pending
from jobtrail.pipelines.alerts.send import IDEMPOTENCY_HEADER
from jobtrail.storage.models import Delivery
from tests.alert_helpers import NEW, OLD, record_changes
from tests.crawl_helpers import REPO, write_config
from tests.mockserver import MockServer

SOURCES = [{"name": "ahrefs", "url": "https://ahrefs.com/careers"}]


def _hooked(server: MockServer) -> list[tuple[str, str]]:
    """(Idempotency-Key, title) of every POST the receiver got, in order."""
    return [(r.headers.get(IDEMPOTENCY_HEADER, ""), json.loads(r.body)["title"])
            for r in server.requested("/hook") if r.method == "POST"]


def _kill_while_the_receiver_holds(server: MockServer, gate: threading.Event, path: Path, db_url: str) -> None:
    """Drain in a child; SIGKILL it while the receiver holds the first POST; then let the POST finish
    (the receiver got it, the sender never learned so)."""
    child = subprocess.Popen([sys.executable, "-m", "tests.outbox_child", str(path), db_url], cwd=REPO,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):  # bounded: 30 s
        if server.requested("/hook"):
            break
        threading.Event().wait(0.1)
    child.kill()
    assert child.wait(30) == -9
    gate.set()


def test_webhook_killed_mid_send_is_resent_with_the_same_idempotency_key(
    tmp_path: Path, sessions: sessionmaker[Session], db_url: str, server: MockServer
) -> None:
    gate = threading.Event()
    server.set("/hook", "ok", content_type="text/plain", gate=gate)
    url = server.url("/hook").replace("http://", "json://")
    path = write_config(tmp_path, SOURCES, extra_toml=f'[[notify]]\nname = "hook"\nurl = "{url}"\nmode = "instant"\n'
                                                      'on = ["any"]\n')
    config = load_config(path)
    record_changes(sessions, config, [
        ("ahrefs", "a", OLD, NEW),
        ("ahrefs", "b", None, {**NEW, "title": "Site Reliability Engineer"}),
    ])
    _kill_while_the_receiver_holds(server, gate, path, db_url)

    report = deliver_pending(sessions, config)
    again = deliver_pending(sessions, config)
    assert report.ok and again.channels[0].messages == 0
    posts = _hooked(server)
    assert len(posts) == 3  # the unconfirmed one twice, the other once
    keys = [key for key, _ in posts]
    assert all(keys) and keys[0] == keys[1] and keys[2] != keys[0]
    deduped = {key: title for key, title in posts}  # what a receiver that honours the key keeps
    assert len(deduped) == 2
    with sessions() as session:
        assert {row.status for row in session.scalars(select(Delivery))} == {"sent"}


def test_hold_keeps_at_most_once_for_a_channel_without_identity(
    tmp_path: Path, sessions: sessionmaker[Session], db_url: str, server: MockServer
) -> None:
    gate = threading.Event()
    server.set("/hook", "ok", content_type="text/plain", gate=gate)
    url = server.url("/hook").replace("http://", "json://")
    path = write_config(tmp_path, SOURCES, extra_toml=f'[[notify]]\nname = "hook"\nurl = "{url}"\n'
                                                      'unconfirmed = "hold"\n')
    config = load_config(path)
    record_changes(sessions, config, [("ahrefs", "a", OLD, NEW)])
    _kill_while_the_receiver_holds(server, gate, path, db_url)
    report = deliver_pending(sessions, config)
    assert report.channels[0].failed == 1 and len(_hooked(server)) == 1
