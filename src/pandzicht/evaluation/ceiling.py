"""The ranking the analysis' own indicator values allow when every true label is known: a yardstick, never a method.

Why: when pandzicht ranks a world poorly, the cause is either the learning (weights learned from a few past
checks) or the evidence (the indicators do not separate the true homes from the rest). A model fitted to the
world's *true* labels with the very same indicator values tells them apart: if it ranks no better than pandzicht,
better learning cannot help and only new or sharper evidence can. Issue 11 measured it by hand on another
generator's worlds (R-precision 0.81 there against pandzicht's 0.65 at the time); here every `evaluate` does it.

The model is an L2-regularised logistic regression (scikit-learn, default strength) on the address indicators of
`indicator_waarde`, scored out of fold: three stratified folds, each home scored by a model that never saw its
label. A region never has these labels; the figure exists only in evaluation, beside the ground truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from pandzicht.store.engine import Store

FOLDS = 3
SEED = 0
# Fewer true homes than this and the yardstick is no ceiling: three folds leave too few positives to fit some 40
# weights (on 2,500-unit demo worlds, about 19 true homes, it ranked 0.70–0.80 where pandzicht, with its priors,
# ranked 0.947). A 20,000-unit world has about 200.
MIN_TRUE = 100


def ceiling_ranking(db: Path, truth: dict[str, str]) -> list[str] | None:
    """The analysis' scored homes ordered by the out-of-fold probability of a model fitted to the true labels on the
    same indicator values; None with fewer than MIN_TRUE true homes (or fewer other homes than folds)."""
    with Store(db, read_only=True) as store:
        if not (store.has_table("adres_score") and store.has_table("indicator_waarde")):
            return None
        units = [r[0] for r in store.rows("SELECT verblijfsobject_id FROM adres_score ORDER BY verblijfsobject_id")]
        values = store.rows("SELECT indicator, entiteit_id, waarde FROM indicator_waarde "
                            "WHERE entiteit = 'adres' AND waarde IS NOT NULL ORDER BY 1, 2")
    row = {u: i for i, u in enumerate(units)}
    features = sorted({v[0] for v in values})
    col = {f: j for j, f in enumerate(features)}
    x = np.zeros((len(units), max(len(features), 1)))
    for indicator, unit, value in values:
        if unit in row:
            x[row[unit], col[indicator]] = float(value)
    y = np.array([1 if u in truth else 0 for u in units])
    if int(y.sum()) < MIN_TRUE or int(len(y) - y.sum()) < FOLDS:
        return None
    scores = np.zeros(len(units))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        model = LogisticRegression(max_iter=2000).fit(x[train], y[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
    order = sorted(range(len(units)), key=lambda i: (-scores[i], units[i]))
    return [units[i] for i in order]
