"""A transparent score: the sum of indicator contributions, weights learned from past outcomes.

Weights come from a logistic regression on the units that were checked
(`handhaving_uitkomst`; `niets_gevonden` is a negative), L2-regularised and
bounded at zero: an indicator can raise a score or do nothing, never lower it,
so every explanation reads the same way.

The regularisation pulls each weight towards a prior measured on the delivery
itself, not fitted to any one region: an indicator's *specificity*, the
log-odds naive Bayes gives it from how often it fired before checks that found
something (smoothed towards one in two) against its share of all homes
(`specificity_prior`). An indicator that fires on one home in a thousand says
more than one that fires on every fifth. With too few outcomes to learn from,
the prior alone is the weight, and the output says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

MIN_LABELS = 10  # positives and negatives each


@dataclass
class TransparentModel:
    """Non-negative logistic weights per indicator, plus an intercept."""

    features: list[str]
    weights: np.ndarray
    intercept: float
    learned: bool
    n_pos: int = 0
    n_neg: int = 0
    notes: list[str] = field(default_factory=list)
    controls: int = 0  # population controls learned from beside the checks

    def logit(self, x: np.ndarray) -> np.ndarray:
        return self.intercept + x @ self.weights

    def predict(self, x: np.ndarray) -> np.ndarray:
        return expit(self.logit(x))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per row and indicator, how many log-odds it added to the score."""
        return x * self.weights[None, :]

    def to_json(self) -> dict:
        return {
            "gewichten": {f: round(float(w), 4) for f, w in zip(self.features, self.weights, strict=True)},
            "intercept": round(float(self.intercept), 4),
            "geleerd": self.learned,
            "positief": self.n_pos,
            "negatief": self.n_neg,
            "steekproef": self.controls,
            "opmerkingen": self.notes,
        }


PRIOR_STRENGTH = 10.0  # how many checks' worth of evidence the prior weighs per indicator
MIN_SUPPORT = 5  # checks where an indicator fired before its own weight is trusted


def fit_nonnegative_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, prior: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Minimise the log-loss plus an L2 pull towards `prior` (default 0), weights >= 0 (L-BFGS-B)."""
    n, k = x.shape
    mu = np.zeros(k) if prior is None else prior
    sample_w = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * n  # balanced classes

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:k], theta[k]
        z = x @ w + b
        p = expit(z)
        ll = -(sample_w * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))).sum() / n
        grad_z = sample_w * (p - y) / n
        gw = x.T @ grad_z + l2 * (w - mu) / n
        return -ll + 0.5 * l2 * ((w - mu) @ (w - mu)) / n, np.append(gw, grad_z.sum())

    bounds = [(0.0, None)] * k + [(None, None)]
    res = minimize(loss, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return res.x[:k], float(res.x[k])


# The share of homes in criminal use an indicator is assumed to fire on when past checks say nothing of it (the
# prior's prior). Only its ratio to an indicator's share of all homes matters; 0.5 keeps indicators that fire on
# most homes at zero. SENSITIVITY_PSEUDO_CHECKS positive checks' worth of it is blended with what checks found.
ASSUMED_SENSITIVITY = 0.5
SENSITIVITY_PSEUDO_CHECKS = 10.0


def specificity_prior(
    x_all: np.ndarray, x: np.ndarray | None = None, y: np.ndarray | None = None,
    observed: np.ndarray | None = None,
) -> np.ndarray:
    """Per indicator log(sensitivity / share of all homes where it fires), at least 0 (naive Bayes).

    The share comes from this delivery's own homes, so a region whose data makes an indicator fire more
    often weighs it less. The sensitivity (how often it fired before a check that found something) comes
    from the past checks where the indicator's sources covered the check (`observed`), smoothed towards
    ASSUMED_SENSITIVITY: with no checks it is that assumption, with many it is what the checks found."""
    n = max(x_all.shape[0], 1)
    share = np.maximum((x_all > 0).mean(axis=0) if x_all.shape[0] else np.zeros(x_all.shape[1]), 1.0 / n)
    hits = np.zeros(x_all.shape[1])
    positives = np.zeros(x_all.shape[1])
    if x is not None and y is not None and len(y):
        seen = observed if observed is not None else np.ones(x.shape, dtype=bool)
        pos = (y == 1)[:, None] & seen
        hits = ((x > 0) & pos).sum(axis=0)
        positives = pos.sum(axis=0)
    a = SENSITIVITY_PSEUDO_CHECKS
    sensitivity = (hits + ASSUMED_SENSITIVITY * a) / (positives + a)
    return np.clip(np.log(sensitivity / share), 0.0, None)


def fit(
    features: list[str], x: np.ndarray, y: np.ndarray | None, x_all: np.ndarray, base_rate: float = 0.01,
    observed: np.ndarray | None = None, controls: np.ndarray | None = None,
) -> TransparentModel:
    """Learn weights from labelled rows x (y: 1 finding, 0 nothing found), pulled towards the specificity
    prior; the prior alone when labels are few.

    `x_all` holds every unit to be scored: the prior's shares are measured and the intercept set on it.
    `observed` marks the cells of x whose sources covered the check (others were imputed). `controls`: homes
    of the delivery as they stood at the checks' reference dates (`training.population_controls`), learned
    from as negatives beside the checks that found nothing; whether there is enough to learn from is decided
    on the checks' findings: enough findings, and enough checks that found nothing or else enough controls
    (a region that records only its hits still learns, findings against the delivery's homes: a case-control
    design)."""
    n_pos, n_neg = (int((y == 1).sum()), int((y == 0).sum())) if y is not None else (0, 0)
    n_ctl = len(controls) if controls is not None else 0
    if n_pos >= MIN_LABELS and (n_neg >= MIN_LABELS or n_ctl >= MIN_LABELS):
        prior = specificity_prior(x_all, x, y, observed)
        xs, ys = x, y
        if n_ctl:
            xs, ys = np.vstack([x, controls]), np.concatenate([y, np.zeros(n_ctl)])
        model = TransparentModel(features, _shrunk_weights(xs, ys, prior), 0.0, True, n_pos, n_neg)
        model.controls = n_ctl
        if n_neg < MIN_LABELS:
            model.notes.append(f"{n_neg} controles zonder bevinding (minimaal {MIN_LABELS}): geleerd uit de "
                               f"bevindingen tegen de steekproef van {n_ctl} woningen uit de levering")
    else:
        model = TransparentModel(
            features, specificity_prior(x_all), 0.0, False, n_pos, n_neg,
            [f"te weinig uitkomsten om gewichten te leren ({n_pos} bevindingen, {n_neg} zonder bevinding); "
             "elke indicator weegt naar hoe zeldzaam hij in deze levering is"],
        )
    # The labelled units were selected for a check, so their balance is not the population's:
    # the intercept is set so the mean score over all units matches the share of findings.
    model.intercept = intercept_for_rate(model, x_all, base_rate)
    return model


def _shrunk_weights(x: np.ndarray, y: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Weights pulled towards the specificity prior (PRIOR_STRENGTH checks' worth of evidence each).

    Few past checks saw some indicators fire (energy data often covers only the last two years): pulled
    towards zero they would be silenced for lack of history, not for lack of merit; pulled towards the mean
    of the others they would all weigh alike. The prior keeps what the delivery says of their rarity."""
    w, _ = fit_nonnegative_logistic(x, y, l2=PRIOR_STRENGTH, prior=prior)
    return w


def gate(x: np.ndarray, conditional: np.ndarray, observed: np.ndarray | None = None) -> np.ndarray:
    """x with the `conditional` columns zeroed in rows where no other column fires.

    A resident's past (an earlier case, a police suspicion) or the police registrations at other homes of a
    tenant or landlord are evidence about people, not about the use of this home: on their own they ranked
    homes of people who had moved on above homes with real signals, and a check on that ground alone is the
    profiling the SyRI ruling warns against. Such an indicator adds to a home's score only beside a signal
    about the home itself (`alleen_met_woningsignaal` in the catalogue). `observed`: for training rows, the
    cells whose sources covered the check (an imputed cell is no signal)."""
    if not conditional.any() or not len(x):
        return x
    fired = x[:, ~conditional] > 0
    if observed is not None:
        fired &= observed[:, ~conditional]
    out = x.copy()
    out[~fired.any(axis=1)[:, None] & conditional[None, :]] = 0.0
    return out


def intercept_for_rate(model: TransparentModel, x: np.ndarray, rate: float) -> float:
    """The intercept at which the mean predicted probability equals `rate` (bisection)."""
    z = x @ model.weights
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if expit(mid + z).mean() > rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def explain(codes: list[str], contrib: np.ndarray, top: int = 6, minimum: float = 0.005) -> str:
    """'code:+0.812;code:+0.3': the indicators that raised the score, strongest first."""
    order = np.argsort(-contrib)
    parts = [f"{codes[i]}:+{contrib[i]:.3f}" for i in order[:top] if contrib[i] >= minimum]
    return ";".join(parts)


def explain_rows(codes: list[str], contrib: np.ndarray, rows: Sequence[int], top: int = 6,
                 minimum: float = 0.005) -> list[str]:
    """`explain` of each row in `rows`, in that order. Most homes and parties of a region have no contribution
    of `minimum` or more: they get '' from one vectorised test instead of a sort each (millions at 1M units)."""
    if not len(rows):
        return []
    rows = np.asarray(rows, dtype=np.int64)
    out = [""] * len(rows)
    picked = np.flatnonzero((contrib[rows] >= minimum).any(axis=1))
    if not len(picked):
        return out
    # One sort over all strong rows (a sort per row was 16 microseconds each, seconds at 1M units); each row is
    # sorted by the same algorithm as `explain` sorts it, so ties come out in the same order.
    strong = contrib[rows[picked]]
    order = np.argsort(-strong, axis=1)[:, :top]
    best = np.take_along_axis(strong, order, axis=1)
    for k, ranked, values in zip(picked.tolist(), order.tolist(), best.tolist(), strict=True):
        out[k] = ";".join(f"{codes[i]}:+{v:.3f}" for i, v in zip(ranked, values, strict=True) if v >= minimum)
    return out
