"""`pandzicht bench evaluate --dialecten` end to end on tiny worlds: one tuning and one held-out dialect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pandzicht.synth.paths import RealDataMissing, real_data_dir

try:
    real_data_dir()
except RealDataMissing as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"real reference data absent: {exc}", allow_module_level=True)

from pandzicht.cli import app


def test_unknown_dialect_is_one_line() -> None:
    result = CliRunner().invoke(app, ["bench", "evaluate", "--units", "300", "--dialecten", "basis,plat"])
    assert result.exit_code == 1
    assert "plat" in result.output and "onbekend" in result.output


@pytest.mark.slow
def test_bench_evaluate_per_dialect_variant_and_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a 300-unit world has a few true homes, below the yardstick's floor (tests/evaluation/test_ceiling.py covers
    # that floor); lowered here so `plafond` runs through evaluate, the world table and the report
    monkeypatch.setattr("pandzicht.evaluation.ceiling.MIN_TRUE", 2)
    report, data, work = tmp_path / "tabel.md", tmp_path / "cijfers.json", tmp_path / "werk"
    result = CliRunner().invoke(app, [
        "bench", "evaluate", "--units", "300", "--seeds", "3", "--variants", "base",
        "--dialecten", "basis,weinig_uitkomsten", "--work", str(work), "--report", str(report), "--json", str(data)])
    assert result.exit_code == 0, result.output
    res = json.loads(data.read_text(encoding="utf-8"))
    assert res["mislukt"] == []
    assert res["rol"] == {"basis": "tuning", "weinig_uitkomsten": "held-out"}
    assert [(w["dialect"], w["variant"], w["seed"]) for w in res["werelden"]] == [
        ("basis", "base", 3), ("weinig_uitkomsten", "base", 3)]
    for w in res["werelden"]:
        t = w["tabel"]
        for key in ("r_precisie", "ap", "ap_exact", "partij_ap", "f1", "adres_goed", "adres_fout",
                    "recall_k_hennepkwekerij", "recall_k_overbewoning"):
            assert t[key] is not None and 0.0 <= t[key] <= 1.0, (w["dialect"], key)
        assert t["ap_verhouding"] == pytest.approx(t["ap"] / t["ap_exact"])
        assert 0.0 <= t["r_precisie_plafond"] <= 1.0 and 0.0 <= t["ap_plafond"] <= 1.0, w["dialect"]
        assert 0.0 <= t["vermoeden_goed_plafond"] <= 1.0, w["dialect"]
        assert w["top_k"] == max(10, round(w["woningen"] * 2000 / 19_000))
        assert t["f1"] > 0.8 and t["adres_goed"] > 0.8  # the linking worked, so the ranking figures mean something
        assert len(w["rang_malafide_bemiddelaars"]) == 2
        # the calibration of the dossier's typology probabilities, read from the analysis' typologie_kans
        n_top = t["vermoeden_goed_n"][1]
        assert 0 < t["vermoeden_met_kansen"] <= n_top
        assert 0.0 <= t["vermoeden_log_loss"] < 10.0
        sure_ok, sure = t["vermoeden_zeker_n"]
        assert 0 <= sure_ok <= sure <= t["vermoeden_met_kansen"]
    tot = res["totaal_dialect"]["basis"]
    assert tot["vermoeden_goed_n"] == res["werelden"][0]["tabel"]["vermoeden_goed_n"]  # one world: its own counts
    # the same world underneath, but the scarce-outcomes dialect has far fewer labels to learn from
    bundles = {d: work / f"{d}-base-3" / "bundel" for d in ("basis", "weinig_uitkomsten")}
    lines = {d: len((b / "handhaving_uitkomst.csv").read_text(encoding="utf-8").splitlines())
             for d, b in bundles.items()}
    assert lines["weinig_uitkomsten"] < lines["basis"] / 3
    assert set(res["mediaan_dialect"]) == {"basis", "weinig_uitkomsten"}
    text = report.read_text(encoding="utf-8")
    assert "| basis (tuning) | base | 3 |" in text and "| weinig_uitkomsten (held-out) | base | 3 |" in text
    assert "Medianen per dialect × variant" in text
    assert "R-prec plafond" in text and "vermoeden plafond" in text
    evaluation = work / "basis-base-3" / "evaluatie"
    assert "plafond" in json.loads((evaluation / "evaluatie.json").read_text(encoding="utf-8"))["methoden"]
    md = (evaluation / "evaluatie.md").read_text(encoding="utf-8")
    assert "`plafond`: geen methode maar een maatstaf" in md
    # pandzicht, exact rules, (no status quo), the yardstick: each its `vermoeden` right of its true homes in the top
    row = next(line for line in md.splitlines() if line.startswith("| vermoeden goed"))
    assert len(row.split("|")) == 7 and row.split("|")[4].strip() == "" and "/" in row.split("|")[5]
    assert "Typologie per dialect, opgeteld over de werelden" in text
