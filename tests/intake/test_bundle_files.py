"""Which files of a bundle folder are read: names in any capitals, a source sent twice or only as a workbook, and
files that belong to no source. Before, `MELDING.CSV` and `melding.xlsx` were passed over without a word and their
source reported as not delivered, and a misspelt `meldingen.csv` cost its rows unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from intake_bundles import bundle_with, header_line, melding_line

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


def test_a_source_sent_only_as_a_workbook_is_refused_with_what_to_do(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.xlsx": b"PK\x03\x04 not really a workbook"})
    with pytest.raises(ContractError, match=r"melding.xlsx: een werkmap \(Excel of LibreOffice\) wordt niet gelezen; "
                                            "sla het blad op als 'CSV UTF-8"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_workbook_beside_its_csv_is_not_in_the_way(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": MELDINGEN, "melding.xlsx": b"PK"})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["geladen"] == 2 and "niet_gelezen" not in report


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
