"""Entity ids that survive a new delivery: a cluster takes the id of the earlier cluster it shares most records with.

Clustering names a cluster after its smallest record key, so a new record with a smaller key would rename
a party, and the cases, judgements and reveals recorded against it would point at nothing. After
clustering, each new cluster is matched to the clusters of the previous published analysis by shared
records (`bron`, `record_sleutel`): greedily, largest overlap first, ties broken on the old id and then
the new cluster's own name, so a rerun gives the same answer; each old id goes to at most one cluster.
A cluster without an old id keeps its own name unless any analysis of this folder ever issued that name
(an id that disappeared may still be on a case); then it is rehashed until it is free.

What happened is kept in `entiteit_historie(levering, oud_id, nieuw_id, soort)`, carried from delivery to
delivery: `samengevoegd` (an old party's records went into a cluster with another old party's),
`gesplitst` (an old party's records went into more than one cluster), `nieuw` (no records seen before),
`verdwenen` (none of its records remain). Together with `entiteit` it also holds every id ever issued.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Container
from pathlib import Path

import pyarrow as pa

from pandzicht.link import previous as prev
from pandzicht.store.engine import Store

log = logging.getLogger(__name__)

HISTORY = "entiteit_historie"
_HISTORY_COLUMNS = "levering DATE, oud_id VARCHAR, nieuw_id VARCHAR, soort VARCHAR"


def assign_ids(overlap: list[tuple[str, str, int]]) -> dict[str, str]:
    """new cluster name -> old id, from (new, old, shared records) rows: largest overlap first, each old id once."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for new, old, _ in sorted(overlap, key=lambda r: (-r[2], r[1], r[0])):
        if new in out or old in taken:
            continue
        out[new] = old
        taken.add(old)
    return out


def fresh_id(name: str, issued: Container[str]) -> str:
    """`name` if no analysis of this folder issued it, else a rehash of it that none did (deterministic)."""
    candidate, n = name, 0
    while candidate in issued:
        n += 1
        candidate = _rehash(name, n)
    return candidate


def candidates(name: str, n: int) -> list[str]:
    """The first `n` ids `fresh_id` tries for `name`, in order."""
    return [name, *(_rehash(name, k) for k in range(1, n))]


def _rehash(name: str, n: int) -> str:
    return "E" + hashlib.sha1(f"{name}#{n}".encode()).hexdigest()[:12]


def keep_entity_ids(store: Store, previous: Path | None) -> dict[str, int]:
    """Rename the clusters in `entiteit` after the previous analysis' ids and extend `entiteit_historie`.

    Without a previous analysis the clusters keep their names and the history starts empty. Returns the
    counts the load report shows."""
    if previous is None:
        store.execute(f"CREATE OR REPLACE TABLE {HISTORY} ({_HISTORY_COLUMNS})")
        return {}
    levering = store.scalar("SELECT peildatum FROM bundel_meta") if store.has_table("bundel_meta") else None
    with prev.attached(store, previous) as alias:
        if not prev.has_table(store, "entiteit"):
            store.execute(f"CREATE OR REPLACE TABLE {HISTORY} ({_HISTORY_COLUMNS})")
            return {}
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _overlap AS
            SELECT e.entiteit_id AS nieuw, v.entiteit_id AS oud, count(*) AS gedeeld
            FROM entiteit e JOIN {alias}.entiteit v USING (bron, record_sleutel) GROUP BY 1, 2""")
        store.execute(f"CREATE OR REPLACE TEMP TABLE _vorige_ids AS SELECT DISTINCT entiteit_id FROM {alias}.entiteit")
        if prev.has_table(store, HISTORY):
            store.execute(f"CREATE OR REPLACE TEMP TABLE _historie AS SELECT levering, oud_id, nieuw_id, soort "
                          f"FROM {alias}.{HISTORY}")
        else:
            store.execute(f"CREATE OR REPLACE TEMP TABLE _historie ({_HISTORY_COLUMNS})")
    _map_ids(store)
    # most clusters keep their name as id (a kept party is copied under its old id; a cluster resolved again
    # is named after the same smallest key as before): only the others' rows are rewritten, in place
    store.execute("UPDATE entiteit SET entiteit_id = m.entiteit_id FROM _id_map m "
                  "WHERE m.naam = entiteit.entiteit_id AND m.naam <> m.entiteit_id")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _overlap_id AS
        SELECT m.entiteit_id AS nieuw, o.oud, o.gedeeld FROM _overlap o JOIN _id_map m ON m.naam = o.nieuw""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _deze_levering AS
        SELECT CAST(? AS DATE) AS levering, oud AS oud_id, nieuw AS nieuw_id, 'samengevoegd' AS soort
        FROM _overlap_id WHERE nieuw IN (SELECT nieuw FROM _overlap_id GROUP BY 1 HAVING count(*) > 1)
        UNION ALL
        SELECT CAST(? AS DATE), oud, nieuw, 'gesplitst' FROM _overlap_id
         WHERE oud IN (SELECT oud FROM _overlap_id GROUP BY 1 HAVING count(*) > 1)
        UNION ALL
        SELECT CAST(? AS DATE), NULL, m.entiteit_id, 'nieuw' FROM _id_map m
         WHERE m.naam NOT IN (SELECT nieuw FROM _overlap)
        UNION ALL
        SELECT CAST(? AS DATE), v.entiteit_id, NULL, 'verdwenen' FROM _vorige_ids v
         WHERE v.entiteit_id NOT IN (SELECT oud FROM _overlap)
        ORDER BY 4, 2 NULLS FIRST, 3 NULLS FIRST""", [levering] * 4)
    store.execute(f"CREATE OR REPLACE TABLE {HISTORY} AS SELECT * FROM _historie UNION ALL "
                  "SELECT * FROM _deze_levering")
    counts = dict(store.rows("SELECT soort, count(*) FROM _deze_levering GROUP BY 1"))
    persisting = store.scalar("SELECT count(DISTINCT oud) FROM _overlap")
    result = {
        "vorige_entiteiten": store.scalar("SELECT count(*) FROM _vorige_ids"),
        "met_records_nog_aanwezig": persisting,
        "id_behouden": store.scalar("SELECT count(*) FROM _overlap_id o WHERE o.nieuw = o.oud"),
        "nieuw": counts.get("nieuw", 0),
        "samengevoegd": counts.get("samengevoegd", 0),
        "gesplitst": counts.get("gesplitst", 0),
        "verdwenen": counts.get("verdwenen", 0),
    }
    for table in ("_overlap", "_overlap_id", "_vorige_ids", "_historie", "_deze_levering", "_id_map", "_uitgegeven"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    log.info("entity ids: %d of %d earlier parties with records still present keep their id",
             result["id_behouden"], persisting)
    return result


def _map_ids(store: Store) -> None:
    """`_id_map(naam, entiteit_id)` for every cluster in `entiteit`, from `_overlap`, `_vorige_ids` and
    `_historie`: the answer of `assign_ids` and `fresh_id` over all clusters, with Python only where it is
    needed. The greedy assignment decides each connected part of the overlap graph on its own, so a cluster
    that shares records with exactly one earlier party, which shares records with no other cluster, takes
    its id in SQL (at 1M units nearly all of three million); the rest is assigned greedily. A cluster
    without an earlier id keeps its name unless that was ever issued; only those few are rehashed."""
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _uitgegeven AS
        SELECT entiteit_id AS id FROM _vorige_ids
        UNION SELECT oud_id FROM _historie WHERE oud_id IS NOT NULL
        UNION SELECT nieuw_id FROM _historie WHERE nieuw_id IS NOT NULL""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _id_map AS
        WITH g AS (SELECT *, count(*) OVER (PARTITION BY nieuw) AS n_oud, count(*) OVER (PARTITION BY oud) AS n_nieuw
                   FROM _overlap)
        SELECT nieuw AS naam, oud AS entiteit_id FROM g WHERE n_oud = 1 AND n_nieuw = 1""")
    tangled = store.rows("""
        SELECT nieuw, oud, gedeeld FROM _overlap o WHERE NOT EXISTS (SELECT 1 FROM _id_map m WHERE m.naam = o.nieuw)""")
    assigned = assign_ids(tangled)
    if assigned:
        store.write_arrow("_id_map", pa.table({"naam": pa.array(list(assigned), pa.string()),
                                               "entiteit_id": pa.array(list(assigned.values()), pa.string())}),
                          append=True)
    # clusters without an earlier id keep their name, unless an earlier analysis issued it
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _vrij AS
        SELECT DISTINCT e.entiteit_id AS naam FROM entiteit e
        WHERE NOT EXISTS (SELECT 1 FROM _id_map m WHERE m.naam = e.entiteit_id)""")
    taken = {r[0] for r in store.rows(
        "SELECT v.naam FROM _vrij v WHERE EXISTS (SELECT 1 FROM _uitgegeven u WHERE u.id = v.naam)")}
    store.execute("INSERT INTO _id_map SELECT naam, naam FROM _vrij v "
                  "WHERE NOT EXISTS (SELECT 1 FROM _uitgegeven u WHERE u.id = v.naam)")
    store.execute("DROP TABLE _vrij")
    if taken:
        # the few names an earlier analysis issued: rehashed until free of every id issued or in use now
        in_use = _Issued(store, [c for name in taken for c in candidates(name, 2)])
        renamed = {}
        for name in sorted(taken):
            renamed[name] = fresh_id(name, in_use)
            in_use.add(renamed[name])
        store.write_arrow("_id_map", pa.table({"naam": pa.array(list(renamed), pa.string()),
                                               "entiteit_id": pa.array(list(renamed.values()), pa.string())}),
                          append=True)


class _Issued:
    """`x in issued` against the ids issued before and the ids given in this run so far, without reading
    millions of them into Python. The ids `expected` to be asked about are looked up in one query (a query per
    id scanned the three million issued ids of a 1M-unit region a few hundred times: 4 s); others one by one."""

    def __init__(self, store: Store, expected: list[str] | None = None) -> None:
        self.store = store
        self.added: set[str] = set()
        self.known = set(expected or ())
        self.found: set[str] = set()
        if self.known:
            store.write_arrow("_gevraagd", pa.table({"id": pa.array(sorted(self.known), pa.string())}))
            self.found = {r[0] for r in store.rows(
                "SELECT g.id FROM _gevraagd g WHERE g.id IN (SELECT id FROM _uitgegeven) "
                "OR g.id IN (SELECT entiteit_id FROM _id_map)")}
            store.execute("DROP TABLE _gevraagd")

    def __contains__(self, candidate: object) -> bool:
        if candidate in self.added:
            return True
        if candidate in self.known:
            return candidate in self.found
        return bool(self.store.scalar(
            "SELECT EXISTS (SELECT 1 FROM _uitgegeven WHERE id = ?) OR EXISTS (SELECT 1 FROM _id_map "
            "WHERE entiteit_id = ?)", [candidate, candidate]))

    def add(self, value: str) -> None:
        self.added.add(value)
