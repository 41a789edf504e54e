"""Subject access (inzage, AVG art. 15): everything held about one person, for the privacy officer to hand over.

The person is found by a party id, by the pseudonym token the screens show (with the app secret), or by full name
plus birth date. The report lists per source the records of that person (never the other parties of a record, never
free text an officer or reporter typed, which may be about others), the scores and cases those records fed, and
every audit row about the person: who looked, when, in which role and case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pandzicht.cases.models import Case, Reveal
from pandzicht.errors import PandzichtError
from pandzicht.privacy.audit import ACTION_LABELS
from pandzicht.privacy.models import AuditEntry
from pandzicht.privacy.pseudonym import token

# Per source: the raw table's key, and the columns about the person shown (never other parties' names or free text).
_RECORDS = {
    "brp_inschrijving": ("persoon_id", "voornamen, voorvoegsel, geslachtsnaam, geboortedatum, verblijfsobject_id, "
                                       "datum_aanvang, datum_einde"),
    "kadaster_eigendom": ("eigendom_id", "eigenaar_naam, eigenaar_geboortedatum, verblijfsobject_id, aandeel, "
                                         "datum_verkrijging, koopsom_eur"),
    "kvk_functionaris": ("functionaris_id", "naam, geboortedatum, kvk_nummer, rol, datum_aanvang, datum_einde"),
    "huurcontract": ("contract_id", "bron, verblijfsobject_id, adres_tekst, datum_aanvang, datum_einde, huurprijs_eur, "
                                    "betaalwijze"),
    "politie_betrokkene": ("betrokkene_id", "naam, geboortedatum, rol, incident_id"),
}
SOURCE_LABELS = {
    "brp_inschrijving": "Inschrijvingen in de BRP", "kadaster_eigendom": "Eigendom volgens het Kadaster",
    "kvk_functionaris": "Functies bij bedrijven volgens de KvK", "kvk_vestiging": "Bedrijven volgens de KvK",
    "huurcontract": "Huurcontracten", "politie_betrokkene": "Registraties bij de politie",
}


@dataclass
class AccessReport:
    entiteit_ids: list[str]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    party_scores: list[dict[str, Any]] = field(default_factory=list)
    unit_scores: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)


def find_person(con: duckdb.DuckDBPyConnection, *, partij: str = "", pseudoniem: str = "", secret: bytes = b"",
                naam: str = "", geboortedatum: dt.date | None = None) -> list[str]:
    """The party ids of one person; PandzichtError when nobody (or a company) matches."""
    if partij:
        ids = [r[0] for r in con.execute("SELECT DISTINCT entiteit_id FROM entiteit WHERE entiteit_id = ?",
                                         [partij]).fetchall()]
    elif pseudoniem:
        if not secret:
            raise PandzichtError("een pseudoniem is alleen te herleiden met PANDZICHT_SECRET van de webapp")
        tok = pseudoniem.strip().split("#")[-1].strip().lower()
        ids = [e for (e,) in con.execute("SELECT DISTINCT entiteit_id FROM entiteit").fetchall()
               if token(secret, e) == tok]
    elif naam and geboortedatum:
        wanted = " ".join(naam.lower().split())
        ids = [r[0] for r in con.execute(
            "SELECT DISTINCT e.entiteit_id FROM partij_vermelding v JOIN entiteit e USING (bron, record_sleutel) "
            "WHERE v.geboortedatum = ? AND lower(regexp_replace(trim(v.naam), '\\s+', ' ', 'g')) = ?",
            [geboortedatum, wanted]).fetchall()]
    else:
        raise PandzichtError("geef een partij-id, een pseudoniem, of naam en geboortedatum")
    if not ids:
        raise PandzichtError("geen persoon gevonden die hierbij past")
    return sorted(ids)


def gather(con: duckdb.DuckDBPyConnection, session: Session, ids: list[str]) -> AccessReport:
    report = AccessReport(ids)
    keys = con.execute("SELECT bron, record_sleutel FROM entiteit WHERE entiteit_id IN (SELECT unnest(?)) "
                       "ORDER BY 1, 2", [ids]).fetchall()
    for bron, sleutel in keys:
        if bron not in _RECORDS:
            continue
        key, cols = _RECORDS[bron]
        rec = sleutel.split(":")[0]
        rows = _rows(con, f"SELECT {key} AS kenmerk, {cols} FROM raw_{bron} WHERE {key} = ?", [rec])
        if bron == "huurcontract":
            for r in rows:
                r["rol in het contract"] = sleutel.split(":")[1] if ":" in sleutel else ""
        if bron == "politie_betrokkene":
            for r in rows:
                inc = _rows(con, "SELECT datum, categorie, verblijfsobject_id FROM raw_politie_incident "
                                 "WHERE incident_id = ?", [r["incident_id"]])
                if inc:
                    r.update({f"incident {k}": v for k, v in inc[0].items()})
        report.records.setdefault(bron, []).extend(rows)
    if _has(con, "partij_score"):
        report.party_scores = _rows(con, "SELECT entiteit_id, rang, rol, score, uitleg FROM partij_score "
                                         "WHERE entiteit_id IN (SELECT unnest(?))", [ids])
    units = [r[0] for r in con.execute("SELECT DISTINCT naar FROM relatie WHERE van IN (SELECT unnest(?)) "
                                       "AND naar IN (SELECT verblijfsobject_id FROM raw_bag_verblijfsobject)",
                                       [ids]).fetchall()]
    if units and _has(con, "adres_score"):
        report.unit_scores = _rows(con, "SELECT s.verblijfsobject_id, s.rang, s.score, s.vermoeden, s.uitleg "
                                        "FROM adres_score s WHERE s.verblijfsobject_id IN (SELECT unnest(?)) "
                                        "ORDER BY s.rang", [units])
    revealed = {r.zaak_id for r in session.scalars(select(Reveal).where(Reveal.entiteit_id.in_(ids)))}
    cases = session.scalars(select(Case).where(or_(
        (Case.onderwerp_soort == "partij") & Case.onderwerp_id.in_(ids),
        (Case.onderwerp_soort == "adres") & Case.onderwerp_id.in_(units or [""]),
        Case.id.in_(revealed or {-1}))).order_by(Case.id))
    report.cases = [{"zaak": c.id, "doel": c.doel, "status": c.status, "geopend": c.aangemaakt_op.date(),
                     "naam getoond": "ja" if c.id in revealed else "nee"} for c in cases]
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_id.in_([*ids, *units]))
                              .order_by(AuditEntry.id))
    report.views = [{"wanneer": e.tijd.replace(microsecond=0), "wie": e.gebruikersnaam or "(systeem)",
                     "rol": e.rol, "wat": ACTION_LABELS.get(e.actie, e.actie),
                     "over": "u" if e.object_id in ids else f"adres {e.object_id}", "zaak": e.zaak_id or ""}
                    for e in entries]
    return report


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchone()[0])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def render_html(report: AccessReport, today: dt.date) -> str:
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                      autoescape=select_autoescape(["html"]))
    return env.get_template("inzage.html").render(r=report, labels=SOURCE_LABELS, vandaag=today)
