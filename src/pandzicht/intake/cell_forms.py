"""Cell forms that partners' own exports write where the contract asks another, read as the value they are.

Only forms that are one contract value without any doubt are rewritten, in SQL on the cleaned cell, and every
rewrite is counted per column for a warning in the load report, so the data steward sees what was read otherwise
than the file says. Anything else stays as it is and meets the contract's rules (quarantine, never a guess).
"""

from __future__ import annotations

from pandzicht.contract.sources import Column, Kind, Source
from pandzicht.contract.validate import value_expr
from pandzicht.store.engine import Store

# The BAG object types whose id each BAG-id column of the contract holds (a unit is a verblijfsobject, or a
# ligplaats or standplaats: an address of a houseboat or a caravan).
_BAG_TYPES = {
    "verblijfsobject_id": "verblijfsobject|ligplaats|standplaats",
    "nummeraanduiding_id": "nummeraanduiding",
    "pand_id": "pand",
}


def _bag_uri(column: str) -> str | None:
    """The pattern of the URI form of a BAG id (`NL.IMBAG.Verblijfsobject.0599010000012345`) for a column."""
    types = _BAG_TYPES.get(column)
    return None if types is None else f"NL[.]IMBAG[.]({types})[.][0-9]{{16}}"


def without_bag_uri(col: Column, value: str) -> str:
    """A BAG id in its URI form as the 16 digits in it.

    Why: BAG exports (the LV BAG extract, the BAG API, PDOK) name objects by their URI
    `NL.IMBAG.Verblijfsobject.0599010000012345`. Every such row was quarantined as `geen BAG-id van 16 cijfers`, and
    a BAG file written so loaded no unit at all: every other source's rows then went to quarantine as `onbekend in
    bag_verblijfsobject` and an empty shortlist was published. The URI is the id with its object type before it, so
    it is read as the id when the type is the one the column holds (a `Pand` URI in `verblijfsobject_id` stays as
    it is and is quarantined). Case does not matter (`nl.imbag.verblijfsobject.…`)."""
    pattern = _bag_uri(col.name) if col.kind == Kind.BAG_ID else None
    if pattern is None:
        return value
    return (f"CASE WHEN length({value}) > 16 AND regexp_full_match({value}, '{pattern}', 'i') "
            f"THEN right({value}, 16) ELSE {value} END")


def notes(store: Store, source: Source, present: set[str], table: str = "_checked") -> list[str]:
    """A warning per column in which cells were read from one of these forms (one scan of the rows)."""
    counted = [(c.name, _bag_uri(c.name)) for c in source.columns
               if c.kind == Kind.BAG_ID and c.name in present and _bag_uri(c.name)]
    if not counted:
        return []
    counts = store.rows("SELECT " + ", ".join(f"count_if(length({value_expr(c)}) > 16 AND regexp_full_match("
                                              f"{value_expr(c)}, '{p}', 'i'))" for c, p in counted)
                        + f" FROM {table}")[0]
    return [f"kolom '{c}': {n} BAG-{'id' if n == 1 else 'ids'} in de URI-vorm (zoals "
            "NL.IMBAG.Verblijfsobject.0599010000012345) gelezen als de 16 cijfers erin; het contract vraagt alleen "
            "de 16 cijfers" for (c, _), n in zip(counted, counts, strict=True) if n]
