"""crawl fates and delivery identity

``crawl_runs.unreachable`` / ``crawl_runs.note``: how many posting requests of a crawl got no
answer (redirect loop, off-site login, robots, download error) and why; those postings count
neither seen nor missed. ``deliveries.message_key``: the identity of the message a delivery
went out in (e-mail Message-ID, webhook Idempotency-Key), kept so an unconfirmed send is
re-sent with the same identity and receivers can drop the repeat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('crawl_runs') as batch:
        batch.add_column(sa.Column('unreachable', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('note', sa.Text(), nullable=True))
    with op.batch_alter_table('deliveries') as batch:
        batch.add_column(sa.Column('message_key', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries') as batch:
        batch.drop_column('message_key')
    with op.batch_alter_table('crawl_runs') as batch:
        batch.drop_column('note')
        batch.drop_column('unreachable')
