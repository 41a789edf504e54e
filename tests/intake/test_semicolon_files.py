"""CSV saved with Dutch regional settings: semicolons between fields, a decimal comma in numbers.

Excel in the Netherlands writes "CSV" that way, and it is the first file many partners send. Before, such a file
was read as one column and refused with "verplichte kolom ... ontbreekt", which names a column that is there.
Now it is read, every number with a decimal comma is the number it says, and the load report says how the file
was read."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from intake_bundles import bundle_with, header_line, melding_line, rows

from pandzicht.contract.sources import LOAD_ORDER, SOURCES
from pandzicht.intake import csvfile
from pandzicht.intake.load import SEMICOLON_NOTE, load_bundle

from bundles import dutch_excel, minimal_bundle, valid_row

ENERGY = SOURCES["energie_verbruik"]


def as_dutch_excel(path) -> None:
    """Rewrite a comma CSV as Excel with Dutch settings saves it: `;` between fields, numbers and dates Dutch."""
    with path.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    kinds = {c.name: c.kind for c in SOURCES[path.stem].columns}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        out.writerow(table[0])
        for row in table[1:]:
            out.writerow([dutch_excel(kinds.get(h), v) for h, v in zip(table[0], row, strict=True)])


def tables(db) -> dict[str, list[tuple]]:
    names = [n for (n,) in rows(db, "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'raw_%' "
                                     "ORDER BY 1")]
    return {n: rows(db, f"SELECT * FROM {n} ORDER BY ALL") for n in names}


def test_a_bundle_saved_by_dutch_excel_loads_as_the_contract_bundle(tmp_path):
    """Every source as `;` with decimal commas gives the tables the comma bundle gives, value for value."""
    extra = {"energie_verbruik": [{**valid_row(ENERGY, 5), "elektriciteit_kwh": "1234.75", "gas_m3": "0.5"}]}
    comma = minimal_bundle(tmp_path / "komma", extra=extra, n_valid=3)
    dutch = minimal_bundle(tmp_path / "excel", extra=extra, n_valid=3)
    for name in LOAD_ORDER:
        if (dutch / f"{name}.csv").is_file():
            as_dutch_excel(dutch / f"{name}.csv")
    assert (dutch / "energie_verbruik.csv").read_text(encoding="utf-8").splitlines()[-1].endswith("1234,75;0,5")
    assert ";1-1-2020;" in (dutch / "brp_inschrijving.csv").read_text(encoding="utf-8")
    before = load_bundle(comma, tmp_path / "komma.duckdb")
    after = load_bundle(dutch, tmp_path / "excel.duckdb")
    assert tables(tmp_path / "excel.duckdb") == tables(tmp_path / "komma.duckdb")
    assert rows(tmp_path / "excel.duckdb", "SELECT elektriciteit_kwh, gas_m3 FROM raw_energie_verbruik "
                                           "WHERE elektriciteit_kwh > 1000") == [(1234.75, 0.5)]
    for name, entry in after["bronnen"].items():
        assert entry["scheidingsteken"] == ";" and entry["waarschuwingen"][0] == SEMICOLON_NOTE, name
        assert (entry["geladen"], entry["quarantaine"]) == (before["bronnen"][name]["geladen"], 0), name
    assert not any("scheidingsteken" in entry for entry in before["bronnen"].values())


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False), min_size=1, max_size=6))
def test_a_decimal_comma_reads_as_the_number_it_writes(tmp_path_factory, values):
    tmp = tmp_path_factory.mktemp("d")
    lines = [";".join(["verblijfsobject_id", "periode", "elektriciteit_kwh", "gas_m3"])]
    for i, v in enumerate(values):
        lines.append(f"0599010000000001;2024-{i + 1:02d};{str(v).replace('.', ',')};{v}")
    bundle = bundle_with(tmp / "b", {"energie_verbruik.csv": ("\n".join(lines) + "\n").encode()})
    load_bundle(bundle, tmp / "s.duckdb")
    got = rows(tmp / "s.duckdb", "SELECT elektriciteit_kwh, gas_m3 FROM raw_energie_verbruik ORDER BY periode")
    assert got == [(float(v), float(v)) for v in values]


def test_a_thousands_separator_is_quarantined_not_guessed(tmp_path):
    """`1.234,5` could be 1234.5 or a typo; the row goes to quarantine naming the field, nothing is guessed."""
    data = (b"verblijfsobject_id;periode;elektriciteit_kwh;gas_m3\n"
            b"0599010000000001;2024-01;1.234,5;1\n0599010000000001;2024-02;12,5;1\n")
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}), tmp_path / "s.duckdb")
    assert report["bronnen"]["energie_verbruik"]["redenen"] == {"elektriciteit_kwh: geen getal": 1}
    assert rows(tmp_path / "s.duckdb", "SELECT rij, elektriciteit_kwh FROM quarantine_energie_verbruik") == [
        (2, "1.234,5")]
    assert rows(tmp_path / "s.duckdb", "SELECT elektriciteit_kwh FROM raw_energie_verbruik") == [(12.5,)]


def test_a_point_that_may_group_thousands_is_read_as_a_decimal_point_and_warned_about(tmp_path):
    """Excel with Dutch settings writes 3456 kWh as `3.456` under a number format that groups thousands. Before, that
    was read as 3.456 kWh without a word; it still is (a decimal point is allowed), but the report now says so."""
    data = (b"verblijfsobject_id;periode;elektriciteit_kwh;gas_m3\n"
            b"0599010000000001;2024-01;3.456;1,5\n0599010000000001;2024-02;250;-1.000\n"
            b"0599010000000001;2024-03;129.6;2\n")
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}), tmp_path / "s.duckdb")
    entry = report["bronnen"]["energie_verbruik"]
    assert (entry["geladen"], entry["quarantaine"]) == (2, 1)  # gas_m3 -1.000 is negative, as before
    assert rows(tmp_path / "s.duckdb", "SELECT elektriciteit_kwh FROM raw_energie_verbruik ORDER BY periode") == [
        (3.456,), (129.6,)]
    warned = [w for w in entry["waarschuwingen"] if "duizendtalpunt" in w]
    assert warned == ["kolom 'elektriciteit_kwh': 1 waarde met een punt en drie cijfers (zoals 3.456) gelezen met de "
                      "punt als decimaalteken (3,456); in een bestand met puntkomma's kan dat ook een duizendtalpunt "
                      "zijn (3456). Klopt dat niet, lever de getallen dan zonder duizendtalpunt (in Excel: "
                      "getalnotatie zonder scheidingsteken voor duizendtallen)"]
    comma = data.replace(b";", b",").replace(b"1,5", b"1.5")
    report = load_bundle(bundle_with(tmp_path / "c", {"energie_verbruik.csv": comma}), tmp_path / "c.duckdb")
    assert "waarschuwingen" not in report["bronnen"]["energie_verbruik"]  # the contract's own decimal point


def test_a_date_with_the_time_midnight_is_that_date_and_any_other_time_is_quarantined(tmp_path):
    """A database or Excel export writes a date column as a moment. Before, every such row was quarantined as
    `geen geldige datum` (a whole BRP file at once); a workbook's midnight date cell was already its date."""
    header = "melding_id,datum,bron_type,verblijfsobject_id,adres_tekst,categorieen,tekst\n"
    cells = ["2024-01-02 00:00:00", "2024-01-03T00:00:00Z", "2024-01-04 00:00", "2024-01-05T00:00:00.000",
             "2024-01-06 13:45:00", "2024-02-30 00:00:00", "2024-01-07T00:00:00+02:00"]
    lines = [f"k{i},{c},buurtbewoner,,Kade 1,stank," for i, c in enumerate(cells)]
    data = (header + "\n".join(lines) + "\n").encode()
    entry = load_bundle(bundle_with(tmp_path / "b", {"melding.csv": data}), tmp_path / "s.duckdb")["bronnen"]["melding"]
    assert rows(tmp_path / "s.duckdb", "SELECT melding_id, CAST(datum AS VARCHAR) FROM raw_melding ORDER BY 1") == [
        ("k0", "2024-01-02"), ("k1", "2024-01-03"), ("k2", "2024-01-04"), ("k3", "2024-01-05")]
    assert entry["redenen"] == {"datum: geen geldige datum": 3}
    assert "kolom 'datum': 5 datums met de tijd 00:00 erbij (zoals 2024-01-01 00:00:00) gelezen als alleen de datum; " \
           "het contract vraagt JJJJ-MM-DD" in entry["waarschuwingen"]
    dutch = (header.replace(",", ";") + "k9;1-2-2015 0:00;buurtbewoner;;Kade 1;stank;\n").encode()
    load_bundle(bundle_with(tmp_path / "d", {"melding.csv": dutch}), tmp_path / "d.duckdb")
    assert rows(tmp_path / "d.duckdb", "SELECT CAST(datum AS VARCHAR) FROM raw_melding") == [("2015-02-01",)]


def test_a_whole_number_with_zero_decimals_is_that_number(tmp_path):
    """A database's numeric(10,2) writes a rent as `850.00`, Dutch Excel's currency format as `850,00`. Before, the
    whole contract was quarantined as `huurprijs_eur: geen geheel getal`."""
    source = SOURCES["huurcontract"]
    cells = ["850.00", "850.0", "-0.00", "850.50", "1.000", "850,00"]
    bundle = minimal_bundle(tmp_path / "b", extra={"huurcontract": [
        {**valid_row(source, 10 + i), "huurprijs_eur": c} for i, c in enumerate(cells)]})
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["huurcontract"]
    got = rows(tmp_path / "s.duckdb", "SELECT huurprijs_eur FROM raw_huurcontract WHERE _rij > 3 ORDER BY _rij")
    assert [v for (v,) in got] == [850, 850, 0]
    assert entry["redenen"] == {"huurprijs_eur: geen geheel getal": 3}  # 850.50, 1.000 and a comma in a comma file
    dutch = minimal_bundle(tmp_path / "d", extra={"huurcontract": [
        {**valid_row(source, 10 + i), "huurprijs_eur": c} for i, c in enumerate(["850,00", "1.000", "850.00"])]})
    as_dutch_excel(dutch / "huurcontract.csv")
    entry = load_bundle(dutch, tmp_path / "d.duckdb")["bronnen"]["huurcontract"]
    got = rows(tmp_path / "d.duckdb", "SELECT huurprijs_eur FROM raw_huurcontract WHERE huurprijs_eur = 850")
    assert got == [(850,)] and entry["redenen"] == {"huurprijs_eur: geen geheel getal": 2}  # a point is no decimal


def test_a_decimal_comma_in_a_comma_file_stays_wrong(tmp_path):
    """Only a semicolon file has decimal commas: in a contract file `"12,5"` is no number, as before."""
    data = (b'verblijfsobject_id,periode,elektriciteit_kwh,gas_m3\n0599010000000001,2024-01,"12,5",1\n')
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": data}), tmp_path / "s.duckdb")
    assert report["bronnen"]["energie_verbruik"]["redenen"] == {"elektriciteit_kwh: geen getal": 1}


def test_semicolons_inside_cells_of_a_comma_file_do_not_make_it_a_semicolon_file(tmp_path):
    """A contract list cell (`stank;loopvolk`) holds semicolons; the header line decides, and it has commas."""
    path = tmp_path / "melding.csv"
    path.write_text(header_line() + "\n" + melding_line(0) + "\n", encoding="utf-8")
    assert csvfile.delimiter_of(path) == ","
    one_column = tmp_path / "one.csv"
    one_column.write_text("verblijfsobject_id\n0599010000000001\n", encoding="utf-8")
    assert csvfile.delimiter_of(one_column) == ","


def semicolon_melding(lines: list[str], newline: str) -> bytes:
    """Melding lines written with `;` (list cells quoted, as Excel does)."""
    header = ";".join(next(csv.reader([header_line()])))
    out = [header]
    for line in lines:
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerow(next(csv.reader([line])))
        out.append(buf.getvalue()[:-2])  # a cell with a CR or LF is quoted, as by `melding_line`
    return (newline.join(out) + newline).encode()


def test_a_malformed_line_of_a_semicolon_file_is_quarantined_on_its_row_with_its_fields(tmp_path):
    """Both readers: DuckDB's (one kind of line ending) and the careful one (Excel's CRLF with an LF in a cell)."""
    good = [melding_line(i) for i in range(3)]
    for name, newline, cell in (("duckdb", "\r\n", ""), ("careful", "\r\n", "a\nb")):
        data = semicolon_melding([melding_line(0, cell), good[1], good[2]], newline)
        data = data.replace(b"\r\nk1;", b"\r\nk1;te;veel;velden;", 1)
        report = load_bundle(bundle_with(tmp_path / name, {"melding.csv": data}), tmp_path / f"{name}.duckdb")
        assert report["bronnen"]["melding"]["redenen"] == {"rij: verkeerd aantal velden": 1}, name
        assert rows(tmp_path / f"{name}.duckdb", "SELECT rij, melding_id, datum FROM quarantine_melding") == [
            (3, "k1", "te")], name
        assert rows(tmp_path / f"{name}.duckdb", "SELECT _rij, melding_id, tekst FROM raw_melding ORDER BY 1") == [
            (2, "k0", cell or None), (4, "k2", None)], name


def test_the_cli_says_how_the_file_was_read(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    as_dutch_excel(bundle / "energie_verbruik.csv")
    done = subprocess.run([sys.executable, "-m", "pandzicht.cli", "load", str(bundle), "--db", str(tmp_path / "s.db")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "energie_verbruik: gelezen met puntkomma's als scheidingsteken" in " ".join(done.stdout.split())


def test_dates_day_month_year_in_a_semicolon_file(tmp_path):
    """Excel with Dutch settings writes 1-2-2015 for 2015-02-01; a day that does not exist is quarantined."""
    data = (b"melding_id;datum;bron_type;verblijfsobject_id;adres_tekst;categorieen;tekst\n"
            b"k0;1-2-2015;buurtbewoner;0599010000000001;;stank;\n"
            b"k1;18-11-2015;buurtbewoner;0599010000000001;;stank;\n"
            b"k2;2015-11-19;buurtbewoner;0599010000000001;;stank;\n"
            b"k3;31-02-2020;buurtbewoner;0599010000000001;;stank;\n"
            b"k4;11/18/2015;buurtbewoner;0599010000000001;;stank;\n")
    report = load_bundle(bundle_with(tmp_path / "b", {"melding.csv": data}), tmp_path / "s.duckdb")
    assert rows(tmp_path / "s.duckdb", "SELECT melding_id, CAST(datum AS VARCHAR) FROM raw_melding ORDER BY 1") == [
        ("k0", "2015-02-01"), ("k1", "2015-11-18"), ("k2", "2015-11-19")]
    assert report["bronnen"]["melding"]["redenen"] == {"datum: geen geldige datum": 2}
    assert rows(tmp_path / "s.duckdb", "SELECT rij, datum FROM quarantine_melding ORDER BY rij") == [
        (5, "31-02-2020"), (6, "11/18/2015")]


def test_a_day_month_year_date_in_a_comma_file_stays_wrong(tmp_path):
    data = (header_line() + "\n" + melding_line(0).replace("2020-01-01", "1-1-2020") + "\n").encode()
    report = load_bundle(bundle_with(tmp_path / "b", {"melding.csv": data}), tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["redenen"] == {"datum: geen geldige datum": 1}


def test_identifiers_a_spreadsheet_made_numbers_of_are_named_once(tmp_path):
    """Opened and saved in Excel, a BAG id loses its leading zero (599010000000001) or becomes 5,99E+14: every
    such row is quarantined as before, and the report says once, per column, what happened and what to do."""
    lines = ["verblijfsobject_id;periode;elektriciteit_kwh;gas_m3", "599010000000001;2024-01;1;1",
             "5,99E+14;2024-02;1;1", "0599010000000001;2024-03;1;1", "0599019999999999;2024-04;1;1"]
    report = load_bundle(bundle_with(tmp_path / "b", {"energie_verbruik.csv": "\n".join(lines).encode()}),
                         tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert (report["geladen"], report["quarantaine"]) == (1, 3)
    warnings = [w for w in report["waarschuwingen"] if "verblijfsobject_id" in w]
    assert len(warnings) == 1 and warnings[0].startswith("kolom 'verblijfsobject_id': 2 waarden lijken een getal")
    plain = load_bundle(bundle_with(tmp_path / "p", {"energie_verbruik.csv": "\n".join(
        [lines[0], lines[3], lines[4]]).encode()}), tmp_path / "p.duckdb")["bronnen"]["energie_verbruik"]
    assert [w for w in plain.get("waarschuwingen", []) if "verblijfsobject_id" in w] == []
