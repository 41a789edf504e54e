"""Columns without a name in the header, as an export that ends every line in a separator writes them (`a,b,c,`).

Before, one such column refused the bundle with "kon het bestand niet als CSV lezen" (DuckDB takes no empty column
name) and two with "kolom '' komt meer dan eens voor in de kopregel". The contract allows extra columns: they are
kept under a name of their position and ignored, and the load report says so."""

from __future__ import annotations

import pytest
from intake_bundles import bundle_with, rows

from pandzicht.contract.sources import SOURCES
from pandzicht.intake.load import load_bundle, name_unnamed

ENERGY = SOURCES["energie_verbruik"]
LINES = ["0599010000000001,2024-01,12.5,1", "0599010000000001,2024-02,13.5,2"]


def energy_file(header_end: str = "", line_end: str = "") -> bytes:
    lines = [",".join(ENERGY.column_names) + header_end, *(line + line_end for line in LINES)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("header_end", "line_end", "names"), [(",", ",", ["naamloos_5"]),
                                                               (",,", ",,", ["naamloos_5", "naamloos_6"]),
                                                               (",", ",x", ["naamloos_5"])])
def test_a_separator_at_the_end_of_every_line_loads_as_the_plain_file(tmp_path, header_end, line_end, names):
    files = {"energie_verbruik.csv": energy_file(header_end, line_end)}
    report = load_bundle(bundle_with(tmp_path / "b", files), tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    plain = load_bundle(bundle_with(tmp_path / "p", {"energie_verbruik.csv": energy_file()}),
                        tmp_path / "p.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (plain["geladen"], plain["quarantaine"]) == (2, 0)
    assert report["extra_kolommen"] == names
    assert any("geen naam in de kopregel" in w for w in report["waarschuwingen"])
    sql = f"SELECT {', '.join(ENERGY.column_names)} FROM raw_energie_verbruik ORDER BY ALL"
    assert rows(tmp_path / "s.duckdb", sql) == rows(tmp_path / "p.duckdb", sql)


def test_a_blank_column_name_in_the_middle_is_named_by_its_position(tmp_path):
    header = ["verblijfsobject_id", "  ", "periode", "elektriciteit_kwh", "gas_m3"]
    lines = [",".join(header), "0599010000000001,opmerking,2024-01,12.5,1"]
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": ("\n".join(lines) + "\n").encode()}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["extra_kolommen"]) == (1, ["naamloos_2"])
    assert rows(tmp_path / "s.duckdb", "SELECT naamloos_2, periode FROM raw_energie_verbruik") == [
        ("opmerking", "2024-01")]


def test_a_given_name_is_never_taken():
    assert name_unnamed(["a", "", "naamloos_2"]) == (["a", "naamloos_2_", "naamloos_2"], ("naamloos_2_",))
    assert name_unnamed(["a", "b"]) == (["a", "b"], ())
