"""Which typology a home most likely is, learned from what past checks found, with `wijst_op` as the prior.

The score says *whether* to look; this model says *what* a check would most likely find there. It is a
multinomial logistic regression over the same indicator values as the score plus the evidence that tells
typologies apart (tips and police registrations per category, `typology_evidence.py`), fitted to the checks
that found something (`bevinding` other than `niets_gevonden`), each with its inputs as they stood before the
check (`training.py`). Its weights are pulled towards a prior built from the catalogue's `wijst_op` lists (and
`typology_evidence.EVIDENCE_POINTS`): an input at its typical value adds `PRIOR_LOGIT` log-odds to every typology
it points at (inputs are read on a log scale, `strength_of`, so that evidence saturates). With
no findings at all the prior alone decides; with many, the data does (a Gaussian prior on the weights is the
log-domain counterpart of Dirichlet pseudo-counts: its pull is fixed while the likelihood grows with every check).

Every typology with at least one finding is fitted (shrunk towards the prior, so one finding moves it a little and
fifty move it a lot); a typology with no finding keeps its prior weights and counts as a typical typology (the
mean of the fitted intercepts): a region that never checked for it says little about how common it is. Below
`MIN_POSITIVES` findings a typology is reported as not learned (it mostly follows the catalogue). The fitted
typologies' intercepts are pulled towards their smoothed shares of the findings (one pseudo-finding each).

Why these settings (chosen on the tuning dialects, `synth.dialects.TUNING`, with all and with a quarter of the
findings): the past findings of a region rarely look like today's cases in every respect (what was visible half a
year before a check is less than what an active case shows today), so a strong pull towards hand-made lists and a
hard cut-off for rare typologies both cost more than they save; a weak prior (`PRIOR_STRENGTH`) and shrinkage
instead of the cut-off guessed right more often in both settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax

from pandzicht.score.training import TrainingSet

TYPOLOGIES = ("safehouse", "drugsopslag", "hennepkwekerij", "prostitutie", "woonfraude", "overbewoning")
NOTHING_FOUND = "niets_gevonden"
MIN_POSITIVES = 5  # findings of a typology before it counts as learned (below it mostly follows the prior)
MIN_FIT = 1  # findings of a typology before its weights are fitted at all (shrunk towards the prior)
PRIOR_LOGIT = 0.5  # log-odds an input at its typical strength adds to each typology it points at (prior)
PRIOR_STRENGTH = 3.0  # precision of the pull towards the prior weights, in checks' worth of evidence
PSEUDO_FINDINGS = 1.0  # per typology, added to the observed findings when setting base rates


@dataclass
class TypologyModel:
    """Per typology a weight per indicator and an intercept; P(typology | x, something is found)."""

    typologies: list[str]
    features: list[str]
    weights: np.ndarray  # (indicators, typologies)
    intercepts: np.ndarray  # (typologies,)
    scale: np.ndarray  # per indicator: its typical non-zero value in this delivery (`strength_of` reads by it)
    positives: dict[str, int]
    n_findings: int
    notes: list[str] = field(default_factory=list)

    @property
    def learned(self) -> dict[str, bool]:
        """Per typology: were its weights learned from findings (True) or taken from the prior (False)?"""
        return {t: self.positives.get(t, 0) >= MIN_POSITIVES for t in self.typologies}

    def proba(self, x: np.ndarray) -> np.ndarray:
        """(rows, typologies): the probability of each typology, given that a check finds something."""
        return softmax(self.intercepts[None, :] + strength_of(x, self.scale) @ self.weights, axis=1)

    def to_json(self) -> dict:
        learned = self.learned
        return {
            "bevindingen": self.n_findings,
            "typologieen": {t: {"bevindingen": self.positives.get(t, 0), "geleerd": learned[t],
                                "intercept": round(float(self.intercepts[k]), 4),
                                "gewichten": {f: round(float(self.weights[j, k]), 4)
                                              for j, f in enumerate(self.features) if self.weights[j, k] != 0}}
                            for k, t in enumerate(self.typologies)},
            "min_bevindingen": MIN_POSITIVES,
            "opmerkingen": self.notes,
        }


def finding_rows(train: TrainingSet) -> list[int]:
    """Training rows to learn typologies from: every past check that found something.

    A follow-up check (the closure after a raid) counts as well: it is a second, independent statement
    of what the home was used for. (Learning from only the first finding per home was tried on the tuning
    worlds and guessed worse: 56–59% against 62–63% right.)"""
    return [i for i, finding in enumerate(train.findings) if finding != NOTHING_FOUND]


def prior_weights(features: Sequence[str], points: dict[str, Sequence[str]],
                  typologies: Sequence[str] = TYPOLOGIES) -> np.ndarray:
    """The `wijst_op` lists as weights: PRIOR_LOGIT where an indicator points at a typology, else 0."""
    w = np.zeros((len(features), len(typologies)))
    col = {t: k for k, t in enumerate(typologies)}
    for j, f in enumerate(features):
        for t in points.get(f, ()):
            if t in col:
                w[j, col[t]] = PRIOR_LOGIT
    return w


def feature_scale(x_all: np.ndarray) -> np.ndarray:
    """Per indicator the median of its non-zero values over today's dwellings (1 when it never fires).

    Indicators differ in range (a decayed tip is 0.05, a cash contract 0.8); measured against its own
    typical value in the same delivery, a prior of so many log-odds per indicator means the same for each."""
    scale = np.ones(x_all.shape[1])
    for j in range(x_all.shape[1]):
        nz = x_all[:, j][x_all[:, j] > 0]
        if len(nz):
            scale[j] = max(float(np.median(nz)), 1e-6)
    return scale


def strength_of(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Each input as the model reads it: log2(1 + value / typical value), so 1 at its typical value and growing
    with the logarithm beyond it.

    Evidence saturates. Divided by its typical value alone, an indicator whose firings are mostly faint and a few
    strong (a broker's bad portfolio: a typical firing of 0.008, the malafide broker's homes 0.6) came out 75 times
    its typical strength at those homes, and its weight times 75 decided the typology on its own: an overcrowded
    home let through that broker got drugsopslag 100% and overbewoning 0%, whatever its crowd of registered people
    said (seen in 11 of 54 overcrowded homes in the top of the session-31 tuning worlds)."""
    return np.log2(1.0 + x / scale[None, :])


def base_rates(labels: Sequence[str], typologies: Sequence[str] = TYPOLOGIES) -> tuple[np.ndarray, dict[str, int]]:
    """Log of each typology's smoothed share of the findings, and the counts it came from."""
    counts = {t: 0 for t in typologies}
    for label in labels:
        if label in counts:
            counts[label] += 1
    n = sum(counts.values())
    share = np.array([(counts[t] + PSEUDO_FINDINGS) / (n + PSEUDO_FINDINGS * len(typologies)) for t in typologies])
    return np.log(share), counts


@dataclass(frozen=True)
class FitStart:
    """An earlier fit's solution (a previous delivery's), where a continued delivery's fit starts.

    The objective has one optimum (the Gaussian pull makes it strictly convex), so the start changes only how
    many steps reach it (on a 2,500-unit world 6 Newton steps from the prior; fewer from last month's solution)."""

    features: tuple[str, ...]
    typologies: tuple[str, ...]
    weights: np.ndarray  # (features, typologies)
    intercepts: np.ndarray  # (typologies,)

    @classmethod
    def of(cls, model: TypologyModel) -> FitStart:
        return cls(tuple(model.features), tuple(model.typologies), model.weights.copy(), model.intercepts.copy())


def fit_typology(features: list[str], points: dict[str, Sequence[str]], x: np.ndarray, labels: Sequence[str],
                 x_all: np.ndarray, typologies: Sequence[str] = TYPOLOGIES,
                 start: FitStart | None = None) -> TypologyModel:
    """Fit on labelled findings (rows of x, labels in `typologies`); rows with other labels are ignored.

    `x_all` holds today's dwellings: it sets the per-indicator scale. Typologies with fewer than MIN_FIT
    findings keep their prior weights and join as a typical typology (pinned, not fitted). `start`, an earlier
    fit over the same features and typologies, is where the search begins (else the prior)."""
    typologies = list(typologies)
    col = {t: k for k, t in enumerate(typologies)}
    keep = [i for i, label in enumerate(labels) if label in col]
    y = np.array([col[labels[i]] for i in keep], dtype=int)
    scale = feature_scale(x_all) if len(x_all) else np.ones(len(features))
    xs = strength_of(x[keep], scale) if keep else np.zeros((0, len(features)))
    w0 = prior_weights(features, points, typologies)
    b0, counts = base_rates([labels[i] for i in keep], typologies)
    model = TypologyModel(typologies, list(features), w0.copy(), b0.copy(), scale, counts, len(keep))
    free = np.array([counts[t] >= MIN_FIT for t in typologies])
    if not free.any():
        model.intercepts = np.zeros(len(typologies))  # no typology has findings enough: all equally likely a priori
        return model
    # The softmax is fitted over the typologies with findings only (their findings are the data); a typology without
    # any joins at prediction time as a typical typology: the mean fitted intercept, its prior weights.
    idx = np.flatnonzero(free)
    rows = np.isin(y, idx)
    remap = {int(k): n for n, k in enumerate(idx)}
    init = None
    if start is not None and start.features == tuple(features) and start.typologies == tuple(typologies):
        init = (start.weights[:, idx], start.intercepts[idx])
        model.notes.append("geschat vanaf de oplossing van de vorige levering (hetzelfde optimum, in minder stappen)")
    w, b = _fit_map(xs[rows], np.array([remap[int(v)] for v in y[rows]], dtype=int), w0[:, idx], b0[idx], init)
    model.weights[:, idx] = w
    model.intercepts = np.full(len(typologies), float(b.mean()))
    model.intercepts[idx] = b
    return model


def _fit_map(x: np.ndarray, y: np.ndarray, w0: np.ndarray, b0: np.ndarray,
             init: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Maximum a posteriori softmax weights: log-likelihood plus a Gaussian pull towards (w0, b0), searched
    from `init` (else from (w0, b0)).

    Newton's method in a trust region with the exact Hessian (SciPy's `trust-exact`) reaches the optimum itself
    (gradient below 1e-8, asked for: SciPy's default stops at 1e-5) in a handful of steps, whatever the start.
    L-BFGS needed some 800 steps on a real delivery (inputs then divided by their typical value only, of very
    different size) and stopped where its progress slowed, a point that depended on the start: probabilities up to
    0.002 apart between a continued and a full run of the same delivery."""
    n, k = x.shape
    t = w0.shape[1]
    onehot = np.zeros((n, t))
    onehot[np.arange(n), y] = 1.0
    z = np.hstack([x, np.ones((n, 1))])  # the intercept as a last input, for the Hessian
    lam = PRIOR_STRENGTH

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return theta[: k * t].reshape(k, t), theta[k * t:]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = unpack(theta)
        logp = log_softmax(b[None, :] + x @ w, axis=1)
        g = np.exp(logp) - onehot
        dw, db = w - w0, b - b0
        value = -(onehot * logp).sum() + 0.5 * lam * ((dw * dw).sum() + (db * db).sum())
        return float(value), np.concatenate([(x.T @ g + lam * dw).ravel(), g.sum(axis=0) + lam * db])

    def hessian(theta: np.ndarray) -> np.ndarray:
        # sum over rows of z z^T (x) (diag(p) - p p^T), parameter (input j, typology c) at j * t + c as in theta
        w, b = unpack(theta)
        p = softmax(b[None, :] + x @ w, axis=1)
        m = (z[:, :, None] * p[:, None, :]).reshape(n, (k + 1) * t)
        h = -(m.T @ m)
        for c in range(t):
            h[c::t, c::t] += z.T @ (z * p[:, c:c + 1])
        h[np.diag_indices_from(h)] += lam
        return h

    w_start, b_start = init if init is not None else (w0, b0)
    res = minimize(loss, np.concatenate([w_start.ravel(), b_start]), jac=True, hess=hessian, method="trust-exact",
                   options={"gtol": 1e-8})
    return unpack(res.x)


def vermoeden_threshold(strength: np.ndarray) -> float:
    """The strength above which a home gets a typology guess: the mean log-odds of all dwellings in the delivery.

    A guess says what a check would most likely find *if* it finds something; it is only worth stating
    where the evidence makes a finding more likely than at a typical dwelling of the same delivery. The
    mean comes from the data itself, so no constant tuned to one region decides who gets a guess. It is
    taken over the log-odds, not the probabilities: where the weights fell back for want of outcomes the
    probabilities are heavy-tailed (a handful near 1, the rest near 0), and their mean lay above all but those
    few homes, so a home with three signals got no guess (seen on a region with 12 findings: 7 of its 19 true
    homes in the top k)."""
    return float(strength.mean()) if len(strength) else 0.0


def guesses_for(model: TypologyModel, proba: np.ndarray, strength: np.ndarray, evidence: np.ndarray) -> list[str]:
    """The most probable typology for each home above the threshold (on its log-odds) with any evidence, else ''."""
    threshold = vermoeden_threshold(strength)
    best = np.argmax(proba, axis=1) if len(proba) else np.zeros(0, dtype=int)
    return [model.typologies[best[r]] if strength[r] > threshold and evidence[r] else ""
            for r in range(len(strength))]
