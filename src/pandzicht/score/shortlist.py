"""Ranked, explained shortlists of units and parties from the indicator values.

Units are scored by the transparent model learned from past outcomes; parties
(agents, landlords, owners, tenants) by the sum of their own indicators. Both
keep the per-indicator contributions, which is what every screen shows.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from pandzicht.indicators.catalogue import Indicator
from pandzicht.score.model import TransparentModel, explain, fit
from pandzicht.score.training import training_set
from pandzicht.store.engine import Store

VERMOEDEN_MIN_SCORE = 0.2
ROLE_PRIORITY = ("bemiddelaar", "verhuurder", "eigenaar", "huurder")
# Every dwelling in the bundle: the loaded ones, and those whose BAG row was quarantined for another field
# but still carries a valid id, so that no dwelling drops off the list unseen (scored on what is known).
DWELLINGS_SQL = """
SELECT verblijfsobject_id FROM raw_bag_verblijfsobject
WHERE list_contains(string_split(gebruiksdoel, ';'), 'woonfunctie')
UNION
SELECT TRIM(verblijfsobject_id) FROM quarantine_bag_verblijfsobject
WHERE regexp_full_match(TRIM(verblijfsobject_id), '[0-9]{16}') AND gebruiksdoel LIKE '%woonfunctie%'
ORDER BY 1
"""


def _matrix(store: Store, ids_sql: str, codes: list[str]) -> tuple[list[str], np.ndarray]:
    ids = [r[0] for r in store.rows(ids_sql)]
    pos = {v: i for i, v in enumerate(ids)}
    col = {c: j for j, c in enumerate(codes)}
    x = np.zeros((len(ids), len(codes)))
    placeholders = ", ".join("?" for _ in codes) or "NULL"
    for ind, ent, val in store.rows(
        f"SELECT indicator, entiteit_id, waarde FROM indicator_waarde WHERE indicator IN ({placeholders})", codes
    ):
        i = pos.get(ent)
        if i is not None:
            x[i, col[ind]] = max(x[i, col[ind]], val)
    return ids, x


def _prevalence(store: Store, n_units: int) -> float:
    """The share of dwellings where a check ever found something: the level the scores are set to."""
    if not store.has_table("raw_handhaving_uitkomst") or not n_units:
        return 0.01
    found = store.scalar(
        "SELECT count(DISTINCT verblijfsobject_id) FROM raw_handhaving_uitkomst WHERE bevinding <> 'niets_gevonden'"
    )
    return min(max(found / n_units, 0.001), 0.2)


def score_units(store: Store, indicators: list[Indicator]) -> TransparentModel:
    """Write `adres_score` (rang, verblijfsobject_id, score, vermoeden, uitleg) for every dwelling."""
    unit_inds = [i for i in indicators if i.unit_level]
    codes = [i.code for i in unit_inds]
    ids, x = _matrix(
        store,
        DWELLINGS_SQL,
        codes,
    )
    train = training_set(store, unit_inds)
    # An indicator whose source did not cover a past check's date is filled with today's mean: it then
    # says nothing about that check's outcome, instead of claiming the signal was absent.
    model = fit(codes, train.imputed(x.mean(axis=0) if len(ids) else np.zeros(len(codes))), train.y, x,
                base_rate=_prevalence(store, len(ids)))
    model.notes.append(f"getraind op {len(train.y)} controles, indicatoren per controle berekend op "
                       f"{train.snapshots} peildata vóór de controle")
    scores = model.predict(x) if len(ids) else np.zeros(0)
    contrib = model.contributions(x)
    points = {i.code: i.wijst_op for i in unit_inds}
    typologies = sorted({t for i in unit_inds for t in i.wijst_op})
    guesses = []
    for r in range(len(ids)):
        guess = ""
        if scores[r] >= VERMOEDEN_MIN_SCORE and typologies:
            mass = {t: 0.0 for t in typologies}
            for j, code in enumerate(codes):
                for t in points[code]:
                    mass[t] += contrib[r, j] / len(points[code])
            best = max(typologies, key=lambda t: (mass[t], t))
            guess = best if mass[best] > 0 else ""
        guesses.append(guess)
    order = sorted(range(len(ids)), key=lambda r: (-round(float(scores[r]), 6), ids[r]))
    table = pa.table({
        "rang": pa.array(np.arange(1, len(ids) + 1), pa.int64()),
        "verblijfsobject_id": [ids[r] for r in order],
        "score": [round(float(scores[r]), 6) for r in order],
        "vermoeden": [guesses[r] for r in order],
        "uitleg": [explain(codes, contrib[r]) for r in order],
    })
    store.write_arrow("adres_score", table)
    _write_contributions(store, "adres", ids, codes, contrib)
    store.execute("CREATE OR REPLACE TABLE model_adres (model VARCHAR)")
    store.execute("INSERT INTO model_adres VALUES (?)", [json.dumps(model.to_json(), ensure_ascii=False)])
    return model


def _write_contributions(store: Store, level: str, ids: list[str], codes: list[str], contrib: np.ndarray) -> None:
    rows, cols = np.nonzero(contrib > 0)
    table = pa.table({
        "entiteit_id": [ids[r] for r in rows],
        "indicator": [codes[c] for c in cols],
        "bijdrage": contrib[rows, cols].round(6),
    })
    store.write_arrow(f"bijdrage_{level}", table, order_by="entiteit_id, indicator")


def score_parties(store: Store, indicators: list[Indicator]) -> None:
    """Write `partij_score` for every resolved agent, landlord, owner and tenant."""
    party_inds = [i for i in indicators if not i.unit_level]
    codes = [i.code for i in party_inds]
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _partij AS
        WITH m AS (
          SELECT e.entiteit_id, v.rol, v.naam, v.kvk_nummer, v.bron
          FROM partij_vermelding v JOIN entiteit e USING (bron, record_sleutel)),
        rollen AS (
          SELECT entiteit_id, min(CASE rol WHEN 'bemiddelaar' THEN 1 WHEN 'verhuurder' THEN 2 WHEN 'eigenaar' THEN 3
                                           WHEN 'huurder' THEN 4 END) AS prio
          FROM m WHERE rol IN ('bemiddelaar', 'verhuurder', 'eigenaar', 'huurder') GROUP BY 1),
        namen AS (
          SELECT entiteit_id, naam, count(*) AS n,
                 max(CASE WHEN bron IN ('kvk_vestiging', 'brp_inschrijving') THEN 1 ELSE 0 END) AS register
          FROM m GROUP BY 1, 2)
        SELECT r.entiteit_id,
               (SELECT naam FROM namen x WHERE x.entiteit_id = r.entiteit_id
                ORDER BY register DESC, n DESC, naam LIMIT 1) AS naam,
               (SELECT min(kvk_nummer) FROM m WHERE m.entiteit_id = r.entiteit_id) AS kvk_nummer,
               ['bemiddelaar', 'verhuurder', 'eigenaar', 'huurder'][r.prio] AS rol
        FROM rollen r
    """)
    ids, x = _matrix(store, "SELECT entiteit_id FROM _partij ORDER BY 1", codes)
    # No outcomes are recorded per party, so each indicator weighs the same: score = 1 - exp(-sum).
    total = x.sum(axis=1)
    scores = 1.0 - np.exp(-total)
    meta = {r[0]: r[1:] for r in store.rows("SELECT entiteit_id, naam, kvk_nummer, rol FROM _partij")}
    order = sorted(range(len(ids)), key=lambda r: (-round(float(scores[r]), 6), ids[r]))
    table = pa.table({
        "rang": pa.array(np.arange(1, len(ids) + 1), pa.int64()),
        "entiteit_id": [ids[r] for r in order],
        "naam": [meta[ids[r]][0] for r in order],
        "kvk_nummer": [meta[ids[r]][1] for r in order],
        "rol": [meta[ids[r]][2] for r in order],
        "score": [round(float(scores[r]), 6) for r in order],
        "uitleg": [explain(codes, x[r]) for r in order],
    })
    store.write_arrow("partij_score", table)
    _write_contributions(store, "partij", ids, codes, x)
