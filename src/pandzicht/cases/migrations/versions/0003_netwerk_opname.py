"""link charts saved into a case

Revision ID: 0003c
Revises: 0002b
Create Date: 2026-12-02

A chart holds node ids, positions, pins and selection as JSON text (never names:
labels are fetched and pseudonymised again when the chart is opened).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003c"
down_revision = "0002b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "netwerk_opname",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("kern", sa.String(length=120), nullable=False),
        sa.Column("titel", sa.String(length=120), nullable=False),
        sa.Column("inhoud", sa.Text(), nullable=False),
        sa.Column("aangemaakt_door", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["zaak_id"], ["zaak.id"], name=op.f("fk_netwerk_opname_zaak_id_zaak"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["aangemaakt_door"], ["gebruiker.id"],
                                name=op.f("fk_netwerk_opname_aangemaakt_door_gebruiker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_netwerk_opname")),
    )
    with op.batch_alter_table("netwerk_opname", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_netwerk_opname_zaak_id"), ["zaak_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("netwerk_opname", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_netwerk_opname_zaak_id"))
    op.drop_table("netwerk_opname")
