"""Party indicator weights learned from what past checks found, as of before each finding.

Parties have no outcomes of their own, but a check that found something at a home says something about
the parties that rented, let or brokered it while the finding was made (`relatie` running at the check's
date). Those are the *confirmed parties*. Each party indicator is weighed like a unit indicator's prior
(`model.specificity_prior`): log(sensitivity / share), where the share is how many of today's parties it
fires on and the sensitivity how often it fired on a confirmed party **before** the finding: the indicator
is recomputed with the peildatum set back to the end of the half-year before the check
(`training.reference_date`), so the discovery itself (the police registration at the raid, the ended
contract) cannot leak into its own weight. Indicators that read today's home scores (phase
`na_adresscore`) cannot be recomputed as of then; they keep weight 1.

With fewer than MIN_CONFIRMED confirmed parties every indicator weighs 1 (the sum of the values, as before
outcomes were used), and the fallback is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import runnable
from pandzicht.score.model import ASSUMED_SENSITIVITY, SENSITIVITY_PSEUDO_CHECKS
from pandzicht.score.point_in_time import values_at
from pandzicht.score.training import reference_date
from pandzicht.store.engine import Store

MIN_CONFIRMED = 10  # confirmed parties before their indicators' weights are learned
# a finding counts for a party whose contract ran at the check or ended at most this many days before it
GRACE_DAYS = 90

CONFIRMED_SQL = f"""
SELECT DISTINCT r.van AS entiteit_id, h.datum
FROM raw_handhaving_uitkomst h JOIN relatie r ON r.naar = h.verblijfsobject_id, bundel_meta m
WHERE h.bevinding <> 'niets_gevonden' AND h.datum <= m.peildatum AND r.soort IN ('rents', 'lets', 'brokers')
  AND (r.geldig_van IS NULL OR r.geldig_van <= h.datum)
  AND (r.geldig_tot IS NULL OR r.geldig_tot + INTERVAL {GRACE_DAYS} DAY >= h.datum)
ORDER BY 2, 1
"""


@dataclass
class PartyWeights:
    """One weight per party indicator, and how it was obtained (for the model page and the report)."""

    features: list[str]
    weights: np.ndarray
    learned: bool
    confirmed: int = 0  # confirmed (party, check) pairs the sensitivities were measured on
    as_of: dict[str, bool] = field(default_factory=dict)  # indicator: measured as of before the findings

    def to_json(self) -> dict:
        return {
            "gewichten": {f: round(float(w), 4) for f, w in zip(self.features, self.weights, strict=True)},
            "geleerd": self.learned,
            "bevestigde_partijen": self.confirmed,
            "gemeten_voor_de_bevinding": self.as_of,
        }


def _confirmed(store: Store, since: dt.date | None = None) -> list[tuple[str, dt.date]]:
    if not (store.has_table("raw_handhaving_uitkomst") and store.has_table("relatie")):
        return []
    rows = store.rows(CONFIRMED_SQL)
    return [(str(e), d) for e, d in rows if since is None or d > since]


def _fired_before(store: Store, indicators: list[Indicator], confirmed: list[tuple[str, dt.date]],
                  extend: bool = False) -> np.ndarray:
    """Per confirmed (party, check) and indicator: whether it fired at the reference date before the check."""
    col = {i.code: j for j, i in enumerate(indicators)}
    fired = np.zeros((len(confirmed), len(indicators)), dtype=bool)
    by_ref: dict[dt.date, list[int]] = {}
    for k, (_, day) in enumerate(confirmed):
        by_ref.setdefault(reference_date(day), []).append(k)
    work = {ref: (indicators, [confirmed[k][0] for k in rows]) for ref, rows in by_ref.items()}
    values = values_at(store, work, "partij", extend)  # an unchanged past is taken from the previous delivery
    for ref, rows in by_ref.items():
        for k in rows:
            for ind in indicators:
                if values.get((ref, ind.code, confirmed[k][0]), 0.0) > 0:
                    fired[k, col[ind.code]] = True
    return fired


@dataclass
class PartyTraining:
    """What the party weights learn from: per confirmed (party, check) whether each indicator measured as of
    before the check (`codes`) fired. Kept with the score models (`model_reuse`) for the next delivery."""

    confirmed: int
    codes: list[str]
    fired: np.ndarray


def party_training(store: Store, indicators: list[Indicator], kept: PartyTraining | None = None,
                   since: dt.date | None = None) -> PartyTraining:
    """The confirmed parties and their indicators as of before each finding (the costly part: past values).

    With `kept` (an earlier delivery's, learned from the checks up to `since`), only the parties confirmed by
    checks after `since` are computed and added to it; their past values are appended to the kept ones in the
    store. Kept rows that cannot be continued (too few to have been computed, or other indicators) are computed
    again in full."""
    as_of = runnable(store, [i for i in indicators if i.fase == "indicatoren"])
    codes = [i.code for i in as_of]
    if kept is not None and since is not None and kept.codes == codes:
        new = _confirmed(store, since)
        total = kept.confirmed + len(new)
        if total < MIN_CONFIRMED:
            return PartyTraining(total, codes, np.zeros((0, len(as_of)), dtype=bool))
        if kept.confirmed >= MIN_CONFIRMED:  # kept rows were computed: add the new ones
            fired = _fired_before(store, as_of, new, extend=True) if new else np.zeros((0, len(as_of)), bool)
            return PartyTraining(total, codes, np.vstack([kept.fired, fired]))
    confirmed = _confirmed(store)
    if len(confirmed) < MIN_CONFIRMED:
        return PartyTraining(len(confirmed), codes, np.zeros((0, len(as_of)), dtype=bool))
    return PartyTraining(len(confirmed), codes, _fired_before(store, as_of, confirmed, extend=kept is not None))


def party_weights(store: Store, indicators: list[Indicator], x: np.ndarray,
                  training: PartyTraining | None = None) -> tuple[PartyWeights, PartyTraining]:
    """Weights for the party indicators (columns of x, one row per scored party), learned from outcomes; and
    what they were learned from. `training` (computed by `party_training`) saves computing it here.

    Falls back to weight 1 each when too few parties are confirmed by past checks; the caller records it."""
    codes = [i.code for i in indicators]
    training = training if training is not None else party_training(store, indicators)
    if training.confirmed < MIN_CONFIRMED or not x.shape[0]:
        return PartyWeights(codes, np.ones(len(codes)), False, training.confirmed), training
    fired = training.fired
    a = SENSITIVITY_PSEUDO_CHECKS
    share = np.maximum((x > 0).mean(axis=0), 1.0 / x.shape[0])
    measured = np.array([c in training.codes for c in codes], dtype=bool)
    raw = np.ones(len(codes))
    for j, code in enumerate(training.codes):
        if code not in codes:
            continue
        k = codes.index(code)
        sensitivity = (fired[:, j].sum() + ASSUMED_SENSITIVITY * a) / (training.confirmed + a)
        raw[k] = max(np.log(sensitivity / share[k]), 0.0)
    # Learned weights are relative to one another: scaled to a mean of 1 over the measured indicators that fire
    # at all, so scores keep the scale of the plain sum; the unmeasurable ones (network evidence) weigh 1.
    firing = measured & (x > 0).any(axis=0)
    scale = raw[firing].mean() if firing.any() and raw[firing].mean() > 0 else 1.0
    weights = np.where(measured, raw / scale, 1.0)
    as_of_codes = {c: bool(m) for c, m in zip(codes, measured, strict=True)}
    return PartyWeights(codes, weights, True, training.confirmed, as_of_codes), training
