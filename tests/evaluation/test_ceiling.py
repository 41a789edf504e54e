"""The yardstick beside every evaluation: a model fitted to the true labels on the analysis' own indicator values,
scored out of fold (`evaluation/ceiling.py`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from pandzicht.evaluation.ceiling import ceiling_ranking, ceiling_typology
from pandzicht.evaluation.ranking import ranking_metrics
from pandzicht.store.engine import Store

UNITS = [f"{i:016d}" for i in range(1000)]
TRUE = {u: "safehouse" for u in UNITS[-120:]}  # the last ids: a ranking by id alone puts them at the bottom


def _store(path: Path, values: list[tuple[str, str, float]]) -> Path:
    with Store(path) as store:
        store.write_arrow("adres_score", pa.table({"verblijfsobject_id": UNITS, "score": [0.0] * len(UNITS)}))
        store.write_arrow("indicator_waarde", pa.table({
            "indicator": [v[0] for v in values], "entiteit": ["adres"] * len(values),
            "entiteit_id": [v[1] for v in values], "waarde": [v[2] for v in values]},
            schema=pa.schema([("indicator", pa.string()), ("entiteit", pa.string()), ("entiteit_id", pa.string()),
                              ("waarde", pa.float64())])))
    return path


def test_evidence_that_separates_the_true_homes_reaches_the_top(tmp_path):
    # one indicator on every true home and on 6 others (the first ids, so ties go against it), one at random
    values = [("sterk", u, 1.0) for u in (*TRUE, *UNITS[:6])] + [("ruis", u, 1.0) for u in UNITS[::7]]
    ranked = ceiling_ranking(_store(tmp_path / "s.duckdb", values), TRUE)
    assert sorted(ranked) == sorted(UNITS)
    assert set(TRUE) <= set(ranked[:126])
    assert ranking_metrics(ranked, TRUE)["r_precisie"] >= 0.95


def test_without_evidence_it_knows_nothing_of_the_labels(tmp_path):
    """Out of fold, the labels themselves never reach the score: with no indicator values every home scores
    alike and the order is the ids', which puts the true homes last."""
    ranked = ceiling_ranking(_store(tmp_path / "s.duckdb", [("ruis", UNITS[0], 1.0)]), TRUE)
    assert ranking_metrics(ranked, TRUE)["r_precisie"] == 0.0


def test_too_few_true_homes_to_be_a_ceiling_gives_none(tmp_path):
    few = dict(list(TRUE.items())[:99])
    assert ceiling_ranking(_store(tmp_path / "s.duckdb", [("sterk", u, 1.0) for u in few]), few) is None


# --- the typology yardstick ------------------------------------------------------------------------------------

TYPED = {u: ("hennepkwekerij" if i % 2 else "safehouse") for i, u in enumerate(UNITS[:150])}


def test_typology_evidence_names_each_home_right(tmp_path):
    """An indicator that fires on the cannabis farms only: out of fold, the model names every home right."""
    db = _store(tmp_path / "s.duckdb", [("energie", u, 1.0) for u, t in TYPED.items() if t == "hennepkwekerij"])
    got = ceiling_typology(db, UNITS, TYPED, 200)
    assert got["waar_in_top_k"] == 150 and got["goed"] == 150 and got["aandeel_goed"] == 1.0
    assert got["per_typologie"] == {"hennepkwekerij": {"in_top_k": 75, "goed": 75},
                                    "safehouse": {"in_top_k": 75, "goed": 75}}


def test_typology_without_evidence_guesses_the_majority(tmp_path):
    """No indicator tells them apart: at best the larger class, never the labels themselves."""
    typed = {u: ("hennepkwekerij" if i < 100 else "safehouse") for i, u in enumerate(UNITS[:140])}
    got = ceiling_typology(_store(tmp_path / "s.duckdb", [("ruis", UNITS[0], 1.0)]), UNITS, typed, 200)
    assert got["per_typologie"]["safehouse"]["goed"] <= 2
    assert got["goed"] <= 102


def test_typology_only_counts_the_true_homes_in_the_top_k(tmp_path):
    db = _store(tmp_path / "s.duckdb", [("energie", u, 1.0) for u, t in TYPED.items() if t == "hennepkwekerij"])
    got = ceiling_typology(db, UNITS, TYPED, 120)
    assert got["waar_in_top_k"] == 120 and sum(v["in_top_k"] for v in got["per_typologie"].values()) == 120
    # the true homes at the bottom of the ranking: 99 of them in the top 949, below the floor
    assert ceiling_typology(db, UNITS[::-1], TYPED, 949) is None
    assert ceiling_typology(db, UNITS[::-1], TYPED, 950)["waar_in_top_k"] == 100


def test_a_typology_rarer_than_the_folds_is_named_wrong_not_dropped(tmp_path):
    typed = {**{u: "overbewoning" for u in UNITS[:120]}, UNITS[120]: "prostitutie"}
    got = ceiling_typology(_store(tmp_path / "s.duckdb", [("zicht", UNITS[120], 1.0)]), UNITS, typed, 200)
    assert got["waar_in_top_k"] == 121
    assert got["per_typologie"]["prostitutie"] == {"in_top_k": 1, "goed": 0}  # no fold saw it and another


def test_typology_yardstick_reads_the_evidence_pandzicht_reads(tmp_path):
    """The typology model also reads the tips and police registrations per category (never part of the score);
    the yardstick reads them too, so it compares like with like: here a smell tip on every cannabis farm is all
    that tells them apart."""
    db = _store(tmp_path / "s.duckdb", [("ruis", UNITS[0], 1.0)])
    farms = [u for u, t in TYPED.items() if t == "hennepkwekerij"]
    with Store(db) as store:
        store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-01' AS peildatum")
        store.write_arrow("raw_melding", pa.table({
            "melding_id": [f"M{i}" for i in range(len(farms))], "datum": pa.array([dt.date(2024, 3, 1)] * len(farms)),
            "categorieen": ["stank;overlast"] * len(farms)}))
        store.write_arrow("melding_adres", pa.table({"melding_id": [f"M{i}" for i in range(len(farms))],
                                                     "verblijfsobject_id": farms}))
    got = ceiling_typology(db, UNITS, TYPED, 200)
    assert got["goed"] == 150
