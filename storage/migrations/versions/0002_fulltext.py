"""full-text search over version text, and indexes for the history queries

SQLite: an FTS5 table ``posting_version_fts`` (external content: the view
``posting_version_text``, which turns the JSON lists into one bullet per line), kept in
sync by triggers on ``posting_versions``.
PostgreSQL: a side table ``posting_version_fts(version_id, doc tsvector)`` with a GIN
index, kept in sync by a trigger function. Both are backfilled here.

Indexes (chosen from EXPLAIN of storage/queries.py, see benchmarks/history.py):
``postings(repost_of_id)`` (partial) for following reposts forward, ``postings(url)`` for lookups by
URL, ``changes(to_version_id)`` for a version's diff, ``postings(status, closed_at)`` for the
repost linker.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_COLUMNS = ("requirements", "nice_to_have", "responsibilities", "benefits")
INDEXES = (
    ("ix_postings_url", "postings", ["url"]),
    ("ix_postings_status_closed", "postings", ["status", "closed_at"]),
    ("ix_changes_to_version", "changes", ["to_version_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # partial: almost every posting has no repost_of_id, and with all those NULLs in a full
    # index SQLite's planner (after ANALYZE) prefers a table scan for "repost_of_id = ?"
    op.create_index("ix_postings_repost_of", "postings", ["repost_of_id"],
                    sqlite_where=sa.text("repost_of_id IS NOT NULL"),
                    postgresql_where=sa.text("repost_of_id IS NOT NULL"))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_up()
    else:
        _sqlite_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS posting_versions_fts ON posting_versions")
        op.execute("DROP FUNCTION IF EXISTS jobtrail_version_fts()")
        op.execute("DROP TABLE IF EXISTS posting_version_fts")
        op.execute("DROP FUNCTION IF EXISTS jobtrail_list_text(jsonb)")
    else:
        for trigger in ("posting_versions_fts_ai", "posting_versions_fts_ad", "posting_versions_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS posting_version_fts")
        op.execute("DROP VIEW IF EXISTS posting_version_text")
    op.drop_index("ix_postings_repost_of", table_name="postings")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_text_exprs(row: str) -> list[str]:
    """title, description, then each list as one bullet per line (json_each decodes escapes)."""
    lists = [f"(SELECT group_concat(value, char(10)) FROM json_each({row}.{col}))" for col in LIST_COLUMNS]
    return [f"{row}.title", f"{row}.description", *lists]


def _sqlite_text_columns(row: str) -> str:
    return ", ".join(_sqlite_text_exprs(row))


def _sqlite_up() -> None:
    names = ["title", "description", *LIST_COLUMNS]
    columns = ", ".join(names)
    exprs = _sqlite_text_exprs("v")
    aliased = ", ".join(f"{expr} AS {name}" for expr, name in zip(exprs, names, strict=True))
    selects = f"v.id AS id, {aliased}"
    op.execute(f"CREATE VIEW posting_version_text AS SELECT {selects} FROM posting_versions AS v")
    op.execute(
        f"CREATE VIRTUAL TABLE posting_version_fts USING fts5({columns}, "
        "content='posting_version_text', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    insert = (
        f"INSERT INTO posting_version_fts(rowid, {columns}) VALUES (new.id, {_sqlite_text_columns('new')});"
    )
    delete = (
        f"INSERT INTO posting_version_fts(posting_version_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {_sqlite_text_columns('old')});"
    )
    op.execute(f"CREATE TRIGGER posting_versions_fts_ai AFTER INSERT ON posting_versions BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER posting_versions_fts_ad AFTER DELETE ON posting_versions BEGIN {delete} END")
    op.execute(
        f"CREATE TRIGGER posting_versions_fts_au AFTER UPDATE ON posting_versions BEGIN {delete} {insert} END"
    )
    # ('rebuild' cannot read a view as content, so backfill from the view by hand)
    op.execute(
        f"INSERT INTO posting_version_fts(rowid, {columns}) SELECT id, {columns} FROM posting_version_text"
    )


# --- PostgreSQL -----------------------------------------------------------------------------

def _postgresql_up() -> None:
    op.execute(
        """
        CREATE FUNCTION jobtrail_list_text(items jsonb) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN jsonb_typeof(items) = 'array'
                        THEN (SELECT string_agg(value, E'\\n') FROM jsonb_array_elements_text(items))
                   END
        $$
        """
    )
    lists = ", ".join(f"jobtrail_list_text(NEW.{col})" for col in LIST_COLUMNS)
    op.execute(
        """
        CREATE TABLE posting_version_fts (
            version_id integer PRIMARY KEY REFERENCES posting_versions(id) ON DELETE CASCADE,
            doc tsvector NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_posting_version_fts_doc ON posting_version_fts USING gin (doc)")
    op.execute(
        f"""
        CREATE FUNCTION jobtrail_version_fts() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO posting_version_fts (version_id, doc)
            VALUES (NEW.id, to_tsvector('simple', concat_ws(E'\\n', NEW.title, NEW.description, {lists})))
            ON CONFLICT (version_id) DO UPDATE SET doc = EXCLUDED.doc;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER posting_versions_fts AFTER INSERT OR UPDATE ON posting_versions "
        "FOR EACH ROW EXECUTE FUNCTION jobtrail_version_fts()"
    )
    backfill = ", ".join(f"jobtrail_list_text(v.{col})" for col in LIST_COLUMNS)
    op.execute(
        "INSERT INTO posting_version_fts (version_id, doc) SELECT v.id, to_tsvector('simple', "
        f"concat_ws(E'\\n', v.title, v.description, {backfill})) FROM posting_versions AS v"
    )
