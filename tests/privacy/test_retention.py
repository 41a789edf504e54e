"""Retention: records past their source's term leave both stores; younger ones stay; the audit log holds counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from typer.testing import CliRunner

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.cases.models import Case, Signal
from pandzicht.cli import app
from pandzicht.privacy.audit import verify
from pandzicht.privacy.models import AuditEntry, User
from pandzicht.privacy.retention import load_terms
from pandzicht.privacy.users import create_user

AGE = {"politie_incident": "datum", "melding": "datum", "brp_inschrijving": "datum_einde",
       "huurcontract": "datum_einde", "handhaving_uitkomst": "datum"}


def _config(tmp_path: Path) -> Path:
    """One year for every dated source, so one reference day splits each source into old and young."""
    path = tmp_path / "termijnen.toml"
    path.write_text("".join(f'[{b}]\njaren = 1\n' for b in (*AGE, "energie_verbruik", "zaak")), encoding="utf-8")
    return path


def _counts(db: Path, cutoff: dt.date) -> dict[str, tuple[int, int]]:
    """(old, young) rows per source: dated before the cutoff, and all others."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {b: con.execute(f"SELECT count(*) FILTER (WHERE {c} < ?), count(*) FILTER (WHERE {c} IS NULL OR "
                               f"{c} >= ?) FROM raw_{b}", [cutoff, cutoff]).fetchone() for b, c in AGE.items()}


def test_retention_removes_old_records_keeps_young_ones_and_audits_counts(store_copy: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(store_copy), read_only=True) as con:
        split = con.execute("SELECT median(datum)::DATE FROM raw_politie_incident").fetchone()[0]
        old_incidents = [r[0] for r in con.execute("SELECT incident_id FROM raw_politie_incident WHERE datum < ?",
                                                   [split]).fetchall()]
        old_persons = [r[0] for r in con.execute(
            "SELECT betrokkene_id FROM raw_politie_betrokkene WHERE incident_id IN (SELECT unnest(?))",
            [old_incidents]).fetchall()]
        parties_of_old = {r[0] for r in con.execute(
            "SELECT entiteit_id FROM entiteit WHERE bron = 'politie_betrokkene' AND record_sleutel IN "
            "(SELECT unnest(?))", [old_persons]).fetchall()}
    with duckdb.connect(str(store_copy)) as con:  # an old incident whose text link was replaced through people
        con.execute("INSERT INTO adres_koppeling_tekst SELECT * FROM adres_koppeling WHERE bron = 'politie_incident' "
                    "AND record_sleutel IN (SELECT unnest(?)) ORDER BY record_sleutel LIMIT 1", [old_incidents])
        assert con.execute("SELECT count(*) FROM adres_koppeling_tekst").fetchone()[0] > 0
    today = split.replace(year=split.year + 1)
    before = _counts(store_copy, split)
    assert before["politie_incident"][0] > 5 and before["politie_incident"][1] > 5 and old_persons

    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    now = dt.datetime.combine(today, dt.time())
    with session_factory(engine).begin() as s:
        user = create_user(s, "regie", "correct-horse-battery-staple", "casusregisseur")
        s.flush()
        for i, age in enumerate((400, 30, 500)):
            s.add(Signal(kenmerk=f"M-{i}", ontvangen_op=now - dt.timedelta(days=age), bron_type="buurtbewoner",
                         categorieen="stank", tekst="Jan Jansen op nummer 3"))
        for i, (status, age, soort, onderwerp) in enumerate((("gesloten", 400, "adres", "0599"),
                                                             ("gesloten", 30, "adres", "0599"),
                                                             ("open", 900, "melding", "M-2"))):
            s.add(Case(onderwerp_soort=soort, onderwerp_id=onderwerp, titel=f"zaak {i}", doel="x", status=status,
                       aangemaakt_door=user.id, bijgewerkt_op=now - dt.timedelta(days=age)))

    r = CliRunner().invoke(app, ["bewaartermijn", "toepassen", "--db", str(store_copy), "--database", url,
                                 "--config", str(_config(tmp_path)), "--op", today.isoformat()])
    assert r.exit_code == 0, r.output
    after = _counts(store_copy, split)
    for bron, (_old, young) in before.items():
        assert after[bron] == (0, young), bron  # every old record gone, every young one kept
    with duckdb.connect(str(store_copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_politie_betrokkene WHERE betrokkene_id IN (SELECT unnest(?))",
                           [old_persons]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM partij_vermelding WHERE bron = 'politie_betrokkene' AND "
                           "record_sleutel IN (SELECT unnest(?))", [old_persons]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM vermelding_invoer WHERE bron = 'politie_betrokkene' AND "
                           "record_sleutel IN (SELECT unnest(?))", [old_persons]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM adres_koppeling WHERE bron = 'politie_incident' AND record_sleutel "
                           "IN (SELECT unnest(?))", [old_incidents]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM incident_adres WHERE incident_id IN (SELECT unnest(?))",
                           [old_incidents]).fetchone()[0] == 0
        # the text-only link kept behind a link made through people goes with its record
        assert con.execute("SELECT count(*) FROM adres_koppeling_tekst WHERE bron = 'politie_incident' AND "
                           "record_sleutel IN (SELECT unnest(?))", [old_incidents]).fetchone()[0] == 0
        remaining = {r[0] for r in con.execute("SELECT entiteit_id FROM entiteit").fetchall()}
        scored = {r[0] for r in con.execute("SELECT entiteit_id FROM partij_score").fetchall()}
        assert scored <= remaining  # no party without a record keeps a score or a name
        assert not (parties_of_old - remaining) & scored

    with session_factory(engine)() as s:
        assert sorted(s.scalars(select(Signal.kenmerk))) == ["M-1", "M-2"]  # M-2 is the subject of a kept case
        assert sorted(s.scalars(select(Case.titel))) == ["zaak 1", "zaak 2"]
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.actie == "bewaartermijn_toegepast")))
        per = {(e.doel, e.object_id): e.aantal for e in rows}
        assert per[("operationeel", "melding")] == 1 and per[("operationeel", "zaak")] == 1
        assert per[("analyse", "politie_incident")] == before["politie_incident"][0]
        assert per[("analyse", "politie_betrokkene")] == len(old_persons)
        for e in rows:  # counts only: the source's name, the store, a number
            assert e.object_soort == "bron" and e.doel in ("analyse", "operationeel") and e.gebruiker_id is None
            assert "Jansen" not in f"{e.object_id} {e.doel}"
        assert verify(s).intact
        assert s.scalar(select(func.count()).select_from(User)) == 1
    engine.dispose()
    assert "Jansen" not in r.output


def test_shipped_terms_cover_every_source_of_the_contract_and_name_their_ground() -> None:
    from pandzicht.contract.sources import SOURCES

    terms = load_terms()
    assert set(SOURCES) | {"zaak"} <= set(terms)
    assert terms["politie_incident"].jaren == 5 and terms["melding"].jaren == 2
    assert all(t.grond and t.datum for t in terms.values())
