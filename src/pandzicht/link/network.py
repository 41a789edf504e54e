"""Queries and measures on the party–unit graph (table `relatie`) that analysts and indicators need.

`neighbourhood` answers "who and what is around this unit or party" with every
edge's provenance, from an in-memory igraph built once per store (a
two-hop query is then a few index look-ups, not a SQL self-join).
`build_network_measures` writes the tables later indicators read: portfolio per
party, officers shared between companies, straw men renting several units at
once, and every node's graph distance to units with a confirmed finding.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from pandzicht.store.engine import Store

log = logging.getLogger(__name__)

EDGE_FIELDS = ("van", "naar", "soort", "bron", "record_sleutel", "geldig_van", "geldig_tot")
HUB_GRENS = 250  # a party linked to more units than this (a housing corporation) is a hub, not a relation


@dataclass
class GraphIndex:
    """The graph in memory: igraph for the topology, Arrow for the edges' provenance."""

    graph: ig.Graph
    names: list[str]
    index: dict[str, int]
    edges: pa.Table  # one row per igraph edge id
    ends: tuple[list[int], list[int]]  # (van, naar) vertex per edge id, for quick walking
    version: tuple[int, int]


_CACHE: dict[int, GraphIndex] = {}


def _version(store: Store) -> tuple[int, int]:
    """A cheap change marker (row count from table metadata); after rebuilding `relatie` to the same size, pass
    refresh=True to `graph_index`."""
    return (int(store.scalar("SELECT count(*) FROM relatie")), id(store))


def graph_index(store: Store, refresh: bool = False) -> GraphIndex:
    """The store's graph, built once and reused until table `relatie` changes."""
    version = _version(store)
    cached = _CACHE.get(id(store))
    if cached is not None and cached.version == version and not refresh:
        return cached
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _knoop AS
        SELECT knoop, (row_number() OVER (ORDER BY knoop) - 1)::BIGINT AS nr
        FROM (SELECT van AS knoop FROM relatie UNION SELECT naar FROM relatie)
    """)
    names = [r[0] for r in store.rows("SELECT knoop FROM _knoop ORDER BY nr")]
    edges = store.arrow(f"""
        SELECT a.nr AS nr_van, b.nr AS nr_naar, {', '.join('r.' + f for f in EDGE_FIELDS)}
        FROM relatie r JOIN _knoop a ON a.knoop = r.van JOIN _knoop b ON b.knoop = r.naar
        ORDER BY a.nr, b.nr, r.soort, r.record_sleutel
    """)
    store.execute("DROP TABLE _knoop")
    pairs = np.column_stack([edges.column("nr_van").to_numpy(), edges.column("nr_naar").to_numpy()])
    graph = ig.Graph(n=len(names), edges=pairs, directed=False)
    index = {n: i for i, n in enumerate(names)}
    ends = (pairs[:, 0].tolist(), pairs[:, 1].tolist())
    gi = GraphIndex(graph, names, index, edges.select(list(EDGE_FIELDS)), ends, version)
    _CACHE[id(store)] = gi
    return gi


TIP_PREFIX = "melding:"  # a tip's node id
UNIT_ID = "^[0-9]{16}$"  # a BAG unit's node id; everything else is a resolved party


def node_kind(node: str) -> str:
    """What a node id names: a BAG unit (16 digits), a resolved party (E…), or a tip (melding:…)."""
    if node.startswith(TIP_PREFIX):
        return "melding"
    if re.match(UNIT_ID, node):
        return "eenheid"
    return "partij"


def neighbourhood(store: Store, node_id: str, hops: int = 2, max_nodes: int = 2000,
                  max_per_node: int = HUB_GRENS) -> dict:
    """Nodes within `hops` of a unit or party, and the edges between them with source, record key and
    validity. Follows at most `max_per_node` edges of one node (a corporation's thousands of units) and stops
    growing at `max_nodes`; `afgekapt` says when either happened."""
    gi = graph_index(store)
    start = gi.index.get(node_id)
    if start is None:
        return {"knoop": node_id, "knopen": [], "relaties": [], "afgekapt": False}
    depth = {start: 0}
    edge_ids: set[int] = set()
    frontier = [start]
    truncated = False
    src, dst = gi.ends
    for d in range(1, hops + 1):
        nxt: list[int] = []
        for u in frontier:
            incident = gi.graph.incident(u)
            if len(incident) > max_per_node:
                incident = incident[:max_per_node]
                truncated = True
            for e in incident:
                v = dst[e] if src[e] == u else src[e]
                if v not in depth:
                    if len(depth) >= max_nodes:
                        truncated = True
                        continue
                    depth[v] = d
                    nxt.append(v)
                edge_ids.add(e)
        frontier = nxt
    rows = gi.edges.take(pa.array(sorted(edge_ids), pa.int64())).to_pylist() if edge_ids else []
    nodes = [{"id": gi.names[v], "soort": node_kind(gi.names[v]), "afstand": d} for v, d in sorted(
        depth.items(), key=lambda kv: (kv[1], gi.names[kv[0]]))]
    return {"knoop": node_id, "knopen": nodes, "relaties": rows, "afgekapt": truncated}


def build_network_measures(store: Store, hub_grens: int = HUB_GRENS) -> dict[str, int]:
    """Write partij_portefeuille, gedeelde_functionaris, stroman_kandidaat and netwerk_afstand; returns row counts."""
    # Distinct edges first, then plain counts: five DISTINCT aggregates each kept a hash table of their own
    # (2.3 s at 200,000 units)
    store.execute("""
        CREATE OR REPLACE TABLE partij_portefeuille AS
        WITH r AS (SELECT DISTINCT van, naar, soort FROM relatie WHERE soort IN ('owns', 'lets', 'brokers', 'rents')),
        per_soort AS (
            SELECT van, count(*) FILTER (WHERE soort = 'owns') AS aantal_eigendom,
                   count(*) FILTER (WHERE soort = 'lets') AS aantal_verhuurd,
                   count(*) FILTER (WHERE soort = 'brokers') AS aantal_bemiddeld,
                   count(*) FILTER (WHERE soort = 'rents') AS aantal_gehuurd
            FROM r GROUP BY van),
        portefeuille AS (
            SELECT van, count(*) AS aantal_eenheden, string_agg(naar, ';' ORDER BY naar) AS eenheden
            FROM (SELECT DISTINCT van, naar FROM r WHERE soort IN ('owns', 'lets', 'brokers')) GROUP BY van)
        SELECT s.van AS entiteit_id, coalesce(p.aantal_eenheden, 0) AS aantal_eenheden, s.aantal_eigendom,
               s.aantal_verhuurd, s.aantal_bemiddeld, s.aantal_gehuurd, p.eenheden
        FROM per_soort s LEFT JOIN portefeuille p USING (van)
        ORDER BY s.van
    """)
    store.execute("""
        CREATE OR REPLACE TABLE gedeelde_functionaris AS
        SELECT a.naar AS bedrijf_a, b.naar AS bedrijf_b, a.van AS functionaris, count(*) AS aantal_registraties
        FROM relatie a JOIN relatie b ON a.van = b.van AND a.naar < b.naar
        WHERE a.soort = 'director_of' AND b.soort = 'director_of'
        GROUP BY ALL ORDER BY ALL
    """)
    # a tenant on several units at once: the classic straw man who signs for homes others use
    store.execute("""
        CREATE OR REPLACE TABLE stroman_kandidaat AS
        WITH huur AS (SELECT van, naar, geldig_van, coalesce(geldig_tot, DATE '9999-12-31') AS tot
                      FROM relatie WHERE soort = 'rents')
        SELECT a.van AS entiteit_id, count(DISTINCT a.naar) AS aantal_eenheden,
               count(DISTINCT b.naar) FILTER (WHERE b.naar <> a.naar) > 0 AS gelijktijdig
        FROM huur a JOIN huur b ON a.van = b.van
             AND b.geldig_van <= a.tot AND a.geldig_van <= b.tot
        GROUP BY a.van HAVING count(DISTINCT a.naar) >= 2
        ORDER BY aantal_eenheden DESC, entiteit_id
    """)
    _write_distances(store, hub_grens)
    return {t: int(store.scalar(f"SELECT count(*) FROM {t}")) for t in (
        "partij_portefeuille", "gedeelde_functionaris", "stroman_kandidaat", "netwerk_afstand")}


def _write_distances(store: Store, hub_grens: int) -> None:
    """Breadth-first distance from every node to the nearest unit with a confirmed finding, over the whole graph
    and over the graph without hubs (through a corporation every home is two steps from every other).

    The graph is built here from the `relatie` this analysis just wrote, with only what distances need (no
    provenance, no sort, nothing cached: a cached graph is recognised by its store object and row count only);
    `graph_index` builds the full one for the dossier's neighbourhood queries."""
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _afstand_knoop AS
        SELECT knoop, (row_number() OVER (ORDER BY knoop) - 1)::BIGINT AS nr
        FROM (SELECT van AS knoop FROM relatie UNION SELECT naar FROM relatie)
    """)
    try:
        nodes = store.arrow("SELECT knoop, nr FROM _afstand_knoop ORDER BY nr")
        ends = store.arrow("SELECT a.nr AS a, b.nr AS b FROM relatie r JOIN _afstand_knoop a ON a.knoop = r.van "
                           "JOIN _afstand_knoop b ON b.knoop = r.naar")
        sources = []
        if store.has_table("raw_handhaving_uitkomst"):
            sources = [int(r[0]) for r in store.rows(
                "SELECT DISTINCT k.nr FROM raw_handhaving_uitkomst h JOIN _afstand_knoop k "
                "ON k.knoop = h.verblijfsobject_id WHERE h.bevinding <> 'niets_gevonden' ORDER BY 1")]
    finally:
        store.execute("DROP TABLE IF EXISTS _afstand_knoop")
    names = nodes.column("knoop").combine_chunks() if nodes.num_rows else pa.array([], pa.string())
    n = len(names)
    pairs = np.column_stack([ends.column("a").to_numpy(), ends.column("b").to_numpy()]).astype(np.int64)
    kinds = _node_kinds(names)
    degree = np.bincount(pairs.ravel(), minlength=n)
    hub = (kinds == "partij") & (degree > hub_grens)
    away = ~(hub[pairs[:, 0]] | hub[pairs[:, 1]]) if len(pairs) else np.ones(0, dtype=bool)
    columns = {"afstand": _multi_source_bfs(pairs, sources, n),
               "afstand_zonder_hubs": _multi_source_bfs(pairs[away], sources, n)}
    store.write_arrow("netwerk_afstand", pa.table({
        "entiteit_id": names.cast(pa.string()), "soort": pa.array(kinds, pa.string()),
        "afstand": columns["afstand"], "afstand_zonder_hubs": columns["afstand_zonder_hubs"],
    }), order_by="entiteit_id")
    log.info("network distances: %d sources, %d hubs left out", len(sources), int(hub.sum()))


def _node_kinds(names: pa.Array) -> np.ndarray:
    """`node_kind` of every name at once (the same prefix and pattern)."""
    tip = pc.starts_with(names, TIP_PREFIX).to_numpy(zero_copy_only=False)
    unit = pc.match_substring_regex(names, UNIT_ID).to_numpy(zero_copy_only=False)
    return np.where(tip, "melding", np.where(unit, "eenheid", "partij"))


def _multi_source_bfs(pairs: np.ndarray, sources: list[int], n: int) -> pa.Array:
    """Distance in edges from each of the `n` nodes to the nearest source over the undirected edges `pairs`
    (rows of two node numbers); null where unreachable.

    SciPy's breadth-first search from all sources at once (`dijkstra`, unweighted, `min_only`) on a sparse matrix
    built straight from the arrays: at 200,000 units igraph took 2.5 s to read the 1.5M edges (from Python ints)
    before searching, twice per analysis."""
    if not sources:
        return pa.nulls(n, pa.int64())
    graph = csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    dist = dijkstra(graph, directed=False, indices=np.asarray(sources, dtype=np.int64), unweighted=True,
                    min_only=True)
    reached = np.isfinite(dist)
    return pa.array(np.where(reached, dist, 0).astype(np.int64), pa.int64(), mask=~reached)
