"""The intervention register (issue 19): interventions and their append-only change history.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copies of intervention_models.INTERVENTION_KINDS / LOCATION_KINDS at this revision.
KINDS = ("closure_13b", "area_ban", "camera_area", "enforcement_focus", "prevention_project", "other")
LOCATIONS = ("point", "areas", "polygon")
APPEND_ONLY = ("intervention_changes",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "interventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(100), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("location_kind", sa.String(10), nullable=False),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("polygon_wkt", sa.Text(), nullable=True),
        sa.Column("area_codes", sa.Text(), nullable=False),
        sa.Column("division", sa.String(20), nullable=False),
        sa.Column("partner", sa.String(200), nullable=False),
        sa.Column("measure_number", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_interventions_kind")),
        sa.CheckConstraint(_in("location_kind", LOCATIONS), name=op.f("ck_interventions_location_kind")),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_interventions_dates")),
        sa.CheckConstraint(
            "radius_m IS NULL OR (radius_m > 0 AND radius_m <= 5000)", name=op.f("ck_interventions_radius")
        ),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_interventions_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interventions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_interventions_external_id")),
    )
    op.create_index(op.f("ix_interventions_start_date"), "interventions", ["start_date"])
    op.create_table(
        "intervention_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_intervention_changes_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_intervention_changes_intervention_id_interventions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_changes")),
    )
    op.create_index(op.f("ix_intervention_changes_intervention_id"), "intervention_changes", ["intervention_id"])

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
    op.drop_index(op.f("ix_intervention_changes_intervention_id"), table_name="intervention_changes")
    op.drop_table("intervention_changes")
    op.drop_index(op.f("ix_interventions_start_date"), table_name="interventions")
    op.drop_table("interventions")
