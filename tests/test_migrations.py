"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
