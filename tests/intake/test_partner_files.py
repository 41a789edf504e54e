"""Files as partners really send them: CRLF, a BOM, malformed lines anywhere, a cut last line, latin-1.

Each test names, where it applies, what the loader did before it read files this way."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from intake_bundles import bundle_with, header_line, melding_line, rows

from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle

QUARANTINE = "SELECT rij, reden, _regel FROM quarantine_melding ORDER BY rij"
LOADED = "SELECT _rij, melding_id FROM raw_melding ORDER BY _rij"


def lines_file(lines: list[str], newline: str = "\n", bom: bool = False, final: bool = True) -> bytes:
    text = newline.join([header_line(), *lines]) + (newline if final else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def load(tmp_path, data: bytes, **kw) -> dict:
    bundle = bundle_with(tmp_path / "b", {"melding.csv": data}, **kw)
    return load_bundle(bundle, tmp_path / "s.duckdb")


def test_crlf_file_with_an_unclosed_quote_loads_the_rest(tmp_path):
    """Issue 11: this stopped `load` with csv.Error in _salvage_rejects."""
    good = [melding_line(i) for i in range(4)]
    data = lines_file([good[0], good[1], 'k9,2024-01-01,"buurtbewoner,oops', good[2], good[3]], "\r\n")
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["gelezen"], report["geladen"], report["quarantaine"]) == (5, 4, 1)
    assert rows(tmp_path / "s.duckdb", QUARANTINE) == [
        (4, "rij: onleesbare CSV-regel", 'k9,2024-01-01,"buurtbewoner,oops')]
    assert rows(tmp_path / "s.duckdb", LOADED) == [(2, "k0"), (3, "k1"), (5, "k2"), (6, "k3")]


def test_crlf_file_with_a_line_of_too_many_fields(tmp_path):
    """Before: csv.Error as well (DuckDB hands the line back with the LF of its CRLF in front)."""
    data = lines_file([melding_line(0), melding_line(1) + ",extra", melding_line(2)], "\r\n")
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["redenen"] == {"rij: verkeerd aantal velden": 1}
    assert rows(tmp_path / "s.duckdb", "SELECT rij, melding_id FROM quarantine_melding") == [(3, "k1")]


def test_an_unclosed_quote_costs_its_own_line_only(tmp_path):
    """Before: DuckDB read the open quote on over the next lines and quarantined them as one row, so rows
    after it were lost (neither loaded nor counted on their own line) and later row numbers were off."""
    plain = [f"k{i},2024-01-01,buurtbewoner,,,stank," for i in range(6)]  # unquoted, as many exports write
    data = lines_file([plain[0], 'k9,2024-01-01,buurtbewoner,,"Kade 1,stank,', *plain[1:]])
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["gelezen"], report["geladen"], report["quarantaine"]) == (7, 6, 1)
    assert rows(tmp_path / "s.duckdb", "SELECT rij FROM quarantine_melding") == [(3,)]
    assert rows(tmp_path / "s.duckdb", LOADED) == [(2, "k0"), (4, "k1"), (5, "k2"), (6, "k3"), (7, "k4"), (8, "k5")]


@pytest.mark.parametrize("blank", [False, True])  # an empty line sends the file to the careful reader
def test_a_quote_left_open_in_the_header_refuses_the_file(tmp_path, blank):
    """Before: DuckDB's reader took every row for part of the header and loaded none of them, without a word."""
    header = header_line() + ',"opmerking'
    data = lines_file([melding_line(i) + "," for i in range(3)] + ([""] if blank else []) + [melding_line(3) + ","])
    data = data.replace(header_line().encode(), header.encode(), 1)
    with pytest.raises(ContractError, match=r"^melding\.csv: de kopregel heeft een aanhalingsteken \(\"\) dat niet "
                                            r"wordt gesloten"):
        load(tmp_path, data)


def test_a_quote_closed_on_a_later_line_is_one_cell(tmp_path):
    """A quoted cell with a line break (Alt+Enter in Excel) is one row; the row after it keeps counting on."""
    data = lines_file([melding_line(0, "eerste regel\ntweede regel"), melding_line(1)])
    load(tmp_path, data)
    assert rows(tmp_path / "s.duckdb", "SELECT _rij, tekst FROM raw_melding ORDER BY 1") == [
        (2, "eerste regel\ntweede regel"), (3, None)]


def test_excel_crlf_file_with_a_line_break_inside_a_cell(tmp_path):
    """Excel writes rows with CRLF and a line break inside a cell as a bare LF. Before: DuckDB's reader
    stopped on the mix (an internal error, the whole load lost)."""
    data = lines_file([melding_line(0, "a\nb"), melding_line(1), "k8,kapot"], "\r\n")
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["geladen"], report["quarantaine"]) == (2, 1)
    assert rows(tmp_path / "s.duckdb", "SELECT _rij, tekst FROM raw_melding ORDER BY 1") == [(2, "a\nb"), (3, None)]
    assert rows(tmp_path / "s.duckdb", "SELECT rij FROM quarantine_melding") == [(4,)]


def test_mixed_line_endings_load(tmp_path):
    data = (header_line() + "\r\n" + melding_line(0) + "\n" + melding_line(1) + "\r\n" + melding_line(2) + "\n")
    report = load(tmp_path, data.encode())["bronnen"]["melding"]
    assert report["geladen"] == 3 and report["quarantaine"] == 0


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_and_bom(tmp_path, newline):
    data = lines_file([melding_line(i) for i in range(3)], newline, bom=True)
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["geladen"] == 3 and report["quarantaine"] == 0
    assert rows(tmp_path / "s.duckdb", LOADED) == [(2, "k0"), (3, "k1"), (4, "k2")]


def test_an_empty_line_is_a_row_of_its_own(tmp_path):
    """Before: DuckDB skipped the empty line without counting it, so every row number after it was one short
    of the line a spreadsheet shows."""
    data = lines_file([melding_line(0), "", melding_line(1), "k7,kapot"])
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["gelezen"], report["geladen"], report["quarantaine"]) == (3, 2, 1)
    assert rows(tmp_path / "s.duckdb", LOADED) == [(2, "k0"), (4, "k1")]
    assert rows(tmp_path / "s.duckdb", "SELECT rij FROM quarantine_melding") == [(5,)]


@pytest.mark.parametrize(("cell", "newline", "between"), [
    ("x" * 300_000, "\n", ""),  # an empty line sends the file to the careful reader
    ("eerste regel\n" + "x" * 300_000, "\r\n", melding_line(8)),  # so does a cell's LF in a CRLF file
    ("x " * 1_600_000, "\n", melding_line(8)),  # longer than DuckDB's reader takes
])
def test_a_long_cell_is_a_row_like_any_other(tmp_path, cell, newline, between):
    """Before: Python's csv reader refused a field over 128 KiB, so the row was quarantined as an unreadable
    line, and with a line break in the cell its second line became a quarantined row of its own."""
    data = lines_file([melding_line(0, cell), between, melding_line(1)], newline)
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["quarantaine"] == 0 and report["gelezen"] == 3 - (between == "")
    first = rows(tmp_path / "s.duckdb", "SELECT _rij, length(tekst) FROM raw_melding ORDER BY 1")[0]
    assert first == (2, len(cell.strip()))  # trimmed, as every cell


def test_a_second_header_in_another_order_refuses_the_file(tmp_path):
    """Two exports one after the other, the second with `tekst` and `adres_tekst` swapped. Before: only the second
    header was quarantined (as `datum: geen geldige datum`) and every row under it was read with the two swapped."""
    names = header_line().split(",")
    swapped = [{"tekst": "adres_tekst", "adres_tekst": "tekst"}.get(n, n) for n in names]
    data = lines_file([melding_line(0), melding_line(1), ",".join(n.upper() for n in swapped), melding_line(2)])
    with pytest.raises(ContractError, match=r"^melding\.csv: rij 4 is een tweede kopregel met de kolommen in een "
                                            r"andere volgorde \(twee exports achter elkaar\?\)"):
        load(tmp_path, data)
    same = lines_file([melding_line(0), ",".join(n.upper() for n in names), melding_line(2)])
    report = load(tmp_path / "zelfde", same)["bronnen"]["melding"]  # the same order: the rows read right, as before
    assert (report["geladen"], report["quarantaine"]) == (2, 1)


def test_empty_lines_at_the_end_are_nothing(tmp_path):
    data = lines_file([melding_line(0), melding_line(1)]) + b"\n\n"
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["gelezen"], report["geladen"], report["quarantaine"]) == (2, 2, 0)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("where", ["in a field", "inside a quoted cell", "after a comma"])
def test_a_last_line_cut_in_half_is_quarantined_counted_and_warned(tmp_path, newline, where):
    """Before: the half line was quarantined as a wrong field count, and nothing warned that the file
    itself was incomplete."""
    last = melding_line(2, "tekst, met komma")
    cut = {"in a field": 12, "inside a quoted cell": last.index('"') + 6, "after a comma": last.index(",") + 1}[where]
    data = lines_file([melding_line(0), melding_line(1), last[:cut]], newline, final=False)
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert (report["gelezen"], report["geladen"], report["quarantaine"]) == (3, 2, 1)
    assert report["redenen"] == {"rij: laatste regel afgebroken": 1}
    [warning] = report["waarschuwingen"]
    assert warning.startswith("rij 4, de laatste regel, is afgebroken")
    assert rows(tmp_path / "s.duckdb", "SELECT rij, _regel FROM quarantine_melding") == [(4, last[:cut])]


def test_a_complete_last_line_without_line_break_is_no_warning(tmp_path):
    data = lines_file([melding_line(0), melding_line(1)], final=False)
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["geladen"] == 2 and "waarschuwingen" not in report


def test_a_malformed_last_line_that_ends_in_a_line_break_is_not_called_cut(tmp_path):
    data = lines_file([melding_line(0), "k5,2024-01-01"])
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["redenen"] == {"rij: verkeerd aantal velden": 1} and "waarschuwingen" not in report


def test_the_cli_prints_the_warning_and_succeeds(tmp_path):
    data = lines_file([melding_line(0), melding_line(1)[:20]], final=False)
    bundle = bundle_with(tmp_path / "b", {"melding.csv": data})
    done = subprocess.run([sys.executable, "-m", "pandzicht.cli", "load", str(bundle), "--db", str(tmp_path / "s.db")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "let op: melding: rij 3, de laatste regel, is afgebroken" in " ".join(done.stdout.split())


@pytest.mark.parametrize("where", [2, 3, 400])
def test_latin1_file_is_refused_naming_the_first_offending_line(tmp_path, where):
    """Before: each latin-1 line was quietly quarantined (or, within the first 8 KB, the header was blamed)."""
    lines = [melding_line(i, "Gebruikelijk") for i in range(500)]
    lines[where - 2] = melding_line(where, "Café Hoek")
    lines[where + 5] = melding_line(where + 5, "Tweede café")
    data = (header_line() + "\n" + "\n".join(lines) + "\n").encode("latin-1")
    with pytest.raises(ContractError) as err:
        load(tmp_path, data)
    message = str(err.value)
    assert message.startswith(f"melding.csv: regel {where} (byte 0xE9) is geen UTF-8")
    assert "zet de tekenset niet zelf om" in message and "\n" not in message
    assert not (tmp_path / "s.duckdb").exists() or rows(
        tmp_path / "s.duckdb", "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_melding'"
    ) == [(0,)]


def test_latin1_in_the_header_names_line_one(tmp_path):
    data = (header_line() + ",opmerking_é\n" + melding_line(0) + ",x\n").encode("latin-1")
    with pytest.raises(ContractError, match=r"^melding\.csv: regel 1 \(byte 0xE9\) is geen UTF-8"):
        load(tmp_path, data)


def test_latin1_line_after_a_crlf_and_a_cr_counts_lines_right(tmp_path):
    data = (header_line() + "\r\n" + melding_line(0) + "\r" + melding_line(1, "é") + "\r\n").encode("latin-1")
    with pytest.raises(ContractError, match=r"regel 3 \(byte 0xE9\)"):
        load(tmp_path, data)


def test_latin1_swallowed_by_an_open_quote_is_still_refused(tmp_path):
    text = header_line() + "\n" + 'k9,2024-01-01,buurtbewoner,,"open\n' + melding_line(1, "é") + "\n"
    data = text.encode("latin-1")
    with pytest.raises(ContractError, match=r"regel 3 \(byte 0xE9\) is geen UTF-8"):
        load(tmp_path, data)


def test_utf16_file_is_refused_as_such(tmp_path):
    data = ("\ufeff" + header_line() + "\r\n" + melding_line(0) + "\r\n").encode("utf-16-le")
    with pytest.raises(ContractError, match=r"melding\.csv: het bestand is UTF-16, niet UTF-8"):
        load(tmp_path, data)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_refused_as_such(tmp_path, encoding):
    """Before: NUL is valid UTF-8, so the file was refused with "verplichte kolom 'melding_id' ontbreekt"."""
    data = (header_line() + "\r\n" + melding_line(0) + "\r\n").encode(encoding)
    with pytest.raises(ContractError, match=r"^melding\.csv: het bestand is UTF-16, niet UTF-8"):
        load(tmp_path, data)


def test_a_nul_in_the_header_is_refused_in_one_line(tmp_path):
    """Before: 'interne fout: BinderException'."""
    data = (header_line().replace("tekst", "tekst\x00") + "\n" + melding_line(0) + "\n").encode()
    with pytest.raises(ContractError, match=r"^melding\.csv: de kopregel bevat een NUL-teken"):
        load(tmp_path, data)


def test_utf8_names_load_as_written(tmp_path):
    data = lines_file([melding_line(0, "Çelik, Ömer — Café ’t Hoekje")], "\r\n", bom=True)
    load(tmp_path, data)
    assert rows(tmp_path / "s.duckdb", "SELECT tekst FROM raw_melding") == [("Çelik, Ömer — Café ’t Hoekje",)]


def test_text_after_a_closing_quote_is_quarantined_as_unreadable(tmp_path):
    data = lines_file([melding_line(0), 'k4,2024-01-01,"buurtbewoner"x,,,stank,', melding_line(1)])
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["redenen"] == {"rij: onleesbare CSV-regel": 1}
    assert rows(tmp_path / "s.duckdb", LOADED) == [(2, "k0"), (4, "k1")]


def test_a_line_of_only_spaces_is_quarantined(tmp_path):
    data = lines_file([melding_line(0), "   ", melding_line(1)])
    report = load(tmp_path, data)["bronnen"]["melding"]
    assert report["redenen"] == {"rij: verkeerd aantal velden": 1}
    assert rows(tmp_path / "s.duckdb", "SELECT rij FROM quarantine_melding") == [(3,)]


def test_a_malformed_line_keeps_what_fields_it_has(tmp_path):
    data = lines_file([melding_line(0), 'k6,2024-02-03,"buurtbewoner", ,"open'], "\r\n")
    load(tmp_path, data)
    got = rows(tmp_path / "s.duckdb", "SELECT melding_id, datum, _regel FROM quarantine_melding")
    assert got == [("k6", "2024-02-03", 'k6,2024-02-03,"buurtbewoner", ,"open')]
