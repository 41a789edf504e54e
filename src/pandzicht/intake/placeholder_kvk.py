"""KvK numbers that stand for "unknown": a register's filler is read as an empty cell.

A contract or land registry system that must fill a KvK field often writes one fixed number when the party
has none or it is unknown (00000000, 12345678). Read as a number, it makes every such landlord a company
(a private landlord then shows by full name) and one party of all of them (a shared KvK number is decisive
for the linking): on a demo world of 20,000 units, 00000000 for every landlord and agent without a number
took the pairwise precision of the parties from 1.000 to 0.797.

A real number belongs to one company, so the names written beside it are spellings of one name; a filler is
written beside the names of hundreds of parties. A number the delivered KvK extract does not know, written
beside at least MIN_NAMES different names (lower case, letters and digits only), is read as empty in that
column; the load report counts it per column (never the number or the names). Without an extract (or with a
header-only one) nothing is cleared: a large company's spellings could then not be told from a filler (the
demo world's busiest housing corporation is written 138 ways, the independent generator's agents 27).
"""

from __future__ import annotations

from pandzicht.store.engine import Store, raw_table

# Chosen on the demo world (session 37): real numbers in its contracts carry up to 138 spellings and are all
# in the extract; a filler for the landlords without a number carried 1,710 names, for the agents 26.
MIN_NAMES = 20
# The KvK columns that may carry a filler, with the name written beside each.
KVK_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "huurcontract": (("verhuurder_kvk", "verhuurder_naam"), ("bemiddelaar_kvk", "bemiddelaar_naam"),
                     ("huurder_kvk", "huurder_naam")),
    "kadaster_eigendom": (("eigenaar_kvk", "eigenaar_naam"),),
}
EXTRACT = "kvk_vestiging"


def depends_on_extract(source: str, loaded: dict[str, str]) -> bool:
    """Whether this source's tables depend on the KvK extract loaded before it (its fingerprint must say so)."""
    return source in KVK_NAMES and EXTRACT in loaded


def clear_placeholders(store: Store, source: str, loaded: dict[str, str]) -> dict[str, dict[str, int]]:
    """Empty the filler KvK numbers of a freshly loaded source's raw table; returns {column: {"nummers": k,
    "cellen": n}} for the columns where any were found."""
    if not depends_on_extract(source, loaded) or not store.has_rows(raw_table(EXTRACT)):
        return {}
    raw, found = raw_table(source), {}
    for col, name in KVK_NAMES[source]:
        # one grouping finds the fillers and their cells; the update then names them
        fillers = store.rows(f"""
            SELECT {col}, count(*) FROM {raw}
            WHERE {col} IS NOT NULL AND {col} NOT IN (SELECT kvk_nummer FROM {raw_table(EXTRACT)})
            GROUP BY {col}
            HAVING count(DISTINCT regexp_replace(lower({name}), '[^a-z0-9]', '', 'g')) >= {MIN_NAMES}""")
        if fillers:
            marks = ", ".join("?" for _ in fillers)
            store.execute(f"UPDATE {raw} SET {col} = NULL WHERE {col} IN ({marks})", [n for n, _ in fillers])
            found[col] = {"nummers": len(fillers), "cellen": int(sum(c for _, c in fillers))}
    return found


def warning(found: dict[str, dict[str, int]]) -> str:
    """The load report's line for what `clear_placeholders` emptied (counts only)."""
    parts = "; ".join(f"{col}: {f['nummers']} nummer(s) in {f['cellen']} rijen" for col, f in found.items())
    return (f"KvK-nummers als onbekend gelezen ({parts}): niet in het KvK-uittreksel en bij minstens {MIN_NAMES} "
            "verschillende namen ingevuld, dus een vulwaarde van het bronsysteem en geen bedrijf")
