"""One demo world analysed end to end on DuckDB and on the standalone Spark cluster: the same address links, the
same parties (entity F1 against the world's truth) and nearly the same top of the address list."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pandzicht.bench_deliveries import top_overlap
from pandzicht.evaluation.linking import pairwise_scores
from pandzicht.pipeline import analyse
from pandzicht.synth import generate

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]

UNITS = 200  # the smallest demo world: the Spark run stays a few minutes


@pytest.fixture(scope="module")
def runs(spark_cluster: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("pariteit")
    bundle = base / "bundel"
    generate(bundle, UNITS, 11, "base")
    out = {"bundel": bundle}
    for engine in ("duckdb", "spark"):
        analyse(bundle, base / engine, engine=engine, master=spark_cluster if engine == "spark" else None)
        out[engine] = base / engine
    return out


def _links(path: Path) -> set[tuple]:
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["bron"], r["record_sleutel"], r["verblijfsobject_id"], r["methode"],
                 round(float(r["zekerheid"]), 6) if r["zekerheid"] else None) for r in csv.DictReader(f)}


def test_address_links_are_identical(runs):
    duck, spark = _links(runs["duckdb"] / "adreskoppeling.csv"), _links(runs["spark"] / "adreskoppeling.csv")
    assert len(duck) > 20
    assert spark == duck


def test_entities_are_as_good_on_both_engines(runs):
    truth = runs["bundel"] / "truth" / "persoon_sleutel.csv"
    duck = pairwise_scores(runs["duckdb"] / "entiteiten.csv", truth)
    spark = pairwise_scores(runs["spark"] / "entiteiten.csv", truth)
    assert duck["vermeldingen"] == spark["vermeldingen"] > 0
    assert spark["f1"] == pytest.approx(duck["f1"], abs=0.002)


def test_the_top_of_the_address_list_agrees(runs):
    assert top_overlap(runs["duckdb"] / "adressen.csv", runs["spark"] / "adressen.csv", 100) >= 0.9
