"""Ranking quality against truth: how many true cases a team finds when it works down the list.

R-precision (precision at R, the number of true cases), precision@50, recall@2000,
average precision and recall per typology; recall in a top scaled to the world's size;
whether `vermoeden` names the true typology and how well the typology probabilities the dossier
shows are calibrated; where the malafide parties rank, and the average precision of the party list.
"""

from __future__ import annotations

import math
from collections import Counter

# Issue 11 measured "the top 2k" on 20,000-unit worlds (about 19,000 homes). Smaller or larger worlds use the
# same share of their homes, so the figures compare across world sizes: top_k(homes).
TOP_AANDEEL = 2000 / 19_000


def top_k(homes: int) -> int:
    """The length of the top a team works through: the share TOP_AANDEEL of the ranked homes (at least 10)."""
    return max(10, round(homes * TOP_AANDEEL))


def ranking_metrics(ranked: list[str], truth: dict[str, str], k_recall: int = 2000, k_top: int | None = None) -> dict:
    """Metrics of one ranked list of unit ids against {unit id: typology}.

    k_top adds `recall_bij_top_k` (overall and per typology) for a top scaled to the world (see top_k)."""
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
    top_scaled = set(ranked[:k_top]) if k_top else set()
    per_typ = {
        t: {
            "aantal": n,
            "recall_bij_R": sum(1 for u, tt in truth.items() if tt == t and u in top_r) / n,
            f"recall_bij_{k_recall}": sum(1 for u, tt in truth.items() if tt == t and u in top_k) / n,
            **({"recall_bij_top_k": sum(1 for u, tt in truth.items() if tt == t and u in top_scaled) / n}
               if k_top else {}),
        }
        for t, n in sorted(per_typ_total.items())
    }
    out = {
        "R": r,
        "r_precisie": sum(hits[:r]) / r if r else 0.0,
        "precisie_bij_50": sum(hits[:50]) / 50,
        f"recall_bij_{k_recall}": sum(hits[:k_recall]) / r if r else 0.0,
        "gemiddelde_precisie": ap / r if r else 0.0,
        "per_typologie": per_typ,
    }
    if k_top:
        out["top_k"] = k_top
        out["recall_bij_top_k"] = sum(hits[:k_top]) / r if r else 0.0
    return out


def typology_guess(rows: list[dict[str, str]], truth: dict[str, str], k: int) -> dict:
    """Of the true homes in the top k of adressen.csv (rows in rank order), how many have `vermoeden` right.

    Also how many have any `vermoeden` at all, and the same per true typology."""
    in_top = [(r["verblijfsobject_id"], r.get("vermoeden") or "") for r in rows[:k] if r["verblijfsobject_id"] in truth]
    right = [u for u, v in in_top if v == truth[u]]
    per_typ: dict[str, dict[str, int]] = {}
    for u, v in in_top:
        e = per_typ.setdefault(truth[u], {"in_top_k": 0, "goed": 0})
        e["in_top_k"] += 1
        e["goed"] += int(v == truth[u])
    return {
        "top_k": k,
        "waar_in_top_k": len(in_top),
        "goed": len(right),
        "aandeel_goed": len(right) / len(in_top) if in_top else 0.0,
        "met_vermoeden": sum(1 for _, v in in_top if v),
        "per_typologie": dict(sorted(per_typ.items())),
    }


# typologie_kans holds probabilities rounded to 4 decimals: a true typology shown as 0 counts as this much
KANS_VLOER = 1e-4
# "shown with confidence": the most likely typology at this probability or more
ZEKER = 0.9


def typology_calibration(ranked: list[str], probs: dict[str, dict[str, float]], truth: dict[str, str],
                         k: int) -> dict:
    """How far the typology probabilities of the true homes in the top k can be trusted.

    `probs` is {unit: {typology: probability}} (the table `typologie_kans`). Over the true homes in the top k
    that have probabilities: the log-loss (mean -ln of the probability of the true typology; ln 6 = 1.79 is a
    uniform guess over six), and where the most likely typology is shown at ZEKER or more, how often it is
    right. A dossier that says 90% should be right about nine times in ten."""
    held = [u for u in ranked[:k] if u in truth and u in probs]
    losses, sure, sure_right = [], 0, 0
    for u in held:
        p = probs[u]
        losses.append(-math.log(max(p.get(truth[u], 0.0), KANS_VLOER)))
        best = max(p, key=lambda t: (p[t], t))
        if p[best] >= ZEKER:
            sure += 1
            sure_right += int(best == truth[u])
    return {
        "met_kansen": len(held),
        "log_loss": sum(losses) / len(losses) if losses else None,
        "zeker_getoond": sure,
        "zeker_goed": sure_right,
    }


def party_ranks(
    partijen: list[dict[str, str]], malafide: list[dict[str, str]], entity_truth: dict[str, str] | None = None
) -> list[dict]:
    """The rank of each malafide party in partijen.csv; None when absent.

    With entity_truth ({entiteit_id: ware_persoon}, see linking.entity_truth) a party is found through the
    entity its records resolved to: the best rank of an entity that is that true party. Without it (or for a
    malafide row without ware_persoon) by KvK number, else by name. `rang_in_rol` is the same party's rank
    among the parties of its role in the list (what the web app's party list shows filtered on that role)."""
    in_role: dict[int, int] = {}
    seen: Counter[str] = Counter()
    for p in sorted(partijen, key=lambda p: int(p["rang"])):
        seen[p.get("rol") or ""] += 1
        in_role[int(p["rang"])] = seen[p.get("rol") or ""]
    by_kvk = {p["kvk_nummer"]: int(p["rang"]) for p in partijen if p.get("kvk_nummer")}
    by_name = {p["naam"].lower(): int(p["rang"]) for p in partijen}
    by_true: dict[str, int] = {}
    if entity_truth is not None:
        for p in partijen:
            w = entity_truth.get(p.get("entiteit_id") or "")
            if w is not None and (w not in by_true or int(p["rang"]) < by_true[w]):
                by_true[w] = int(p["rang"])
    out = []
    for m in malafide:
        if entity_truth is not None and m.get("ware_persoon"):
            rank = by_true.get(m["ware_persoon"])
        else:
            rank = by_kvk.get(m.get("kvk_nummer") or "") or by_name.get((m.get("naam") or "").lower())
        out.append({"naam": m.get("naam"), "kvk_nummer": m.get("kvk_nummer"), "rol": m.get("rol"), "rang": rank,
                    "rang_in_rol": in_role.get(rank) if rank is not None else None})
    return out


def party_average_precision(ranks: list[dict]) -> float:
    """Average precision of the party list for the malafide parties (the output of party_ranks).

    Every malafide party counts once (a party missing from the list adds nothing); the i-th one found,
    at rank r, contributes i / r. Parties with the same rank (not possible in partijen.csv) count in order."""
    if not ranks:
        return 0.0
    found = sorted(r["rang"] for r in ranks if r["rang"] is not None)
    return sum(i / rank for i, rank in enumerate(found, 1)) / len(ranks)
