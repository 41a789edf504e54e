"""A transparent score: the sum of indicator contributions, weights learned from past outcomes.

Weights come from a logistic regression on the units that were checked
(`handhaving_uitkomst`; `niets_gevonden` is a negative), L2-regularised and
bounded at zero: an indicator can raise a score or do nothing, never lower it,
so every explanation reads the same way. With too few outcomes to learn from,
every indicator weighs the same and the output says so.
"""

from __future__ import annotations

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
            "opmerkingen": self.notes,
        }


PRIOR_STRENGTH = 10.0  # how many checks' worth of evidence the shared prior weighs per indicator
MIN_SUPPORT = 5  # checks where an indicator fired before its own weight is trusted to set the prior


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


def fit(
    features: list[str], x: np.ndarray, y: np.ndarray | None, x_all: np.ndarray, base_rate: float = 0.01
) -> TransparentModel:
    """Learn weights from labelled rows x (y: 1 finding, 0 nothing found); equal weights when labels are few.

    `x_all` holds every unit to be scored: the intercept is set on it."""
    n_pos, n_neg = (int((y == 1).sum()), int((y == 0).sum())) if y is not None else (0, 0)
    if n_pos >= MIN_LABELS and n_neg >= MIN_LABELS:
        w = _shrunk_weights(x, y)
        # The labelled units were selected for a check, so their balance is not the population's:
        # the intercept is set so the mean score over all units matches the share of findings.
        model = TransparentModel(features, w, 0.0, True, n_pos, n_neg)
        model.intercept = _intercept_for_rate(model, x_all, base_rate)
        return model
    model = TransparentModel(
        features, np.ones(len(features)), 0.0, False, n_pos, n_neg,
        [f"te weinig uitkomsten om gewichten te leren ({n_pos} bevindingen, {n_neg} zonder bevinding); "
         "alle indicatoren wegen even zwaar"],
    )
    model.intercept = np.log(base_rate / (1 - base_rate))
    return model


def _shrunk_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights shrunk towards what an average indicator weighs (empirical Bayes, two passes).

    Few past checks saw some indicators fire (energy data often covers only the last two years):
    pulled towards zero they would be silenced for lack of history, not for lack of merit. The
    first pass learns the weights that have support; their mean becomes the prior of the second."""
    w0, _ = fit_nonnegative_logistic(x, y)
    support = (x > 0).sum(axis=0) >= MIN_SUPPORT
    mu = float(w0[support].mean()) if support.any() else 0.0
    w, _ = fit_nonnegative_logistic(x, y, l2=PRIOR_STRENGTH, prior=np.full(x.shape[1], mu))
    return w


def _intercept_for_rate(model: TransparentModel, x: np.ndarray, rate: float) -> float:
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
