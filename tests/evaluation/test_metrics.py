"""The evaluation's measures on hand-made lists, where the right answer can be worked out by hand."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from pandzicht.evaluation.linking import entity_truth
from pandzicht.evaluation.ranking import (
    party_average_precision,
    party_ranks,
    ranking_metrics,
    top_k,
    typology_calibration,
    typology_guess,
)
from pandzicht.evaluation.seeds import _dialect_medians, _dialect_totals, _world_row, render


def test_top_k_is_issue_11s_top_2k_scaled() -> None:
    assert top_k(19_000) == 2000
    assert top_k(3800) == 400
    assert top_k(50) == 10  # never below 10


def test_recall_in_the_scaled_top_per_typology() -> None:
    ranked = ["a", "x", "b", "y", "c", "z"]
    truth = {"a": "hennepkwekerij", "b": "overbewoning", "c": "hennepkwekerij"}
    m = ranking_metrics(ranked, truth, k_recall=2000, k_top=3)
    assert m["top_k"] == 3
    assert m["recall_bij_top_k"] == pytest.approx(2 / 3)
    assert m["per_typologie"]["hennepkwekerij"]["recall_bij_top_k"] == pytest.approx(0.5)
    assert m["per_typologie"]["overbewoning"]["recall_bij_top_k"] == 1.0
    assert m["gemiddelde_precisie"] == pytest.approx((1 / 1 + 2 / 3 + 3 / 5) / 3)
    assert "top_k" not in ranking_metrics(ranked, truth)  # unchanged without k_top


def test_typology_guess_counts_only_true_homes_in_the_top() -> None:
    rows = [
        {"verblijfsobject_id": "a", "vermoeden": "hennepkwekerij"},  # true, right
        {"verblijfsobject_id": "x", "vermoeden": "safehouse"},  # not a true home: not counted
        {"verblijfsobject_id": "b", "vermoeden": "safehouse"},  # true, wrong
        {"verblijfsobject_id": "c", "vermoeden": ""},  # true, no guess
        {"verblijfsobject_id": "d", "vermoeden": "overbewoning"},  # true but outside the top 4
    ]
    truth = {"a": "hennepkwekerij", "b": "overbewoning", "c": "woonfraude", "d": "overbewoning"}
    g = typology_guess(rows, truth, 4)
    assert (g["waar_in_top_k"], g["goed"], g["met_vermoeden"]) == (3, 1, 2)
    assert g["aandeel_goed"] == pytest.approx(1 / 3)
    assert g["per_typologie"]["overbewoning"] == {"in_top_k": 1, "goed": 0}
    assert typology_guess(rows, {}, 4)["aandeel_goed"] == 0.0


def test_typology_calibration_by_hand() -> None:
    ranked = ["a", "x", "b", "c", "d", "e"]
    truth = {"a": "hennepkwekerij", "b": "overbewoning", "c": "woonfraude", "d": "safehouse", "e": "safehouse"}
    probs = {
        "a": {"hennepkwekerij": 0.95, "drugsopslag": 0.05},  # shown at 95%, right
        "x": {"safehouse": 0.99, "hennepkwekerij": 0.01},  # not a true home: not counted
        "b": {"drugsopslag": 0.92, "overbewoning": 0.08},  # shown at 92%, wrong
        "c": {"woonfraude": 0.6, "overbewoning": 0.4},  # right but below 90%
        # d: no probabilities (no evidence): not counted
        "e": {"safehouse": 0.0, "drugsopslag": 1.0},  # outside the top 5
    }
    c = typology_calibration(ranked, probs, truth, 5)
    assert (c["met_kansen"], c["zeker_getoond"], c["zeker_goed"]) == (3, 2, 1)
    assert c["log_loss"] == pytest.approx(-(math.log(0.95) + math.log(0.08) + math.log(0.6)) / 3)
    # a true typology shown as 0 (rounded) costs -ln(1e-4), not infinity
    assert typology_calibration(ranked, probs, truth, 6)["log_loss"] == pytest.approx(
        -(math.log(0.95) + math.log(0.08) + math.log(0.6) + math.log(1e-4)) / 4)
    none = typology_calibration(ranked, {}, truth, 5)
    assert none == {"met_kansen": 0, "log_loss": None, "zeker_getoond": 0, "zeker_goed": 0}


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_parties_found_through_their_entity(tmp_path: Path) -> None:
    ent = _write(tmp_path / "entiteiten.csv", ["bron", "record_sleutel", "entiteit_id", "zekerheid"], [
        ["kvk_vestiging", "11111111", "E1", "1"], ["huurcontract", "HC1:bemiddelaar", "E1", "0.9"],
        ["huurcontract", "HC2:bemiddelaar", "E1", "0.9"], ["huurcontract", "HC3:bemiddelaar", "E1", "0.9"],
        ["huurcontract", "HC1:huurder", "E2", "1"],  # a straw man, one mention
        ["huurcontract", "HC2:huurder", "E3", "1"],  # an innocent tenant
        ["huurcontract", "HC3:huurder", "E4", "1"],  # the straw man again, split off into another entity
    ])
    keys = _write(tmp_path / "persoon_sleutel.csv", ["bron", "record_sleutel", "ware_persoon"], [
        ["kvk_vestiging", "11111111", "C000001"], ["huurcontract", "HC1:bemiddelaar", "C000001"],
        ["huurcontract", "HC2:bemiddelaar", "C000001"], ["huurcontract", "HC3:bemiddelaar", "C000002"],
        ["huurcontract", "HC1:huurder", "P0000001"], ["huurcontract", "HC2:huurder", "P0000002"],
        ["huurcontract", "HC3:huurder", "P0000001"],
    ])
    et = entity_truth(ent, keys)
    assert et == {"E1": "C000001", "E2": "P0000001", "E3": "P0000002", "E4": "P0000001"}  # majority per entity
    partijen = [
        {"rang": "1", "entiteit_id": "E3", "naam": "Jan Jansen", "kvk_nummer": "", "rol": "huurder"},
        {"rang": "2", "entiteit_id": "E1", "naam": "Maas Vastgoed", "kvk_nummer": "",  # no number: zonder_kvk
         "rol": "bemiddelaar"},
        {"rang": "3", "entiteit_id": "E4", "naam": "P. Pieters", "kvk_nummer": "", "rol": "huurder"},
        {"rang": "4", "entiteit_id": "E2", "naam": "Piet Pieters", "kvk_nummer": "", "rol": "huurder"},
    ]
    malafide = [
        {"naam": "Maas Vastgoed B.V.", "kvk_nummer": "11111111", "rol": "bemiddelaar", "ware_persoon": "C000001"},
        {"naam": "Piet Pieters", "kvk_nummer": "", "rol": "huurder", "ware_persoon": "P0000001"},
        {"naam": "Kuip Wonen B.V.", "kvk_nummer": "22222222", "rol": "bemiddelaar", "ware_persoon": "C000003"},
    ]
    ranks = party_ranks(partijen, malafide, et)
    assert [r["rang"] for r in ranks] == [2, 3, None]  # the best rank of an entity that is the party
    # among its role: the agent is the first agent, the straw man the second tenant (E4, behind E3)
    assert [r["rang_in_rol"] for r in ranks] == [1, 2, None]
    # the best rank, whatever the order of the rows
    assert [r["rang"] for r in party_ranks(partijen[::-1], malafide, et)] == [2, 3, None]
    # found at ranks 2 and 3 of 3 malafide parties: (1/2 + 2/3) / 3
    assert party_average_precision(ranks) == pytest.approx((1 / 2 + 2 / 3) / 3)
    # without entity truth: by KvK number, else by the exact name (which misses the loosely written agent)
    assert [r["rang"] for r in party_ranks(partijen, malafide)] == [None, 4, None]
    assert party_average_precision([]) == 0.0


def _report(ap: float, ap_exact: float, vermoeden: tuple[int, int], fallbacks: list[str],
            kalibratie: tuple[int, float | None, int, int] = (0, None, 0, 0)) -> dict:
    per_typ = {"hennepkwekerij": {"aantal": 4, "recall_bij_R": 0.5, "recall_bij_2000": 1.0, "recall_bij_top_k": 0.75},
               "overbewoning": {"aantal": 2, "recall_bij_R": 0.5, "recall_bij_2000": 1.0, "recall_bij_top_k": 0.5}}

    def ranking(a: float) -> dict:
        return {"R": 6, "r_precisie": a - 0.1, "precisie_bij_50": 0.1, "recall_bij_2000": 1.0,
                "gemiddelde_precisie": a, "per_typologie": per_typ, "top_k": 40, "recall_bij_top_k": 0.66}

    party = [{"naam": "x", "kvk_nummer": "1", "rol": "bemiddelaar", "rang": 1, "rang_in_rol": 1},
             {"naam": "y", "kvk_nummer": "2", "rol": "bemiddelaar", "rang": 5, "rang_in_rol": 2}]
    method = {"partijen": party, "partij_gemiddelde_precisie": 0.7,
              "vermoeden": {"top_k": 40, "waar_in_top_k": vermoeden[1], "goed": vermoeden[0],
                            "aandeel_goed": vermoeden[0] / vermoeden[1] if vermoeden[1] else 0.0,
                            "met_vermoeden": vermoeden[1], "per_typologie": {},
                            "kalibratie": dict(zip(("met_kansen", "log_loss", "zeker_getoond", "zeker_goed"),
                                                   kalibratie, strict=True))},
              "partijkoppeling": {"f1": 0.99}, "adreskoppeling": {"goed": 0.98, "fout": 0.001}}
    return {"eenheden_met_woonfunctie": 380, "methoden": {
        "pandzicht": {"ranglijst": ranking(ap), **method, "terugvallen": [{"stap": s} for s in fallbacks]},
        "exacte_regels": {"ranglijst": ranking(ap_exact), **method},
        "status_quo": {"ranglijst": ranking(0.1)}, "plafond": {"ranglijst": ranking(ap + 0.1)}}}


def test_world_rows_medians_and_the_rendered_table() -> None:
    rows = [_world_row("basis", "base", 1, _report(0.8, 0.4, (3, 4), [], (4, 0.5, 3, 3))),
            _world_row("basis", "base", 2, _report(0.6, 0.3, (1, 4), ["score.gewichten"], (2, 2.0, 2, 0))),
            _world_row("tekstadressen", "base", 1, _report(0.5, 0.5, (0, 0), []))]
    assert rows[0]["rol"] == "tuning" and rows[2]["rol"] == "held-out"
    assert rows[0]["tabel"]["ap_verhouding"] == pytest.approx(2.0)
    assert rows[0]["tabel"]["recall_k_hennepkwekerij"] == 0.75
    assert rows[2]["tabel"]["vermoeden_goed"] is None  # no true home in the top: no share, not 0%
    med = _dialect_medians(rows, ["basis", "tekstadressen"], ["base"])
    assert med["basis"]["base"]["ap"] == pytest.approx(0.7)
    assert med["basis"]["base"]["vermoeden_goed"] == pytest.approx(0.5)
    assert med["basis"]["base"]["werelden"] == 2
    assert med["basis"]["base"]["malafide_bemiddelaars_in_top3"] == 0.0  # the second agent ranks 5th
    assert med["basis"]["base"]["malafide_bemiddelaars_in_top3_van_rol"] == 1.0  # ... and 2nd of the agents
    assert med["tekstadressen"]["base"]["vermoeden_goed"] is None
    # pooled, not medians: 4/8 right; log-loss weighted by homes (4 x 0.5 + 2 x 2.0) / 6; sure 3 of 5 right
    tot = _dialect_totals(rows, ["basis", "tekstadressen"])
    assert tot["basis"]["vermoeden_goed_n"] == [4, 8]
    assert tot["basis"]["vermoeden_log_loss"] == pytest.approx(1.0)
    assert tot["basis"]["vermoeden_zeker_n"] == [3, 5]
    assert tot["tekstadressen"]["vermoeden_log_loss"] is None and tot["tekstadressen"]["vermoeden_met_kansen"] == 0
    text = render({"eenheden": 400, "seeds": [1, 2], "varianten": ["base"], "dialecten": ["basis", "tekstadressen"],
                   "rol": {"basis": "tuning", "tekstadressen": "held-out"}, "werelden": rows, "mediaan": {},
                   "mediaan_dialect": med, "totaal_dialect": tot,
                   "mislukt": [{"dialect": "tekstadressen", "variant": "quiet", "seed": 1, "fout": "ValueError: x",
                                "waar": "model.py:1 (fit)", "reproduceer": "pandzicht demo-world ..."}]})
    assert rows[0]["tabel"]["r_precisie_plafond"] == pytest.approx(0.8)  # the yardstick beside it
    assert "| basis (tuning) | base | 2 | 0.600 | 0.700 | 0.700 | 0.350 | 2.00 |" in text  # R-prec, plafond, AP
    assert "| tekstadressen (held-out) | base | 1 |" in text
    assert "tekstadressen quiet seed 1: `ValueError: x`" in text
    assert "- basis: score.gewichten" in text
    assert "k = 40" in text
    assert "| [1, 5] ([1, 2]) |" in text
    assert "| 0.50 | 3/3 (100%) |" in text  # world 1's log-loss and its 90%-or-more shown right
    assert "| basis (tuning) | 2 | 4/8 (50%) | 1.00 | 3/5 (60%) |" in text
    assert "| tekstadressen (held-out) | 1 | – | – | – |" in text
