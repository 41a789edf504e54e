"""Evidence that tells typologies apart: what the neighbours and the police wrote down, per category.

The ranking indicators lump categories together (`meldingen_bezoek` counts 'loopvolk' and 'nachtelijk_bezoek'
alike; `politie_incidenten` counts weapons, cannabis and prostitution alike), which is right for *whether* to look
but throws away what says *what* a check will find: 'stank' points at a cannabis farm, 'loopvolk' at drug storage,
a weapons registration at a safehouse. So the typology model also reads, per category of the contract's own
vocabulary (`contract.sources.SIGNAL_CATEGORIES`, `INCIDENT_CATEGORIES`), how many tips and police registrations
a home had, time-decayed as the indicators are. These values never enter the score (a home's rank does not
change); they only sharpen the guess.

Each category is an `Indicator` with one SQL query, so the training rows get it as it stood before each check,
exactly as the catalogue's indicators (`training.training_set`), and the same source checks apply (a bundle
without tips simply has no tip evidence). `EVIDENCE_POINTS` is its prior, like the catalogue's `wijst_op`: the
typologies a category points at in the domain notes (a cannabis smell, drug dealing, weapons); categories that
say little on their own ('overig', 'overlast', 'woninginbraak') point at none and are learned from findings only.
"""

from __future__ import annotations

import numpy as np

from pandzicht.contract.sources import INCIDENT_CATEGORIES, SIGNAL_CATEGORIES
from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import runnable
from pandzicht.score.training import TrainingSet, training_set
from pandzicht.store.engine import Store

DECAY_DAYS = 365.0  # a registration a year old counts e^-1 as much as one today (as `politie_incidenten`)
CAP = 2.0  # more than two decayed registrations of one category add nothing

# The typologies each category points at (the prior of the typology model; the findings can overrule it).
EVIDENCE_POINTS: dict[str, tuple[str, ...]] = {
    "melding_stank": ("hennepkwekerij",),
    "melding_afgeplakte_ramen": ("hennepkwekerij",),
    "melding_geluid_apparatuur": ("hennepkwekerij",),
    "melding_loopvolk": ("drugsopslag",),
    "melding_nachtelijk_bezoek": ("safehouse", "prostitutie"),
    "melding_veel_namen_brievenbus": ("woonfraude", "overbewoning"),
    "melding_wisselende_bewoners": ("prostitutie", "woonfraude", "overbewoning"),
    "melding_overbewoning": ("overbewoning",),
    "melding_contante_betaling": ("woonfraude", "overbewoning"),
    "politie_hennepkwekerij": ("hennepkwekerij",),
    "politie_drugsopslag": ("drugsopslag",),
    "politie_drugshandel": ("drugsopslag",),
    "politie_wapens": ("safehouse",),
    "politie_safehouse": ("safehouse",),
    "politie_explosie": ("safehouse", "drugsopslag"),
    "politie_schietincident": ("safehouse",),
    "politie_witwassen": ("safehouse", "drugsopslag"),
    "politie_mensenhandel": ("prostitutie", "overbewoning"),
    "politie_prostitutie": ("prostitutie",),
}

_TIP_SQL = """
WITH p AS (SELECT peildatum FROM bundel_meta)
SELECT a.verblijfsobject_id AS entiteit_id,
       least(sum(exp(-date_diff('day', m.datum, p.peildatum) / {decay})), {cap}) AS waarde
FROM raw_melding m JOIN melding_adres a USING (melding_id), p
WHERE m.datum <= p.peildatum AND list_contains(string_split(m.categorieen, ';'), '{cat}')
GROUP BY 1
"""
_INCIDENT_SQL = """
WITH p AS (SELECT peildatum FROM bundel_meta)
SELECT a.verblijfsobject_id AS entiteit_id,
       least(sum(exp(-date_diff('day', i.datum, p.peildatum) / {decay})), {cap}) AS waarde
FROM raw_politie_incident i JOIN incident_adres a USING (incident_id), p
WHERE i.datum <= p.peildatum AND i.categorie = '{cat}'
GROUP BY 1
"""


FAMILY = "typologie"  # the family of these pseudo-indicators (no catalogue indicator has it)


def _evidence(code: str, title: str, sources: tuple[str, ...], query: str) -> Indicator:
    return Indicator(code=code, titel=title, entiteit="adres", familie=FAMILY, bronnen=sources,
                     meet=title, waarom="onderscheidt typologieën (alleen voor het vermoeden, niet voor de score)",
                     bron_url="", onschuldig=(), geen_proxy="categorie van een registratie op het adres",
                     query=query, wijst_op=EVIDENCE_POINTS.get(code, ()))


def evidence_indicators() -> list[Indicator]:
    """One pseudo-indicator per tip category and per police category of the contract (typology model only)."""
    tips = [_evidence(f"melding_{c}", f"meldingen met categorie {c}", ("melding", "melding_adres"),
                      _TIP_SQL.format(decay=DECAY_DAYS, cap=CAP, cat=c)) for c in SIGNAL_CATEGORIES]
    police = [_evidence(f"politie_{c}", f"politieregistraties met categorie {c}",
                        ("politie_incident", "incident_adres"),
                        _INCIDENT_SQL.format(decay=DECAY_DAYS, cap=CAP, cat=c)) for c in INCIDENT_CATEGORIES]
    return tips + police


def evidence_matrix(store: Store, ids: list[str], indicators: list[Indicator]) -> np.ndarray:
    """(homes, evidence) today: each category's decayed count per home (0 where its source is absent)."""
    pos = {v: i for i, v in enumerate(ids)}
    x = np.zeros((len(ids), len(indicators)))
    present = {ind.code for ind in runnable(store, indicators)}
    todo = [(j, ind) for j, ind in enumerate(indicators) if ind.code in present]
    # `Engine.batch` categories per statement: one at a time on DuckDB, a union of several on Spark
    for start in range(0, len(todo), store.batch):
        batch = todo[start:start + store.batch]
        for j, unit, value in store.rows(" UNION ALL ".join(
                f"SELECT {j} AS j, CAST(entiteit_id AS VARCHAR), CAST(waarde AS DOUBLE) FROM ({ind.query}) AS q "
                "WHERE waarde > 0" for j, ind in batch)):
            i = pos.get(unit)
            if i is not None:
                x[i, j] = max(x[i, j], value)
    return x


def with_evidence(store: Store, ids: list[str], codes: list[str], points: dict[str, tuple[str, ...]],
                  x: np.ndarray, train: TrainingSet, x_train: np.ndarray, train_ev: TrainingSet | None = None
                  ) -> tuple[list[str], dict[str, tuple[str, ...]], np.ndarray, np.ndarray, TrainingSet]:
    """The typology model's inputs: the indicators (today `x`, per past check `x_train`) plus the evidence per
    category, today and as it stood before each check (same reference dates and source coverage as `train`).

    Returns the feature codes, their `wijst_op`-style prior, today's matrix, the training matrix and the evidence
    as it stood at the checks (`train_ev`, when given, is that of an earlier delivery: `model_reuse`)."""
    evidence = evidence_indicators()
    x_ev = evidence_matrix(store, ids, evidence)
    train_ev = train_ev if train_ev is not None else training_set(store, evidence)
    if train_ev.units != train.units or train_ev.dates != train.dates:
        raise RuntimeError("typology evidence: the past checks came back in another order than the training set")
    # unobserved (a source that did not yet cover the check) says nothing: today's mean, as for the indicators
    x_train_ev = train_ev.imputed(x_ev.mean(axis=0) if len(ids) else np.zeros(len(evidence)))
    return ([*codes, *(i.code for i in evidence)], {**points, **{i.code: i.wijst_op for i in evidence}},
            np.hstack([x, x_ev]), np.hstack([x_train, x_train_ev]), train_ev)
