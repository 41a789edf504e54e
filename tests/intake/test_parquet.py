"""Parquet files as the contract allows: the same column names as the CSV, with Parquet's own types read as the
CSV would write them."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from intake_bundles import bundle_with, header_line, melding_line, rows

from pandzicht.contract.sources import LOAD_ORDER, SOURCES
from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle

from bundles import UNIT, minimal_bundle, valid_row, write_manifest


def text_table(source: str, rows_: list[dict[str, str]]) -> pa.Table:
    names = SOURCES[source].column_names
    return pa.table({n: pa.array([r[n] or None for r in rows_], pa.string()) for n in names})


def test_a_text_parquet_file_loads_as_its_csv_would(tmp_path):
    csv_lines = [melding_line(i, f"tekst {i}") for i in range(3)]
    data = (header_line() + "\n" + "\n".join(csv_lines) + "\n").encode()
    csv_bundle = bundle_with(tmp_path / "csv", {"melding.csv": data})
    load_bundle(csv_bundle, tmp_path / "csv.duckdb")
    parquet_bundle = bundle_with(tmp_path / "pq", {})
    source = SOURCES["melding"]
    pq.write_table(text_table("melding", [{**valid_row(source, i), "tekst": f"tekst {i}"} for i in range(3)]),
                   parquet_bundle / "melding.parquet")
    write_manifest(parquet_bundle, ["bag_verblijfsobject", "melding"])
    report = load_bundle(parquet_bundle, tmp_path / "pq.duckdb")
    assert report["bronnen"]["melding"] == {"gelezen": 3, "geladen": 3, "quarantaine": 0, "redenen": {}}
    sql = "SELECT * FROM raw_melding ORDER BY _rij"
    assert rows(tmp_path / "pq.duckdb", sql) == rows(tmp_path / "csv.duckdb", sql)


def test_native_parquet_types_read_as_the_contract_means_them(tmp_path):
    """Before, every Parquet value was cast to text as is: a whole number stored as a float (how pandas writes
    an integer column with gaps) read `120.0` and was quarantined, a list read `[woonfunctie, winkelfunctie]`,
    a timestamp `2020-01-01 00:00:00`; a month stored as a date was no month."""
    bundle = minimal_bundle(tmp_path / "b")
    (bundle / "bag_verblijfsobject.csv").unlink()
    bag = SOURCES["bag_verblijfsobject"]
    base = [valid_row(bag, i) for i in range(2)]
    table = text_table("bag_verblijfsobject", base)
    table = table.set_column(table.schema.get_field_index("huisnummer"), "huisnummer", pa.array([12, 14], pa.int64()))
    table = table.set_column(table.schema.get_field_index("oppervlakte_m2"), "oppervlakte_m2",
                             pa.array([120.0, 80.0], pa.float64()))
    table = table.set_column(table.schema.get_field_index("bouwjaar"), "bouwjaar",
                             pa.array([decimal.Decimal("1931"), decimal.Decimal("1931.5")], pa.decimal128(6, 1)))
    table = table.set_column(table.schema.get_field_index("gebruiksdoel"), "gebruiksdoel",
                             pa.array([["woonfunctie", "winkelfunctie"], ["woonfunctie"]], pa.list_(pa.string())))
    table = table.set_column(table.schema.get_field_index("x_rd"), "x_rd", pa.array([92000.5, 92001.0]))
    pq.write_table(table, bundle / "bag_verblijfsobject.parquet")

    (bundle / "energie_verbruik.csv").unlink()
    energy = text_table("energie_verbruik", [valid_row(SOURCES["energie_verbruik"], i) for i in range(2)])
    energy = energy.set_column(energy.schema.get_field_index("periode"), "periode",
                               pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1)], pa.date32()))
    energy = energy.set_column(energy.schema.get_field_index("elektriciteit_kwh"), "elektriciteit_kwh",
                               pa.array([310.5, 290.0]))
    pq.write_table(energy, bundle / "energie_verbruik.parquet")

    (bundle / "brp_inschrijving.csv").unlink()
    brp = text_table("brp_inschrijving", [valid_row(SOURCES["brp_inschrijving"], i) for i in range(2)])
    brp = brp.set_column(brp.schema.get_field_index("geboortedatum"), "geboortedatum",
                         pa.array([dt.datetime(1980, 5, 17), dt.datetime(1991, 1, 2)], pa.timestamp("us")))
    moments = [dt.datetime(2019, 12, 31, 23, 30, tzinfo=dt.UTC), dt.datetime(2020, 3, 1, tzinfo=dt.UTC)]
    brp = brp.set_column(brp.schema.get_field_index("datum_aanvang"), "datum_aanvang",
                         pa.array(moments, pa.timestamp("us", tz="UTC")))
    brp = brp.set_column(brp.schema.get_field_index("datum_einde"), "datum_einde",
                         pa.array([None, dt.date(2024, 1, 31)], pa.date32()))
    pq.write_table(brp, bundle / "brp_inschrijving.parquet")

    report = load_bundle(bundle, tmp_path / "s.duckdb")
    db = tmp_path / "s.duckdb"
    assert report["bronnen"]["bag_verblijfsobject"]["redenen"] == {"bouwjaar: geen geheel getal": 1}
    assert rows(db, "SELECT _rij, huisnummer, oppervlakte_m2, bouwjaar, gebruiksdoel, x_rd FROM raw_bag_verblijfsobject"
                ) == [(2, 12, 120, 1931, "woonfunctie;winkelfunctie", 92000.5)]
    assert rows(db, "SELECT rij, bouwjaar FROM quarantine_bag_verblijfsobject") == [(3, "1931.5")]
    assert rows(db, "SELECT periode, elektriciteit_kwh FROM raw_energie_verbruik ORDER BY 1") == [
        ("2024-01", 310.5), ("2024-02", 290.0)]
    assert rows(db, "SELECT geboortedatum, datum_aanvang, datum_einde FROM raw_brp_inschrijving ORDER BY 1") == [
        (dt.date(1980, 5, 17), dt.date(2020, 1, 1), None),  # 23:30 UTC on 31 December is New Year's Day in NL
        (dt.date(1991, 1, 2), dt.date(2020, 3, 1), dt.date(2024, 1, 31))]
    assert report["bronnen"]["brp_inschrijving"]["quarantaine"] == 0


def test_an_identifier_stored_as_a_number_is_quarantined_and_warned(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    (bundle / "bag_verblijfsobject.csv").unlink()
    bag = SOURCES["bag_verblijfsobject"]
    table = text_table("bag_verblijfsobject", [valid_row(bag, i) for i in range(2)])
    ids = pa.array([int(UNIT), int(UNIT) + 1], pa.int64())  # the leading zero is gone
    table = table.set_column(table.schema.get_field_index("verblijfsobject_id"), "verblijfsobject_id", ids)
    pq.write_table(table, bundle / "bag_verblijfsobject.parquet")
    for name in LOAD_ORDER:
        (bundle / f"{name}.csv").unlink(missing_ok=True)
    # no unit loads, so the bundle is refused, and the refusal passes the warning on
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert str(err.value).startswith("bag_verblijfsobject.parquet: geen enkel verblijfsobject geladen, alle 2 rijen "
                                     "gaan in quarantaine (de meeste om 'verblijfsobject_id: geen BAG-id van 16 "
                                     "cijfers', 2 rijen);")
    assert str(err.value).endswith(
        "; kolom 'verblijfsobject_id' is in het Parquet-bestand een getal; identificaties zijn tekst (voorloopnullen "
        "gaan verloren)")


def test_a_damaged_parquet_file_is_refused_in_one_line(tmp_path):
    bundle = bundle_with(tmp_path / "b", {})
    source = SOURCES["melding"]
    path = bundle / "melding.parquet"
    pq.write_table(text_table("melding", [valid_row(source, i) for i in range(200)]), path, compression="none")
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 64] = b"\xff" * 64  # a data page overwritten, the footer intact
    path.write_bytes(bytes(data))
    write_manifest(bundle, ["bag_verblijfsobject", "melding"])
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert str(err.value).startswith("melding.parquet: ") and "\n" not in str(err.value)


def test_a_cut_parquet_file_is_refused(tmp_path):
    bundle = bundle_with(tmp_path / "b", {})
    path = bundle / "melding.parquet"
    pq.write_table(text_table("melding", [valid_row(SOURCES["melding"], i) for i in range(50)]), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    write_manifest(bundle, ["bag_verblijfsobject", "melding"])
    with pytest.raises(ContractError, match=r"^melding\.parquet: geen leesbaar Parquet-bestand$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_column_without_a_name_is_refused_saying_so(tmp_path):
    """Before: 'het Parquet-bestand kon niet gelezen worden (beschadigd of onvolledig)' for a sound file."""
    bundle = bundle_with(tmp_path / "b", {})
    table = text_table("melding", [valid_row(SOURCES["melding"], 0)])
    pq.write_table(table.append_column("", pa.array(["x"])), bundle / "melding.parquet")
    write_manifest(bundle, ["bag_verblijfsobject", "melding"])
    with pytest.raises(ContractError, match=r"^melding\.parquet: kolom 8 heeft geen naam; geef elke kolom in het "
                                            r"Parquet-bestand een naam$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_column_named_like_duckdbs_row_number_is_an_extra_column(tmp_path):
    """Before: a sound file with a column `file_row_number` was refused as damaged (DuckDB cannot add its own)."""
    bundle = bundle_with(tmp_path / "b", {})
    table = text_table("melding", [valid_row(SOURCES["melding"], i) for i in range(3)])
    pq.write_table(table.append_column("file_row_number", pa.array([7, 8, 9])), bundle / "melding.parquet")
    write_manifest(bundle, ["bag_verblijfsobject", "melding"])
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["melding"]
    assert entry["geladen"] == 3 and entry["extra_kolommen"] == ["file_row_number"]
    assert rows(tmp_path / "s.duckdb", "SELECT _rij, melding_id, file_row_number FROM raw_melding ORDER BY 1") == [
        (2 + i, valid_row(SOURCES["melding"], i)["melding_id"], str(7 + i)) for i in range(3)]
