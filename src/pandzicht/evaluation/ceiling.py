"""The ranking the analysis' own indicator values allow when every true label is known: a yardstick, never a method.

Why: when pandzicht ranks a world poorly, the cause is either the learning (weights learned from a few past
checks) or the evidence (the indicators do not separate the true homes from the rest). A model fitted to the
world's *true* labels with the very same indicator values tells them apart: if it ranks no better than pandzicht,
better learning cannot help and only new or sharper evidence can. Issue 11 measured it by hand on another
generator's worlds (R-precision 0.81 there against pandzicht's 0.65 at the time); here every `evaluate` does it.

The model is an L2-regularised logistic regression (scikit-learn, default strength) on the address indicators of
`indicator_waarde`, scored out of fold: three stratified folds, each home scored by a model that never saw its
label. A region never has these labels; the figure exists only in evaluation, beside the ground truth.

The same question for the typology (`ceiling_typology`): of the true homes in pandzicht's top k, how many a
multinomial model on their true typologies, with the inputs of pandzicht's typology model and out of fold, names
right, beside how many `vermoeden` names right.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from pandzicht.score.typology_evidence import evidence_indicators, evidence_matrix
from pandzicht.store.engine import Store

FOLDS = 3
SEED = 0
# Fewer true homes than this and the yardstick is no ceiling: three folds leave too few positives to fit some 40
# weights (on 2,500-unit demo worlds, about 19 true homes, it ranked 0.70–0.80 where pandzicht, with its priors,
# ranked 0.947). A 20,000-unit world has about 200.
MIN_TRUE = 100


def _features(db: Path, units: list[str] | None = None, evidence: bool = False
              ) -> tuple[list[str], np.ndarray] | None:
    """The scored homes (or `units`, in that order) and their address indicator values, one column per indicator
    (0 where it has none), with `evidence` also the typology model's evidence per tip and police category
    (`score/typology_evidence.py`, never part of the score); None when the analysis has no scores or values."""
    with Store(db, read_only=True) as store:
        if not (store.has_table("adres_score") and store.has_table("indicator_waarde")):
            return None
        if units is None:
            units = [r[0] for r in store.rows("SELECT verblijfsobject_id FROM adres_score ORDER BY verblijfsobject_id")]
        values = store.rows("SELECT indicator, entiteit_id, waarde FROM indicator_waarde "
                            "WHERE entiteit = 'adres' AND waarde IS NOT NULL ORDER BY 1, 2")
        extra = evidence_matrix(store, units, evidence_indicators()) if evidence else np.zeros((len(units), 0))
    row = {u: i for i, u in enumerate(units)}
    features = sorted({v[0] for v in values})
    col = {f: j for j, f in enumerate(features)}
    x = np.zeros((len(units), max(len(features), 1)))
    for indicator, unit, value in values:
        if unit in row:
            x[row[unit], col[indicator]] = float(value)
    return units, np.hstack([x, extra])


def ceiling_ranking(db: Path, truth: dict[str, str]) -> list[str] | None:
    """The analysis' scored homes ordered by the out-of-fold probability of a model fitted to the true labels on the
    same indicator values; None with fewer than MIN_TRUE true homes (or fewer other homes than folds)."""
    found = _features(db)
    if found is None:
        return None
    units, x = found
    y = np.array([1 if u in truth else 0 for u in units])
    if int(y.sum()) < MIN_TRUE or int(len(y) - y.sum()) < FOLDS:
        return None
    scores = np.zeros(len(units))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        model = LogisticRegression(max_iter=2000).fit(x[train], y[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
    order = sorted(range(len(units)), key=lambda i: (-scores[i], units[i]))
    return [units[i] for i in order]


def ceiling_typology(db: Path, ranked: list[str], truth: dict[str, str], k: int) -> dict | None:
    """Of the true homes in `ranked[:k]` (pandzicht's top k), how many a multinomial logistic model fitted to their
    true typologies on the inputs of pandzicht's typology model (the indicator values and the evidence per tip and
    police category) names right, each home predicted out of fold: the yardstick
    beside `vermoeden` right (`ranking.typology_guess`). None with fewer than MIN_TRUE such homes or one typology.

    A typology with fewer homes than folds is missing from some training folds and is then named wrong: the
    yardstick may not know what it never saw."""
    homes = [u for u in ranked[:k] if u in truth]
    labels = np.array([truth[u] for u in homes])
    if len(homes) < MIN_TRUE or len(set(labels)) < 2:
        return None
    found = _features(db, homes, evidence=True)
    if found is None:
        return None
    _, x = found
    predicted = np.empty(len(homes), dtype=object)
    counts = {str(t): int((labels == t).sum()) for t in sorted(set(labels))}
    # stratified on the typologies that can be; a rarer one goes with the others' folds at random
    strata = np.array([t if counts[t] >= FOLDS else "_zeldzaam" for t in labels])
    with warnings.catch_warnings():  # scikit-learn's note that a stratum is smaller than the folds: said above
        warnings.simplefilter("ignore", UserWarning)
        folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, strata))
    for train, test in folds:
        seen = sorted(set(labels[train]))
        if len(seen) == 1:
            predicted[test] = seen[0]
            continue
        model = LogisticRegression(max_iter=3000).fit(x[train], labels[train])
        predicted[test] = model.predict(x[test])
    right = predicted == labels
    return {"waar_in_top_k": len(homes), "goed": int(right.sum()), "aandeel_goed": float(right.mean()),
            "per_typologie": {t: {"in_top_k": n, "goed": int(right[labels == t].sum())} for t, n in counts.items()}}
