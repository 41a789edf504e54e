"""Address links of the previous delivery that a continued analysis can keep instead of matching again.

Matching a text depends only on the text and on the BAG units it could mean. A record whose text is the same
as in the previous delivery keeps its link when no BAG unit it could mean changed. Which units could be
meant is bounded conservatively: a changed unit (added, removed, or with another address) invalidates
every kept link to it and every text whose postcode is that unit's postcode (or one typo from it) or whose
street is that unit's street (or close enough to be read as it, the same cut-off matching uses).

A link the people stage made or corrected (`adres_via_personen`) is not kept as such: that stage runs again on
every record. What is kept is the text's own result from before it (table `adres_koppeling_tekst`, which the
people stage fills as it replaces a link), so the text is not matched again; at 1M units these were more than
half of the texts a continued delivery matched.
"""

from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz, process

from pandzicht.link import previous as prev
from pandzicht.link.address_parse import normalise_street, parse_address
from pandzicht.store.engine import Store, raw_table

TEXT_METHODS = ("postcode_straat", "postcode", "straat", "geen_huisnummer", "geen_kandidaat")
# The text's own link of each record whose link the people stage made or corrected (`address_context.py`).
REPLACED = "adres_koppeling_tekst"
LINK_COLUMNS = "bron, record_sleutel, adres_tekst, verblijfsobject_id, zekerheid, methode"
_BAG_COLUMNS = "verblijfsobject_id, openbare_ruimte, huisnummer, huisletter, huisnummertoevoeging, postcode, woonplaats"

Link = tuple[str | None, float, str]  # verblijfsobject_id, zekerheid, methode


def _touched(text: str, places: frozenset[str], postcodes: set[str], streets: list[str], cutoff: float) -> bool:
    parsed = parse_address(text, places)
    if parsed.postcode and any(parsed.postcode == c or sorted(parsed.postcode) == sorted(c)
                               or fuzz.ratio(parsed.postcode, c) >= 80 for c in postcodes):
        return True
    return bool(parsed.straat and streets
                and process.extractOne(parsed.straat, streets, scorer=fuzz.ratio, score_cutoff=cutoff))


def previous_links(store: Store, previous: Path, places: frozenset[str],
                   cutoff: float) -> dict[tuple[str, str, str], Link]:
    """(bron, record_sleutel, adres_tekst) -> the previous delivery's text link, for links that still hold."""
    bag = raw_table("bag_verblijfsobject")
    with prev.attached(store, previous) as alias:
        if not (prev.has_table(store, "adres_koppeling") and prev.has_table(store, bag)):
            return {}
        methods = ", ".join(f"'{m}'" for m in TEXT_METHODS)
        tables = ["adres_koppeling", *([REPLACED] if prev.has_table(store, REPLACED) else [])]
        links = store.rows(" UNION ALL ".join(
            f"SELECT {LINK_COLUMNS} FROM {alias}.{t} WHERE methode IN ({methods}) AND adres_tekst IS NOT NULL"
            for t in tables))
        changed = store.rows(f"""
            (SELECT {_BAG_COLUMNS} FROM {bag} EXCEPT SELECT {_BAG_COLUMNS} FROM {alias}.{bag})
            UNION
            (SELECT {_BAG_COLUMNS} FROM {alias}.{bag} EXCEPT SELECT {_BAG_COLUMNS} FROM {bag})""")
    kept = {(src, key, text): (vbo, zek, methode) for src, key, text, vbo, zek, methode in links}
    if not changed:
        return kept
    ids = {r[0] for r in changed}
    postcodes = {r[5] for r in changed if r[5]}
    streets = sorted({normalise_street(r[1]) for r in changed if r[1]})
    return {k: v for k, v in kept.items()
            if v[0] not in ids and not _touched(k[2], places, postcodes, streets, cutoff)}
