"""cycles and leases: a source is crawled and judged once per cycle by the worker holding its lease

``cycles`` (one row per `jobtrail crawl` or `jobtrail cycle start`), ``leases`` (source, cycle,
owner, attempt, expires) and ``crawl_runs.cycle_id``. See storage/leases.py and docs/scale-out.md.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("cycle_id", "source_id", name="uq_leases_cycle_source"),
    )
    op.create_index("ix_leases_source_status", "leases", ["source_id", "status"])
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("cycle_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_crawl_runs_cycle_id_cycles", "cycles", ["cycle_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_crawl_runs_cycle_id", ["cycle_id"])


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_index("ix_crawl_runs_cycle_id")
        batch.drop_constraint("fk_crawl_runs_cycle_id_cycles", type_="foreignkey")
        batch.drop_column("cycle_id")
    op.drop_index("ix_leases_source_status", "leases")
    op.drop_table("leases")
    op.drop_table("cycles")
