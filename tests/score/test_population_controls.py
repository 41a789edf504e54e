"""Population controls: the weights learn from homes of the delivery beside the checks, since checks follow tips."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from pandzicht.evaluation.ranking import ranking_metrics
from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import run_indicators
from pandzicht.score.model import fit
from pandzicht.score.point_in_time import compute
from pandzicht.score.shortlist import score_units
from pandzicht.score.training import CONTROLS_PER_CHECK, population_controls, reference_date, training_set
from pandzicht.store.engine import Store


def _region(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A region whose empty-handed checks were chosen for a reason the delivery does not hold.

    1% of the homes are in use. A tip comes in at 30% of them (0.5% of the others), a power anomaly shows at half
    of them (3% of the others: heat pumps, home businesses), cash rent at 40% (5%). Checks found 60% of the homes
    in use; of the checks that found nothing, 300 went to homes with a power anomaly (the grid operator's own
    fraud team sent them, which no source of the delivery records) and 100 to homes at random. Among the checks,
    a power anomaly is then more common without a finding than with one."""
    rng = np.random.default_rng(seed)
    n = 20_000
    case = rng.random(n) < 0.01
    tip = np.where(case, rng.random(n) < 0.3, rng.random(n) < 0.005)
    power = np.where(case, rng.random(n) < 0.5, rng.random(n) < 0.03)
    cash = np.where(case, rng.random(n) < 0.4, rng.random(n) < 0.05)
    x_all = np.column_stack([tip, power, cash]).astype(float)
    found = np.flatnonzero(case & (rng.random(n) < 0.6))
    empty = np.concatenate([rng.choice(np.flatnonzero(~case & power), 300, replace=False),
                            rng.choice(np.flatnonzero(~case), 100, replace=False)])
    checked = np.concatenate([found, empty])
    controls = x_all[rng.choice(n, size=2 * len(checked), replace=False)]
    return x_all, case, checked, controls


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_checks_chosen_for_an_unrecorded_reason_still_learn_what_the_evidence_is_worth_across_the_region(
        seed: int) -> None:
    x_all, case, checked, controls = _region(seed)
    y = case[checked].astype(float)
    codes = ["melding", "stroom", "contant"]
    alone = fit(codes, x_all[checked], y, x_all)
    with_controls = fit(codes, x_all[checked], y, x_all, controls=controls)
    assert alone.learned and with_controls.learned
    assert with_controls.controls == len(controls) and alone.controls == 0
    assert with_controls.to_json()["steekproef"] == len(controls)
    # among the checks a power anomaly says little (or even the opposite); against the region it is strong evidence
    assert with_controls.weights[1] > alone.weights[1] + 0.7
    truth = {str(i): "x" for i in np.flatnonzero(case)}

    def metrics(model) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        order = np.argsort(-model.logit(x_all), kind="stable")
        m = ranking_metrics([str(i) for i in order], truth)
        return m["r_precisie"], m["gemiddelde_precisie"]

    (r_alone, ap_alone), (r_with, ap_with) = metrics(alone), metrics(with_controls)
    assert r_with >= r_alone and ap_with > ap_alone + 0.02


def test_controls_do_not_decide_whether_there_is_enough_to_learn_from() -> None:
    x_all, case, checked, controls = _region(1)
    few = checked[np.r_[0:6, -6:0]]  # six findings and six empty-handed checks
    model = fit(["melding", "stroom", "contant"], x_all[few], case[few].astype(float), x_all, controls=controls)
    assert not model.learned and model.controls == 0  # the checks alone are too few: the prior, as before


@pytest.mark.parametrize("empty_checks", [0, 5])
def test_a_region_that_records_only_its_hits_learns_them_against_its_homes(empty_checks: int) -> None:
    x_all, case, checked, controls = _region(2)
    found = checked[case[checked]]
    rows = np.concatenate([found, checked[~case[checked]][:empty_checks]])
    y = case[rows].astype(float)
    codes = ["melding", "stroom", "contant"]
    model = fit(codes, x_all[rows], y, x_all, controls=controls)
    assert model.learned and model.n_neg == empty_checks and model.controls == len(controls)
    assert any("tegen de steekproef" in n for n in model.notes)
    assert not fit(codes, x_all[rows], y, x_all).learned  # without controls: the prior alone, as before
    truth = {str(i): "x" for i in np.flatnonzero(case)}
    order = np.argsort(-model.logit(x_all), kind="stable")
    assert ranking_metrics([str(i) for i in order], truth)["r_precisie"] > 0.3


def _home(i: int) -> str:
    return f"0599010000{i:06d}"


def _store(built: list[int | None], uses: list[str]) -> Store:
    store = Store()
    store.write_arrow("raw_bag_verblijfsobject", pa.table({
        "verblijfsobject_id": [_home(i) for i in range(len(built))], "gebruiksdoel": uses,
        "bouwjaar": pa.array(built, pa.int64())}))
    return store


def test_controls_are_homes_that_stood_then_in_a_fixed_order_the_same_every_time() -> None:
    n = 300
    built = [2023 if i % 3 == 0 else (None if i % 7 == 0 else 1990) for i in range(n)]
    uses = ["winkelfunctie" if i % 10 == 1 else "woonfunctie;winkelfunctie" if i % 10 == 2 else "woonfunctie"
            for i in range(n)]
    early, late = dt.date(2020, 12, 31), dt.date(2024, 6, 30)
    with _store(built, uses) as store:
        picked = population_controls(store, {early: 40, late: 25})
        assert population_controls(store, {early: 40, late: 25}) == picked
        # the delivery's rows in another order: the same homes (a hash of the id, not the row order)
        store.execute("CREATE OR REPLACE TABLE raw_bag_verblijfsobject AS "
                      "SELECT * FROM raw_bag_verblijfsobject ORDER BY verblijfsobject_id DESC")
        assert population_controls(store, {early: 40, late: 25}) == picked
    assert len(picked[early]) == 40 and len(picked[late]) == 25
    index = {_home(i): i for i in range(n)}
    for ref, homes in picked.items():
        assert len(set(homes)) == len(homes)
        for h in homes:
            i = index[h]
            assert "woonfunctie" in uses[i]
            assert built[i] is None or built[i] <= ref.year  # a home built later did not stand then
    assert any(built[index[h]] == 2023 for h in picked[late])
    # a later date takes the homes an earlier one took, as far as they both could: one panel, not new draws
    shared = [h for h in picked[late] if built[index[h]] != 2023]
    assert shared == picked[early][: len(shared)]


def test_more_controls_asked_than_homes_gives_every_home_once() -> None:
    with _store([1990] * 30, ["woonfunctie"] * 30) as store:
        picked = population_controls(store, {dt.date(2022, 12, 31): 100})
    assert sorted(picked[dt.date(2022, 12, 31)]) == [_home(i) for i in range(30)]


def test_a_building_year_beyond_32_bits_is_a_year_that_has_not_come_and_stops_nothing() -> None:
    # the contract's whole numbers have up to 18 digits; a typo'd bouwjaar stopped the analysis ("interne fout")
    with _store([1990, 999_999_999_999, None], ["woonfunctie"] * 3) as store:
        picked = population_controls(store, {dt.date(2022, 12, 31): 10})
    assert sorted(picked[dt.date(2022, 12, 31)]) == [_home(0), _home(2)]


def test_control_rows_hold_the_indicator_values_as_of_their_reference_date() -> None:
    """In a scored store, each population control carries exactly what the query gives for that home at that
    reference date, and the model written to the store counts them."""
    n = 400
    with _store([1990] * n, ["woonfunctie"] * n) as store:
        store.write_arrow("quarantine_bag_verblijfsobject", pa.table({
            "verblijfsobject_id": pa.array([], pa.string()), "gebruiksdoel": pa.array([], pa.string())}))
        store.execute("CREATE TABLE bundel_meta (contract VARCHAR, regio VARCHAR, peildatum DATE, bundel VARCHAR)")
        store.execute("INSERT INTO bundel_meta VALUES ('pandzicht-intake/1', 'test', DATE '2024-12-31', 'x')")
        # a flag that starts at a different date per home: the value depends on the reference date
        store.write_arrow("_vlag", pa.table({
            "woning": [_home(i) for i in range(0, n, 4)],
            "datum": [dt.date(2019 + (i % 5), 3, 1) for i in range(0, n, 4)]}))
        checks = [(i, dt.date(2021 + i % 3, 5, 1), "hennepkwekerij" if i % 8 == 0 else "niets_gevonden")
                  for i in range(0, 160, 2)]
        store.write_arrow("raw_handhaving_uitkomst", pa.table({
            "verblijfsobject_id": [_home(c[0]) for c in checks], "datum": [c[1] for c in checks],
            "instrument": ["controle"] * len(checks), "bevinding": [c[2] for c in checks]}))
        ind = Indicator(code="vlag", titel="vlag", entiteit="adres", familie="test",
                        bronnen=("bag_verblijfsobject",), meet="x", waarom="x", bron_url="", onschuldig=("x",),
                        geen_proxy="x",
                        query="SELECT woning AS entiteit_id, 1.0 AS waarde FROM _vlag "
                              "WHERE datum <= (SELECT peildatum FROM bundel_meta)")
        train = training_set(store, [ind], controls_per_check=CONTROLS_PER_CHECK)
        assert train.controls is not None
        per_ref: dict[dt.date, int] = {}
        for d in train.dates:
            per_ref[reference_date(d)] = per_ref.get(reference_date(d), 0) + 1
        assert len(train.controls.units) == sum(round(CONTROLS_PER_CHECK * k) for k in per_ref.values())
        expected = compute(store, {ref: ([ind], [u for u, r in zip(train.controls.units, train.controls.dates,
                                                                       strict=True) if r == ref])
                                   for ref in per_ref})
        got = {(r, "vlag", u): v for u, r, v in zip(train.controls.units, train.controls.dates,
                                                     train.controls.x[:, 0], strict=True) if v}
        assert got == expected and got
        assert training_set(store, [ind]).controls is None  # only when asked for (the typology evidence is not)
        run_indicators(store, [ind])
        model = score_units(store, [ind])
    assert model.controls == len(train.controls.units)
