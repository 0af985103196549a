"""Partner login sessions; where a report came from (the public form or an imported Signalen export).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SOURCES = ("form", "api", "signalen")  # frozen copy of models.REPORT_SOURCES at this revision


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    # SQLite cannot add a constraint to an existing table, but it can add a column with one.
    check = f"CONSTRAINT ck_reports_source CHECK ({_in('source', SOURCES)})"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE reports ADD COLUMN source VARCHAR(20) DEFAULT 'form' NOT NULL {check}")
    else:
        op.add_column("reports", sa.Column("source", sa.String(20), nullable=False, server_default="form"))
        op.create_check_constraint(op.f("ck_reports_source"), "reports", _in("source", SOURCES))
    op.add_column("reports", sa.Column("external_id", sa.String(100), nullable=True))
    op.add_column("reports", sa.Column("category", sa.String(100), nullable=True))
    op.create_index(op.f("ix_reports_external_id"), "reports", ["external_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_reports_external_id"), table_name="reports")
    with op.batch_alter_table("reports") as batch:  # SQLite: drop the columns by copying the table
        if op.get_bind().dialect.name != "sqlite":
            batch.drop_constraint(op.f("ck_reports_source"), type_="check")
        batch.drop_column("category")
        batch.drop_column("external_id")
        batch.drop_column("source")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
