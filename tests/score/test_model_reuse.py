"""When a continued delivery may fit its score models on the previous delivery's training rows, and the rows as kept."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.score import model_reuse as mr
from pandzicht.score.party_weights import PartyTraining
from pandzicht.score.training import Controls, TrainingSet, restrict_to_coverage
from pandzicht.store.engine import Store

CATALOGUE = load_catalogue()
REUSED = {"model": "hergebruikt"}  # how linking ran: the linking model was reused
N_UNIT = sum(1 for i in CATALOGUE if i.unit_level)  # the address rows' columns


def _rows(n: int = 4) -> tuple[TrainingSet, TrainingSet, PartyTraining]:
    rng = np.random.default_rng(3)
    units = [f"U{k}" for k in range(n)]
    dates = [dt.date(2023, 6, 30)] * n
    controls = Controls(rng.random((2 * n, N_UNIT)), rng.random((2 * n, N_UNIT)) > 0.3,
                        [f"C{k}" for k in range(2 * n)], [dt.date(2023, 6, 30)] * (2 * n))
    units_set = TrainingSet(rng.random((n, N_UNIT)), np.array([1.0, 0.0] * (n // 2)),
                            rng.random((n, N_UNIT)) > 0.2, units, dates, 1,
                            ["hennepkwekerij", "niets_gevonden"] * (n // 2), 2, controls)
    evidence = TrainingSet(rng.random((n, 5)), units_set.y, np.ones((n, 5), bool), units, dates, 1,
                           units_set.findings)
    return units_set, evidence, PartyTraining(11, ["a", "b"], rng.random((11, 2)) > 0.5)


def _checks(store: Store, rows: list[tuple[str, str, str]]) -> None:
    store.execute("CREATE OR REPLACE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, "
                  "instrument VARCHAR, bevinding VARCHAR)")
    for unit, day, finding in rows:
        store.execute("INSERT INTO raw_handhaving_uitkomst VALUES (?, ?, 'controle', ?)", [unit, day, finding])


def _delivery(path: Path, peildatum: str, checks: list[tuple[str, str, str]]) -> Store:
    store = Store(path)
    store.execute(f"CREATE OR REPLACE TABLE bundel_meta AS SELECT DATE '{peildatum}' AS peildatum")
    _checks(store, checks)
    return store


BEFORE = [(f"U{k}", "2023-03-01", "hennepkwekerij" if k % 2 else "niets_gevonden") for k in range(40)]


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A first delivery (peildatum 2024-06-30, 40 checks) that kept its training rows."""
    path = tmp_path / "vorige.duckdb"
    with _delivery(path, "2024-06-30", BEFORE) as store:
        mr.save(store, mr.trained_header(store, CATALOGUE), *_rows())
    return path


def _decide(tmp_path: Path, previous: Path, peildatum: str = "2024-07-31", checks: list | None = None,
            **kw: object) -> mr.Decision:
    with _delivery(tmp_path / "nu.duckdb", peildatum, BEFORE if checks is None else checks) as store:
        args = {"opnieuw": False, "hertrain": False, "koppeling": REUSED, "indicators": CATALOGUE, **kw}
        return mr.decide(store, previous, **args)  # type: ignore[arg-type]


def test_a_delivery_with_the_same_past_reuses_the_kept_rows_as_they_were(tmp_path: Path, previous: Path) -> None:
    decision = _decide(tmp_path, previous, checks=[*BEFORE, ("U99", "2024-07-02", "woonfraude")])
    assert decision.model == "hergebruikt" and decision.kept is not None, decision.reden
    assert decision.figures == {"getraind_op_peildatum": "2024-06-30", "volledig_berekend_op_peildatum": "2024-06-30",
                                "controles_bij_training": 40, "nieuwe_controles": 1}
    units, evidence, parties = _rows()
    got = decision.kept
    for a, b in ((got.units, units), (got.evidence, evidence)):
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y) and np.array_equal(a.observed, b.observed)
        assert (a.units, a.dates, a.findings, a.snapshots, a.outside_bag) == \
            (b.units, b.dates, b.findings, b.snapshots, b.outside_bag)
    assert got.units.controls is not None and units.controls is not None
    assert np.array_equal(got.units.controls.x, units.controls.x) and got.units.controls.dates == units.controls.dates
    assert got.evidence.controls is None
    assert (got.parties.confirmed, got.parties.codes) == (11, ["a", "b"])
    assert np.array_equal(got.parties.fired, parties.fired) and got.parties.fired.dtype == bool


@pytest.mark.parametrize(("change", "reason"), [
    ({"checks": [*BEFORE[:-1], ("U39", "2023-03-01", "woonfraude")]}, "controles van vóór de training"),
    ({"checks": BEFORE[:-1]}, "controles van vóór de training"),
    ({"peildatum": "2025-03-31"}, "dagen geleden volledig berekend"),
    ({"peildatum": "2024-06-30"}, "niet na die van de training"),
    ({"opnieuw": True}, "--opnieuw"),
    ({"hertrain": True}, "--hertrain"),
    ({"koppeling": {"model": "getraind"}}, "koppelmodel"),
    ({"indicators": CATALOGUE[1:]}, CATALOGUE[0].code),
])
def test_the_rows_are_computed_again_when_the_past_or_the_catalogue_changed(
        tmp_path: Path, previous: Path, change: dict, reason: str) -> None:
    decision = _decide(tmp_path, previous, **change)
    assert decision.model == "getraind" and decision.kept is None
    assert reason in decision.reden


def test_other_scoring_code_or_an_older_analysis_computes_them_again(tmp_path: Path, previous: Path) -> None:
    with Store(previous) as store:
        header = json.loads(store.scalar(f"SELECT model FROM {mr.TABLE}"))
        store.execute(f"UPDATE {mr.TABLE} SET model = ?", [json.dumps({**header, "code": "anders"})])
    assert _decide(tmp_path, previous).reden == "andere scorecode dan bij de training"
    with Store(previous) as store:
        store.execute(f"DROP TABLE {mr.ROWS}")
    assert _decide(tmp_path, previous).reden == "de vorige analyse bewaarde geen trainingsrijen"
    assert _decide(tmp_path, None).reden == "eerste levering in deze map"  # type: ignore[arg-type]


def _energy_indicator(code: str, source: str = "energie_verbruik", months: int = 12) -> Indicator:
    return Indicator(code=code, titel=code, entiteit="adres", familie="test", bronnen=(source,), meet="", waarom="",
                     bron_url="", onschuldig=(), geen_proxy="", query="SELECT NULL AS entiteit_id, 1.0 AS waarde",
                     venster_maanden=months)


def test_kept_rows_are_seen_with_this_deliverys_sources(tmp_path: Path) -> None:
    """The energy extract rolls on: a check whose reference date the new extract no longer covers for a year
    becomes unobserved, as a full run would have it; a source no longer delivered too; nothing else."""
    inds = [_energy_indicator("jaar"), _energy_indicator("kwartaal", months=3), _energy_indicator("tip", "melding")]
    with Store(tmp_path / "nu.duckdb") as store:
        store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-07-31' AS peildatum")
        store.execute("CREATE TABLE raw_energie_verbruik AS SELECT 'U1' AS verblijfsobject_id, "
                      "unnest(['2022-08', '2022-09']) AS periode, 100.0 AS elektriciteit_kwh")
        checks = [dt.date(2023, 9, 1), dt.date(2024, 2, 1)]  # reference dates 2023-06-30 and 2023-12-31
        controls = Controls(np.ones((2, 3)), np.ones((2, 3), bool), ["C1", "C2"],
                            [dt.date(2023, 6, 30), dt.date(2023, 12, 31)])
        train = TrainingSet(np.ones((2, 3)), np.array([1.0, 0.0]), np.ones((2, 3), bool), ["U1", "U2"], checks, 2,
                            ["hennepkwekerij", "niets_gevonden"], 0, controls)
        assert restrict_to_coverage(store, train, inds) == 6
    # 2023-06-30 lies 333 days after the extract's first month: too early for a 12-month window, not for 3 months
    expected = np.array([[False, True, False], [True, True, False]])
    assert np.array_equal(train.observed, expected) and np.array_equal(controls.observed, expected)
    assert np.array_equal(train.x, np.ones((2, 3)))  # the values stay as computed; only what counts changes


def test_rows_continued_month_after_month_are_computed_again_half_a_year_after_their_full_computation(
        tmp_path: Path, previous: Path) -> None:
    """Each continued delivery adds its new checks and moves the training's peildatum on, but the older rows
    date from their last full computation: that date, not the last continuation, limits their age."""
    with Store(previous) as store:
        header = json.loads(store.scalar(f"SELECT model FROM {mr.TABLE}"))
        continued = mr.trained_header(store, CATALOGUE, {**header, "volledig_berekend_op": "2024-01-15"})
        assert continued["volledig_berekend_op"] == "2024-01-15" and continued["peildatum"] == "2024-06-30"
        store.execute(f"UPDATE {mr.TABLE} SET model = ?", [json.dumps(continued)])
    decision = _decide(tmp_path, previous, peildatum="2024-07-31")
    assert decision.model == "getraind" and "volledig berekend" in decision.reden
    assert decision.figures["volledig_berekend_op_peildatum"] == "2024-01-15"
    with Store(previous) as store:
        store.execute(f"UPDATE {mr.TABLE} SET model = ?", [json.dumps({**continued, "volledig_berekend_op":
                                                                       "2024-03-31"})])
    assert _decide(tmp_path, previous, peildatum="2024-07-31").model == "hergebruikt"


def test_kept_rows_with_other_columns_than_the_catalogue_are_computed_again(tmp_path: Path) -> None:
    path = tmp_path / "vorige.duckdb"
    units, evidence, parties = _rows()
    narrow = TrainingSet(units.x[:, :3], units.y, units.observed[:, :3], units.units, units.dates, 1, units.findings)
    with _delivery(path, "2024-06-30", BEFORE) as store:
        mr.save(store, mr.trained_header(store, CATALOGUE), narrow, evidence, parties)
    assert _decide(tmp_path, path).reden == "andere indicatoren dan bij de training"


def test_added_rows_follow_the_kept_ones_and_controls_stay_in_date_order() -> None:
    from pandzicht.score.training import extended

    def rows(units: list[str], days: list[dt.date], cunits: list[str], cdays: list[dt.date], v: float) -> TrainingSet:
        n, m = len(units), len(cunits)
        controls = Controls(np.full((m, 2), v), np.ones((m, 2), bool), cunits, cdays)
        return TrainingSet(np.full((n, 2), v), np.ones(n), np.ones((n, 2), bool), units, days,
                           len({d.year for d in days}), ["hennepkwekerij"] * n, 1, controls)

    june, dec = dt.date(2024, 6, 30), dt.date(2024, 12, 31)
    kept = rows(["A", "B"], [dt.date(2024, 8, 1), dt.date(2025, 2, 1)], ["C1", "C2", "C3"], [june, dec, dec], 0.0)
    new = rows(["D"], [dt.date(2025, 3, 1)], ["C4", "C5"], [dec, dt.date(2025, 6, 30)], 1.0)
    both = extended(kept, new)
    assert both.units == ["A", "B", "D"] and both.x[:, 0].tolist() == [0, 0, 1] and both.outside_bag == 2
    assert both.snapshots == 2  # reference dates 2024-06-30 and 2024-12-31
    assert both.controls is not None and both.controls.units == ["C1", "C2", "C3", "C4", "C5"]
    assert both.controls.x[:, 0].tolist() == [0, 0, 0, 1, 1]
    assert extended(kept, rows([], [], [], [], 1.0)) is kept  # no new checks: the kept rows as they are


def test_many_new_checks_are_added_to_the_kept_rows_not_a_reason_to_compute_them_again(tmp_path: Path,
                                                                                      previous: Path) -> None:
    """Their rows are computed either way (`training_set(since=...)`): 20 new checks beside 40 kept are reused."""
    new = [(f"N{k}", "2024-07-02", "niets_gevonden") for k in range(20)]
    decision = _decide(tmp_path, previous, checks=[*BEFORE, *new])
    assert decision.model == "hergebruikt" and decision.figures["nieuwe_controles"] == 20, decision.reden
    assert "20 nieuwe erbij berekend" in decision.reden


def test_the_typology_models_solution_is_kept_at_full_precision_for_the_next_fit(tmp_path: Path) -> None:
    from pandzicht.score.typology import TypologyModel

    rng = np.random.default_rng(5)
    model = TypologyModel(["safehouse", "hennepkwekerij"], ["a", "b", "c"], rng.normal(size=(3, 2)),
                          rng.normal(size=2), np.ones(3), {"safehouse": 3}, 3)
    path = tmp_path / "vorige.duckdb"
    with _delivery(path, "2024-06-30", BEFORE) as store:
        mr.save(store, mr.trained_header(store, CATALOGUE), *_rows(), typology=model)
    decision = _decide(tmp_path, path)
    assert decision.kept is not None and decision.kept.typology is not None, decision.reden
    start = decision.kept.typology
    assert start.features == ("a", "b", "c") and start.typologies == ("safehouse", "hennepkwekerij")
    assert np.array_equal(start.weights, model.weights) and np.array_equal(start.intercepts, model.intercepts)


def test_kept_rows_without_a_typology_solution_start_the_fit_at_the_prior(tmp_path: Path, previous: Path) -> None:
    decision = _decide(tmp_path, previous)  # saved as an analysis before the kept solution did
    assert decision.kept is not None and decision.kept.typology is None
