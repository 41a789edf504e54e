"""Link an address text the text alone leaves open, or got wrong, through the people on the record.

An officer types only '3009 NM'; a landlord writes 'Hemmenkade3 2'. The text
then fits several units or none well enough. The record also names people:
the tenant of a contract, the persons in a police registration. Where one of
them was registered in BRP, at the record's date, at a unit that fits
everything the text does give (postcode, street, the digits of the number),
and no other such unit exists, that unit is the link. This is what an analyst
does by hand; it runs after party resolution, which tells whose registrations
these are.

The same evidence corrects a contract's text link where a typo left another
real address ('Wissestraat 10' for 130): when the tenant was not registered at
the linked unit but at exactly one unit that fits the text within one
keystroke, the registration wins (method `inschrijving_corrigeert_tekst`).
Only for contracts: the tenant's home is what a contract is about, while a
person in a police registration may live next door to where it happened.

Witnesses are left out: they are often the neighbours. A registration is one
piece of evidence, so these links get confidence 0.85, and their method is
visible in `adreskoppeling.csv` and in the dossier. The link the text alone gave
is kept in `adres_koppeling_tekst`, for the next delivery (`address_reuse.py`).
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from pandzicht.link.address_match import AddressIndex, Unit
from pandzicht.link.address_parse import ParsedAddress, number_digits, parse_address
from pandzicht.link.address_reuse import REPLACED
from pandzicht.store.engine import Store

CONTEXT_CONFIDENCE = 0.85
CONTEXT_METHOD = "tekst+inschrijving"
CORRECTION_METHOD = "inschrijving_corrigeert_tekst"
# Links made from the text alone, which a tenant's registration may correct.
_TEXT_METHODS = ("postcode_straat", "postcode", "straat")
# A registration counts when it overlaps the record's date, widened for a tenant who registers after moving in.
_BEFORE_DAYS, _AFTER_DAYS = 30, 180

# Per source with free-text addresses, the people on a record under review (`open`) and the record's date.
_PEOPLE = {
    "huurcontract": (("raw_huurcontract",), """
        SELECT o.bron, o.record_sleutel, e.entiteit_id, c.datum_aanvang AS datum
        FROM open o
        JOIN raw_huurcontract c ON o.bron = 'huurcontract' AND c.contract_id = o.record_sleutel
        JOIN entiteit e ON e.bron = 'huurcontract' AND e.record_sleutel = c.contract_id || ':huurder'"""),
    "politie_incident": (("raw_politie_incident", "raw_politie_betrokkene"), """
        SELECT o.bron, o.record_sleutel, e.entiteit_id, i.datum
        FROM open o
        JOIN raw_politie_incident i ON o.bron = 'politie_incident' AND i.incident_id = o.record_sleutel
        JOIN raw_politie_betrokkene b ON b.incident_id = i.incident_id AND b.rol <> 'getuige'
        JOIN entiteit e ON e.bron = 'politie_betrokkene' AND e.record_sleutel = b.betrokkene_id"""),
}


def _registrations_sql(branches: list[str]) -> str:
    """Units where the people of each record under review were registered around the record's date: every
    empty link, and every contract linked from its text alone."""
    text_methods = ", ".join(f"'{m}'" for m in _TEXT_METHODS)
    return f"""
        WITH open AS (SELECT bron, record_sleutel FROM adres_koppeling
                      WHERE verblijfsobject_id IS NULL
                         OR (bron = 'huurcontract' AND methode IN ({text_methods}))),
        mensen AS ({" UNION ALL ".join(branches)})
        SELECT DISTINCT m.bron, m.record_sleutel, r.verblijfsobject_id
        FROM mensen m
        JOIN entiteit eb ON eb.entiteit_id = m.entiteit_id AND eb.bron = 'brp_inschrijving'
        JOIN raw_brp_inschrijving r ON r.persoon_id = eb.record_sleutel
        WHERE r.datum_aanvang <= m.datum + INTERVAL {_AFTER_DAYS} DAY
          AND (r.datum_einde IS NULL OR r.datum_einde > m.datum - INTERVAL {_BEFORE_DAYS} DAY)
        ORDER BY 1, 2, 3
    """


def _near_postcode(written: str, unit: str) -> bool:
    """Equal, or one keystroke off (a character changed, lost, added, or two neighbours swapped): how a
    postcode is mistyped. Stricter than the text matcher's near miss, since here the text only confirms."""
    return OSA.distance(written, unit) <= 1


def fits_text(text: str, parsed: ParsedAddress, unit: Unit, index: AddressIndex) -> bool:
    """Whether a unit agrees with everything the text gives: its postcode (a typo allowed), its street
    (fuzzily, within its place) and the digits of its number (one slip allowed). A text that gives neither
    postcode nor street fits nothing: a number alone says too little."""
    if not parsed.postcode and not parsed.straat:
        return False
    if parsed.postcode and not _near_postcode(parsed.postcode, unit.postcode):
        return False
    if parsed.straat and parsed.straat != unit.straat:
        near = {name for name, _ in index.street_candidates(parsed.straat, parsed.woonplaats)}
        if unit.straat not in near and fuzz.ratio(parsed.straat, unit.straat) < 80:
            return False
    digits = number_digits(text)
    if digits:
        unit_digits = str(unit.huisnummer) + "".join(ch for ch in (unit.toevoeging or "") if ch.isdigit())
        if Levenshtein.distance(digits, unit_digits) > 1:
            return False
    return True


def link_through_people(store: Store, index: AddressIndex | Callable[[], AddressIndex] | None = None) -> int:
    """Fill empty address links whose record's people were registered at exactly one fitting unit, and
    correct contract links the tenant's registration contradicts.

    Needs `adres_koppeling` and `entiteit`; returns the number of links made or changed. Rerunning changes
    nothing: links made here are not reconsidered."""
    if not all(store.has_table(t) for t in ("adres_koppeling", "entiteit", "raw_brp_inschrijving")):
        return 0
    branches = [sql for tables, sql in _PEOPLE.values() if all(store.has_table(t) for t in tables)]
    if not branches:
        return 0
    candidates: dict[tuple[str, str], list[str]] = {}
    for source, key, vbo in store.rows(_registrations_sql(branches)):
        candidates.setdefault((source, key), []).append(vbo)
    if not candidates:
        return 0
    index = AddressIndex.given(store, index)
    units = index.units_by_id()
    # the current link of each record with candidates only (not every linked record of the delivery)
    store.write_arrow("_met_kandidaat", pa.table({"bron": pa.array([s for s, _ in candidates], pa.string()),
                                                  "record_sleutel": pa.array([k for _, k in candidates], pa.string())}))
    try:
        current = {(src, key): (text, vbo) for src, key, text, vbo in store.rows(
            "SELECT k.bron, k.record_sleutel, k.adres_tekst, k.verblijfsobject_id FROM adres_koppeling k "
            "JOIN _met_kandidaat c ON c.bron = k.bron AND c.record_sleutel = k.record_sleutel")}
    finally:
        store.execute("DROP TABLE IF EXISTS _met_kandidaat")
    found = []
    for (source, key), vbos in candidates.items():
        text, linked = current[(source, key)]
        if linked in vbos:
            continue  # the registration confirms the text
        parsed = parse_address(text, index.places)
        fitting = {v for v in vbos if v in units and fits_text(text, parsed, units[v], index)}
        if len(fitting) == 1:
            found.append((source, key, fitting.pop(), CONTEXT_METHOD if linked is None else CORRECTION_METHOD))
    if not found:
        return 0
    store.write_arrow("_via_personen", pa.table({name: [row[i] for row in found] for i, name in
                                                 enumerate(("bron", "record_sleutel", "vbo", "methode"))}))
    # the text's own link, which the next delivery reuses instead of matching the text again (`address_reuse.py`)
    replaced = store.arrow("SELECT k.* FROM adres_koppeling k JOIN _via_personen v ON k.bron = v.bron "
                           "AND k.record_sleutel = v.record_sleutel ORDER BY k.bron, k.record_sleutel")
    store.write_arrow(REPLACED, replaced, append=store.has_table(REPLACED))
    store.execute(f"""
        UPDATE adres_koppeling k SET verblijfsobject_id = v.vbo, zekerheid = {CONTEXT_CONFIDENCE}, methode = v.methode
        FROM _via_personen v
        WHERE k.bron = v.bron AND k.record_sleutel = v.record_sleutel
    """)
    store.execute("DROP TABLE _via_personen")
    return len(found)
