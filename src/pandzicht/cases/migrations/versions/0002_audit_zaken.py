"""append-only hash-chained audit log; case purposes from a list; confirmed outcomes; managed organisations

Revision ID: 0002b
Revises: 0001
Create Date: 2026-12-02

Existing audit rows lose the case purpose text that earlier versions copied into
them (it was free text and could hold a name), then get their chain hashes in id
order; from here on triggers refuse UPDATE and DELETE on the table. Existing
outcomes recorded by a case director count as confirmed by that director; a
partner's outcome waits for confirmation. Organisations start from the built-in
list plus every organisation an account or a shared case already names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002b"
down_revision = "0001"
branch_labels = None
depends_on = None

BUILT_IN = (
    "Gemeente Rotterdam", "Politie Eenheid Rotterdam", "RIEC Rotterdam", "Belastingdienst",
    "Openbaar Ministerie", "Woningcorporatie", "Netbeheerder",
)
CASE_ACTIONS = ("zaak_geopend", "zaak_bekeken", "naam_onthuld", "export_zaak")

_audit = sa.table(
    "audit", sa.column("id", sa.Integer), sa.column("tijd", sa.DateTime), sa.column("gebruiker_id", sa.Integer),
    sa.column("gebruikersnaam", sa.String), sa.column("rol", sa.String), sa.column("actie", sa.String),
    sa.column("object_soort", sa.String), sa.column("object_id", sa.String), sa.column("zaak_id", sa.Integer),
    sa.column("doel", sa.Text), sa.column("aantal", sa.Integer), sa.column("vorige_hash", sa.String),
    sa.column("hash", sa.String),
)

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_alleen_toevoegen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'auditlog is alleen-toevoegen: % geweigerd', TG_OP;
END $$;
CREATE TRIGGER audit_geen_wijziging BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_alleen_toevoegen();
CREATE TRIGGER audit_geen_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_alleen_toevoegen();
"""
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_geen_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'auditlog is alleen-toevoegen: UPDATE geweigerd'); END",
    "CREATE TRIGGER audit_geen_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'auditlog is alleen-toevoegen: DELETE geweigerd'); END",
)


def upgrade() -> None:
    from pandzicht.privacy.audit import GENESIS, entry_hash

    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aantal", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vorige_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doel_code", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("doel_kenmerk", sa.String(length=40), nullable=False, server_default=""))
    with op.batch_alter_table("uitkomst", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bevestigd_door", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bevestigd_op", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_uitkomst_bevestigd_door_gebruiker"), "gebruiker",
                                    ["bevestigd_door"], ["id"])
    organisatie = op.create_table(
        "organisatie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("naam", sa.String(length=120), nullable=False),
        sa.Column("actief", sa.Boolean(), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisatie")),
        sa.UniqueConstraint("naam", name=op.f("uq_organisatie_naam")),
    )

    bind = op.get_bind()
    from pandzicht.cases.db import utcnow

    names = dict.fromkeys(BUILT_IN)
    for (naam,) in bind.execute(sa.text("SELECT DISTINCT organisatie FROM gebruiker WHERE organisatie <> '' "
                                        "UNION SELECT DISTINCT organisatie FROM zaak_partner")):
        if naam and naam.strip():
            names.setdefault(naam.strip()[:120])
    now = utcnow()
    op.bulk_insert(organisatie, [{"naam": n, "actief": True, "aangemaakt_op": now} for n in names])

    bind.execute(sa.text(
        "UPDATE uitkomst SET bevestigd_door = vastgelegd_door, bevestigd_op = vastgelegd_op "
        "WHERE vastgelegd_door IN (SELECT id FROM gebruiker WHERE rol = 'casusregisseur')"))

    bind.execute(_audit.update().where(_audit.c.actie.in_(CASE_ACTIONS)).values(doel=""))
    previous = GENESIS
    for row in bind.execute(sa.select(_audit).order_by(_audit.c.id)).mappings().all():
        entry = _Row({**row, "vorige_hash": previous})
        digest = entry_hash(entry)
        bind.execute(_audit.update().where(_audit.c.id == row["id"]).values(vorige_hash=previous, hash=digest))
        previous = digest

    if bind.dialect.name == "postgresql":
        op.execute(PG_TRIGGER)
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


class _Row:
    """Attribute access over a row mapping, the shape entry_hash reads."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_geen_truncate ON audit")
        op.execute("DROP TRIGGER IF EXISTS audit_geen_wijziging ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_alleen_toevoegen()")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_geen_update")
        op.execute("DROP TRIGGER IF EXISTS audit_geen_delete")
    op.drop_table("organisatie")
    with op.batch_alter_table("uitkomst", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_uitkomst_bevestigd_door_gebruiker"), type_="foreignkey")
        batch_op.drop_column("bevestigd_op")
        batch_op.drop_column("bevestigd_door")
    with op.batch_alter_table("zaak", schema=None) as batch_op:
        batch_op.drop_column("doel_kenmerk")
        batch_op.drop_column("doel_code")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("vorige_hash")
        batch_op.drop_column("aantal")
