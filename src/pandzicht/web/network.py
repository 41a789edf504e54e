"""The party network around a unit or party, from the `relatie` table, for the dossier's network view.

Two hops from the centre: the parties at a unit, then their other units,
companies and officers. Every edge keeps its source (provenance), so an analyst
can check a link before acting on it. Person names are passed through the
caller's `name_for` (which pseudonymises); the graph never holds a raw name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from pydantic import BaseModel

from pandzicht.web.analysis import EDGE_LABELS, AnalysisStore, PartyRef

MAX_NODES = 80
PER_NODE = 12  # edges shown per party at the outer hop; the rest is one click away
PAGE = 40  # edges per expand page; "toon meer" asks for the next page


class Node(BaseModel):
    id: str
    soort: str  # adres, persoon, bedrijf, melding
    label: str
    score: float | None = None
    url: str | None = None
    kern: bool = False
    meer: int = 0  # edges of this node not in this answer
    graad: int = 0  # all edges of this node, so the chart can say how many it does not show
    rol: str | None = None  # the party's main role (bemiddelaar, verhuurder, ...) from the party scores


class Edge(BaseModel):
    id: str  # stable across answers (a digest, never the source's record key), so the chart can merge pages
    van: str
    naar: str
    soort: str
    label: str
    bron: str
    bron_label: str
    geldig_van: str | None = None
    geldig_tot: str | None = None


class Graph(BaseModel):
    kern: str
    nodes: list[Node]
    edges: list[Edge]
    afgekapt: bool = False
    totaal: int = 0  # edges touching the centre (an expand pages through these)
    offset: int = 0
    volgende: int | None = None  # offset of the next page, None when this was the last


def _is_unit(node_id: str) -> bool:
    return len(node_id) == 16 and node_id.isdigit()


def _edge_id(e: dict) -> str:
    key = "|".join(str(e[k]) for k in ("van", "naar", "soort", "record_sleutel"))
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def edges_page(store: AnalysisStore, node_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the edges touching a node, in a fixed order (ownership first), and how many there are."""
    edges = store.edges_touching([node_id], limit=offset + limit)
    return edges[offset:offset + limit], store.degrees([node_id]).get(node_id, 0)


def _build(store: AnalysisStore, centre: str, edges: list[dict], name_for: Callable[[PartyRef], str],
           max_nodes: int) -> Graph:
    ids: list[str] = [centre]
    kept: list[dict] = []
    truncated = False
    seen_edges = set()
    for e in edges:
        key = (e["van"], e["naar"], e["soort"], e["record_sleutel"])
        if key in seen_edges:
            continue
        new = [n for n in (e["van"], e["naar"]) if n not in ids]
        if len(ids) + len(new) > max_nodes:
            truncated = True
            continue
        seen_edges.add(key)
        ids += new
        kept.append(e)
    units = store.unit_addresses([i for i in ids if _is_unit(i)])
    parties = store.party_refs([i for i in ids if not _is_unit(i) and not i.startswith("melding:")])
    party_scores = store.party_scores(list(parties))
    scores = {i: r["score"] for i, r in party_scores.items()}
    roles = {i: r["rol"] for i, r in party_scores.items()}
    shown: dict[str, int] = {}
    for e in kept:
        shown[e["van"]] = shown.get(e["van"], 0) + 1
        shown[e["naar"]] = shown.get(e["naar"], 0) + 1
    degree = store.degrees(ids)
    nodes = []
    for i in ids:
        if _is_unit(i):
            u = units.get(i)
            nodes.append(Node(id=i, soort="adres", label=u["adres"] if u else i, score=u.get("score") if u else None,
                              url=f"/adres/{i}", kern=i == centre))
        elif i.startswith("melding:"):
            nodes.append(Node(id=i, soort="melding", label="melding " + i.split(":", 1)[1], kern=i == centre))
        else:
            ref = parties.get(i) or PartyRef(i, "?", "persoon")
            nodes.append(Node(id=i, soort=ref.soort, label=name_for(ref), score=scores.get(i), url=f"/partij/{i}",
                              kern=i == centre, rol=roles.get(i) or None))
    for n in nodes:
        n.graad = degree.get(n.id, 0)
        n.meer = max(0, n.graad - shown.get(n.id, 0))
    out_edges = [Edge(id=_edge_id(e), van=e["van"], naar=e["naar"], soort=e["soort"],
                      label=EDGE_LABELS.get(e["soort"], e["soort"]),
                      bron=e["bron"], bron_label=store.source_label(e["bron"]),
                      geldig_van=e["geldig_van"].isoformat() if e["geldig_van"] else None,
                      geldig_tot=e["geldig_tot"].isoformat() if e["geldig_tot"] else None) for e in kept]
    return Graph(kern=centre, nodes=nodes, edges=out_edges, afgekapt=truncated)


def neighbourhood(store: AnalysisStore, centre: str, name_for: Callable[[PartyRef], str], hops: int = 2,
                  max_nodes: int = MAX_NODES, per_node: int = PER_NODE) -> Graph:
    """The graph within `hops` of a unit or party (edges ranked: ownership, letting, brokering, officers first)."""
    frontier, seen = [centre], {centre}
    frontier_set = {centre}
    edges: list[dict] = []
    for hop in range(hops):
        found = store.edges_touching(frontier, limit=5000, per_node=per_node if hop > 0 else None)
        if hop > 0:  # cap what each outer node brings in, so one big landlord does not flood the view
            per: dict[str, int] = {}
            capped = []
            for e in found:
                anchor = e["van"] if e["van"] in frontier_set else e["naar"]
                per[anchor] = per.get(anchor, 0) + 1
                if per[anchor] <= per_node:
                    capped.append(e)
            found = capped
        edges += found
        nxt = []
        for e in found:
            for n in (e["van"], e["naar"]):
                if n not in seen and not n.startswith("melding:"):
                    seen.add(n)
                    nxt.append(n)
        frontier = nxt[:max_nodes]
        frontier_set = set(frontier)
        if not frontier:
            break
    return _build(store, centre, edges, name_for, max_nodes)


def expand(store: AnalysisStore, node_id: str, name_for: Callable[[PartyRef], str], offset: int = 0,
           limit: int = PAGE) -> Graph:
    """One page of one hop from a node: what the chart adds when an analyst expands it or asks for more.

    Paged by edges in a fixed order, so "toon meer" gets exactly the next ones and the chart can say how many
    are still hidden instead of silently capping."""
    edges, total = edges_page(store, node_id, offset, limit)
    graph = _build(store, node_id, edges, name_for, limit + 1)
    graph.totaal, graph.offset = total, offset
    graph.volgende = offset + len(edges) if offset + len(edges) < total else None
    graph.afgekapt = graph.volgende is not None
    return graph
