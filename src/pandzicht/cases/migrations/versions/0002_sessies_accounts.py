"""server-side sessions, failed-login counters, second factor and password date on accounts

Revision ID: 0002a
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002a"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gebruiker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_geheim", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_laatste_stap", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("wachtwoord_gewijzigd_op", sa.DateTime(), nullable=True))

    op.create_table(
        "sessie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("gebruiker_id", sa.Integer(), nullable=False),
        sa.Column("volledig", sa.Boolean(), nullable=False),
        sa.Column("totp_nieuw", sa.String(length=64), nullable=True),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.Column("laatst_actief", sa.DateTime(), nullable=False),
        sa.Column("verloopt_op", sa.DateTime(), nullable=False),
        sa.Column("beeindigd_op", sa.DateTime(), nullable=True),
        sa.Column("reden", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["gebruiker_id"], ["gebruiker.id"], name=op.f("fk_sessie_gebruiker_id_gebruiker"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessie")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessie_token_hash")),
    )
    with op.batch_alter_table("sessie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessie_gebruiker_id"), ["gebruiker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessie_verloopt_op"), ["verloopt_op"], unique=False)

    op.create_table(
        "inlogfout",
        sa.Column("sleutel", sa.String(length=64), nullable=False),
        sa.Column("soort", sa.String(length=10), nullable=False),
        sa.Column("aantal", sa.Integer(), nullable=False),
        sa.Column("laatste_op", sa.DateTime(), nullable=False),
        sa.Column("geblokkeerd_tot", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sleutel", name=op.f("pk_inlogfout")),
    )


def downgrade() -> None:
    op.drop_table("inlogfout")
    with op.batch_alter_table("sessie", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessie_verloopt_op"))
        batch_op.drop_index(batch_op.f("ix_sessie_gebruiker_id"))
    op.drop_table("sessie")
    with op.batch_alter_table("gebruiker", schema=None) as batch_op:
        batch_op.drop_column("wachtwoord_gewijzigd_op")
        batch_op.drop_column("totp_laatste_stap")
        batch_op.drop_column("totp_geheim")
