"""What a score means, in words whose arithmetic matches the number shown.

An address score is a probability: the logistic function of the model's starting point (intercept) plus the
log-odds each indicator adds (`score.model`). Added log-odds are multiplied odds, so the screens show each
indicator as a factor on the odds ("× 2,1") and the chain start × factors = the score's odds, to the rounding
shown. A party score is not learned (no outcomes are recorded per party): 1 − e^(−sum of contributions).

The score is also set against the region: the mean over all homes (or parties) of this analysis, and a band
by the multiple of that mean (docs/methode.md, "Hoe leest u een score").
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from pandzicht.web.analysis import AnalysisStore

# (lowest multiple of the region mean, band): the first that the score reaches.
BANDS = ((20.0, "zeer hoog"), (5.0, "hoog"), (2.0, "verhoogd"), (0.0, "gewoon"))


@dataclass
class Region:
    """Per store, once: the mean score of homes and parties, the address model, and which scores are shared."""

    mean_unit: float
    mean_party: float
    model: dict[str, Any]
    ties_unit: dict[float, tuple[int, int]] = field(default_factory=dict)
    ties_party: dict[float, tuple[int, int]] = field(default_factory=dict)


_regions: weakref.WeakKeyDictionary[AnalysisStore, Region] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def region(store: AnalysisStore) -> Region:
    """The region figures of this store (computed on first use; a newly published store gets its own)."""
    with _lock:
        r = _regions.get(store)
        if r is None:
            r = _load_region(store)
            _regions[store] = r
        return r


def _ties(store: AnalysisStore, table: str) -> dict[float, tuple[int, int]]:
    """score -> (first rank, how many share it), for scores held by more than one."""
    rows = store.rows(f"SELECT score, min(rang) AS rang, count(*) AS n FROM {table} WHERE score IS NOT NULL "
                      "GROUP BY score HAVING count(*) > 1")
    return {float(r["score"]): (int(r["rang"]), int(r["n"])) for r in rows}


def _load_region(store: AnalysisStore) -> Region:
    unit = store.one("SELECT avg(score) AS m FROM adres_score")
    party = store.one("SELECT avg(score) AS m FROM partij_score") if store.has("partij_score") else None
    model: dict[str, Any] = {}
    if store.has("model_adres"):
        row = store.one("SELECT model FROM model_adres")
        model = json.loads(row["model"]) if row else {}
    return Region(float(unit["m"] or 0) if unit else 0.0, float(party["m"] or 0) if party else 0.0, model,
                  _ties(store, "adres_score"), _ties(store, "partij_score") if store.has("partij_score") else {})


def band(multiple: float | None) -> str:
    if multiple is None:
        return ""
    return next(name for low, name in BANDS if multiple >= low)


def tie(store: AnalysisStore, soort: str, score: float | None, rang: int | None) -> dict[str, Any]:
    """The rank as shown: equal scores share the first rank among them ('7=' / 'gedeeld 7e')."""
    if rang is None or score is None:
        return {"rang": rang, "gedeeld": 0, "kort": "—", "lang": "geen rang"}
    ties = region(store).ties_unit if soort == "adres" else region(store).ties_party
    first, n = ties.get(float(score), (rang, 1))
    if n > 1:
        wie = "adressen" if soort == "adres" else "partijen"
        return {"rang": first, "gedeeld": n, "kort": f"{first}=",
                "lang": f"gedeeld {first}e ({n} {wie} met precies deze score)"}
    return {"rang": first, "gedeeld": 0, "kort": str(first), "lang": f"{first}e"}


@dataclass
class Explanation:
    """A score told as arithmetic: a start, one factor or addition per indicator, and the result."""

    soort: str  # adres or partij
    score: float | None
    geleerd: bool = False
    positief: int = 0
    negatief: int = 0
    start_kans: float | None = None  # addresses: the probability with no indicator at all
    rest_factor: float | None = None  # indicators not itemised (only the top ones were stored)
    som: float = 0.0
    gemiddelde: float = 0.0
    keer: float | None = None
    band: str = ""
    regels: list[dict[str, Any]] = field(default_factory=list)


def explain_unit(store: AnalysisStore, score: float | None, bijdragen: list[dict[str, Any]]) -> Explanation:
    reg = region(store)
    intercept = float(reg.model.get("intercept", 0.0))
    e = Explanation("adres", score, bool(reg.model.get("geleerd")), int(reg.model.get("positief", 0)),
                    int(reg.model.get("negatief", 0)), start_kans=1 / (1 + math.exp(-intercept)),
                    gemiddelde=reg.mean_unit)
    e.som = sum(b["bijdrage"] for b in bijdragen)
    e.regels = [{**b, "factor": math.exp(b["bijdrage"])} for b in bijdragen]
    if score is not None and 0 < score < 1:
        rest = math.log(score / (1 - score)) - intercept - e.som
        if rest > 0.005:  # some contributions were not itemised: name their joint factor rather than hide it
            e.rest_factor = math.exp(rest)
    _against_region(e)
    return e


def explain_party(store: AnalysisStore, score: float | None, bijdragen: list[dict[str, Any]]) -> Explanation:
    reg = region(store)
    e = Explanation("partij", score, gemiddelde=reg.mean_party)
    e.som = sum(b["bijdrage"] for b in bijdragen)
    e.regels = [dict(b) for b in bijdragen]
    _against_region(e)
    return e


def _against_region(e: Explanation) -> None:
    if e.score is not None and e.gemiddelde > 0:
        e.keer = e.score / e.gemiddelde
        e.band = band(e.keer)
