"""Extra columns whose names the loader's tables cannot hold beside the others.

DuckDB tells column names apart without regard to capitals. Before, an extra column `rij`, `Reden` or `_regel`
collided with the quarantine table's own columns (the analysis stopped with an internal error), `_rij` did so as
soon as the file had a malformed line, `Opmerking` beside `opmerking` or `TEKST` beside `tekst` refused the file as
unreadable CSV, and `_v_periode` took the place of the cleaned `periode` (every row quarantined). Now each is kept
under a name of its own and ignored like any extra column, and the load report says so."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from intake_bundles import bundle_with, rows

from pandzicht.contract.sources import SOURCES
from pandzicht.intake.load import apart_names, load_bundle

ENERGY = SOURCES["energie_verbruik"]
GOOD = "0599010000000001,2024-01,12.5,1"
BAD_FIELD = "0599010000000001,2024-02,veel,2"
MALFORMED = '0599010000000001,"2024-03,1'  # a quote left open: a line no CSV reader can split


def energy_file(extras: list[str], lines: list[str]) -> bytes:
    header = ",".join([*ENERGY.column_names, *extras])
    return ("\n".join([header, *(line + ",x" * len(extras) for line in lines)]) + "\n").encode()


@pytest.mark.parametrize(("extras", "kept_as"), [
    (["rij"], ["rij_2"]), (["Reden"], ["Reden_2"]), (["_regel"], ["_regel_2"]), (["_rij"], ["_rij_2"]),
    (["_v_periode"], ["_v_periode_2"]), (["PERIODE"], ["PERIODE_2"]), (["opmerking", "Opmerking"],
                                                                       ["opmerking", "Opmerking_2"]),
])
def test_an_extra_column_named_like_another_is_kept_apart(tmp_path, extras, kept_as):
    lines = [GOOD, BAD_FIELD, MALFORMED, GOOD.replace("2024-01", "2024-04")]
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": energy_file(extras, lines)}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    plain = load_bundle(bundle_with(tmp_path / "p", {"energie_verbruik.csv": energy_file([], lines)}),
                        tmp_path / "p.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["redenen"]) == (plain["geladen"], plain["redenen"])
    assert report["geladen"] == 2 and report["quarantaine"] == 2
    assert report["extra_kolommen"] == kept_as
    moved = [(a, b) for a, b in zip(extras, kept_as, strict=True) if a != b]
    assert [w for w in report["waarschuwingen"] if "bewaard als" in w] == [
        f"kolom '{a}' bewaard als '{b}' en niet gebruikt: de naam valt (in hoofd- of kleine letters) samen met die van "
        "een andere kolom, of met een naam die pandzicht zelf gebruikt" for a, b in moved]
    sql = "SELECT * EXCLUDE (_rij) FROM raw_energie_verbruik ORDER BY ALL"
    assert [r[:4] for r in rows(tmp_path / "s.duckdb", sql)] == rows(tmp_path / "p.duckdb", sql)
    assert rows(tmp_path / "s.duckdb", f'SELECT "{kept_as[-1]}" FROM raw_energie_verbruik') == [("x",), ("x",)]


def test_a_parquet_file_reads_the_column_under_its_own_name(tmp_path):
    table = pa.table({"verblijfsobject_id": ["0599010000000001"], "periode": ["2024-01"],
                      "elektriciteit_kwh": [12.5], "gas_m3": [1.0], "reden": ["jaarafrekening"]})
    bundle = bundle_with(tmp_path / "b", {}, declare={"energie_verbruik": {}})
    pq.write_table(table, bundle / "energie_verbruik.parquet")
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["extra_kolommen"]) == (1, ["reden_2"])
    assert rows(tmp_path / "s.duckdb", "SELECT reden_2 FROM raw_energie_verbruik") == [("jaarafrekening",)]


def test_contract_columns_keep_their_names_and_a_new_name_is_free():
    header = ["verblijfsobject_id", "periode", "elektriciteit_kwh", "Periode", "rij", "rij_2", "RIJ"]
    assert apart_names(ENERGY, header) == (
        ["verblijfsobject_id", "periode", "elektriciteit_kwh", "Periode_2", "rij_3", "rij_2", "RIJ_4"],
        {"Periode": "Periode_2", "rij": "rij_3", "RIJ": "RIJ_4"})
    assert apart_names(ENERGY, list(ENERGY.column_names)) == (list(ENERGY.column_names), {})
