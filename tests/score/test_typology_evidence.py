"""Tips and police registrations per category: what tells typologies apart in the typology model."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from pandzicht.contract.sources import INCIDENT_CATEGORIES, SIGNAL_CATEGORIES, TYPOLOGIES
from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import run_indicators
from pandzicht.score.shortlist import score_units
from pandzicht.score.training import training_set
from pandzicht.score.typology_evidence import (
    DECAY_DAYS,
    EVIDENCE_POINTS,
    evidence_indicators,
    evidence_matrix,
)
from pandzicht.store.engine import Store

PEIL = dt.date(2024, 12, 31)
N = 200


def _home(i: int) -> str:
    return f"0599010000{i:06d}"


def _store(tips: list[tuple[int, dt.date, str]], incidents: list[tuple[int, dt.date, str]] = (),
           outcomes: list[tuple[int, dt.date, str]] = ()) -> Store:
    store = Store()
    ids = [_home(i) for i in range(N)]
    store.write_arrow("raw_bag_verblijfsobject", pa.table({"verblijfsobject_id": ids,
                                                           "gebruiksdoel": ["woonfunctie"] * N}))
    store.write_arrow("quarantine_bag_verblijfsobject", pa.table({"verblijfsobject_id": pa.array([], pa.string()),
                                                                  "gebruiksdoel": pa.array([], pa.string())}))
    store.execute("CREATE TABLE bundel_meta (contract VARCHAR, regio VARCHAR, peildatum DATE, bundel VARCHAR)")
    store.execute("INSERT INTO bundel_meta VALUES ('pandzicht-intake/1', 'test', ?, 'x')", [PEIL])
    store.write_arrow("raw_melding", pa.table({"melding_id": [f"m{k}" for k in range(len(tips))],
                                               "datum": [t[1] for t in tips], "categorieen": [t[2] for t in tips]}))
    store.write_arrow("melding_adres", pa.table({"melding_id": [f"m{k}" for k in range(len(tips))],
                                                 "verblijfsobject_id": [_home(t[0]) for t in tips]}))
    store.write_arrow("raw_politie_incident", pa.table({
        "incident_id": pa.array([f"i{k}" for k in range(len(incidents))], pa.string()),
        "datum": pa.array([t[1] for t in incidents], pa.date32()),
        "categorie": pa.array([t[2] for t in incidents], pa.string())}))
    store.write_arrow("incident_adres", pa.table({
        "incident_id": pa.array([f"i{k}" for k in range(len(incidents))], pa.string()),
        "verblijfsobject_id": pa.array([_home(t[0]) for t in incidents], pa.string())}))
    if outcomes:
        store.write_arrow("raw_handhaving_uitkomst", pa.table({
            "verblijfsobject_id": [_home(o[0]) for o in outcomes], "datum": [o[1] for o in outcomes],
            "instrument": ["controle"] * len(outcomes), "bevinding": [o[2] for o in outcomes]}))
    return store


def test_one_input_per_contract_category_and_the_prior_names_only_typologies():
    codes = [i.code for i in evidence_indicators()]
    assert codes == [f"melding_{c}" for c in SIGNAL_CATEGORIES] + [f"politie_{c}" for c in INCIDENT_CATEGORIES]
    assert set(EVIDENCE_POINTS) <= set(codes)
    assert all(set(v) <= set(TYPOLOGIES) and v for v in EVIDENCE_POINTS.values())


@pytest.mark.parametrize("batch", [1, 16])  # one query per category (DuckDB) or unions of several (Spark)
def test_each_category_of_a_tip_counts_decayed_and_later_registrations_do_not(batch, monkeypatch):
    tips = [(0, PEIL, "stank;loopvolk"), (0, PEIL - dt.timedelta(days=365), "stank"),
            (1, PEIL + dt.timedelta(days=3), "stank")]
    incidents = [(2, PEIL - dt.timedelta(days=10), "wapens"), (2, PEIL, "overlast")]
    store = _store(tips, incidents)
    monkeypatch.setattr(store, "batch", batch)
    inds = evidence_indicators()
    col = {i.code: j for j, i in enumerate(inds)}
    x = evidence_matrix(store, [_home(i) for i in range(3)], inds)
    assert math.isclose(x[0, col["melding_stank"]], 1 + math.exp(-1), rel_tol=1e-9)
    assert math.isclose(x[0, col["melding_loopvolk"]], 1.0)
    assert x[1].sum() == 0  # a tip after the peildatum is not yet there
    assert math.isclose(x[2, col["politie_wapens"]], math.exp(-10 / DECAY_DAYS))
    assert x[2, col["politie_overlast"]] == 1.0 and x[2, col["melding_stank"]] == 0


def test_a_bundle_without_tips_or_police_has_no_such_evidence():
    store = _store([])
    store.execute("DROP TABLE raw_politie_incident")
    x = evidence_matrix(store, [_home(0)], evidence_indicators())
    assert x.shape == (1, len(evidence_indicators())) and not x.any()


def test_the_category_of_the_tips_decides_between_typologies_the_indicators_cannot_tell_apart():
    """Homes 0..159 all carry the same indicator (pointing at safehouse and drugsopslag alike); even homes got
    tips about passers-by ('loopvolk'), odd ones about night visits. Past checks found drug storage at the first
    and a safehouse at the second, so today the category of a home's tips names the typology."""
    tips = [(i, dt.date(2020, 3, 1) if i < 120 else dt.date(2024, 11, 1), "loopvolk" if i % 2 == 0 else
             "nachtelijk_bezoek") for i in range(160)]
    outcomes = [(i, dt.date(2021, 5, 1), "drugsopslag" if i % 2 == 0 else "safehouse") for i in range(120)]
    outcomes += [(i, dt.date(2021, 5, 1), "niets_gevonden") for i in range(160, 200)]
    store = _store(tips, outcomes=outcomes)
    query = ("SELECT verblijfsobject_id AS entiteit_id, 1.0 AS waarde FROM raw_bag_verblijfsobject, bundel_meta "
             "WHERE CAST(substr(verblijfsobject_id, 11) AS INTEGER) < 160")
    ind = Indicator(code="verhuurd", titel="verhuurd", entiteit="adres", familie="test",
                    bronnen=("bag_verblijfsobject",), meet="x", waarom="x", bron_url="", onschuldig=("x",),
                    geen_proxy="x", query=query,
                    wijst_op=("safehouse", "drugsopslag"))
    run_indicators(store, [ind])
    # the past checks see the tips as they stood before each check: the 2020 tips, not those of 2024
    train = training_set(store, evidence_indicators())
    col = {i.code: j for j, i in enumerate(evidence_indicators())}
    assert train.x[:, col["melding_loopvolk"]].sum() > 0
    score_units(store, [ind])
    guess = dict(store.rows("SELECT verblijfsobject_id, vermoeden FROM adres_score"))
    today = range(120, 160)
    assert all(guess[_home(i)] == ("drugsopslag" if i % 2 == 0 else "safehouse") for i in today)
