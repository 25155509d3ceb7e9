"""Build alert test data straight in the database, and run real receivers (SMTP, HTTP) on loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources import Config, parse_config
from jobtrail.pipelines.alerts.outbox import outbox_listener
from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage.models import Change, Posting, PostingVersion, Source

OLD = {
    "title": "Backend Developer", "company": "Ahrefs", "locations": ["Singapore"],
    "requirements": ["Experience with OCaml with some C++", "Strong CS fundamentals"],
    "related_jobs": [],
}
NEW = {
    **OLD,
    "requirements": [
        "Experience with OCaml with some D and C++", "Strong CS fundamentals", "Proficiency in OCaml",
        "Knowledge of D or C++ is a plus",
    ],
    "related_jobs": [{"title": "Frontend Developer", "url": "https://ahrefs.com/careers/frontend"}],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_config(tmp_path: Path, notify: list[dict[str, Any]], sources: list[dict[str, Any]] | None = None) -> Config:
    sources = sources if sources is not None else [
        {"name": "ahrefs", "url": "https://ahrefs.com/careers", "tags": ["backend"]},
        {"name": "acme", "url": "https://acme.example/jobs", "tags": ["frontend"]},
    ]
    return parse_config({"sources": sources, "notify": notify}, tmp_path / "jobtrail.toml")


def ensure_source(session: Session, name: str, company: str | None = None) -> Source:
    source = session.query(Source).filter_by(name=name).one_or_none()
    if source is None:
        source = Source(name=name, kind="page", url=f"https://{name}.example/jobs", company=company)
        session.add(source)
        session.flush()
    return source


def add_posting_change(session: Session, source: str, external_id: str, old: dict[str, Any] | None,
                       new: dict[str, Any], kind: str | None = None) -> Change:
    """A posting with one or two versions and the change between them (like the versioning pipeline)."""
    src = ensure_source(session, source, new.get("company"))
    posting = Posting(source_id=src.id, external_id=external_id, url=new.get("url") or
                      f"https://{source}.example/jobs/{external_id}", title=new["title"],
                      company=new.get("company"), content_hash=external_id, latest_seq=2 if old else 1)
    session.add(posting)
    session.flush()
    versions = []
    for seq, record in enumerate([r for r in (old, new) if r is not None], start=1):
        version = PostingVersion(posting_id=posting.id, seq=seq, content_hash=f"{external_id}-{seq}",
                                 url=posting.url, **{k: v for k, v in record.items() if k != "url"})
        session.add(version)
        versions.append(version)
    session.flush()
    kind = kind or ("changed" if old else "new")
    diff = diff_postings(old, new) if old and kind == "changed" else {}
    change = Change(posting_id=posting.id, from_version_id=versions[0].id if old else None,
                    to_version_id=versions[-1].id, kind=kind, diff=diff, created_at=datetime.now(UTC))
    session.add(change)
    session.flush()
    return change


def record_changes(sessions: sessionmaker[Session], config: Config,
                   specs: list[tuple[str, str, dict[str, Any] | None, dict[str, Any]]]) -> list[int]:
    """Write changes and, in the same transaction, their outbox rows (as the crawler does)."""
    listener = outbox_listener(config)
    ids = []
    with sessions() as session, session.begin():
        for source, external_id, old, new in specs:
            change = add_posting_change(session, source, external_id, old, new)
            if listener:
                listener(session, [change], source)
            ids.append(change.id)
    return ids


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    #: when set, DATA is answered only after ``release`` is set (the client waits meanwhile)
    hold: bool = False
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"mailto://jobtrail@127.0.0.1:{self.port}?to=hiring@example.com&from=jobtrail@example.com"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.received.set()
        while self.hold and not self.release.is_set():
            await asyncio.sleep(0.02)
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None


@contextmanager
def mailbox(*, hold: bool = False) -> Iterator[Mailbox]:
    box = Mailbox(hold=hold)
    box.start()
    try:
        yield box
    finally:
        box.release.set()
        box.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, html) bodies of a received message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else ""), (html.get_content() if html else "")


def json_posts(server: Any, path: str) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in server.requested(path) if request.method == "POST"]


def attachment_json(post: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = post["attachments"]
    return json.loads(base64.b64decode(attachment["base64"]))


def run_in_thread(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread
