"""link discovery: learned posting-link templates per source; skipped pages per crawl run

``discovery_templates`` caches the template a crawl confirmed (URL shapes + markup signatures,
JSON text), so re-checks do not analyse or probe again. ``crawl_runs.skipped`` counts pages that
heuristic discovery reached and that were not postings. ``crawl_runs.status`` gains the word
``empty`` (no column change: it is a string).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discovery_templates",
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("skipped")
    op.drop_table("discovery_templates")
