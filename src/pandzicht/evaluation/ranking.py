"""Ranking quality against truth: how many true cases a team finds when it works down the list.

R-precision (precision at R, the number of true cases), precision@50, recall@2000,
average precision and recall per typology; and where the malafide parties rank.
"""

from __future__ import annotations

from collections import Counter


def ranking_metrics(ranked: list[str], truth: dict[str, str], k_recall: int = 2000) -> dict:
    """Metrics of one ranked list of unit ids against {unit id: typology}."""
    r = len(truth)
    hits = [u in truth for u in ranked]
    found, ap = 0, 0.0
    for i, h in enumerate(hits, 1):
        if h:
            found += 1
            ap += found / i
    per_typ_total = Counter(truth.values())
    top_r = set(ranked[:r])
    top_k = set(ranked[:k_recall])
    per_typ = {
        t: {
            "aantal": n,
            "recall_bij_R": sum(1 for u, tt in truth.items() if tt == t and u in top_r) / n,
            f"recall_bij_{k_recall}": sum(1 for u, tt in truth.items() if tt == t and u in top_k) / n,
        }
        for t, n in sorted(per_typ_total.items())
    }
    return {
        "R": r,
        "r_precisie": sum(hits[:r]) / r if r else 0.0,
        "precisie_bij_50": sum(hits[:50]) / 50,
        f"recall_bij_{k_recall}": sum(hits[:k_recall]) / r if r else 0.0,
        "gemiddelde_precisie": ap / r if r else 0.0,
        "per_typologie": per_typ,
    }


def party_ranks(partijen: list[dict[str, str]], malafide: list[dict[str, str]]) -> list[dict]:
    """The rank of each malafide party in partijen.csv (by KvK number, else by name); None when absent."""
    by_kvk = {p["kvk_nummer"]: int(p["rang"]) for p in partijen if p.get("kvk_nummer")}
    by_name = {p["naam"].lower(): int(p["rang"]) for p in partijen}
    out = []
    for m in malafide:
        rank = by_kvk.get(m.get("kvk_nummer") or "") or by_name.get((m.get("naam") or "").lower())
        out.append({"naam": m.get("naam"), "kvk_nummer": m.get("kvk_nummer"), "rol": m.get("rol"), "rang": rank})
    return out
