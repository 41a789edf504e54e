"""The party network around a unit or party, from the `relatie` table, for the dossier's network view.

Two hops from the centre: the parties at a unit, then their other units,
companies and officers. Every edge keeps its source (provenance), so an analyst
can check a link before acting on it. Person names are passed through the
caller's `name_for` (which pseudonymises); the graph never holds a raw name.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from pandzicht.web.analysis import EDGE_LABELS, AnalysisStore, PartyRef

MAX_NODES = 80
PER_NODE = 12  # edges shown per party at the outer hop; the rest is one click away


class Node(BaseModel):
    id: str
    soort: str  # adres, persoon, bedrijf, melding
    label: str
    score: float | None = None
    url: str | None = None
    kern: bool = False
    meer: int = 0  # edges of this node not shown yet


class Edge(BaseModel):
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


def _is_unit(node_id: str) -> bool:
    return len(node_id) == 16 and node_id.isdigit()


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
    scores: dict[str, float] = {}
    if store.has("partij_score") and parties:
        scores = {r["entiteit_id"]: r["score"] for r in store.rows(
            "SELECT entiteit_id, score FROM partij_score WHERE entiteit_id IN (SELECT unnest(?))", [list(parties)])}
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
                              kern=i == centre))
    for n in nodes:
        n.meer = max(0, degree.get(n.id, 0) - shown.get(n.id, 0))
    out_edges = [Edge(van=e["van"], naar=e["naar"], soort=e["soort"], label=EDGE_LABELS.get(e["soort"], e["soort"]),
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
        found = store.edges_touching(frontier, limit=5000)
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


def expand(store: AnalysisStore, node_id: str, name_for: Callable[[PartyRef], str], max_nodes: int = 40) -> Graph:
    """One hop from a node: what the view adds when an analyst clicks it."""
    return _build(store, node_id, store.edges_touching([node_id], limit=max_nodes * 2), name_for, max_nodes)
