"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from jobtrail.storage.db import open_database, upgrade
from jobtrail.storage.models import Base

FULL_TEXT_OBJECTS = ("posting_version_fts", "posting_version_text")


def test_models_match_migrations(db_url: str) -> None:
    engine, _ = open_database(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": lambda obj, name, *_: not (name or "").startswith(FULL_TEXT_OBJECTS)}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    engine, _ = open_database(db_url)
    upgrade(engine)
    assert {"postings", "posting_versions", "changes", "deliveries"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_schema_head_is_alembics_head() -> None:
    """The head written in storage/db.py (the fast path) is the one Alembic computes from the scripts."""
    from alembic.script import ScriptDirectory

    from jobtrail.storage.db import SCHEMA_HEAD, alembic_config

    engine, _ = open_database("sqlite://", migrate=False)
    assert SCHEMA_HEAD == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def test_a_current_database_is_not_migrated_again(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At head: Alembic is not run (nor imported, see below); one revision behind: it is."""
    from alembic import command

    from jobtrail.storage.db import SCHEMA_HEAD, at_head

    engine, _ = open_database(db_url)
    assert at_head(engine)
    calls: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda cfg, revision: calls.append(revision))
    upgrade(engine)
    assert calls == []
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": "0001"})
    assert not at_head(engine)
    upgrade(engine)
    assert calls == ["head"]
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": SCHEMA_HEAD})
    engine.dispose()


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobtrail.db'}"
    open_database(url)[0].dispose()
    code = ("import sys; from jobtrail.storage.db import open_database; open_database(sys.argv[1])[0].dispose(); "
            "print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
