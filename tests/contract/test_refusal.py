"""Whole-file refusals: protected attributes, missing legal basis, missing required columns, bad manifest."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import duckdb
import pytest

from pandzicht.contract.protected import protected_columns, protected_reason
from pandzicht.contract.sources import LOAD_ORDER, SOURCES
from pandzicht.errors import ContractError, PandzichtError
from pandzicht.intake.load import load_bundle

from bundles import minimal_bundle, valid_row, write_csv, write_manifest


@pytest.mark.parametrize("column", [
    "nationaliteit", "Nationaliteit_code", "geboorteland", "etniciteit", "herkomst", "land_van_herkomst", "religie",
    "geslacht", "gender", "sex", "gezondheid", "medische_indicatie", "strafblad", "taal", "migratieachtergrond",
    "land_van_geboorte", "Land van geboorte", "LAND_GEBOORTE",
])
def test_protected_column_is_refused_naming_file_and_column(tmp_path, column):
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["brp_inschrijving"]
    write_csv(bundle / "brp_inschrijving.csv", [*source.column_names, column],
              [{**valid_row(source, 0), column: "x"}])
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert "brp_inschrijving.csv" in str(err.value) and f"'{column}'" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("column", ["geslachtsnaam", "voornamen", "huurprijs_eur", "categorieen", "bron_type",
                                    "gebruiksdoel", "sbi_code", "rechtsvorm", "origineel_bestand"])
def test_ordinary_columns_are_not_protected(column):
    assert protected_reason(column) is None


def test_every_contract_column_passes_the_protected_check():
    for source in SOURCES.values():
        assert protected_columns(source.column_names) == [], source.name


def test_source_without_grondslag_is_refused(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    manifest = json.loads((bundle / "manifest.json").read_text())
    del manifest["sources"]["politie_incident"]["grondslag"]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match=r"politie_incident\.csv: geweigerd, geen 'grondslag'"):
        load_bundle(bundle, tmp_path / "s.duckdb")


@pytest.mark.parametrize("key", ["Politie_Incident", "politie_incident.csv", "POLITIE_INCIDENT.CSV"])
def test_a_source_described_under_another_spelling_is_refused_saying_so(tmp_path, key):
    """Before: only "geen 'grondslag'", while the grondslag is in the manifest under the key the supplier wrote."""
    bundle = minimal_bundle(tmp_path / "b")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["sources"][key] = manifest["sources"].pop("politie_incident")
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match=rf"^politie_incident\.csv: geweigerd, geen 'grondslag' \(wettelijke "
                                            rf"grondslag\) voor deze bron in manifest\.json; manifest\.json beschrijft "
                                            rf"wel '{re.escape(key)}': schrijf de naam van de bron als "
                                            r"'politie_incident'$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_bag_needs_no_grondslag_it_holds_no_personal_data(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    manifest = json.loads((bundle / "manifest.json").read_text())
    del manifest["sources"]["bag_verblijfsobject"]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["bag_verblijfsobject"]["geladen"] == 2


def test_missing_required_column_is_refused(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["huurcontract"]
    header = [c for c in source.column_names if c != "huurder_naam"]
    write_csv(bundle / "huurcontract.csv", header, [valid_row(source, 0)])
    with pytest.raises(ContractError, match="huurcontract.csv: verplichte kolom 'huurder_naam' ontbreekt"):
        load_bundle(bundle, tmp_path / "s.duckdb")


@pytest.mark.parametrize(("separator", "named"), [("\t", "tabs"), ("|", "verticale strepen")])
def test_a_file_separated_by_tabs_or_bars_is_refused_saying_so(tmp_path, separator, named):
    """Read with commas, such a header is one column and every column looks absent: the refusal says why."""
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["huurcontract"]
    row = valid_row(source, 0)
    (bundle / "huurcontract.csv").write_text("\n".join([separator.join(source.column_names),
                                                        separator.join(str(row[c]) for c in source.column_names)]),
                                             encoding="utf-8")
    with pytest.raises(ContractError, match=rf"^huurcontract\.csv: verplichte kolom 'contract_id' ontbreekt; de "
                                            rf"kopregel is één kolom met {named} ertussen: lever het bestand "
                                            r"gescheiden door komma's \(in Excel: 'CSV UTF-8 \(door komma's "
                                            r"gescheiden\)'\)$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


@pytest.mark.parametrize(("above", "line"), [("Overzicht huurcontracten 2024\n\n", 3), ("sep=,\r\n", 2)])
def test_a_header_below_a_title_or_excels_sep_line_is_refused_saying_where_it_is(tmp_path, above, line):
    """Before: only "verplichte kolom 'contract_id' ontbreekt", for a column the steward sees a few lines down."""
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["huurcontract"]
    write_csv(bundle / "huurcontract.csv", source.column_names, [valid_row(source, 0)])
    (bundle / "huurcontract.csv").write_bytes(above.encode() + (bundle / "huurcontract.csv").read_bytes())
    with pytest.raises(ContractError, match=rf"^huurcontract\.csv: verplichte kolom 'contract_id' ontbreekt; de "
                                            rf"kopregel lijkt op regel {line} te staan: de kopregel moet de eerste "
                                            r"regel zijn \(verwijder de regels erboven\)$"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_file_quoted_with_single_quotes_is_refused_saying_so(tmp_path):
    """Its names are read with their quotes on and every column looks absent: the refusal says why."""
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["huurcontract"]
    row = valid_row(source, 0)
    (bundle / "huurcontract.csv").write_text("\n".join([",".join(f"'{c}'" for c in source.column_names),
                                                        ",".join(f"'{row[c]}'" for c in source.column_names)]),
                                             encoding="utf-8")
    with pytest.raises(ContractError, match=r"^huurcontract\.csv: verplichte kolom 'contract_id' ontbreekt; de "
                                            r"kolomnamen staan tussen enkele aanhalingstekens \('\.\.\.'\): lever "
                                            r"het bestand met dubbele aanhalingstekens"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_missing_optional_column_is_unknown(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["huurcontract"]
    header = [c for c in source.column_names if c != "betaalwijze"]
    write_csv(bundle / "huurcontract.csv", header, [valid_row(source, i) for i in range(2)])
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["huurcontract"]["ontbrekende_kolommen"] == ["betaalwijze"]
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    assert con.execute("SELECT count(*) FROM raw_huurcontract WHERE betaalwijze IS NULL").fetchone()[0] == 2


def test_bag_is_required(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    (bundle / "bag_verblijfsobject.csv").unlink()
    with pytest.raises(ContractError, match="bag_verblijfsobject.csv ontbreekt"):
        load_bundle(bundle, tmp_path / "s.duckdb")


@pytest.mark.parametrize(("content", "message"), [
    (None, "manifest.json ontbreekt"),
    ("{not json", "geen geldige JSON"),
    ('{"contract": "iets-anders/2", "peildatum": "2024-06-30"}', "veld 'contract'"),
    ('{"contract": "pandzicht-intake/1", "peildatum": "30-06-2024"}', "veld 'peildatum'"),
])
def test_bad_manifest(tmp_path, content, message):
    bundle = minimal_bundle(tmp_path / "b")
    if content is None:
        (bundle / "manifest.json").unlink()
    else:
        (bundle / "manifest.json").write_text(content)
    with pytest.raises(ContractError, match=message):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_no_folder_a_zip_or_a_folder_one_level_up_is_refused_saying_which(tmp_path):
    """Before: each was "manifest.json ontbreekt in de bundel", which says nothing of what to do."""
    with pytest.raises(ContractError, match=r"nergens: deze map bestaat niet; geef de map van de bundel op"):
        load_bundle(tmp_path / "nergens", tmp_path / "s.duckdb")
    (tmp_path / "levering.zip").write_bytes(b"PK\x03\x04")
    with pytest.raises(ContractError, match=r"levering\.zip: dit is een bestand \(pak het eerst uit\), geen map; "
                                            r"een bundel is een map met manifest\.json"):
        load_bundle(tmp_path / "levering.zip", tmp_path / "s.duckdb")
    bundle = minimal_bundle(tmp_path / "levering" / "levering")
    with pytest.raises(ContractError, match=rf"manifest\.json ontbreekt in de bundel; {re.escape(str(bundle))} heeft "
                                            r"er wel een: geef die map op$"):
        load_bundle(tmp_path / "levering", tmp_path / "s.duckdb")


def test_a_store_that_names_a_folder_is_refused(tmp_path):
    """Before: `pandzicht load BUNDLE --db FOLDER` stopped with 'interne fout: IOException'."""
    bundle = minimal_bundle(tmp_path / "b")
    (tmp_path / "opslag").mkdir()
    with pytest.raises(PandzichtError, match=r"opslag: dit is een map, geen DuckDB-bestand"):
        load_bundle(bundle, tmp_path / "opslag")


def test_a_store_that_is_no_duckdb_file_or_is_held_by_another_program_is_refused(tmp_path):
    """Before: both stopped `pandzicht load` with 'interne fout: IOException'."""
    bundle = minimal_bundle(tmp_path / "b")
    (tmp_path / "kapot.duckdb").write_bytes(b"een half geschreven bestand\n")
    with pytest.raises(PandzichtError, match=r"kapot\.duckdb: dit bestand bestaat al maar is geen DuckDB-bestand; "
                                             r"kies met --db een ander bestand$"):
        load_bundle(bundle, tmp_path / "kapot.duckdb")
    held = tmp_path / "open.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(held)!r}); "
                               "print('open', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(PandzichtError, match=rf"open\.duckdb: in gebruik door een ander programma \(proces "
                                                 rf"{holder.pid}\), bijv\. de webapp"):
            load_bundle(bundle, held)
    finally:
        holder.kill()
        holder.wait()


def test_absent_sources_are_reported(tmp_path):
    bundle = tmp_path / "b"
    minimal_bundle(bundle)
    for name in LOAD_ORDER[1:]:
        (bundle / f"{name}.csv").unlink()
    write_manifest(bundle, [])
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert list(report["bronnen"]) == ["bag_verblijfsobject"]
    assert report["ontbrekend"] == [n for n in LOAD_ORDER if n != "bag_verblijfsobject"]
