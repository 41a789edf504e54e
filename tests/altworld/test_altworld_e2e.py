"""End to end on the independent world: `analyse` completes and the shared output checker passes; the bench
reports it as a held-out pseudo-dialect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pandzicht.altworld import generate
from pandzicht.evaluation.seeds import ALT_ROLE, evaluate_seeds
from pandzicht.pipeline import analyse

pytestmark = pytest.mark.slow

CHECKER = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "check-outputs"


def test_analyse_passes_the_output_checker(tmp_path: Path) -> None:
    bundle, out = tmp_path / "bundel", tmp_path / "uitvoer"
    generate(bundle, 1500, 21, "noisy")
    analyse(bundle, out)
    # this generator gives several companies one name: the report says how many unnumbered mentions the data
    # settled, as the store holds them
    report = json.loads((out / "laadrapport.json").read_text(encoding="utf-8"))
    inferred = report["analyse"]["koppeling"]["kvk_afgeleid"]
    con = duckdb.connect(str(out / "pandzicht.duckdb"), read_only=True)
    assert inferred == dict(con.execute("SELECT grond, count(*) FROM vermelding_kvk_afgeleid GROUP BY 1").fetchall())
    con.close()
    assert inferred.get("adres", 0) > 0
    if not CHECKER.exists():
        pytest.skip(f"shared output checker not found at {CHECKER}")
    done = subprocess.run([sys.executable, str(CHECKER), str(bundle), str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok")


def test_bench_reports_the_independent_world_as_held_out(tmp_path: Path) -> None:
    res = evaluate_seeds(600, [5], ["base"], tmp_path, dialects=["onafhankelijk"])
    assert res["mislukt"] == []
    assert res["rol"] == {"onafhankelijk": ALT_ROLE}
    (world,) = res["werelden"]
    assert world["dialect"] == "onafhankelijk" and world["R"] > 0
    assert 0.0 <= world["tabel"]["r_precisie"] <= 1.0 and world["tabel"]["f1"] is not None
