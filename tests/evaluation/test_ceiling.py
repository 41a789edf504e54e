"""The yardstick beside every evaluation: a model fitted to the true labels on the analysis' own indicator values,
scored out of fold (`evaluation/ceiling.py`)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pandzicht.evaluation.ceiling import ceiling_ranking
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
