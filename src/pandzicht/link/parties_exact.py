"""Exact-key party resolution: the baseline the probabilistic linker is measured against.

Mentions that share a KvK number, a BRP token, or the same surname key, first
initial and birth date are one party; companies without a KvK number meet on
their normalised name. It never guesses, so what it joins is right, but it
misses every typo.
"""

from __future__ import annotations

import hashlib

import igraph as ig
import pyarrow as pa

from pandzicht.store.engine import Store

_KEYS_SQL = """
SELECT bron || '/' || record_sleutel AS m, 'kvk:' || kvk_nummer AS k FROM partij_vermelding WHERE kvk_nummer IS NOT NULL
UNION ALL
SELECT bron || '/' || record_sleutel, 'bsn:' || persoon_token FROM partij_vermelding WHERE persoon_token IS NOT NULL
UNION ALL
SELECT bron || '/' || record_sleutel, 'bn:' || bedrijf_sleutel FROM partij_vermelding
 WHERE soort = 'bedrijf' AND kvk_nummer IS NULL AND bedrijf_sleutel IS NOT NULL AND bedrijf_sleutel <> ''
UNION ALL
SELECT bron || '/' || record_sleutel, 'p:' || achternaam_sleutel || '|' || left(initialen, 1) || '|'
       || CAST(geboortedatum AS VARCHAR)
FROM partij_vermelding WHERE soort = 'persoon' AND geboortedatum IS NOT NULL AND achternaam_sleutel IS NOT NULL
       AND initialen IS NOT NULL
"""


def entity_id(members: list[str]) -> str:
    """A stable id for a cluster: derived from its smallest member, so reruns give the same id."""
    return "E" + hashlib.sha1(min(members).encode()).hexdigest()[:12]


def clusters_to_table(store: Store, mentions: list[str], membership: list[int], confidence: list[float]) -> None:
    """Write `entiteit(bron, record_sleutel, entiteit_id, zekerheid)` from a cluster label per mention."""
    groups: dict[int, list[str]] = {}
    for m, c in zip(mentions, membership, strict=True):
        groups.setdefault(c, []).append(m)
    ids = {c: entity_id(ms) for c, ms in groups.items()}
    bron, key = zip(*(m.split("/", 1) for m in mentions), strict=True) if mentions else ((), ())
    batch = pa.table({
        "bron": list(bron), "record_sleutel": list(key),
        "entiteit_id": [ids[c] for c in membership], "zekerheid": confidence,
    })
    store.write_arrow("entiteit", batch, order_by="bron, record_sleutel")


def resolve_exact(store: Store) -> int:
    """Cluster mentions by shared exact keys; writes table `entiteit`; returns the number of entities."""
    mentions = [r[0] for r in store.rows(
        "SELECT bron || '/' || record_sleutel FROM partij_vermelding ORDER BY 1")]
    index = {m: i for i, m in enumerate(mentions)}
    pairs = store.rows(_KEYS_SQL)
    keys: dict[str, int] = {}
    edges = []
    for m, k in pairs:
        j = keys.setdefault(k, len(mentions) + len(keys))
        edges.append((index[m], j))
    g = ig.Graph(n=len(mentions) + len(keys), edges=edges)
    membership = g.connected_components().membership[: len(mentions)]
    clusters_to_table(store, mentions, membership, [1.0] * len(mentions))
    return len(set(membership))
