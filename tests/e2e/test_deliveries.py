"""Two deliveries of one region into one output folder: ids survive, history is kept, deviations are refused."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from leveringen import entities, halve, next_delivery, read

from pandzicht.errors import PandzichtError
from pandzicht.pipeline import analyse
from pandzicht.publish import current_version
from pandzicht.synth import generate
from pandzicht.web.analysis import AnalysisStore, _builder_fingerprint
from pandzicht.web.lookup_files import FOLDER, folder_of, read_lookups

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_deliveries(tmp_path_factory):
    base = tmp_path_factory.mktemp("leveringen")
    first, second, out = base / "levering-01", base / "levering-02", base / "uitvoer"
    generate(first, 1500, 11, "base")
    analyse(first, out)
    before, first_version = entities(out), current_version(out)
    changes = next_delivery(first, second, out)
    analyse(second, out)
    return {"base": base, "first": first, "second": second, "out": out, "before": before, "after": entities(out),
            "changes": changes, "first_version": first_version}


def _history(out: Path) -> list[tuple]:
    with duckdb.connect(str(out / "pandzicht.duckdb"), read_only=True) as con:
        return con.execute("SELECT levering, oud_id, nieuw_id, soort FROM entiteit_historie").fetchall()


def test_a_record_with_a_smaller_key_joins_without_renaming_its_party(two_deliveries):
    after = two_deliveries["after"]
    added = two_deliveries["changes"]["added"]
    assert added, "the perturbation found no owner to duplicate"
    for key, old_id in added:
        assert after[key] == old_id, key


def test_every_party_whose_records_persist_keeps_its_id_or_is_recorded(two_deliveries):
    before, after, out = two_deliveries["before"], two_deliveries["after"], two_deliveries["out"]
    history = _history(out)
    recorded = {oud for _, oud, _, soort in history if soort in ("samengevoegd", "gesplitst")}
    now = set(after.values())
    persisting = {eid for key, eid in before.items() if key in after}
    lost = {eid for eid in persisting if eid not in now}
    assert not lost - recorded, sorted(lost - recorded)[:5]
    kept = len(persisting & now) / len(persisting)
    assert kept >= 0.995, kept
    # a record that stayed in the same party as all its former partners keeps that party's id
    report = json.loads((out / "laadrapport.json").read_text(encoding="utf-8"))
    ids = report["analyse"]["entiteit_ids"]
    assert ids["id_behouden"] == len(persisting & now)
    assert ids["met_records_nog_aanwezig"] == len(persisting)


def test_merge_and_split_are_recorded(two_deliveries):
    after, out, changes = two_deliveries["after"], two_deliveries["out"], two_deliveries["changes"]
    before = two_deliveries["before"]
    merged_into = {after[k] for k in changes["merged_records"]}
    assert len(merged_into) == 1  # the two landlords are one party now
    (merged,) = merged_into
    # it keeps the id of the old party it shares most records with (ties: the smaller id); the other joins it
    shared = Counter(before[k] for k, v in after.items() if v == merged and k in before)
    keeper, joined = sorted(changes["merged_old"], key=lambda i: (-shared[i], i))
    assert shared[keeper] and shared[joined] and merged == keeper
    history = _history(out)
    levering = {str(row[0]) for row in history}
    assert levering == {changes["peildatum"]}
    assert (joined, keeper, "samengevoegd") in {(o, n, s) for _, o, n, s in history}
    split = [(o, n) for _, o, n, s in history if s == "gesplitst" and o == changes["split_old"]]
    assert len(split) >= 2 and (changes["split_old"], changes["split_old"]) in split
    new_ids = {n for _, n in split} - {changes["split_old"]}
    assert new_ids and not new_ids & set(two_deliveries["before"].values())  # a fresh id, never issued before


def test_a_removed_party_is_recorded_as_gone_and_fresh_ids_never_reuse_old_ones(two_deliveries):
    before, after, out = two_deliveries["before"], two_deliveries["after"], two_deliveries["out"]
    history = _history(out)
    gone = {o for _, o, n, s in history if s == "verdwenen"}
    vanished = set(before.values()) - {before[k] for k in before if k in after}
    assert gone == vanished
    fresh = {n for _, o, n, s in history if s == "nieuw"}
    clusters: dict[str, list[str]] = {}
    for key, eid in after.items():
        clusters.setdefault(eid, []).append(key)
    assert fresh == {eid for eid, keys in clusters.items() if not any(k in before for k in keys)}
    assert not fresh & set(before.values())


def test_wijzigingen_lists_the_shortlist_changes(two_deliveries):
    out = two_deliveries["out"]
    fields, rows = read(out / "wijzigingen.csv")
    assert fields == ["verblijfsobject_id", "rang_vorige", "rang", "score_vorige", "score", "reden"]
    assert rows, "a second delivery three months later changes nothing on the shortlist?"
    tokens = {t.split(":")[0] for r in rows for t in r["reden"].split(";")}
    assert tokens <= {"nieuw_op_lijst", "van_lijst", "gestegen", "gedaald", "nieuwe_signalen"}
    for r in rows:
        if "nieuw_op_lijst" in r["reden"]:
            assert int(r["rang"]) <= 200 and (r["rang_vorige"] == "" or int(r["rang_vorige"]) > 200)
        if "van_lijst" in r["reden"]:
            assert int(r["rang_vorige"]) <= 200 and (r["rang"] == "" or int(r["rang"]) > 200)


def test_the_continued_delivery_publishes_lookup_files_of_its_own_store(two_deliveries, tmp_path):
    out, first = two_deliveries["out"], two_deliveries["first_version"]
    version = current_version(out)
    assert version != first and not first.exists()  # the first version (and its files) went with it
    assert folder_of(out / "pandzicht.duckdb") == version / FOLDER
    assert read_lookups(out / "pandzicht.duckdb", _builder_fingerprint()) is not None  # written for this store
    shutil.copy2(version / "pandzicht.duckdb", tmp_path / "pandzicht.duckdb")
    mapped, built = AnalysisStore(out), AnalysisStore(tmp_path, write_missing=False)  # no files: built in memory
    try:
        assert "lk" in {r["database_name"] for r in mapped.rows("SELECT database_name FROM duckdb_databases()")}
        top = built.top_units(limit=20)
        assert top and mapped.top_units(limit=20) == top
        assert mapped.unit_timeline(top[0]["verblijfsobject_id"]) == built.unit_timeline(top[0]["verblijfsobject_id"])
    finally:
        mapped.close()
        built.close()


def test_a_halved_source_is_refused_and_leaves_the_analysis_as_it_was(two_deliveries):
    base, out = two_deliveries["base"], two_deliveries["out"]
    broken = base / "levering-kapot"
    halve(two_deliveries["second"], broken, "huurcontract")
    published = (out / "adressen.csv").read_bytes()
    with pytest.raises(PandzichtError) as err:
        analyse(broken, out)
    message = str(err.value)
    assert "huurcontract" in message and "\n" not in message and "--accepteer-afwijking" in message
    assert (out / "adressen.csv").read_bytes() == published
    assert not list((out / "versies").glob(".bouw-*"))


def test_an_older_peildatum_is_refused(two_deliveries):
    with pytest.raises(PandzichtError, match="peildatum"):
        analyse(two_deliveries["first"], two_deliveries["out"])
