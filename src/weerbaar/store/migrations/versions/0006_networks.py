"""The partner-only network store: pseudonymised actors and ties, the optional encrypted key.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("directed", sa.Boolean(), nullable=False),
        sa.Column("weighted", sa.Boolean(), nullable=False),
        sa.Column("has_time", sa.Boolean(), nullable=False),
        sa.Column("n_actors", sa.Integer(), nullable=False),
        sa.Column("n_ties", sa.Integer(), nullable=False),
        sa.Column("n_groups", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_networks_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("name", name=op.f("uq_networks_name")),
    )
    op.create_table(
        "network_actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("role", sa.String(60), nullable=True),
        sa.Column("grp", sa.String(60), nullable=True),
        sa.Column("age", sa.Float(), nullable=True),
        sa.Column("first_seen", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_actors_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_actors")),
    )
    op.create_index(op.f("ix_network_actors_network_id"), "network_actors", ["network_id"])
    op.create_table(
        "network_ties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("time", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_ties_network_id_networks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source"], ["network_actors.id"], name=op.f("fk_network_ties_source_network_actors"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target"], ["network_actors.id"], name=op.f("fk_network_ties_target_network_actors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_ties")),
    )
    op.create_index(op.f("ix_network_ties_network_id"), "network_ties", ["network_id"])
    op.create_table(
        "network_keys",
        sa.Column("network_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_keys_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("network_id", name=op.f("pk_network_keys")),
    )


def downgrade() -> None:
    op.drop_table("network_keys")
    op.drop_index(op.f("ix_network_ties_network_id"), table_name="network_ties")
    op.drop_table("network_ties")
    op.drop_index(op.f("ix_network_actors_network_id"), table_name="network_actors")
    op.drop_table("network_actors")
    op.drop_table("networks")
