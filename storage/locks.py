"""Named run locks, so two overlapping cron runs never crawl or deliver at the same time.

Two layers:
- a ``run_locks`` row on every database (who holds it, since when, until when), taken
  with a plain INSERT whose unique-key conflict means "busy"; a row past ``expires_at``
  is stale and may be taken over;
- a *live* lock that the operating system or server drops when the holder dies:
  ``pg_try_advisory_lock`` on PostgreSQL (a dedicated connection held for the lock's
  life) and ``flock`` on a ``<db file>.<name>.lock`` file for SQLite. When the live lock
  is ours, the holder of any leftover row is dead, so the row is taken over at once
  (no waiting for the TTL after a crash).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage.db import advisory_key
from jobtrail.storage.models import RunLock

DEFAULT_TTL = timedelta(hours=6)

try:  # POSIX only; elsewhere the row (with its TTL) is the only lock
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class LockBusy(Exception):
    """Someone else holds the lock; says who and since when."""

    def __init__(self, name: str, holder: str | None, acquired_at: datetime | None,
                 expires_at: datetime | None) -> None:
        self.name, self.holder, self.acquired_at, self.expires_at = name, holder, acquired_at, expires_at
        since = f" since {acquired_at:%Y-%m-%d %H:%M:%S} UTC" if acquired_at else ""
        super().__init__(f"lock {name!r} is held by {holder or 'another process'}{since}")


@dataclass
class Lock:
    name: str
    holder: str
    _sessions: sessionmaker[Session] = field(repr=False)
    _drop_live: Callable[[], None] = field(repr=False, default=lambda: None)


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(sessions: sessionmaker[Session], name: str, holder: str | None = None,
            ttl: timedelta = DEFAULT_TTL, *, now: datetime | None = None) -> Lock:
    """Take lock ``name`` or raise ``LockBusy``; never blocks."""
    holder = holder or default_holder()
    now = now or datetime.now(UTC)
    live = _take_live_lock(_engine(sessions), name)
    if live is False:
        raise _busy(sessions, name)
    drop_live = live if callable(live) else (lambda: None)
    try:
        if not _take_row(sessions, name, holder, now, ttl, takeover=live is not None):
            raise _busy(sessions, name)
    except BaseException:
        drop_live()
        raise
    return Lock(name, holder, sessions, drop_live)


def release(lock: Lock) -> None:
    """Give the lock up (only our own row is deleted)."""
    try:
        with lock._sessions() as session, session.begin():
            session.query(RunLock).filter_by(name=lock.name, holder=lock.holder).delete()
    finally:
        lock._drop_live()


@contextmanager
def held(sessions: sessionmaker[Session], name: str, *, ttl: timedelta = DEFAULT_TTL,
         wait: float = 0.0, poll: float = 0.5) -> Iterator[Lock]:
    """Hold lock ``name`` for the block; wait up to ``wait`` seconds, then raise ``LockBusy``."""
    deadline = time.monotonic() + wait
    while True:
        try:
            lock = acquire(sessions, name, ttl=ttl)
            break
        except LockBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(poll, max(deadline - time.monotonic(), 0.01)))
    try:
        yield lock
    finally:
        release(lock)


def _take_row(sessions: sessionmaker[Session], name: str, holder: str, now: datetime,
              ttl: timedelta, *, takeover: bool) -> bool:
    expires = now + ttl
    try:
        with sessions() as session, session.begin():
            session.add(RunLock(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:
        pass
    stale = update(RunLock).where(RunLock.name == name).values(holder=holder, acquired_at=now, expires_at=expires)
    if not takeover:  # without a live lock only an expired row may be taken over
        stale = stale.where(RunLock.expires_at < now)
    with sessions() as session, session.begin():
        return bool(session.execute(stale).rowcount)  # type: ignore[attr-defined]


def _busy(sessions: sessionmaker[Session], name: str) -> LockBusy:
    with sessions() as session:
        row = session.get(RunLock, name)
        if row is None:
            return LockBusy(name, None, None, None)
        return LockBusy(name, row.holder, row.acquired_at, row.expires_at)


def _engine(sessions: sessionmaker[Session]) -> Engine:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("locks need a sessionmaker bound to an Engine")
    return bind


def _take_live_lock(engine: Engine, name: str) -> Callable[[], None] | bool | None:
    """A release function when taken, False when someone else has it, None when unsupported."""
    if engine.dialect.name == "postgresql":
        return _advisory_lock(engine, name)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and fcntl is not None:
        return _file_lock(Path(f"{database}.{name}.lock"))
    return None


def _advisory_lock(engine: Engine, name: str) -> Callable[[], None] | bool:
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    key = advisory_key(connection, name)
    if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
        connection.close()
        return False

    def drop() -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        finally:
            connection.close()

    return drop


def _file_lock(path: Path) -> Callable[[], None] | bool:
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the lock's life
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False

    def drop() -> None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    return drop
