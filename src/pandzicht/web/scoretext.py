"""What a score means, in words whose arithmetic matches the number shown.

An address score is a probability: the logistic function of the model's starting point (intercept) plus the
log-odds each indicator adds (`score.model`). Added log-odds are multiplied odds, so the screens show each
indicator as a factor on the odds ("× 2,1") and the chain start × factors = the score's odds, to the rounding
shown. A party score is not learned (no outcomes are recorded per party): 1 − e^(−sum of contributions).

The score is also set against the region: the mean over all homes (or parties) of this analysis, and a band
by the multiple of that mean (docs/methode.md, "Hoe leest u een score").

At the top the probability saturates: every home above 99% reads as "99,9%" and as the same multiple of the
mean (a probability cannot pass 100%, so the multiple cannot pass 1 / mean). There the screens say so, and
order and explain by the log-odds (start plus the contributions, the "totaal bewijs"), which keeps growing
with every indicator: that is what tells one saturated home from the next.
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
# From here on a probability no longer separates homes: 0,99 and 0,9999 both read as "nearly certain", while
# their odds differ a hundredfold. Above it the text orders and explains by log-odds.
SATURATED = 0.99
# The score is stored to six decimals; near 0 or 1 that rounding moves the log-odds by up to 5e-7 / (p (1 - p)).
_STORED_STEP = 5e-7


def logit(p: float) -> float | None:
    """The log-odds of a probability (None at 0 or 1, where it is infinite)."""
    if not 0 < p < 1:
        return None
    return math.log(p / (1 - p))


def saturated(score: float | None) -> bool:
    return score is not None and score >= SATURATED


def odds_text(logodds: float | None) -> str:
    """The odds as words a reader can compare: '3 tegen 1', '1 tegen 40', '1,2 miljoen tegen 1'."""
    if logodds is None:
        return "—"
    if logodds < 0:
        return f"1 tegen {_large(math.exp(-logodds))}"
    return f"{_large(math.exp(logodds))} tegen 1"


def _large(x: float) -> str:
    from pandzicht.web.formatting import getal

    for unit, name in ((1e9, "miljard"), (1e6, "miljoen")):
        if x >= unit:
            return f"{getal(x / unit, 1)} {name}"
    return getal(x, 0 if x >= 100 else 1)


def multiple_text(multiple: float | None, ceiling: float | None, is_saturated: bool) -> str:
    """'14× het gemiddelde', '< 0,1× het gemiddelde'; when saturated, that the multiple is at its ceiling."""
    from pandzicht.web.formatting import keer

    if multiple is None:
        return ""
    text = f"{keer(multiple)} het gemiddelde"
    if is_saturated and ceiling is not None:
        text += (f", vrijwel het hoogste wat hier kan ({keer(ceiling)}: een kans komt niet boven 100%); "
                 "dit getal onderscheidt de hoogste adressen dus niet meer van elkaar")
    return text


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
    return tie_text(soort, score, rang, ties)


def tie_text(soort: str, score: float | None, rang: int | None,
             ties: dict[float, tuple[int, int]]) -> dict[str, Any]:
    """`tie` given the table of shared scores (score -> first rank, how many)."""
    if rang is None or score is None:
        return {"rang": rang, "gedeeld": 0, "kort": "—", "lang": "geen rang"}
    first, n = ties.get(float(score), (rang, 1))
    if n > 1:
        wie = "adressen" if soort == "adres" else "partijen"
        lang = f"gedeeld {first}e ({n} {wie} met precies deze score)"
        if soort == "adres" and saturated(score):
            lang += "; onderling staan ze op volgorde van het totale bewijs (log-odds)"
        return {"rang": first, "gedeeld": n, "kort": f"{first}=", "lang": lang}
    return {"rang": first, "gedeeld": 0, "kort": str(first), "lang": f"{first}e"}


@dataclass
class Explanation:
    """A score told as arithmetic: a start, one factor or addition per indicator, and the result."""

    soort: str  # adres or partij
    score: float | None
    geleerd: bool = False
    positief: int = 0
    negatief: int = 0
    steekproef: int = 0  # addresses: homes of the delivery learned from beside the checks
    start_kans: float | None = None  # addresses: the probability with no indicator at all
    rest_factor: float | None = None  # indicators not itemised (only the top ones were stored)
    som: float = 0.0
    gemiddelde: float = 0.0
    keer: float | None = None
    band: str = ""
    regels: list[dict[str, Any]] = field(default_factory=list)
    logodds: float | None = None  # addresses: start + every contribution (the "totaal bewijs")
    verzadigd: bool = False  # the probability is past SATURATED: order and read by log-odds
    keer_max: float | None = None  # the highest multiple a probability can reach here: 1 / mean
    keer_tekst: str = ""
    kansverhouding: str = ""


def explain_unit(store: AnalysisStore, score: float | None, bijdragen: list[dict[str, Any]],
                 som: float | None = None) -> Explanation:
    """`som`: the sum of all of the home's contributions where `bijdragen` lists only the largest."""
    reg = region(store)
    return unit_arithmetic(score, bijdragen, float(reg.model.get("intercept", 0.0)), reg.mean_unit, reg.model, som)


def unit_arithmetic(score: float | None, bijdragen: list[dict[str, Any]], intercept: float, mean: float,
                    model: dict[str, Any] | None = None, som: float | None = None) -> Explanation:
    """The address explanation from the numbers alone (the store supplies intercept, mean and model)."""
    model = model or {}
    e = Explanation("adres", score, bool(model.get("geleerd")), int(model.get("positief", 0)),
                    int(model.get("negatief", 0)), int(model.get("steekproef", 0)),
                    start_kans=1 / (1 + math.exp(-intercept)), gemiddelde=mean)
    listed = sum(b["bijdrage"] for b in bijdragen)
    e.som = listed if som is None else max(float(som), listed)
    e.regels = [{**b, "factor": math.exp(b["bijdrage"])} for b in bijdragen]
    from_score = logit(score) if score is not None else None
    e.logodds = intercept + e.som
    if from_score is not None:
        # Contributions not itemised (only the largest were stored) show as one joint factor, but only where the
        # gap is more than the six-decimal rounding of the stored score can explain.
        tolerance = 0.005 + _STORED_STEP / (score * (1 - score))  # type: ignore[operator]
        rest = from_score - intercept - e.som
        if rest > tolerance:
            e.rest_factor = math.exp(rest)
            e.logodds = from_score
    e.verzadigd = saturated(score)
    e.kansverhouding = odds_text(e.logodds)
    _against_region(e)
    if mean > 0:
        e.keer_max = 1 / mean
    e.keer_tekst = multiple_text(e.keer, e.keer_max, e.verzadigd)
    return e


def explain_party(store: AnalysisStore, score: float | None, bijdragen: list[dict[str, Any]]) -> Explanation:
    reg = region(store)
    e = Explanation("partij", score, gemiddelde=reg.mean_party)
    e.som = sum(b["bijdrage"] for b in bijdragen)
    e.regels = [dict(b) for b in bijdragen]
    _against_region(e)
    e.keer_tekst = multiple_text(e.keer, None, False)
    return e


def _against_region(e: Explanation) -> None:
    if e.score is not None and e.gemiddelde > 0:
        e.keer = e.score / e.gemiddelde
        e.band = band(e.keer)
