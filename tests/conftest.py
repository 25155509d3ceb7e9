"""Shared fixtures: real databases (SQLite file + PostgreSQL) and a real HTTP server.

PostgreSQL: JOBTRAIL_TEST_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test.
Each test gets its own schema, dropped afterwards. Outside CI the PostgreSQL variants skip
with the reason when no server answers; with CI=true they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage.db import open_database
from tests.mockserver import MockServer

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("JOBTRAIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pg_unavailable_reason() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at JOBTRAIL_TEST_PG_URL ({type(exc).__name__}); set it or start a server"


@pytest.fixture(scope="session")
def pg_available() -> None:
    reason = _pg_unavailable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobtrail.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every storage test runs twice: on a SQLite file and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine, factory = open_database(db_url)
    yield factory
    engine.dispose()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


REDIS_URL = os.environ.get("JOBTRAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis database for the test (flushed before and after); skips outside CI if absent."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at JOBTRAIL_TEST_REDIS_URL ({type(exc).__name__})"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def fernhill_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(config, SQLite file) after the three real Fernhill crawls, made once per session.

    The serve tests (test_web_pages, test_web_browser) each read a copy (fernhill_site.copy_database).
    """
    from tests.fernhill_site import crawl_fernhill  # not at the top: fernhill_site imports this module

    tmp = tmp_path_factory.mktemp("fernhill")
    with MockServer() as mock:
        config = crawl_fernhill(mock, f"sqlite:///{tmp / 'jobtrail.db'}", tmp)
    return config, tmp / "jobtrail.db"
