"""The benchmarks run end to end on a small world (their figures are reported, never asserted on time)."""

from __future__ import annotations

import pytest

from pandzicht.bench import bench_analyse, bench_load
from pandzicht.synth import generate


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bundel"
    generate(path, 600, 4, "base")
    return path


def test_bench_load_measures_every_source_against_the_floor(bundle, tmp_path):
    result = bench_load(bundle, tmp_path / "b.duckdb", repeat=1)
    assert set(result["bronnen"]) >= {"bag_verblijfsobject", "energie_verbruik", "huurcontract"}
    for r in result["bronnen"].values():
        assert r["rijen"] > 0 and r["laden_s"] > 0 and r["vloer_s"] > 0 and r["verhouding"] > 0
    assert result["totaal"]["rijen"] == sum(r["rijen"] for r in result["bronnen"].values())


def test_bench_analyse_reports_stages_memory_and_floor(bundle, tmp_path):
    result = bench_analyse(bundle, tmp_path)
    assert {"inlezen", "entiteiten", "indicatoren", "score_adressen", "uitvoer"} <= set(result["stadia_s"])
    # publication (the web app's lookup files, the switch) is waited for too: a stage, counted in the total
    assert result["stadia_s"]["publicatie"] > 0 and (tmp_path / "uitvoer" / "versies").is_dir()
    assert result["totaal_s"] == pytest.approx(sum(result["stadia_s"].values()))
    assert result["piek_geheugen_mb"] and max(result["piek_geheugen_mb"].values()) > 50
    assert result["io_vloer_s"] > 0 and result["totaal_tov_vloer"] > 1
    assert (tmp_path / "uitvoer" / "adressen.csv").is_file()


def test_bench_link_reports_every_step_and_quality_before_and_after_people(tmp_path):
    from pandzicht.link.bench import bench_link

    result = bench_link(1500, 3, "noisy", tmp_path, queries=20)
    assert {"inlezen", "adreskoppeling", "vermeldingen", "exact", "splink_afgestemd", "adres_via_personen",
            "netwerk"} <= set(result["stappen"])
    quality = result["kwaliteit"]
    before, after = quality["adreskoppeling"], quality["adreskoppeling_met_personen"]
    assert before["records"] == after["records"] > 100
    # the people on a record only fill and correct links: never fewer right ones
    assert after["goed"] >= before["goed"] and after["leeg"] <= before["leeg"]
    assert quality["splink_afgestemd"]["f1"] > quality["exact"]["f1"]
    assert result["buurt_query"]["queries"] == 20
