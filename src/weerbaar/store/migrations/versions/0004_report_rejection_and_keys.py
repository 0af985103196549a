"""Reports: the hash of the body a submission key was first used with (a key reused with another body is
refused), and when a moderator rejected a report (left out of every figure).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("idempotency_hash", sa.String(64), nullable=True))
    op.add_column("reports", sa.Column("excluded_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:  # SQLite: drop the columns by copying the table
        batch.drop_column("excluded_at")
        batch.drop_column("idempotency_hash")
