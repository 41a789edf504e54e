"""`demo-world --leveringen N`: monthly bundles of one world whose record keys persist, each contract-valid with
its own truth, and `bench leveringen` end to end on a tiny world."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pandzicht.cli import app
from pandzicht.intake.load import load_bundle
from pandzicht.store.engine import Store
from pandzicht.synth.deliveries import KEYS, TRUTH_FILES, folder_name, generate_deliveries, read_csv

pytestmark = pytest.mark.slow
N = 3


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory) -> list[Path]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("demo_leveringen")
    generate_deliveries(base, 400, 9, N)
    return [base / folder_name(i) for i in range(1, N + 1)]


def _frame(folder: Path, src: str) -> pd.DataFrame:
    kapot = pd.read_csv(folder / "truth" / "kapotte_rijen.csv", dtype=str)
    return read_csv(folder / f"{src}.csv", int((kapot["bron"] == src).sum()))[0]


def test_peildatum_increases_by_a_month(deliveries) -> None:  # type: ignore[no-untyped-def]
    dates = [json.loads((d / "manifest.json").read_text(encoding="utf-8"))["peildatum"] for d in deliveries]
    assert dates == sorted(dates) and len(set(dates)) == N
    for a, b in itertools.pairwise(dates):
        gap = (pd.Timestamp(b) - pd.Timestamp(a)).days
        assert 28 <= gap <= 31


def test_record_keys_persist_and_new_keys_carry_no_order(deliveries) -> None:  # type: ignore[no-untyped-def]
    first, second = deliveries[0], deliveries[1]
    for src, (col, prefix) in KEYS.items():
        old, new = _frame(first, src), _frame(second, src)
        assert not old[col].str.fullmatch(rf"{prefix}0+\d{{1,4}}").any(), f"{src}: sequential keys"
        kept = set(old[col]) & set(new[col])
        assert len(kept) >= 0.9 * len(old), src
        # a persisting record is the same record (its start date or date did not change)
        date_col = next((c for c in ("datum_aanvang", "datum", "datum_verkrijging") if c in old.columns), None)
        if date_col:
            a = old.set_index(col).loc[sorted(kept), date_col]
            b = new.set_index(col).loc[sorted(kept), date_col]
            assert (a == b).all(), src
    contracts_old, contracts_new = _frame(first, "huurcontract"), _frame(second, "huurcontract")
    added = set(contracts_new["contract_id"]) - set(contracts_old["contract_id"])
    assert added and min(added) < max(contracts_old["contract_id"]), "new keys all sort after the old ones"
    brp_old, brp_new = _frame(first, "brp_inschrijving"), _frame(second, "brp_inschrijving")
    moved = brp_old[(brp_old["datum_einde"] == "")].merge(
        brp_new[brp_new["datum_einde"] != ""], on=["persoon_id", "datum_aanvang"])
    assert len(moved), "nobody moved out in a month"
    assert set(moved["persoon_id"]) <= set(brp_new.loc[brp_new["datum_einde"] == "", "persoon_id"])


def test_every_delivery_is_contract_valid_with_its_own_truth(deliveries) -> None:  # type: ignore[no-untyped-def]
    for folder in deliveries:
        for name in TRUTH_FILES:
            assert (folder / "truth" / f"{name}.csv").is_file(), (folder, name)
        with Store(None) as store:
            report = load_bundle(folder, store)
        kapot = pd.read_csv(folder / "truth" / "kapotte_rijen.csv", dtype=str)["bron"].value_counts()
        for src, b in report["bronnen"].items():
            assert b["quarantaine"] == kapot.get(src, 0), (folder.name, src, b.get("redenen"))
        truth = pd.read_csv(folder / "truth" / "persoon_sleutel.csv", dtype=str, keep_default_na=False)
        contracts = set(_frame(folder, "huurcontract")["contract_id"])
        landlord = truth[(truth["bron"] == "huurcontract") & truth["record_sleutel"].str.endswith(":verhuurder")]
        assert {k.split(":")[0] for k in landlord["record_sleutel"]} == contracts, folder.name


def test_the_second_delivery_brings_a_new_agent_a_phoenix_a_merge_and_a_split(deliveries) -> None:  # type: ignore[no-untyped-def]
    events = json.loads((deliveries[1] / "truth" / "levering.json").read_text(encoding="utf-8"))
    kvk = _frame(deliveries[1], "kvk_vestiging").set_index("kvk_nummer")
    assert events["nieuwe_bemiddelaar"]["kvk_nummer"] in kvk.index
    phoenix = events["feniks"]
    assert kvk.at[phoenix["oud_kvk"], "datum_opheffing"] and not kvk.at[phoenix["nieuw_kvk"], "datum_opheffing"]
    contracts = _frame(deliveries[1], "huurcontract")
    assert (contracts["bemiddelaar_kvk"] == phoenix["nieuw_kvk"]).sum() == phoenix["contracten"] > 0
    assert events["samengevoegd"]["opgeheven_kvk"] not in kvk.index
    assert events["gesplitst"]["nieuw_kvk"] in kvk.index
    malafide = pd.read_csv(deliveries[1] / "truth" / "malafide_partij.csv", dtype=str)
    assert phoenix["nieuw_kvk"] in set(malafide["kvk_nummer"])


def test_bench_leveringen_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "bench.json"
    result = CliRunner().invoke(app, ["bench", "leveringen", "--units", "300", "--seed", "4", "--work",
                                      str(tmp_path / "werk"), "--report", str(report), "--herhaal", "2",
                                      "--leveringen", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data["runs"]) == {"levering_1", "levering_2_incrementeel", "levering_2_volledig"}
    for run in data["runs"].values():
        assert {"inlezen", "entiteiten", "score_adressen"} <= set(run["stadia_s"]) and run["piek_geheugen_mb"]
        assert run["stadia_s"]["publicatie"] > 0  # publication is waited for too: a stage of its own
    first = data["runs"]["levering_1"]
    assert first["totaal_s"] == pytest.approx(sum(first["stadia_s"].values()), abs=1e-3)
    assert data["runs"]["levering_2_incrementeel"]["entiteit_ids"]["met_records_nog_aanwezig"] > 0
    assert data["runs"]["levering_2_volledig"]["koppeling"]["modus"] == "volledig"
    assert data["tijd_incrementeel_tov_volledig"] > 0 and "entiteiten" in data["stadia_incrementeel_tov_volledig"]
    # the pair of delivery-2 runs ran twice, each from delivery 1's output: the figures are medians of the pairs
    reps = data["herhalingen"]
    assert len(reps) == 2 and all(r["incrementeel_s"] > 0 and r["volledig_s"] > 0 for r in reps)
    assert data["tijd_incrementeel_tov_volledig"] == pytest.approx((reps[0]["verhouding"] + reps[1]["verhouding"]) / 2,
                                                                   abs=1e-3)
    assert data["runs"]["levering_2_incrementeel"]["totaal_s"] == pytest.approx(
        (reps[0]["incrementeel_s"] + reps[1]["incrementeel_s"]) / 2, abs=2e-3)
    assert "mediaan" in result.output and not (tmp_path / "werk" / "uitvoer-levering-1").exists()
    ids = data["id_stabiliteit"]
    assert 0 < ids["zonder_brp_aanwezig"] < ids["partijen_aanwezig"]
    assert ids["aandeel"] >= 0.99  # ids follow the records: only merges and splits lose one
    assert data["top200_overlap"] >= 0.95 and abs(data["entiteit_f1_verschil"]) <= 0.002
    assert "id-stabiliteit" in result.output
    # month after month: delivery 3 continued the incremental analysis of delivery 2, beside a full run of its own
    werk = tmp_path / "werk"
    assert data["leveringen"] == 3 and [st["levering"] for st in data["keten"]] == [2, 3]
    second, third = data["keten"]
    assert second["incrementeel_s"] == data["runs"]["levering_2_incrementeel"]["totaal_s"]
    assert second["id_stabiliteit"] == data["id_stabiliteit"] and second["top200_overlap"] == data["top200_overlap"]
    assert third["verhouding"] == pytest.approx(third["incrementeel_s"] / third["volledig_s"], abs=1e-3)
    assert third["koppeling"]["modus"] == "incrementeel"
    published = json.loads((werk / "uitvoer" / "laadrapport.json").read_text(encoding="utf-8"))["peildatum"]
    assert published == json.loads((werk / "levering-03" / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
    assert third["id_stabiliteit"]["partijen_aanwezig"] > 0 and third["id_stabiliteit"]["aandeel"] >= 0.99
    since = third["id_stabiliteit_sinds_levering_1"]
    assert 0 < since["id_behouden"] <= since["partijen_aanwezig"]
    assert third["top200_overlap"] >= 0.95 and abs(third["entiteit_f1_verschil"]) <= 0.002
    assert not (werk / "uitvoer-opnieuw-03").exists() and "maand na maand" in result.output
    for shortlist in data["signalering"].values():  # every new use is found after some delivery or not at all
        assert sum(shortlist["na_leveringen"].values()) + shortlist["niet_gevonden"] == shortlist["gestart"]
