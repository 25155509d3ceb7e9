"""Alembic environment: run against the connection storage.db hands us."""

from alembic import context

from jobtrail.storage.models import Base

target_metadata = Base.metadata
config = context.config
#: full-text objects made by raw SQL in migration 0002; autogenerate must leave them alone
RAW_SQL_OBJECTS = {"posting_version_fts", "posting_version_text"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (name in RAW_SQL_OBJECTS or (name or "").startswith("posting_version_fts_"))
connection = config.attributes.get("connection")

if connection is None:  # `alembic` CLI use: build an engine from sqlalchemy.url
    from jobtrail.storage.db import create_db_engine

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic: set sqlalchemy.url (or pass a connection) to run migrations")
    engine = config.attributes.get("engine") or create_db_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()
