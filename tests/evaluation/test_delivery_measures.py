"""`bench leveringen`'s measures on hand-made entity files, where the right answer can be worked out by hand."""

from __future__ import annotations

from pathlib import Path

from pandzicht.bench_deliveries import changes_against_truth, id_stability, true_party_stability

from bundles import write_csv


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    write_csv(path, header, rows)
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


def test_the_change_list_against_what_really_changed(tmp_path: Path) -> None:
    typ = ["verblijfsobject_id", "typologie", "actief_vanaf"]
    before = _write(tmp_path / "t1.csv", typ, [["A", "hennepkwekerij", "2024-01-01"],
                                               ["B", "safehouse", "2024-06-01"]])
    # A goes on, B ended; C and D started, E too but deep in the list
    after = _write(tmp_path / "t2.csv", typ, [["A", "hennepkwekerij", "2024-01-01"], ["C", "drugsopslag", "2025-05-01"],
                                              ["D", "woonfraude", "2025-05-02"], ["E", "safehouse", "2025-06-01"]])
    header = ["verblijfsobject_id", "rang_vorige", "rang", "score_vorige", "score", "reden"]
    changes = _write(tmp_path / "w.csv", header, [
        ["C", "", "1", "", "0.9", "nieuw_op_lijst"],  # a new use, on the list: found
        ["X", "90", "2", "0.5", "0.8", "gestegen"],  # risen, not in criminal use
        ["A", "3", "3", "0.9", "0.9", "nieuwe_signalen:meldingen_hennep"],  # new signals at a running use
        ["B", "1", "", "0.9", "", "van_lijst"],  # the ended use left the list
    ])
    addresses = _write(tmp_path / "a.csv", ["rang", "verblijfsobject_id"], [
        ["1", "C"], ["2", "X"], ["3", "A"], ["4", "D"], ["5", "B"], ["9", "E"]])
    c = changes_against_truth(before, after, changes, addresses, top=4)
    assert c == {"gestart": 3, "gestart_in_top": 2, "gestart_in_wijzigingen": 1, "omhoog": 3, "omhoog_waar": 2,
                 "geeindigd": 1, "geeindigd_omlaag": 1}
