"""initial operational schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gebruiker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("naam", sa.String(length=80), nullable=False),
        sa.Column("wachtwoord_hash", sa.String(length=200), nullable=False),
        sa.Column("rol", sa.String(length=30), nullable=False),
        sa.Column("organisatie", sa.String(length=120), nullable=False),
        sa.Column("actief", sa.Boolean(), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gebruiker")),
        sa.UniqueConstraint("naam", name=op.f("uq_gebruiker_naam")),
    )
    op.create_table(
        "melding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kenmerk", sa.String(length=20), nullable=False),
        sa.Column("ontvangen_op", sa.DateTime(), nullable=False),
        sa.Column("bron_type", sa.String(length=30), nullable=False),
        sa.Column("categorieen", sa.String(length=300), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("adres_tekst", sa.String(length=200), nullable=False),
        sa.Column("verblijfsobject_id", sa.String(length=16), nullable=True),
        sa.Column("koppeling_zekerheid", sa.Float(), nullable=False),
        sa.Column("koppeling_methode", sa.String(length=30), nullable=False),
        sa.Column("score_bij_ontvangst", sa.Float(), nullable=True),
        sa.Column("rang_bij_ontvangst", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_melding")),
        sa.UniqueConstraint("kenmerk", name=op.f("uq_melding_kenmerk")),
    )
    with op.batch_alter_table("melding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_melding_ontvangen_op"), ["ontvangen_op"], unique=False)
        batch_op.create_index(batch_op.f("ix_melding_verblijfsobject_id"), ["verblijfsobject_id"], unique=False)

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tijd", sa.DateTime(), nullable=False),
        sa.Column("gebruiker_id", sa.Integer(), nullable=True),
        sa.Column("gebruikersnaam", sa.String(length=80), nullable=False),
        sa.Column("rol", sa.String(length=30), nullable=False),
        sa.Column("actie", sa.String(length=40), nullable=False),
        sa.Column("object_soort", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=120), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=True),
        sa.Column("doel", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["gebruiker_id"], ["gebruiker.id"], name=op.f("fk_audit_gebruiker_id_gebruiker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_actie"), ["actie"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_tijd"), ["tijd"], unique=False)

    op.create_table(
        "zaak",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("onderwerp_soort", sa.String(length=10), nullable=False),
        sa.Column("onderwerp_id", sa.String(length=120), nullable=False),
        sa.Column("titel", sa.String(length=200), nullable=False),
        sa.Column("doel", sa.Text(), nullable=False),
        sa.Column("verkeerslicht", sa.String(length=10), nullable=True),
        sa.Column("verkeerslicht_reden", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("aangemaakt_door", sa.Integer(), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.Column("bijgewerkt_op", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["aangemaakt_door"], ["gebruiker.id"], name=op.f("fk_zaak_aangemaakt_door_gebruiker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak")),
    )
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zaak_onderwerp_id"), ["onderwerp_id"], unique=False)

    op.create_table(
        "onthulling",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("gebruiker_id", sa.Integer(), nullable=False),
        sa.Column("entiteit_id", sa.String(length=120), nullable=False),
        sa.Column("tijd", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["gebruiker_id"], ["gebruiker.id"], name=op.f("fk_onthulling_gebruiker_id_gebruiker")),
        sa.ForeignKeyConstraint(["zaak_id"], ["zaak.id"], name=op.f("fk_onthulling_zaak_id_zaak"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onthulling")),
        sa.UniqueConstraint("zaak_id", "gebruiker_id", "entiteit_id", name=op.f("uq_onthulling_zaak_id")),
    )
    with op.batch_alter_table("onthulling", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_onthulling_zaak_id"), ["zaak_id"], unique=False)

    op.create_table(
        "zaak_interventie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("verantwoordelijke", sa.String(length=120), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zaak_id"], ["zaak.id"], name=op.f("fk_zaak_interventie_zaak_id_zaak"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak_interventie")),
    )
    with op.batch_alter_table("zaak_interventie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zaak_interventie_zaak_id"), ["zaak_id"], unique=False)

    op.create_table(
        "zaak_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("organisatie", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["zaak_id"], ["zaak.id"], name=op.f("fk_zaak_partner_zaak_id_zaak"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zaak_partner")),
        sa.UniqueConstraint("zaak_id", "organisatie", name=op.f("uq_zaak_partner_zaak_id")),
    )
    with op.batch_alter_table("zaak_partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zaak_partner_zaak_id"), ["zaak_id"], unique=False)

    op.create_table(
        "uitkomst",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zaak_id", sa.Integer(), nullable=False),
        sa.Column("interventie_id", sa.Integer(), nullable=True),
        sa.Column("verblijfsobject_id", sa.String(length=16), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("bevinding", sa.String(length=30), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("vastgelegd_door", sa.Integer(), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interventie_id"], ["zaak_interventie.id"], name=op.f("fk_uitkomst_interventie_id_zaak_interventie")
        ),
        sa.ForeignKeyConstraint(
            ["vastgelegd_door"], ["gebruiker.id"], name=op.f("fk_uitkomst_vastgelegd_door_gebruiker")
        ),
        sa.ForeignKeyConstraint(["zaak_id"], ["zaak.id"], name=op.f("fk_uitkomst_zaak_id_zaak"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uitkomst")),
    )
    with op.batch_alter_table("uitkomst", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uitkomst_verblijfsobject_id"), ["verblijfsobject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_uitkomst_zaak_id"), ["zaak_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("uitkomst", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uitkomst_zaak_id"))
        batch_op.drop_index(batch_op.f("ix_uitkomst_verblijfsobject_id"))

    op.drop_table("uitkomst")
    with op.batch_alter_table("zaak_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zaak_partner_zaak_id"))

    op.drop_table("zaak_partner")
    with op.batch_alter_table("zaak_interventie", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zaak_interventie_zaak_id"))

    op.drop_table("zaak_interventie")
    with op.batch_alter_table("onthulling", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onthulling_zaak_id"))

    op.drop_table("onthulling")
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zaak_onderwerp_id"))

    op.drop_table("zaak")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_tijd"))
        batch_op.drop_index(batch_op.f("ix_audit_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_actie"))

    op.drop_table("audit")
    with op.batch_alter_table("melding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_melding_verblijfsobject_id"))
        batch_op.drop_index(batch_op.f("ix_melding_ontvangen_op"))

    op.drop_table("melding")
    op.drop_table("gebruiker")
