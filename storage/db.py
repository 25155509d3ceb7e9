"""Engines and sessions: SQLite by default (WAL, busy timeout), PostgreSQL by URL.

The schema is owned by Alembic; ``open_database`` brings any database up to date, so a
new user never runs a migration by hand and an old DB is upgraded on first use. Upgrades run
under a database-wide lock (PostgreSQL advisory lock, a file lock beside a SQLite file), so any
number of first runs or upgrades may start at once: one migrates, the others wait and find the
schema current.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # Alembic loads only when a migration is due (most runs find the schema current)
    from alembic.config import Config as AlembicConfig

try:  # POSIX only; elsewhere concurrent first runs on one SQLite file are not serialized
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: read-only connections (`jobtrail serve`): SQLite memory-map size and page cache per connection
READ_MMAP_BYTES = 1 << 30
READ_CACHE_KIB = 64 * 1024
#: the lock name migrations take (PostgreSQL advisory key / SQLite lock file suffix)
MIGRATION_LOCK = "migrate"
#: database URL schemes jobtrail supports (the drivers it installs)
SUPPORTED_SCHEMES = ("sqlite", "postgresql")


class UnsupportedDatabase(ValueError):
    """A database URL whose scheme jobtrail has no driver for; the message names the supported ones."""


def check_url(url: str) -> None:
    """Reject a URL jobtrail cannot open, before any fetch (one line, naming what works)."""
    try:
        backend = make_url(normalize_url(url)).get_backend_name()
    except Exception as exc:
        raise UnsupportedDatabase(f"database URL {mask_url(url)!r} is not a valid URL ({exc})") from None
    if backend not in SUPPORTED_SCHEMES:
        raise UnsupportedDatabase(
            f"database URL scheme {backend!r} is not supported; use sqlite:///path/to/jobtrail.db "
            "or postgresql://user@host/dbname"
        )


def normalize_url(url: str) -> str:
    """Let users write postgresql:// and get the psycopg 3 driver we depend on."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def mask_url(url: str) -> str:
    """A database URL safe for logs and errors: the password never appears."""
    try:
        return make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def create_db_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("jobtrail.storage") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent), holding the migration lock.

    Without the lock two first runs both see an empty database and both create the tables
    (SQLite: "table already exists"; PostgreSQL: a unique violation on pg_type).
    A database already at the newest revision is left alone without Alembic (importing it and
    reading every migration script cost ~0.15 s of each crawl, twice).
    """
    if at_head(engine):
        return
    from alembic import command

    with _sqlite_file_lock(engine, MIGRATION_LOCK), engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # released when this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": advisory_key(connection, MIGRATION_LOCK)})
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


#: The newest migration in storage/migrations/versions. Written here once so a current database is
#: recognised without importing Alembic; tests/test_migrations.py holds it to Alembic's own head,
#: so a new migration that does not move it fails CI.
SCHEMA_HEAD = "0008"


def at_head(engine: Engine) -> bool:
    """Is the database's ``alembic_version`` exactly ``SCHEMA_HEAD``? False when it cannot be read
    (a new database: no version table yet), and then Alembic decides."""
    try:
        with engine.connect() as connection:
            versions = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        return False
    return versions == [SCHEMA_HEAD]


def advisory_key(connection: Connection, name: str) -> int:
    """PostgreSQL advisory lock key for ``name`` in the connection's schema.

    Advisory locks are per database, not per schema: two installs in one database must not collide.
    """
    schema = connection.execute(text("SELECT current_schema()")).scalar() or ""
    return int.from_bytes(hashlib.sha256(f"jobtrail:{schema}:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def _sqlite_file_lock(engine: Engine, name: str) -> Iterator[None]:
    """Block until ``<db file>.<name>.lock`` is ours (SQLite files only); the OS drops it if we die."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}.{name}.lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def open_database(url: str, *, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """Engine + session factory for ``url``, with the schema brought up to date."""
    check_url(url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url)
    if migrate:
        upgrade(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)


def open_read_only(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine + sessions that cannot write, for `jobtrail serve`: SQLite connections are
    ``query_only``, PostgreSQL sessions default to read-only transactions. The schema is
    brought up to date first (through a normal engine, disposed)."""
    open_database(url)[0].dispose()
    engine = create_db_engine(url)
    event.listen(engine, "connect", _read_only)
    return engine, sessionmaker(engine, expire_on_commit=False)


def _read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA query_only=ON")
        # pages jump between changes, postings and versions: map the file, keep more pages cached
        cursor.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
    else:  # a SET inside the driver's implicit transaction must be committed to stick
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        # pages are short lookups: compiling one (JIT above the planner's cost threshold, which a
        # search's estimates cross) took 40 ms of a 150 ms search and saved nothing
        cursor.execute("SET jit = off")
        dbapi_connection.commit()
    cursor.close()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session, one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session
