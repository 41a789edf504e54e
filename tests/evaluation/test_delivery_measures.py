"""`bench leveringen`'s measures on hand-made entity files, where the right answer can be worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

from pandzicht.bench_deliveries import id_stability, true_party_stability


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


ENT = ["bron", "record_sleutel", "entiteit_id", "zekerheid"]
TRUTH = ["bron", "record_sleutel", "ware_persoon"]


def test_a_party_split_evenly_keeps_its_main_id_when_both_ids_survive(tmp_path: Path) -> None:
    # P1's two records sit in two entities, one each, in both deliveries (rows in another order the second time):
    # no id changed, so P1 keeps its main entity. P2's only record moved to a new entity: a change. P3 is a
    # company (no BRP record) that keeps its id.
    before = _write(tmp_path / "e1.csv", ENT, [
        ["brp_inschrijving", "a", "E2", "1"], ["huurcontract", "b:huurder", "E1", "1"],
        ["brp_inschrijving", "c", "E3", "1"], ["kvk_vestiging", "k", "E9", "1"]])
    after = _write(tmp_path / "e2.csv", ENT, [
        ["huurcontract", "b:huurder", "E1", "1"], ["brp_inschrijving", "a", "E2", "1"],
        ["brp_inschrijving", "c", "E4", "1"], ["kvk_vestiging", "k", "E9", "1"],
        ["huurcontract", "n:verhuurder", "E9", "1"]])
    truth1 = _write(tmp_path / "t1.csv", TRUTH, [
        ["brp_inschrijving", "a", "P1"], ["huurcontract", "b:huurder", "P1"], ["brp_inschrijving", "c", "P2"],
        ["kvk_vestiging", "k", "C1"]])
    truth2 = _write(tmp_path / "t2.csv", TRUTH, [
        ["huurcontract", "b:huurder", "P1"], ["brp_inschrijving", "a", "P1"], ["brp_inschrijving", "c", "P2"],
        ["kvk_vestiging", "k", "C1"], ["huurcontract", "n:verhuurder", "C1"]])
    t = true_party_stability(before, truth1, after, truth2)
    assert (t["ware_partijen"], t["zelfde_id"]) == (3, 2)
    assert (t["zonder_brp"], t["zonder_brp_zelfde_id"]) == (1, 1)
    ids = id_stability(before, after)
    # E1, E2, E9 keep their ids; E3's record is now in E4
    assert (ids["partijen_aanwezig"], ids["id_behouden"]) == (4, 3)
    assert (ids["zonder_brp_aanwezig"], ids["zonder_brp_behouden"]) == (2, 2)
