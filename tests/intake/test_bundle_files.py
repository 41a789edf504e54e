"""Which files of a bundle folder are read: names in any capitals, a source sent twice or only as a workbook, and
files that belong to no source. Before, `MELDING.CSV` and `melding.xlsx` were passed over without a word and their
source reported as not delivered, and a misspelt `meldingen.csv` cost its rows unnoticed."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import subprocess
import sys

import pytest
from intake_bundles import bundle_with, header_line, melding_line
from intake_bundles import rows as rows_of

from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle

MELDINGEN = (header_line() + "\n" + melding_line(0) + "\n" + melding_line(1) + "\n").encode()


def test_a_file_name_in_capitals_is_its_source(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"MELDING.CSV": MELDINGEN}, declare={"melding": {}})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["geladen"] == 2
    assert "melding" not in report["ontbrekend"] and "niet_gelezen" not in report


def test_a_source_sent_twice_is_refused_naming_both(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": MELDINGEN, "Melding.csv": MELDINGEN})
    with pytest.raises(ContractError, match=r"melding staat er twee keer in \(Melding.csv en melding.csv\)"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_workbook_that_is_none_or_of_another_format_is_refused_with_what_to_do(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.xlsx": b"PK\x03\x04 not really a workbook"})
    with pytest.raises(ContractError, match=r"melding.xlsx: geen leesbare werkmap"):
        load_bundle(bundle, tmp_path / "s.duckdb")
    bundle = bundle_with(tmp_path / "o", {"melding.ods": b"PK"})
    with pytest.raises(ContractError, match=r"melding.ods: een werkmap in dit formaat wordt niet gelezen; sla het "
                                            "blad op als .xlsx"):
        load_bundle(bundle, tmp_path / "o.duckdb")


def _workbook(path, rows: list[list], extra_sheet: bool = False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Export"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("Toelichting").append(["zie mail"])
    book.save(path)
    return path.read_bytes()


def test_a_workbook_is_read_from_its_first_sheet_as_its_cells_say(tmp_path):
    """Dates as date cells, numbers as numbers, an id typed as text keeps its zeros, one typed as a number loses
    them and is quarantined on its own row (the report names the column), an empty row keeps its number."""
    rows = [["Verblijfsobject ID", "periode", "elektriciteit_kwh", "gas_m3"],
            ["0599010000000001", dt.datetime(2024, 1, 1), 12.5, 3],
            [None, None, None, None],
            [599010000000001, "2024-02", 13, 1.25],
            ["0599010000000001", "2024-03", 14.0, 0]]
    data = _workbook(tmp_path / "e.xlsx", rows, extra_sheet=True)
    bundle = bundle_with(tmp_path / "b", {"energie_verbruik.xlsx": data},
                         declare={"energie_verbruik": {"sha256": hashlib.sha256(data).hexdigest(), "rijen": 3}})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    entry = report["bronnen"]["energie_verbruik"]
    assert entry["werkmap"] == {"bestand": "energie_verbruik.xlsx", "blad": "Export"}
    assert entry["waarschuwingen"][0] == ("gelezen uit het eerste blad ('Export') van de werkmap "
                                          "energie_verbruik.xlsx; de werkmap heeft nog 1 blad met gegevens, die niet "
                                          "zijn gelezen")
    assert any(w.startswith("kolom 'verblijfsobject_id': 1 waarde lijkt een getal") for w in entry["waarschuwingen"])
    assert entry["hernoemde_kolommen"] == {"Verblijfsobject ID": "verblijfsobject_id"}
    assert rows_of(tmp_path / "s.duckdb", "SELECT _rij, verblijfsobject_id, periode, elektriciteit_kwh, gas_m3 "
                                          "FROM raw_energie_verbruik ORDER BY 1") == [
        (2, "0599010000000001", "2024-01", 12.5, 3.0), (5, "0599010000000001", "2024-03", 14.0, 0.0)]
    assert rows_of(tmp_path / "s.duckdb", "SELECT rij, verblijfsobject_id FROM quarantine_energie_verbruik") == [
        (4, "599010000000001")]
    assert "niet_gelezen" not in report


def test_a_date_cell_in_a_column_without_dates_is_warned_about(tmp_path):
    """Excel makes a date of `1-2` typed into a cell. Before, the date was read as the text without a word."""
    header = ["melding_id", "datum", "bron_type", "verblijfsobject_id", "adres_tekst", "categorieen", "tekst"]
    rows = [header, ["k0", dt.datetime(2024, 1, 5), "buurtbewoner", None, dt.datetime(2024, 2, 1), "stank", None],
            ["k1", dt.datetime(2024, 1, 6), "buurtbewoner", None, "Kade 1-2", "stank", dt.datetime(2024, 3, 4)]]
    bundle = bundle_with(tmp_path / "b", {"melding.xlsx": _workbook(tmp_path / "m.xlsx", rows)})
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["melding"]
    assert entry["geladen"] == 2
    warned = [w for w in entry["waarschuwingen"] if "in de werkmap een datum" in w]
    assert warned == [f"kolom '{c}': 1 cel is in de werkmap een datum, maar de kolom heeft geen datums (Excel maakt "
                      "van '1-2' of '3/4' een datum); gelezen als die datum. Zet de kolom in Excel op 'Tekst' en typ "
                      "de waarden opnieuw, of lever uit de bron" for c in ("adres_tekst", "tekst")]


def test_a_workbook_with_a_title_above_its_header_is_refused_saying_which_row_is_the_header(tmp_path):
    data = _workbook(tmp_path / "e.xlsx", [["Verbruik per maand"], [],
                                           ["verblijfsobject_id", "periode", "elektriciteit_kwh", "gas_m3"]])
    bundle = bundle_with(tmp_path / "b", {"energie_verbruik.xlsx": data})
    with pytest.raises(ContractError, match=r"^energie_verbruik\.xlsx: verplichte kolom 'verblijfsobject_id' "
                                            r"ontbreekt; de kopregel lijkt op rij 3 te staan: de kopregel moet de "
                                            r"eerste rij zijn \(verwijder de rijen erboven\)$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_workbook_that_opens_on_a_sheet_of_notes_is_refused_saying_which_sheet_was_read(tmp_path):
    """Before: only "verplichte kolom 'verblijfsobject_id' ontbreekt", for a column on the second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Toelichting"
    book.active.append(["Levering energie, zie tabblad Gegevens"])
    book.create_sheet("Gegevens").append(["verblijfsobject_id", "periode", "elektriciteit_kwh", "gas_m3"])
    book.save(tmp_path / "e.xlsx")
    bundle = bundle_with(tmp_path / "b", {"energie_verbruik.xlsx": (tmp_path / "e.xlsx").read_bytes()})
    with pytest.raises(ContractError, match=r"^energie_verbruik\.xlsx: verplichte kolom 'verblijfsobject_id' "
                                            r"ontbreekt; gelezen is het eerste blad \('Toelichting'\), de werkmap "
                                            r"heeft nog 1 blad met gegevens: zet de gegevens op het eerste blad$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_workbook_with_a_wrong_checksum_is_refused(tmp_path):
    data = _workbook(tmp_path / "e.xlsx", [["verblijfsobject_id", "periode", "elektriciteit_kwh", "gas_m3"]])
    bundle = bundle_with(tmp_path / "b", {"energie_verbruik.xlsx": data},
                         declare={"energie_verbruik": {"sha256": "0" * 64}})
    with pytest.raises(ContractError, match="energie_verbruik.xlsx"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_workbook_beside_its_csv_is_not_in_the_way(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": MELDINGEN, "melding.xlsx": b"PK"})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["geladen"] == 2 and "niet_gelezen" not in report


def test_a_gzipped_csv_is_read_as_the_csv_it_holds(tmp_path):
    """Before: `melding.csv.gz` was only listed as not read ("bedoeld: melding?") and the analysis ran without it."""
    data = gzip.compress(MELDINGEN.replace(b"\n", b"\r\n"))
    bundle = bundle_with(tmp_path / "b", {"Melding.csv.gz": data},
                         declare={"melding": {"rijen": 2, "sha256": hashlib.sha256(data).hexdigest()}})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["geladen"] == 2 and report["bronnen"]["melding"]["quarantaine"] == 0
    assert "melding" not in report["ontbrekend"] and "niet_gelezen" not in report
    assert rows_of(tmp_path / "s.duckdb", "SELECT _rij, melding_id FROM raw_melding ORDER BY 1") == [(2, "k0"),
                                                                                                     (3, "k1")]


def test_a_gzipped_csv_that_is_cut_or_beside_its_csv_is_refused(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv.gz": gzip.compress(MELDINGEN)[:-12]}, declare={"melding": {}})
    with pytest.raises(ContractError, match=r"^melding\.csv\.gz: geen leesbaar gzip-bestand"):
        load_bundle(bundle, tmp_path / "s.duckdb")
    bundle = bundle_with(tmp_path / "c", {"melding.csv": MELDINGEN, "melding.csv.gz": gzip.compress(MELDINGEN)})
    with pytest.raises(ContractError, match=r"melding staat er twee keer in \(melding\.csv en melding\.csv\.gz\)"):
        load_bundle(bundle, tmp_path / "c.duckdb")


def test_files_of_no_source_are_listed_with_the_source_they_resemble(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"meldingen.csv": MELDINGEN, "toelichting.txt": b"zie mail"},
                         declare={"melding": {}})
    (bundle / "bag_verblijfsobject.adapterrapport.json").write_text("{}")  # our adapters' own report: no data
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert "melding" in report["ontbrekend"]
    assert report["niet_gelezen"] == ["meldingen.csv (bedoeld: melding?)", "toelichting.txt"]
    done = subprocess.run([sys.executable, "-m", "pandzicht.cli", "load", str(bundle), "--db", str(tmp_path / "c.db")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "let op: niet gelezen, hoort bij geen bron: meldingen.csv (bedoeld: melding?), toelichting.txt" in \
        " ".join(done.stdout.split())


def test_sources_in_a_subfolder_are_named_not_passed_over(tmp_path):
    """An archive unpacked with its own folder. Before: the sources were only 'niet geleverd', and without the BAG
    at the top the bundle was refused as if the partner had not sent it."""
    bundle = bundle_with(tmp_path / "b", {}, declare={"melding": {}})
    (bundle / "export").mkdir()
    (bundle / "export" / "melding.csv").write_bytes(MELDINGEN)
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert "melding" in report["ontbrekend"]
    assert report["niet_gelezen"] == ["export/melding.csv (in een submap: alleen bestanden in de bundelmap zelf "
                                      "worden gelezen)"]
    (bundle / "bag_verblijfsobject.csv").rename(bundle / "export" / "bag_verblijfsobject.csv")
    with pytest.raises(ContractError, match=r"bag_verblijfsobject\.csv ontbreekt; die bron is verplicht \(wel in een "
                                            r"submap: export/bag_verblijfsobject\.csv; zet de bestanden in de "
                                            r"bundelmap zelf\)$"):
        load_bundle(bundle, tmp_path / "t.duckdb")
