"""Retention (bewaartermijn, AVG art. 5(1)(e)): records older than their source's term are removed.

Terms are data (`bewaartermijnen.toml`, overridable with a file of the same shape). The analysis store loses the
raw rows past their term, their quarantined rows, and everything derived from those exact records: address links,
party mentions (and the hashes of their input), resolved entities, graph edges, the review queue, and the scores
and portfolios of parties that no longer have any record. Address scores stay until the next `analyse` recomputes
them (they hold no person). The operational store loses signals past the signal term (unless a case about them is
still kept) and closed cases past the case term, with their outcomes, interventions, partners and reveals.

Every run writes one audit row per source and store with the number of records removed: counts, never content.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from pandzicht.cases.models import Case, Reveal, Signal
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit


@dataclass(frozen=True)
class Term:
    bron: str
    jaren: int
    datum: str  # what dates a record, in words
    grond: str  # where the default comes from, or "keuze" (a choice for the privacy officer)


# How a source's rows are dated in the analysis store (SQL over its raw or quarantine table; NULL = no term).
_AGE_SQL = {
    "politie_incident": "try_cast(datum AS DATE)",
    "melding": "try_cast(datum AS DATE)",
    "brp_inschrijving": "try_cast(datum_einde AS DATE)",
    "huurcontract": "try_cast(datum_einde AS DATE)",
    "kvk_functionaris": "try_cast(datum_einde AS DATE)",
    "kvk_vestiging": "try_cast(datum_opheffing AS DATE)",
    "energie_verbruik": "try_cast(periode || '-01' AS DATE)",
    "handhaving_uitkomst": "try_cast(datum AS DATE)",
    "kortverblijf_advertentie": "try_cast(last_review AS DATE)",
}
# The record key a source's rows are known by in derived tables (entiteit, partij_vermelding, adres_koppeling).
_KEY_SQL = {
    "politie_incident": "incident_id", "melding": "melding_id", "brp_inschrijving": "persoon_id",
    "huurcontract": "contract_id", "kvk_functionaris": "functionaris_id", "kvk_vestiging": "kvk_nummer",
    "politie_betrokkene": "betrokkene_id",
}
_LINK_TABLES = {"politie_incident": ("incident_adres", "incident_id"), "melding": ("melding_adres", "melding_id"),
                "huurcontract": ("contract_adres", "contract_id")}
# Tables keyed by a party id: a party with no record left loses these rows.
_PARTY_TABLES = (("partij_score", "entiteit_id"), ("partij_portefeuille", "entiteit_id"),
                 ("bijdrage_partij", "entiteit_id"), ("stroman_kandidaat", "entiteit_id"),
                 ("gedeelde_functionaris", "functionaris"))


def default_config() -> Path:
    return Path(str(resources.files("pandzicht.privacy") / "bewaartermijnen.toml"))


def load_terms(path: Path | None = None) -> dict[str, Term]:
    """The shipped terms, with those of `path` (same shape) taking precedence per source."""
    def read(p: Path) -> dict[str, Term]:
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PandzichtError(f"{p}: bewaartermijnen niet te lezen ({type(exc).__name__})") from None
        out = {}
        for bron, v in data.items():
            jaren = v.get("jaren") if isinstance(v, dict) else None
            if not isinstance(jaren, int) or jaren < 0:
                raise PandzichtError(f"{p}: bron '{bron}' heeft geen geldig aantal jaren (geheel getal, 0 of meer)")
            out[bron] = Term(bron, jaren, str(v.get("datum", "")), str(v.get("bron", "keuze")))
        return out

    terms = read(default_config())
    if path is not None:
        unknown = set(read(path)) - set(terms)
        if unknown:
            raise PandzichtError(f"{path}: onbekende bron {', '.join(sorted(unknown))}")
        terms.update(read(path))
    return terms


def cutoff(term: Term, today: dt.date) -> dt.date | None:
    """Records dated before this day are past their term; None when the source has no term."""
    if term.jaren == 0:
        return None
    try:
        return today.replace(year=today.year - term.jaren)
    except ValueError:  # 29 February
        return today.replace(year=today.year - term.jaren, day=28)


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchone()[0])


def _delete(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list | None = None) -> int:
    if not _has(con, table):
        return 0
    n = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or []).fetchone()[0]
    if n:
        con.execute(f"DELETE FROM {table} WHERE {where}", params or [])
    return int(n)


def apply_to_analysis(db: Path, terms: dict[str, Term], today: dt.date) -> dict[str, int]:
    """Remove records past their term from one analysis store; returns raw records removed per source."""
    removed: dict[str, int] = {}
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as exc:
        raise PandzichtError(f"{db}: analyse-opslag niet te openen om te schrijven ({type(exc).__name__}); "
                             "stop eerst de webapp die haar gebruikt") from None
    try:
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE weg (bron VARCHAR, sleutel VARCHAR)")
        for bron, age in _AGE_SQL.items():
            limit = cutoff(terms[bron], today) if bron in terms else None
            if limit is None:
                continue
            old = f"{age} < ?"
            key = _KEY_SQL.get(bron)
            if key and _has(con, f"raw_{bron}"):
                con.execute(f"INSERT INTO weg SELECT ?, {key} FROM raw_{bron} WHERE {old}", [bron, limit])
            if bron == "brp_inschrijving" and _has(con, "raw_brp_inschrijving"):  # edges are per registration
                con.execute(f"INSERT INTO weg SELECT 'brp_rij', persoon_id || '@' || _rij FROM raw_brp_inschrijving "
                            f"WHERE {old}", [limit])
            removed[bron] = _delete(con, f"raw_{bron}", old, [limit])
            _delete(con, f"quarantine_{bron}", old, [limit])
            if bron == "politie_incident":  # the persons of a removed incident go with it
                con.execute("INSERT INTO weg SELECT 'politie_betrokkene', betrokkene_id FROM raw_politie_betrokkene "
                            "WHERE incident_id IN (SELECT sleutel FROM weg WHERE bron = 'politie_incident')")
                removed["politie_betrokkene"] = _delete(
                    con, "raw_politie_betrokkene",
                    "incident_id IN (SELECT sleutel FROM weg WHERE bron = 'politie_incident')")
                _delete(con, "quarantine_politie_betrokkene",
                        "incident_id IN (SELECT sleutel FROM weg WHERE bron = 'politie_incident')")
        _cascade(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return removed


def _cascade(con: duckdb.DuckDBPyConnection) -> None:
    """Derived rows of removed records, then what belonged to parties left without any record."""
    # A BRP person keeps their mention while any registration of theirs is kept.
    if _has(con, "raw_brp_inschrijving"):
        con.execute("DELETE FROM weg WHERE bron = 'brp_inschrijving' AND sleutel IN "
                    "(SELECT persoon_id FROM raw_brp_inschrijving)")
    gone = "(bron, split_part(record_sleutel, ':', 1)) IN (SELECT bron, sleutel FROM weg)"
    parties_before: set[str] = set()
    if _has(con, "entiteit"):
        parties_before = {r[0] for r in con.execute(f"SELECT DISTINCT entiteit_id FROM entiteit WHERE {gone}")
                          .fetchall()}
    for table in ("entiteit", "partij_vermelding", "adres_koppeling", "adres_koppeling_tekst", "vermelding_invoer",
                  "vermelding_kvk_afgeleid"):
        _delete(con, table, gone)
    # BRP edges are keyed per registration row ('persoon_id@rij'), other sources by their record key.
    _delete(con, "relatie", "bron = 'brp_inschrijving' AND record_sleutel IN (SELECT sleutel FROM weg "
                            "WHERE bron = 'brp_rij')")
    _delete(con, "relatie", "bron <> 'brp_inschrijving' AND " + gone)
    _delete(con, "beoordeling_wachtrij",
            "(bron_links, split_part(record_sleutel_links, ':', 1)) IN (SELECT bron, sleutel FROM weg) "
            "OR (bron_rechts, split_part(record_sleutel_rechts, ':', 1)) IN (SELECT bron, sleutel FROM weg)")
    for bron, (table, column) in _LINK_TABLES.items():
        _delete(con, table, f"{column} IN (SELECT sleutel FROM weg WHERE bron = ?)", [bron])
    _delete(con, "netwerk_afstand", "soort = 'melding' AND entiteit_id IN "
                                    "(SELECT 'melding:' || sleutel FROM weg WHERE bron = 'melding')")
    if not parties_before or not _has(con, "entiteit"):
        return
    kept = {r[0] for r in con.execute("SELECT DISTINCT entiteit_id FROM entiteit").fetchall()}
    orphans = sorted(parties_before - kept)
    if not orphans:
        return
    con.execute("CREATE TEMP TABLE wees AS SELECT unnest(?::VARCHAR[]) AS id", [orphans])
    for table, column in _PARTY_TABLES:
        _delete(con, table, f"{column} IN (SELECT id FROM wees)")
    _delete(con, "indicator_waarde", "entiteit = 'partij' AND entiteit_id IN (SELECT id FROM wees)")
    _delete(con, "netwerk_afstand", "soort = 'partij' AND entiteit_id IN (SELECT id FROM wees)")
    _delete(con, "relatie", "van IN (SELECT id FROM wees) OR naar IN (SELECT id FROM wees)")


def apply_to_operational(session: Session, terms: dict[str, Term], now: dt.datetime) -> dict[str, int]:
    """Remove closed cases and signals past their term from the operational store (caller commits)."""
    removed: dict[str, int] = {}
    case_limit = cutoff(terms["zaak"], now.date()) if "zaak" in terms else None
    if case_limit is not None:
        old = list(session.scalars(select(Case).where(Case.status == "gesloten",
                                                      Case.bijgewerkt_op < dt.datetime.combine(case_limit,
                                                                                               dt.time()))))
        for case in old:
            for reveal in session.scalars(select(Reveal).where(Reveal.zaak_id == case.id)):
                session.delete(reveal)
            session.delete(case)
        removed["zaak"] = len(old)
    signal_limit = cutoff(terms["melding"], now.date()) if "melding" in terms else None
    if signal_limit is not None:
        session.flush()
        kept_subjects = set(session.scalars(select(Case.onderwerp_id).where(Case.onderwerp_soort == "melding")))
        old_signals = [s for s in session.scalars(select(Signal).where(
            Signal.ontvangen_op < dt.datetime.combine(signal_limit, dt.time()))) if s.kenmerk not in kept_subjects]
        for s in old_signals:
            session.delete(s)
        removed["melding"] = len(old_signals)
    session.flush()
    return removed


def record_removals(session: Session, store: str, removed: dict[str, int]) -> None:
    """One audit row per source: which store, which source, how many records (never which, never content)."""
    for bron, n in sorted(removed.items()):
        audit.record(session, None, "bewaartermijn_toegepast", "bron", bron, doel=store, aantal=n)
