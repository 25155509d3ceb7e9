"""sources.retired_at, retired_as: a source removed from the config, its history kept

`jobtrail sources remove NAME` (without --purge) sets it, and so does the first crawl that
finds a stored source missing from jobtrail.toml (reported once as orphaned); ``retired_as``
says which ("removed" | "orphaned"). The digest
footer and failure reports skip retired sources. Crawling the source again clears it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sources", sa.Column("retired_as", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("retired_as")
        batch.drop_column("retired_at")
