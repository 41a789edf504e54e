"""The same resolver settings on Splink's Spark backend (local mode) agree with DuckDB."""

from __future__ import annotations

import json

import pytest
from link_worlds import prepared_world

from pandzicht.evaluation.linking import pairwise_scores
from pandzicht.link import parties_splink as ps
from pandzicht.link.parties_splink import MODEL_TABLE, em_report, resolve_parties, spark_session
from pandzicht.store.engine import Store
from pandzicht.store.spark import SCRATCH_CONF

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_spark_agrees_with_duckdb(tmp_path, monkeypatch):
    pytest.importorskip("pyspark")
    bundle, db = prepared_world(tmp_path, 1500, 9, "base")
    # EM on sampled blocks, as at a million units: the same blocks on both engines (`em_blocks`)
    monkeypatch.setattr(ps, "EM_MAX_PAIRS", 2_000)
    truth = bundle / "truth" / "persoon_sleutel.csv"
    spark = spark_session(cores=2, memory="2g")
    spark.conf.set(SCRATCH_CONF, str(tmp_path / "klad"))  # where the profiles and scored pairs pass as Parquet
    try:
        with Store(db) as store:
            resolve_parties(store, engine="duckdb", judgements=tmp_path / "geen.sqlite")
            store.execute(f"COPY (SELECT bron, record_sleutel, entiteit_id AS ware_persoon FROM entiteit) "
                          f"TO '{tmp_path / 'duck.csv'}' (HEADER)")
            store.execute(f"COPY (SELECT * FROM entiteit) TO '{tmp_path / 'duck_ent.csv'}' (HEADER)")
            u_duck, em_duck = _u_values(store), _models(store)
            resolve_parties(store, engine="spark", judgements=tmp_path / "geen.sqlite", spark=spark)
            store.execute(f"COPY (SELECT * FROM entiteit) TO '{tmp_path / 'spark.csv'}' (HEADER)")
            u_spark, em_spark = _u_values(store), _models(store)
    finally:
        spark.stop()
    assert (tmp_path / "klad").is_dir() and not any((tmp_path / "klad").iterdir())  # nothing left behind
    # u is estimated on DuckDB for both engines (`estimate_u`): the same sample, the same values
    assert u_spark == u_duck and len(u_duck) > 10 and any(v is not None for v in u_duck.values())
    assert em_spark["em"] == em_duck["em"]
    assert any(s["paren_getraind"] < s["paren"] for s in em_duck["em"]["persoon"])
    assert em_spark["m"].keys() == em_duck["m"].keys()
    # training runs on DuckDB in the driver for both engines (`_trained_linker`): the very same m everywhere
    assert em_spark["m"] == em_duck["m"] and sum(m is not None for m in em_duck["m"].values()) > 10
    agreement = pairwise_scores(tmp_path / "spark.csv", tmp_path / "duck.csv")
    assert agreement["f1"] >= 0.99, agreement
    on_truth_spark = pairwise_scores(tmp_path / "spark.csv", truth)
    on_truth_duck = pairwise_scores(tmp_path / "duck_ent.csv", truth)
    assert on_truth_spark["f1"] >= 0.95, on_truth_spark
    assert abs(on_truth_spark["f1"] - on_truth_duck["f1"]) <= 0.01


def _levels(store: Store, key: str) -> dict[tuple[str, str, int], float | None]:
    """(model, comparison, level) -> `key` (m_probability or u_probability) of the trained models kept."""
    out = {}
    for kind, model in store.rows(f"SELECT soort, model FROM {MODEL_TABLE}"):
        for c in json.loads(model)["comparisons"]:
            for n, level in enumerate(c["comparison_levels"]):
                if not level.get("is_null_level"):
                    out[(kind, c["output_column_name"], n)] = level.get(key)
    return out


def _u_values(store: Store) -> dict[tuple[str, str, int], float | None]:
    return _levels(store, "u_probability")


def _models(store: Store) -> dict:
    """The EM report and every level's m of the kept models."""
    return {"em": em_report(store), "m": _levels(store, "m_probability")}
