"""case work: assignee, deadline, notes, intervention status time, share time, further addresses

Revision ID: 0005k
Revises: 0004m
Create Date: 2026-12-02

Notes are free text kept in the case (zaak_notitie); the audit log records only a note's id.
A case opened for a selection of addresses keeps the further addresses in zaak_adres.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005k"
down_revision = "0004m"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.add_column(sa.Column("toegewezen_aan", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("termijn", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_zaak_toegewezen_aan"), ["toegewezen_aan"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_zaak_toegewezen_aan_gebruiker"), "gebruiker",
                                    ["toegewezen_aan"], ["id"])
    with op.batch_alter_table("zaak_partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gedeeld_op", sa.DateTime(), nullable=True))
    with op.batch_alter_table("zaak_interventie", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_op", sa.DateTime(), nullable=True))
    op.create_table(
        "zaak_notitie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("door", sa.Integer(), nullable=False),
        sa.Column("op", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["zaak_id"], ["zaak.id"], name=op.f("fk_zaak_notitie_zaak_id_zaak"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["door"], ["gebruiker.id"], name=op.f("fk_zaak_notitie_door_gebruiker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak_notitie")),
    )
    with op.batch_alter_table("zaak_notitie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zaak_notitie_zaak_id"), ["zaak_id"], unique=False)
    op.create_table(
        "zaak_adres",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("verblijfsobject_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["zaak_id"], ["zaak.id"], name=op.f("fk_zaak_adres_zaak_id_zaak"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak_adres")),
        sa.UniqueConstraint("zaak_id", "verblijfsobject_id", name=op.f("uq_zaak_adres_zaak_id")),
    )
    with op.batch_alter_table("zaak_adres", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zaak_adres_zaak_id"), ["zaak_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zaak_adres_verblijfsobject_id"), ["verblijfsobject_id"], unique=False)


def downgrade() -> None:
    op.drop_table("zaak_adres")
    op.drop_table("zaak_notitie")
    with op.batch_alter_table("zaak_interventie", schema=None) as batch_op:
        batch_op.drop_column("status_op")
    with op.batch_alter_table("zaak_partner", schema=None) as batch_op:
        batch_op.drop_column("gedeeld_op")
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_zaak_toegewezen_aan_gebruiker"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_zaak_toegewezen_aan"))
        batch_op.drop_column("termijn")
        batch_op.drop_column("toegewezen_aan")
