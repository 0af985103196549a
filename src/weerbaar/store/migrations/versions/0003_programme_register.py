"""The programme register: the measures' status and milestones, and their append-only history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copy of models.MEASURE_STATUSES at this revision: a later change needs a new migration.
STATUSES = ("planned", "in_preparation", "running", "completed", "delayed", "stopped")
APPEND_ONLY = ("measure_changes",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "programme_measures",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title_nl", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_programme_measures_status")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_programme_measures_updated_by_users")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_programme_measures")),
    )
    op.create_table(
        "programme_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("title_nl", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_number"],
            ["programme_measures.number"],
            name=op.f("fk_programme_milestones_measure_number_programme_measures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_milestones")),
    )
    op.create_index(op.f("ix_programme_milestones_measure_number"), "programme_milestones", ["measure_number"])
    op.create_table(
        "measure_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_measure_changes_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["measure_number"],
            ["programme_measures.number"],
            name=op.f("fk_measure_changes_measure_number_programme_measures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_changes")),
    )
    op.create_index(op.f("ix_measure_changes_measure_number"), "measure_changes", ["measure_number"])

    # The history is append-only in the database itself (the function comes from revision 0001).
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION weerbaar_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.drop_index(op.f("ix_measure_changes_measure_number"), table_name="measure_changes")
    op.drop_table("measure_changes")
    op.drop_index(op.f("ix_programme_milestones_measure_number"), table_name="programme_milestones")
    op.drop_table("programme_milestones")
    op.drop_table("programme_measures")
