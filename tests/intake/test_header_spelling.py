"""Column names as partners' exports write them: capitals, spaces, hyphens (`Verblijfsobject ID`, `DATUM`).

Before, such a file was refused with "verplichte kolom ... ontbreekt" while the column was there. Now a name that
differs from a contract column only in capitals, spaces, hyphens or underscores is read as that column, and the
load report says so; anything else (another word, an ambiguous pair) is left as it was."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intake_bundles import bundle_with, rows

from pandzicht.contract.sources import SOURCES
from pandzicht.errors import ContractError
from pandzicht.intake.load import contract_spelling, load_bundle

ENERGY = SOURCES["energie_verbruik"]
LINES = ["0599010000000001,2024-01,12.5,1", "0599010000000001,2024-02,13.5,2"]


def energy_file(header: list[str]) -> bytes:
    return ("\n".join([",".join(header), *LINES]) + "\n").encode()


def test_an_export_header_in_capitals_and_spaces_loads_as_the_contract_header(tmp_path):
    header = ["Verblijfsobject ID", "PERIODE", "elektriciteit-kwh", "Gas_M3"]
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": energy_file(header)}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    plain = load_bundle(bundle_with(tmp_path / "p", {"energie_verbruik.csv": energy_file(list(ENERGY.column_names))}),
                        tmp_path / "p.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (plain["geladen"], plain["quarantaine"]) == (2, 0)
    assert report["hernoemde_kolommen"] == dict(zip(header, ENERGY.column_names, strict=True))
    assert "kolom 'Verblijfsobject ID' gelezen als 'verblijfsobject_id', de schrijfwijze van het contract" in \
        report["waarschuwingen"]
    sql = "SELECT * EXCLUDE (_rij) FROM raw_energie_verbruik ORDER BY ALL"
    assert rows(tmp_path / "s.duckdb", sql) == rows(tmp_path / "p.duckdb", sql)
    assert "hernoemde_kolommen" not in plain


def test_a_parquet_file_with_export_names_reads_its_own_columns(tmp_path):
    table = pa.table({"VerblijfsobjectID": ["0599010000000001"], "Periode": ["2024-01"],
                      "Elektriciteit KWh": [12.5], "gas_m3": [1.0]})
    bundle = bundle_with(tmp_path / "b", {})
    pq.write_table(table, bundle / "energie_verbruik.parquet")
    bundle_with(tmp_path / "b", {}, declare={"energie_verbruik": {}})
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert report["geladen"] == 1 and set(report["hernoemde_kolommen"]) == {"VerblijfsobjectID", "Periode",
                                                                            "Elektriciteit KWh"}
    assert rows(tmp_path / "s.duckdb", "SELECT verblijfsobject_id, elektriciteit_kwh FROM raw_energie_verbruik") == [
        ("0599010000000001", 12.5)]


@pytest.mark.parametrize(("prefix", "name", "shown"), [
    (b"", "\u200everblijfsobject_id", "<U+200E>verblijfsobject_id"),  # a left-to-right mark from a web form
    (b"", "verblijfsobject_id\u200b", "verblijfsobject_id<U+200B>"),  # a zero-width space copied along
])
def test_an_invisible_character_in_a_name_is_no_other_name(tmp_path, prefix, name, shown):
    """Before: refused with "verplichte kolom 'verblijfsobject_id' ontbreekt", a column the steward sees."""
    data = prefix + energy_file([name, "periode", "elektriciteit_kwh", "gas_m3"])
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (2, 0)
    assert f"kolom '{shown}' gelezen als 'verblijfsobject_id', de schrijfwijze van het contract" in \
        report["waarschuwingen"]


def test_a_quoted_header_after_two_byte_order_marks_loads(tmp_path):
    """Before: the second BOM kept the first name's quotes from being read as quotes, and the file was refused."""
    header = ",".join(f'"{c}"' for c in ENERGY.column_names)
    data = b"\xef\xbb\xbf\xef\xbb\xbf" + ("\n".join([header, *LINES]) + "\n").encode()
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (2, 0) and "hernoemde_kolommen" not in report


@pytest.mark.parametrize("blank", [False, True])  # an empty line sends the file to the careful reader
def test_a_column_name_with_a_line_break_is_one_header(tmp_path, blank):
    """A header cell wrapped with Alt+Enter in Excel. Before: the header was cut at the break and the file refused
    with "verplichte kolom 'periode' ontbreekt"."""
    header = '"Verblijfsobject\r\nID",periode,elektriciteit_kwh,gas_m3'
    data = ("\r\n".join([header, LINES[0], *([""] if blank else []), LINES[1]]) + "\r\n").encode()
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (2, 0)
    assert "kolom 'Verblijfsobject<U+000D><U+000A>ID' gelezen als 'verblijfsobject_id', de schrijfwijze van het " \
           "contract" in report["waarschuwingen"]
    last = 4 if blank else 3  # the header is row 1 however many lines it spans
    assert rows(tmp_path / "s.duckdb", "SELECT _rij FROM raw_energie_verbruik ORDER BY 1") == [(2,), (last,)]


def test_another_word_is_still_a_missing_column(tmp_path):
    header = ["vbo", "periode", "elektriciteit_kwh", "gas_m3"]
    with pytest.raises(ContractError, match="verplichte kolom 'verblijfsobject_id' ontbreekt"):
        load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": energy_file(header)}), tmp_path / "s.duckdb")


def test_the_contract_spelling_beside_an_export_spelling_keeps_both_names():
    """The file has both `gas_m3` and `Gas M3`: the contract's own column is used; the other stays an extra."""
    header, renamed = contract_spelling(ENERGY, ["verblijfsobject_id", "periode", "elektriciteit_kwh", "gas_m3",
                                                 "Gas M3"])
    assert header[-1] == "Gas M3" and renamed == {}
    header, renamed = contract_spelling(ENERGY, ["verblijfsobject_id", "periode", "Gas M3", "GAS-M3"])
    assert header[2:] == ["Gas M3", "GAS-M3"] and renamed == {}  # two candidates: neither is guessed


def test_no_two_contract_columns_share_a_spelling():
    for source in SOURCES.values():
        header, _ = contract_spelling(source, [c.name.upper().replace("_", " ") for c in source.columns])
        assert header == list(source.column_names), source.name


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SOURCES)), st.data())
def test_any_capitals_and_separators_map_back(name, data):
    source = SOURCES[name]
    spelled = []
    for c in source.columns:
        parts = c.name.split("_")
        seps = data.draw(st.lists(st.sampled_from(["_", " ", "-", "", "  "]), min_size=len(parts) - 1,
                                  max_size=len(parts) - 1))
        text = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
        flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        spelled.append("".join(ch.upper() if f else ch for ch, f in zip(text, flips, strict=True)))
    header, renamed = contract_spelling(source, spelled)
    assert header == list(source.column_names)
    assert renamed == {s: c for s, c in zip(spelled, source.column_names, strict=True) if s != c}
