"""Initial operational store: reports, their contacts and history, users, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the value lists at this revision: a later change needs a new migration.
KINDS = ("dealing", "handing_over", "stashing", "nuisance")
STATUSES = ("new", "triaged", "forwarded", "closed")
FORWARD_TARGETS = ("police", "enforcement", "stadsdeel")
NEAR_FACILITY_TYPES = ("school", "playground", "community_centre", "youth_centre", "care_centre", "other")
ROLES = ("analyst", "moderator", "admin")
APPEND_ONLY = ("status_changes", "audit_entries")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("role", ROLES), name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("buurt_code", sa.String(20), nullable=True),
        sa.Column("near_facility_type", sa.String(30), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("forwarded_to", sa.String(20), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_reports_kind")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_reports_status")),
        sa.CheckConstraint(_in("forwarded_to", FORWARD_TARGETS), name=op.f("ck_reports_forwarded_to")),
        sa.CheckConstraint(_in("near_facility_type", NEAR_FACILITY_TYPES), name=op.f("ck_reports_near_facility_type")),
        sa.CheckConstraint("length(description) <= 2000", name=op.f("ck_reports_description_length")),
        sa.CheckConstraint("x % 100 = 50 AND y % 100 = 50", name=op.f("ck_reports_cell_centre")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reports_idempotency_key")),
    )
    op.create_index(op.f("ix_reports_created_at"), "reports", ["created_at"])
    op.create_index(op.f("ix_reports_buurt_code"), "reports", ["buurt_code"])
    op.create_index(op.f("ix_reports_status"), "reports", ["status"])
    op.create_table(
        "report_contacts",
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_contacts_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_contacts")),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("from_status", STATUSES), name=op.f("ck_status_changes_from_status")),
        sa.CheckConstraint(_in("to_status", STATUSES), name=op.f("ck_status_changes_to_status")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_status_changes_reason")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_status_changes_actor_id_users")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_status_changes_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    op.create_index(op.f("ix_status_changes_report_id"), "status_changes", ["report_id"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_audit_entries_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])
    op.create_index(op.f("ix_audit_entries_report_id"), "audit_entries", ["report_id"])

    # History and audit log are append-only in the database itself, not only in the API.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION weerbaar_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
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
        op.execute("DROP FUNCTION IF EXISTS weerbaar_append_only()")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.drop_table("audit_entries")
    op.drop_table("status_changes")
    op.drop_table("report_contacts")
    op.drop_table("reports")
    op.drop_table("users")
