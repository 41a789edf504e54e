"""GBA-V adapter: address periods, pseudonyms, protected elements never read, refusal without a key."""

from __future__ import annotations

import csv
import gzip
import json
import zipfile
from pathlib import Path

import pytest

from pandzicht.adapters.gbav import READ_ELEMENTS, adapt_gbav, protected_element
from pandzicht.adapters.pseudonym import pseudonymise
from pandzicht.contract.protected import protected_columns
from pandzicht.contract.sources import SOURCES
from pandzicht.errors import PandzichtError

HEADER = ["", "01.01.20", "01.02.10", "01.02.40", "01.03.10", "01.03.30", "01.04.10", "04.05.10", "07.67.10",
          "07.67.20", "08.10.30", "08.11.80", "08.84.10", "08.H", ""]


def _pl_file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [";".join(HEADER)]
    for r in rows:
        lines.append(";".join([r.get("id", "")] + [r.get(h, "") for h in HEADER[1:-1]] + [""]))
    path = tmp_path / "gbav.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_periods_end_where_the_next_starts(tmp_path: Path, key: str) -> None:
    src = _pl_file(tmp_path, [
        {"id": "Lg01_1", "01.01.20": "999990019", "01.02.10": "Anna", "01.02.40": "Vries", "01.03.10": "19800500",
         "01.03.30": "6030", "01.04.10": "V", "04.05.10": "0001", "08.10.30": "20200101",
         "08.11.80": "0599010000000003", "08.H": "58"},
        {"08.10.30": "20150301", "08.11.80": "0599010000000002", "08.H": "58"},
        {"08.10.30": "20150301", "08.11.80": "0599010000000009", "08.H": "58"},  # older version, same period
        {"08.10.30": "20120101", "08.11.80": "0599010000000007", "08.84.10": "O", "08.H": "58"},  # onjuist
        {"08.10.30": "20100000", "08.11.80": "0599010000000001"},  # partly unknown start
        {"id": "Lg01_2", "01.01.20": "999990020", "01.02.40": "Jansen", "07.67.10": "20230105", "07.67.20": "O",
         "08.10.30": "20000101", "08.11.80": "0599010000000004"},
    ])
    report = adapt_gbav(src, tmp_path / "out")
    rows = _read(tmp_path / "out" / "brp_inschrijving.csv")
    assert list(rows[0]) == SOURCES["brp_inschrijving"].column_names
    got = [(r["verblijfsobject_id"], r["datum_aanvang"], r["datum_einde"]) for r in rows]
    assert got == [
        ("0599010000000003", "2020-01-01", ""),
        ("0599010000000002", "2015-03-01", "2020-01-01"),
        ("0599010000000004", "2000-01-01", "2023-01-05"),  # ends at the suspension (death)
    ]
    assert rows[0]["geboortedatum"] == ""  # 19800500 is partly unknown
    assert report["datums_niet_volledig"]["01.03.10"] == {"deels_onbekend": 1}
    assert report["overgeslagen"]["datum aanvang adreshouding (08.10.30) deels_onbekend"]["aantal"] == 1
    assert report["bijzonderheden"]["record onjuist (08.84.10) overgeslagen"] == 1
    assert report["bijzonderheden"]["oudere versie van dezelfde periode samengevoegd"] == 1
    assert report["personen_gelezen"] == 2


def test_protected_never_in_output_and_listed(tmp_path: Path, key: str) -> None:
    src = _pl_file(tmp_path, [{"id": "Lg01_1", "01.01.20": "999990019", "01.02.40": "Vries", "01.03.30": "5001",
                               "01.04.10": "V", "04.05.10": "0057", "08.10.30": "20200101",
                               "08.11.80": "0599010000000003"}])
    report = adapt_gbav(src, tmp_path / "out")
    text = (tmp_path / "out" / "brp_inschrijving.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert protected_columns(header) == []
    assert "5001" not in text and "0057" not in text and ",V," not in text
    listed = {d["element"] for d in report["beschermd_niet_gelezen"]}
    assert {"01.03.30", "01.04.10", "04.05.10"} <= listed
    assert not set(READ_ELEMENTS) & listed


def test_read_elements_hold_nothing_protected() -> None:
    assert all(protected_element(el) is None for el in READ_ELEMENTS)
    assert protected_element("51.04.10") == "geslachtsaanduiding"  # historic category 51 = 01
    assert protected_element("54.05.10") == "nationaliteit"


def test_pseudonym_stable_per_key_and_bsn_absent(tmp_path: Path, key: str, monkeypatch) -> None:
    src = _pl_file(tmp_path, [{"id": "Lg01_1", "01.01.20": "999990019", "01.02.40": "Vries",
                               "08.10.30": "20200101", "08.11.80": "0599010000000003"}])
    report = adapt_gbav(src, tmp_path / "a")
    adapt_gbav(src, tmp_path / "b")
    monkeypatch.setenv("ANDERE_SLEUTEL", "een-heel-andere-sleutel-42")
    adapt_gbav(src, tmp_path / "c", key_env="ANDERE_SLEUTEL")
    a, b, c = (_read(tmp_path / d / "brp_inschrijving.csv")[0]["persoon_id"] for d in "abc")
    assert a == b == pseudonymise(key.encode(), "999990019")
    assert a != c
    for d in "abc":
        for name in ("brp_inschrijving.csv", "brp_inschrijving.adapterrapport.json"):
            content = (tmp_path / d / name).read_text(encoding="utf-8")
            assert "999990019" not in content and key not in content and "een-heel-andere" not in content
    assert "PANDZICHT_PSEUDONIEM_SLEUTEL" in report["pseudoniem"]["sleutel"]


def test_refuses_without_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PANDZICHT_PSEUDONIEM_SLEUTEL", raising=False)
    src = _pl_file(tmp_path, [{"id": "Lg01_1", "01.01.20": "999990019", "01.02.40": "Vries"}])
    with pytest.raises(PandzichtError, match="PANDZICHT_PSEUDONIEM_SLEUTEL"):
        adapt_gbav(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bad_element_header(tmp_path: Path, key: str) -> None:
    path = tmp_path / "kapot.csv"
    path.write_text(";01.01.20;01.02.40;geslacht;08.10.30;08.11.80;\nLg01_1;999990019;Vries;V;20200101;x;\n",
                    encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        adapt_gbav(path, tmp_path / "out")
    msg = str(exc.value)
    assert "kapot.csv" in msg and "regel 1" in msg and "kolom 4" in msg and "'geslacht'" in msg


def test_real_gbav_testset(gbav_file: Path, tmp_path: Path, key: str) -> None:
    report = adapt_gbav(gbav_file, tmp_path)
    rows = _read(tmp_path / "brp_inschrijving.csv")
    assert report["personen_gelezen"] == 687
    assert report["rijen"] == len(rows) > 500
    assert len({r["persoon_id"] for r in rows}) > 400
    assert all(len(r["verblijfsobject_id"]) == 16 for r in rows)
    assert all(not r["datum_einde"] or r["datum_einde"] >= r["datum_aanvang"] for r in rows)
    # at most one open period per persoonslijst; the test set reuses a few BSNs on two lists and says so
    open_periods = [r["persoon_id"] for r in rows if not r["datum_einde"]]
    reused = report["bijzonderheden"]["burgerservicenummer op meer dan één persoonslijst (perioden van beide behouden)"]
    assert reused == 5
    assert len(open_periods) - len(set(open_periods)) <= reused
    listed = {d["element"] for d in report["beschermd_niet_gelezen"]}
    assert {"01.03.30", "01.04.10", "04.05.10"} <= listed
    text = (tmp_path / "brp_inschrijving.csv").read_text(encoding="utf-8")
    assert "999993653" not in text  # a test BSN from the set
    assert protected_columns(text.splitlines()[0].split(",")) == []


def test_fully_quoted_export_reads_like_the_bare_one(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """An export tool that quotes every field ("01.01.20";"999990019";...) was refused on its header
    after the rows had already been written."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    quoted = tmp_path / "quoted.csv"
    with quoted.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(quoted, tmp_path / "quoted")
    assert report["rijen"] == plain["rijen"] > 0
    assert report["beschermd_niet_gelezen"] == plain["beschermd_niet_gelezen"]
    assert report["elementen_gelezen"] == plain["elementen_gelezen"]
    assert (_read(tmp_path / "quoted" / "brp_inschrijving.csv")
            == _read(tmp_path / "plain" / "brp_inschrijving.csv"))


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_other_separator_reads_like_semicolons(gbav_file: Path, tmp_path: Path, key: str, delimiter: str) -> None:
    """The test set re-saved with ',' or tabs was refused saying 01.01.20 was missing from the header."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    other = tmp_path / "anders.csv"
    with other.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(other, tmp_path / "other")
    assert report["rijen"] == plain["rijen"] > 0
    assert report["scheidingsteken"] == {"\t": "tab"}.get(delimiter, delimiter) and plain["scheidingsteken"] == ";"
    assert report["beschermd_niet_gelezen"] == plain["beschermd_niet_gelezen"]
    assert _read(tmp_path / "other" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


def test_windows_1252_export_reads_like_utf8(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """A Windows-1252 export (common for registry exports) was refused as 'geen UTF-8' on its first line."""
    text = gbav_file.read_text(encoding="utf-8-sig").encode("cp1252", "replace").decode("cp1252")
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    plain = adapt_gbav(tmp_path / "utf8.csv", tmp_path / "plain")
    report = adapt_gbav(tmp_path / "cp1252.csv", tmp_path / "cp")
    assert report["tekenset"] == "Windows-1252 (geen UTF-8)" and plain["tekenset"] == "UTF-8"
    assert report["rijen"] == plain["rijen"] > 0
    rows = _read(tmp_path / "cp" / "brp_inschrijving.csv")
    assert rows == _read(tmp_path / "plain" / "brp_inschrijving.csv")
    assert any(ch in r["geslachtsnaam"] + r["voornamen"] for r in rows for ch in "éëüö")


def test_mixed_encodings_are_refused_at_the_bad_line(gbav_file: Path, tmp_path: Path, key: str) -> None:
    lines = gbav_file.read_bytes().splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if not line.isascii() and i > 0)
    lines[bad] = lines[bad].decode("utf-8").encode("cp1252", "replace")
    (tmp_path / "mixed.csv").write_bytes(b"".join(lines))
    with pytest.raises(PandzichtError, match=rf"mixed.csv: regel {bad + 1}: bestand is geen UTF-8"):
        adapt_gbav(tmp_path / "mixed.csv", tmp_path / "out")


def test_id_repeated_on_every_row_keeps_the_history(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """An export repeating the persoonslijst id on its history rows made each row a person of its own:
    1400+ 'persons' skipped for a missing BSN and their address history lost."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    current = ""
    for row in rows[1:]:
        current = row[0] = row[0] or current
    repeated = tmp_path / "herhaald.csv"
    with repeated.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(repeated, tmp_path / "rep")
    assert report["personen_gelezen"] == plain["personen_gelezen"]
    assert report["personen_overgeslagen"] == plain["personen_overgeslagen"]
    assert _read(tmp_path / "rep" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


def test_export_without_the_id_column_is_refused(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """Without the id column the A-nummer (01.01.10) was taken for the persoonslijst id: persons split on
    their history rows, and A-nummers shown as examples in the report."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = [row[1:] for row in csv.reader(fh, delimiter=";")]
    path = tmp_path / "zonder_id.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    with pytest.raises(PandzichtError) as exc:
        adapt_gbav(path, tmp_path / "out")
    msg = str(exc.value)
    assert "zonder_id.csv: regel 1, kolom 1" in msg and "01.01.10" in msg and "persoonslijst-id" in msg
    assert not (tmp_path / "out" / "brp_inschrijving.adapterrapport.json").exists()


def test_history_listed_oldest_first_gives_the_same_periods(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """An export listing each person's history oldest first (sorted on 08.10.30) gave the oldest address the
    newest one's end date and skipped the others as 'einde ligt voor aanvang'."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    start = [rows[0].index("08.10.30"), rows[0].index("08.13.20")]
    cat08 = [i for i, el in enumerate(rows[0]) if el.startswith("08.") and el != "08.H"]

    def key_of(row: list[str]) -> str:
        return row[start[0]] or row[start[1]]

    out, person = [rows[0]], []
    for row in [*rows[1:], ["einde"]]:
        if row[0] and person:
            history = person[1:]
            if all(key_of(r) for r in history if any(r[i] for i in cat08)):
                history = sorted(history, key=lambda r: (not any(r[i] for i in cat08), key_of(r)))
            out += [person[0], *history]
            person = []
        person.append(row)
    path = tmp_path / "oud_eerst.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(out)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(path, tmp_path / "rev")
    assert {k: v["aantal"] for k, v in report["overgeslagen"].items()} == {
        k: v["aantal"] for k, v in plain["overgeslagen"].items()}
    assert report["bijzonderheden"]["adreshistorie niet van nieuw naar oud: op datum aanvang gesorteerd"] > 10

    def periods(folder: str) -> list[tuple[str, ...]]:
        return sorted(tuple(r.values()) for r in _read(tmp_path / folder / "brp_inschrijving.csv"))

    assert periods("rev") == periods("plain")


@pytest.mark.parametrize("id_element", ["01.01.20", "01.01.10"])
def test_id_column_holding_bsn_or_a_nummer_stays_out_of_the_report(gbav_file: Path, tmp_path: Path, key: str,
                                                                 id_element: str) -> None:
    """An export keyed on the BSN or A-nummer put those numbers in the report as examples of skipped records."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    col = rows[0].index(id_element)
    numbers = set()
    for row in rows[1:]:
        if row[0]:
            row[0] = row[col] or row[0]
            numbers.add(row[col])
    path = tmp_path / "op_nummer.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    report = adapt_gbav(path, tmp_path / "out")
    assert report["overgeslagen_totaal"] > 0
    text = (tmp_path / "out" / "brp_inschrijving.adapterrapport.json").read_text(encoding="utf-8")
    assert not [n for n in numbers if n and n in text]
    assert "regel " in text


def test_extra_trailing_separator_reads_like_the_original(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """One more ';' at the end of every line was refused as 'ongeldige elementkop' for the empty column."""
    lines = gbav_file.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "extra.csv"
    path.write_text("".join(line + ";\n" for line in lines), encoding="utf-8")
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(path, tmp_path / "extra")
    assert report["rijen"] == plain["rijen"] > 0
    assert _read(tmp_path / "extra" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


def test_bsn_failing_the_elfproef_is_skipped_and_counted(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """A BSN with one digit mistyped (as after hand editing) was pseudonymised as if it were a person."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    col = rows[0].index("01.01.20")
    starts = [r for r in rows[1:] if r[0] and r[col]][:3]
    for r in starts:
        r[col] = r[col][:-1] + str((int(r[col][-1]) + 1) % 10)
    path = tmp_path / "typo.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(path, tmp_path / "typo")
    skipped = report["personen_overgeslagen"]["burgerservicenummer (01.01.20) voldoet niet aan de elfproef"]
    assert skipped["aantal"] == 3 and skipped["voorbeelden"] == [f"{r[0]} (regel {rows.index(r) + 1})" for r in starts]
    assert "elfproef" not in json.dumps(plain["personen_overgeslagen"])
    text = (tmp_path / "typo" / "brp_inschrijving.adapterrapport.json").read_text(encoding="utf-8")
    assert not any(r[col] in text for r in starts)


@pytest.mark.parametrize("bom", [True, False])
def test_two_exports_joined_into_one_file(gbav_file: Path, tmp_path: Path, key: str, bom: bool) -> None:
    """Two exports joined (`cat a.csv b.csv`) carry the header again mid-file: with its BOM it became a person
    'without a BSN', without it a record of the person before."""
    lines = gbav_file.read_bytes().splitlines(keepends=True)
    half = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith(b"Lg01"))
    header = lines[0] if bom else lines[0].removeprefix(b"\xef\xbb\xbf")
    (tmp_path / "samen.csv").write_bytes(b"".join([*lines[:half], header, *lines[half:]]))
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(tmp_path / "samen.csv", tmp_path / "samen")
    assert report["personen_overgeslagen"] == {
        k: {**v, "voorbeelden": report["personen_overgeslagen"][k]["voorbeelden"]}
        for k, v in plain["personen_overgeslagen"].items()}
    assert report["personen_gelezen"] == plain["personen_gelezen"]
    assert report["bijzonderheden"]["kopregel herhaald in het bestand (aaneengevoegde exports?), overgeslagen"] == 1
    assert _read(tmp_path / "samen" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


@pytest.mark.parametrize("packing", ["gzip", "zip"])
def test_packed_export_reads_like_the_file_itself(gbav_file: Path, tmp_path: Path, key: str, packing: str) -> None:
    """A gzipped or zipped export was refused as 'bestand is geen UTF-8'."""
    if packing == "gzip":
        packed = tmp_path / "export.csv.gz"
        packed.write_bytes(gzip.compress(gbav_file.read_bytes()))
    else:
        packed = tmp_path / "export.zip"
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(gbav_file, "export.csv")
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(packed, tmp_path / "packed")
    assert report["rijen"] == plain["rijen"] > 0
    assert report["beschermd_niet_gelezen"] == plain["beschermd_niet_gelezen"]
    assert _read(tmp_path / "packed" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


def test_cut_off_gzip_export_is_refused(gbav_file: Path, tmp_path: Path, key: str) -> None:
    data = gzip.compress(gbav_file.read_bytes())
    cut = tmp_path / "export.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PandzichtError, match=r"export\.csv\.gz: ingepakt bestand is beschadigd of afgebroken"):
        adapt_gbav(cut, tmp_path / "out")


def test_bag_ids_that_lost_their_leading_zero_are_restored(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """Through a spreadsheet '0599010000123456' becomes 599010000123456; every such period was skipped as
    'geen 16 cijfers'. A 13-15 digit id whose restored form is a residence id (type code 01-03) is padded;
    the RvIG set itself holds one (363010012067062)."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    col = rows[0].index("08.11.80")
    stripped = 0
    for r in rows[1:]:
        if r[col].startswith("0") and r[col][4:6] in ("01", "02", "03"):
            r[col] = r[col].lstrip("0")
            stripped += 1
    path = tmp_path / "excel.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(path, tmp_path / "excel")
    assert stripped > 100
    assert report["bijzonderheden"]["BAG-id (08.11.80) zonder voorloopnullen: aangevuld tot 16 cijfers"] > 0
    assert {k: v["aantal"] for k, v in report["overgeslagen"].items()} == {
        k: v["aantal"] for k, v in plain["overgeslagen"].items()}
    assert "ongeldig BAG-verblijfsobject-id (08.11.80): geen 16 cijfers" not in plain["overgeslagen"]
    assert _read(tmp_path / "excel" / "brp_inschrijving.csv") == _read(tmp_path / "plain" / "brp_inschrijving.csv")


def test_placeholder_and_non_residence_bag_ids_are_skipped_with_their_reason(gbav_file: Path, tmp_path: Path,
                                                                             key: str) -> None:
    """The RvIG set holds 08.11.80 = 0000000000000000 and ids of a street (type 30) or building (10); they were
    written as unit ids and only quarantined later as 'onbekend in bag_verblijfsobject'."""
    report = adapt_gbav(gbav_file, tmp_path)
    rows = _read(tmp_path / "brp_inschrijving.csv")
    assert all(r["verblijfsobject_id"].strip("0") and r["verblijfsobject_id"][4:6] in ("01", "02", "03")
               for r in rows)
    reasons = report["overgeslagen"]
    assert reasons["geen BAG-verblijfsobject-id (08.11.80): alleen nullen (opvulwaarde)"]["aantal"] > 0
    assert any(k.startswith("BAG-id (08.11.80) wijst geen verblijfsobject aan (objecttypecode") for k in reasons)


def test_birth_date_in_the_future_is_left_empty_and_counted(gbav_file: Path, tmp_path: Path, key: str) -> None:
    """A birth date after today (a typo: 20990312) was written, and the intake then refused every address
    row of that person for a geboortedatum after the peildatum."""
    with gbav_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    col = rows[0].index("01.03.10")
    person = next(r for r in rows[1:] if r[0] and r[col])
    person[col] = "2099" + person[col][4:]
    path = tmp_path / "toekomst.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    plain = adapt_gbav(gbav_file, tmp_path / "plain")
    report = adapt_gbav(path, tmp_path / "fut")
    assert report["rijen"] == plain["rijen"]
    assert report["datums_niet_volledig"]["01.03.10"]["in_de_toekomst"] == 1
    assert all(not r["geboortedatum"].startswith("2099") for r in _read(tmp_path / "fut" / "brp_inschrijving.csv"))
