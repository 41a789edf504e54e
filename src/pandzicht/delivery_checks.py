"""Checks of a new delivery against the previous analysis in the same output folder.

A source that halves from one month to the next is far more often a broken export than a changed city,
and an analysis of it would quietly drop parties and homes off the lists. So a source whose row count
falls or rises by more than a share (default 30%) of the previous delivery, a source that was delivered
before and is now absent, a source whose record keys were re-issued (most of the previous keys gone, so its
parties would lose their ids), and a peildatum before the previous one are refused with one line naming them.
The data steward can accept the deviation (`--accepteer-afwijking`); that is recorded in laadrapport.json.

The same delivery analysed again (same peildatum, same rows read per source) is a re-analysis and passes;
another delivery with the same peildatum is refused like an older one. Changes of fewer than MIN_ROWS rows
never count, so a source of a dozen rows does not trip the share. A previous analysis of another region
is not a previous delivery: it is noted and otherwise ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pandzicht.errors import PandzichtError
from pandzicht.link import previous as prev
from pandzicht.store.engine import Engine, Store, raw_table

log = logging.getLogger(__name__)

MAX_AFWIJKING = 0.30
MIN_ROWS = 20


@dataclass(frozen=True)
class PreviousDelivery:
    """What the folder's published analysis says about the delivery it was made from."""

    store: Path
    regio: str
    peildatum: dt.date | None
    gelezen: dict[str, int]


def find_previous(store: Path | None, report: Path | None) -> PreviousDelivery | None:
    """The published analysis of this folder, or None when there is none (or it has no bundle metadata)."""
    if store is None:
        return None
    try:
        con = duckdb.connect(str(store), read_only=True)
    except duckdb.Error:
        log.warning("the previous analysis store could not be opened; treating this as a first delivery")
        return None
    try:
        meta = con.execute("SELECT regio, peildatum FROM bundel_meta").fetchone()
    except duckdb.Error:
        meta = None
    finally:
        con.close()
    if meta is None:
        return None
    counts: dict[str, int] = {}
    if report is not None:
        try:
            bronnen = json.loads(report.read_text(encoding="utf-8")).get("bronnen", {})
            counts = {k: int(v["gelezen"]) for k, v in bronnen.items()}
        except (OSError, ValueError, KeyError, TypeError):
            counts = {}
    return PreviousDelivery(store, meta[0] or "", meta[1], counts)


def deviations(report: dict, previous: PreviousDelivery, max_share: float = MAX_AFWIJKING) -> list[str]:
    """One Dutch phrase per deviation of this delivery from the previous one; empty when it may proceed."""
    now = {k: int(v["gelezen"]) for k, v in report.get("bronnen", {}).items()}
    peildatum = dt.date.fromisoformat(report["peildatum"]) if report.get("peildatum") else None
    same_delivery = peildatum == previous.peildatum and now == previous.gelezen
    found: list[str] = []
    if peildatum and previous.peildatum and not same_delivery and peildatum <= previous.peildatum:
        found.append(f"peildatum {peildatum.isoformat()} ligt niet na die van de vorige levering "
                     f"({previous.peildatum.isoformat()})")
    for source, before in sorted(previous.gelezen.items()):
        after = now.get(source)
        if after is None:
            found.append(f"bron {source} ontbreekt (vorige levering {before} rijen)")
            continue
        if abs(after - before) < MIN_ROWS:
            continue
        share = (after - before) / before if before else 1.0
        if abs(share) > max_share:
            found.append(f"bron {source} heeft {after} rijen, de vorige levering {before} ({share:+.0%}, "
                         f"grens {max_share:.0%})")
    return found


def same_region(a: str, b: str) -> bool:
    """Whether two manifests name one region: the same words, whatever their case or the white space between them.

    Why: `region` is free text typed by a person, and the next month's manifest may say `RIEC Rotterdam ` or
    `riec rotterdam`. Compared letter for letter, such a delivery was analysed as a first one: every party got a
    new id, the history and `wijzigingen.csv` started empty, with no word on the terminal."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# The record keys that carry a party's id from one delivery to the next (the sources of truth/persoon_sleutel.csv).
PARTY_KEYS = {
    "brp_inschrijving": "persoon_id", "kadaster_eigendom": "eigendom_id", "kvk_vestiging": "kvk_nummer",
    "kvk_functionaris": "functionaris_id", "huurcontract": "contract_id", "politie_betrokkene": "betrokkene_id",
}


def reissued_keys(store: Engine, previous: PreviousDelivery, max_share: float = MAX_AFWIJKING) -> list[str]:
    """One Dutch phrase per source of which more than `max_share` of the previous delivery's record keys are gone.

    Why: a partner that re-issues its keys (a new pseudonym key for the BRP tokens, contracts numbered again by a
    new system) delivers the same records under other names. The row counts stay the same, so the delivery
    passed, and every party known only through those records lost its id (with the cases and judgements on it):
    re-keying BRP in a 600-home demo world gave 920 of 1,912 parties a new id without a word. Only a DuckDB store
    is compared (a Spark run is not checked)."""
    if not isinstance(store, Store):
        return []
    present = {s: k for s, k in PARTY_KEYS.items() if store.has_table(raw_table(s))}
    found = []
    with prev.attached(store, previous.store) as alias:
        for source, key in present.items():
            table = raw_table(source)
            if not prev.has_table(store, table):
                continue
            before, gone = store.rows(
                f"SELECT count(*), count(*) FILTER (WHERE n.k IS NULL) "
                f"FROM (SELECT DISTINCT {key} AS k FROM {alias}.{table}) o "
                f"LEFT JOIN (SELECT DISTINCT {key} AS k FROM main.{table}) n ON o.k = n.k")[0]
            share = gone / before if before else 0.0
            if gone >= MIN_ROWS and share > max_share:
                found.append(f"bron {source}: {gone} van de {before} sleutels ({key}) van de vorige levering komen "
                             f"niet meer voor ({share:.0%}, grens {max_share:.0%}; opnieuw uitgegeven sleutels? de "
                             "partijen van die records kunnen dan hun id verliezen)")
    return found


def continues(previous: PreviousDelivery | None, regio: str) -> Path | None:
    """The previous store when this delivery continues it (same region), else None."""
    return previous.store if previous is not None and same_region(previous.regio, regio) else None


def check_against_previous(report: dict, previous: PreviousDelivery | None, regio: str,
                           max_share: float = MAX_AFWIJKING, accept: bool = False, store: Engine | None = None) -> dict:
    """Refuse a delivery that deviates too far (PandzichtError, one line), or return the report section
    `vorige_levering` saying what was compared and what the data steward accepted. With `store` (this delivery's,
    loaded) the record keys are compared too (`reissued_keys`)."""
    if previous is None:
        return {}
    section: dict = {"peildatum": previous.peildatum.isoformat() if previous.peildatum else None,
                     "grens_afwijking": max_share}
    if not same_region(previous.regio, regio):
        return {"vorige_levering": {**section, "genegeerd": f"andere regio ({previous.regio})"}}
    found = deviations(report, previous, max_share)
    if store is not None:
        found += reissued_keys(store, previous, max_share)
    if found and not accept:
        raise PandzichtError("levering geweigerd: " + "; ".join(found)
                             + ". Controleer de levering, of accepteer de afwijking met --accepteer-afwijking")
    section["afwijkingen"] = found
    section["afwijking_geaccepteerd"] = bool(found)
    return {"vorige_levering": section}
