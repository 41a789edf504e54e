"""BAG XML: element -> record, streaming over zips, current versions, errors, and the Doesburg fixture."""

from __future__ import annotations

import csv
import io
import json
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.adapters import imbag
from pandzicht.adapters.bag_xml import adapt_bag_xml
from pandzicht.contract.sources import SOURCES, USE_PURPOSES
from pandzicht.errors import PandzichtError

from . import bagxml_factory as f

ids = st.from_regex(r"\A\d{16}\Z")
coord = st.floats(min_value=0, max_value=300000, allow_nan=False).map(lambda v: round(v, 3))


@given(ids, ids, ids, coord, coord, st.lists(st.sampled_from(USE_PURPOSES), min_size=1, max_size=3, unique=True),
       st.integers(1, 99999))
def test_vbo_element_to_record(vid, nid, pid, x, y, doelen, opp) -> None:
    kind, rec = imbag.object_record(f.element(f.vbo(vid, nid, pid, x=x, y=y, doelen=doelen, opp=opp)))
    assert kind == "Verblijfsobject"
    assert rec["id"] == vid and rec["hoofdadres"] == nid and rec["pand_id"] == pid
    assert rec["gebruiksdoel"] == ";".join(doelen) and rec["oppervlakte"] == str(opp)
    assert (rec["x"], rec["y"], rec["geometrie"]) == (x, y, "punt")


@given(ids, ids, st.integers(1, 99999), st.from_regex(r"\A\d{4}[A-Z]{2}\Z"),
       st.none() | st.sampled_from("abcXYZ"), st.none() | st.from_regex(r"\A[A-Za-z0-9]{1,4}\Z"))
def test_num_element_to_record(nid, oid, huisnummer, postcode, letter, toevoeging) -> None:
    kind, rec = imbag.object_record(f.element(f.num(nid, oid, huisnummer, postcode, letter=letter,
                                                     toevoeging=toevoeging)))
    assert kind == "Nummeraanduiding"
    assert (rec["id"], rec["openbare_ruimte_id"], rec["huisnummer"]) == (nid, oid, str(huisnummer))
    assert (rec["postcode"], rec["huisletter"], rec["huisnummertoevoeging"]) == (postcode, letter, toevoeging)


@given(st.floats(1000, 200000), st.floats(300000, 600000), st.floats(1, 50), st.floats(1, 50))
def test_polygon_geometry_gives_centroid(x0, y0, w, h) -> None:
    square = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0)]
    _, rec = imbag.object_record(f.element(f.vbo("0599010000000001", "0599200000000001", "0599100000000001",
                                                 polygon=square)))
    assert rec["geometrie"] == "vlak_centroide"
    assert rec["x"] == pytest.approx(x0 + w / 2, abs=1e-3) and rec["y"] == pytest.approx(y0 + h / 2, abs=1e-3)


def _extract(tmp_path: Path) -> Path:
    """A two-file extract: VBO/NUM as loose XML, OPR/WPL/PND inside a zip that holds a nested zip."""
    V1, V2, V3, V4, V5 = (f"059901000000000{i}" for i in range(1, 6))
    N1, N2, N3, N4, N5 = (f"059920000000000{i}" for i in range(1, 6))
    P1 = "0599100000000001"
    vbo_doc = f.document([
        f.vbo(V1, N1, P1, x=92000.5, y=437000.25, nr=1, begin="2010-01-01", eind="2015-01-01",
              doelen=["kantoorfunctie"]),
        f.vbo(V1, N1, P1, x=92000.5, y=437000.25, nr=2, begin="2015-01-01", doelen=["woonfunctie", "winkelfunctie"]),
        f.vbo(V2, N2, P1, status="Verblijfsobject ingetrokken"),
        f.vbo(V3, N3, P1),                      # its address has no postcode -> counted, not written
        f.vbo(V4, N4, P1, eind="2020-01-01"),   # ended before the stand date
        f.vbo(V5, N5, "0599100000009999"),      # building not in the extract -> bouwjaar empty
    ])
    num_doc = f.document([
        f.num(N1, "0599300000000001", 12, "3011AB", letter="a", nr=1, eind="2015-01-01"),
        f.num(N1, "0599300000000001", 14, "3011AB", letter="b", nr=2, begin="2015-01-01"),
        f.num(N2, "0599300000000001", 1),
        f.num(N3, "0599300000000001", 3, postcode=None),
        f.num(N4, "0599300000000001", 4),
        f.num(N5, "0599300000000001", 5, "3011AC"),
    ])
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "0599VBO30062024-000001.xml").write_text(vbo_doc, encoding="utf-8")
    (tmp_path / "ext" / "0599NUM30062024-000001.xml").write_text(num_doc, encoding="utf-8")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("0599PND30062024-000001.xml", f.document([f.pnd(P1, 1931, nr=1, eind="2012-01-01"),
                                                             f.pnd(P1, 1932, nr=2, begin="2012-01-01")]))
    with zipfile.ZipFile(tmp_path / "ext" / "extract.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("0599OPR30062024.xml", f.document([f.opr("0599300000000001", "Coolsingel", "3086")]))
        z.writestr("0599WPL30062024.xml", f.document([f.wpl("3086", "Rotterdam")]))
        z.writestr("0599PND30062024.zip", inner.getvalue())
    return tmp_path / "ext"


def test_adapter_joins_current_versions_and_counts_skips(tmp_path: Path) -> None:
    report = adapt_bag_xml(_extract(tmp_path), tmp_path / "out")
    with (tmp_path / "out" / "bag_verblijfsobject.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == SOURCES["bag_verblijfsobject"].column_names
        rows = {r["verblijfsobject_id"]: r for r in reader}
    assert set(rows) == {"0599010000000001", "0599010000000005"}
    r1 = rows["0599010000000001"]
    assert (r1["openbare_ruimte"], r1["huisnummer"], r1["huisletter"], r1["postcode"]) == ("Coolsingel", "14", "b",
                                                                                          "3011AB")
    assert (r1["woonplaats"], r1["gemeente_code"], r1["gebruiksdoel"]) == ("Rotterdam", "GM0599",
                                                                         "woonfunctie;winkelfunctie")
    assert (r1["bouwjaar"], r1["x_rd"], r1["y_rd"], r1["wijk_code"]) == ("1932", "92000.5", "437000.25", "")
    assert rows["0599010000000005"]["bouwjaar"] == ""
    reasons = report["overgeslagen"]
    assert reasons["status 'Verblijfsobject ingetrokken'"]["aantal"] == 1
    assert reasons["verplicht veld leeg: postcode"]["voorbeelden"] == ["0599010000000003"]
    assert any(k.startswith("beëindigd") for k in reasons)
    assert report["rijen"] == 2 and report["overgeslagen_totaal"] == 3
    assert report["objecten_gelezen"]["Pand"] == 2
    saved = json.loads((tmp_path / "out" / "bag_verblijfsobject.adapterrapport.json").read_text(encoding="utf-8"))
    assert saved["rijen"] == 2 and "wijk_code" in saved["velden_niet_in_bag"]


def test_truncated_xml_names_file_line_and_element(tmp_path: Path) -> None:
    doc = f.document([f.vbo("0599010000000001", "0599200000000001", "0599100000000001")] * 3)
    cut = doc[: doc.index("<Objecten:oppervlakte>", len(doc) // 2) + 10]
    path = tmp_path / "0599VBO.xml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        adapt_bag_xml(path, tmp_path / "out")
    msg = str(exc.value)
    assert str(path) in msg and "regel " in msg and "Verblijfsobject" in msg and "\n" not in msg


def test_extract_without_units_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "0599WPL.xml"
    path.write_text(f.document([f.wpl("3086", "Rotterdam")]), encoding="utf-8")
    with pytest.raises(PandzichtError, match="geen element <Objecten:Verblijfsobject>"):
        adapt_bag_xml(path, tmp_path / "out")


def _peak_while_streaming(n: int) -> int:
    data = io.BytesIO(f.document([f.pnd(f"0599100{i:09d}", 1900 + i % 100) for i in range(n)]).encode())
    info = imbag.ExtractInfo()
    tracemalloc.start()
    try:
        count = sum(1 for _ in imbag.iter_objects(data, "mem.xml", info))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n and info.gemeenten == {"0599"} and info.stand_datum == "2024-06-30"
    return peak


def test_streaming_memory_does_not_grow_with_the_file() -> None:
    """Finished objects are detached, so ten times more objects must not need much more memory."""
    small, large = _peak_while_streaming(2_000), _peak_while_streaming(20_000)
    assert large < 2 * small + 200_000


def test_doesburg_fixture(bag_dir: Path, tmp_path: Path) -> None:
    report = adapt_bag_xml(bag_dir, tmp_path)
    assert report["objecten_gelezen"]["Verblijfsobject"] == 5
    assert report["objecten_gelezen"]["Pand"] > 13000
    assert report["stand_datum"] == "2020-09-15"
    assert report["rijen"] + report["overgeslagen_totaal"] == 2  # two distinct units in the sample
    with (tmp_path / "bag_verblijfsobject.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == report["rijen"] == 1
    row = rows[0]
    assert row["verblijfsobject_id"] == "0221010000330226"
    assert (row["openbare_ruimte"], row["postcode"], row["woonplaats"], row["gemeente_code"]) == (
        "Kosterstraat", "6981CH", "Doesburg", "GM0221")
    assert row["bouwjaar"] == "1585" and float(row["x_rd"]) == pytest.approx(206335.699)


def _doesburg_at(bag_dir: Path, tmp_path: Path, stand: str) -> Path:
    """The real Doesburg files (without the large Pand zip) with the stand date moved back to ``stand``."""
    out = tmp_path / "doesburg"
    out.mkdir()
    for kind in ("VBO", "NUM", "OPR", "WPL", "PND"):
        text = (bag_dir / f"0221{kind}15092020-000001.xml").read_text(encoding="utf-8")
        (out / f"0221{kind}.xml").write_text(text.replace(">2020-09-15<", f">{stand}<"), encoding="utf-8")
    return out


def test_version_registered_for_a_later_date_is_not_current(bag_dir: Path, tmp_path: Path) -> None:
    """Unit 0221010000330226 has four real versions; on 2019-02-01 the second (315 m2) holds, not the last.

    The later versions were registered after that date here, but an extract can equally hold a version
    with a future beginGeldigheid whose predecessor already carries an eindRegistratie.
    """
    report = adapt_bag_xml(_doesburg_at(bag_dir, tmp_path, "2019-02-01"), tmp_path / "out")
    assert report["stand_datum"] == "2019-02-01"
    with (tmp_path / "out" / "bag_verblijfsobject.csv").open(encoding="utf-8") as fh:
        rows = {r["verblijfsobject_id"]: r for r in csv.DictReader(fh)}
    assert rows["0221010000330226"]["oppervlakte_m2"] == "315"


def test_unit_that_only_begins_after_the_stand_date_is_counted(tmp_path: Path) -> None:
    V, N, P, R = "0599010000000001", "0599200000000001", "0599100000000001", "0599300000000001"
    (tmp_path / "ext").mkdir()
    docs = {"VBO": [f.vbo(V, N, P, nr=1, begin="2010-01-01", eind="2025-01-01", eind_reg="2024-05-01"),
                    f.vbo(V, N, P, nr=2, begin="2025-01-01", status="Verblijfsobject ingetrokken"),
                    f.vbo("0599010000000002", N, P, begin="2025-01-01", status="Verblijfsobject gevormd")],
            "NUM": [f.num(N, R, 1, nr=1, eind="2025-01-01", eind_reg="2024-05-01"), f.num(N, R, 2, nr=2,
                                                                                          begin="2025-01-01")],
            "OPR": [f.opr(R, "Coolsingel", "3086")], "WPL": [f.wpl("3086", "Rotterdam")], "PND": [f.pnd(P, 1930)]}
    for kind, objs in docs.items():
        (tmp_path / "ext" / f"0599{kind}.xml").write_text(f.document(objs), encoding="utf-8")
    report = adapt_bag_xml(tmp_path / "ext", tmp_path / "out")
    with (tmp_path / "out" / "bag_verblijfsobject.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["verblijfsobject_id"], r["huisnummer"]) for r in rows] == [(V, "1")]
    assert report["overgeslagen"]["nog niet geldig (beginGeldigheid na de standdatum)"]["voorbeelden"] == [
        "0599010000000002"]


@pytest.mark.parametrize("left_out", [("NUM",), ("OPR", "WPL")])
def test_extract_with_units_but_no_address_files_is_refused(bag_dir: Path, tmp_path: Path, left_out) -> None:
    """A delivery missing the NUM file used to give 0 rows, every unit 'skipped' for its address."""
    ext = tmp_path / "ext"
    ext.mkdir()
    for kind in ("VBO", "NUM", "OPR", "WPL", "PND"):
        if kind not in left_out:
            name = f"0221{kind}15092020-000001.xml"
            (ext / name).write_bytes((bag_dir / name).read_bytes())
    with pytest.raises(PandzichtError) as exc:
        adapt_bag_xml(ext, tmp_path / "out")
    msg = str(exc.value)
    assert str(ext) in msg and "\n" not in msg
    assert all(f"({kind}-bestand)" in msg for kind in left_out)
    assert not (tmp_path / "out" / "bag_verblijfsobject.csv").exists()


def test_files_without_bag_objects_are_reported(bag_dir: Path, tmp_path: Path) -> None:
    """An error page saved as one NUM part, or an empty PND zip, was passed over without a word."""
    ext = tmp_path / "ext"
    ext.mkdir()
    for name in [f"0221{kind}15092020-000001.xml" for kind in ("VBO", "NUM", "OPR", "WPL")] + [
            "Leveringsdocument-BAG-Extract.xml"]:
        (ext / name).write_bytes((bag_dir / name).read_bytes())
    (ext / "0221NUM15092020-000002.xml").write_text("<html><body>503 Service Unavailable</body></html>",
                                                    encoding="utf-8")
    with zipfile.ZipFile(ext / "0221PND15092020.zip", "w") as z:
        z.writestr("LEESMIJ.txt", "leeg")
    report = adapt_bag_xml(ext, tmp_path / "out")
    assert report["rijen"] == 1
    empty = report["bestanden_zonder_objecten"]
    assert len(empty) == 2
    assert any("0221NUM15092020-000002.xml" in e and "<html>" in e for e in empty)
    assert any("0221PND15092020.zip" in e and "zip zonder XML" in e for e in empty)
    saved = json.loads((tmp_path / "out" / "bag_verblijfsobject.adapterrapport.json").read_text(encoding="utf-8"))
    assert saved["bestanden_zonder_objecten"] == empty


def test_municipal_merger_registered_ahead_does_not_move_units_yet(bag_dir: Path, tmp_path: Path) -> None:
    """Doesburg (woonplaats 2142) with a merger into a new municipality from 2021 already in GEM-WPL-RELATIE:
    on the stand date 2020-09-15 its units were given the future municipality's code."""
    ext = tmp_path / "ext"
    ext.mkdir()
    for kind in ("VBO", "NUM", "OPR", "WPL"):
        name = f"0221{kind}15092020-000001.xml"
        (ext / name).write_bytes((bag_dir / name).read_bytes())
    (ext / "GEM-WPL-RELATIE-15092020-000001.xml").write_text(
        f.gwr_document([("2142", "0999", "1990-01-01", "2010-01-01"), ("2142", "0221", "2010-01-01", "2021-01-01"),
                        ("2142", "1955", "2021-01-01", None)]), encoding="utf-8")
    report = adapt_bag_xml(ext, tmp_path / "out")
    assert report["objecten_gelezen"]["GemeenteWoonplaatsRelatie"] == 3
    assert report["gemeente_code_bron"] == {"gemeente-woonplaatsrelatie": 2}
    with (tmp_path / "out" / "bag_verblijfsobject.csv").open(encoding="utf-8") as fh:
        assert {r["gemeente_code"] for r in csv.DictReader(fh)} == {"GM0221"}


def test_national_extract_needs_the_gem_wpl_relatie_file(bag_dir: Path, tmp_path: Path) -> None:
    """A national extract (selection Gebied-NLD) without GEM-WPL-RELATIE ran with 0 rows, every unit skipped
    for an empty gemeente_code; it is refused naming the file, and reads once the file is there."""
    ext = tmp_path / "ext"
    ext.mkdir()
    selection = re.compile(r"<selecties-extract:Gebied-Registratief>.*?</selecties-extract:Gebied-Registratief>", re.S)
    for kind in ("VBO", "NUM", "OPR", "WPL"):
        text = (bag_dir / f"0221{kind}15092020-000001.xml").read_text(encoding="utf-8")
        national = selection.sub("<selecties-extract:Gebied-Registratief><selecties-extract:Gebied-NLD/>"
                                 "</selecties-extract:Gebied-Registratief>", text)
        (ext / f"9999{kind}15092020-000001.xml").write_text(national, encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        adapt_bag_xml(ext, tmp_path / "out")
    assert "GEM-WPL-RELATIE" in str(exc.value) and str(ext) in str(exc.value)
    (ext / "GEM-WPL-RELATIE-15092020-000001.xml").write_text(
        f.gwr_document([("2142", "0221", "2010-01-01", None)]), encoding="utf-8")
    report = adapt_bag_xml(ext, tmp_path / "out")
    assert report["rijen"] == 1 and report["gemeente_code_bron"] == {"gemeente-woonplaatsrelatie": 2}


def test_damaged_zip_member_is_refused_naming_it(bag_dir: Path, tmp_path: Path) -> None:
    """One changed byte in a zipped XML (checksum no longer matches) ended in a zipfile.BadZipFile traceback."""
    pnd = (bag_dir / "0221PND15092020-000001.xml").read_bytes()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as z:
        z.writestr("0221PND15092020-000001.xml", pnd)
    data = bytearray(packed.getvalue())
    at = data.index(b"<Objecten:oorspronkelijkBouwjaar>") + len(b"<Objecten:oorspronkelijkBouwjaar>")
    data[at] = ord("7") if data[at] != ord("7") else ord("8")  # still well-formed XML, wrong checksum
    ext = tmp_path / "ext"
    ext.mkdir()
    for kind in ("VBO", "NUM", "OPR", "WPL"):
        name = f"0221{kind}15092020-000001.xml"
        (ext / name).write_bytes((bag_dir / name).read_bytes())
    (ext / "0221PND15092020.zip").write_bytes(bytes(data))
    with pytest.raises(PandzichtError) as exc:
        adapt_bag_xml(ext, tmp_path / "out")
    msg = str(exc.value)
    assert "0221PND15092020.zip!0221PND15092020-000001.xml" in msg and "beschadigd" in msg and "\n" not in msg


def test_files_of_two_extracts_mixed_in_one_folder_are_refused(bag_dir: Path, tmp_path: Path) -> None:
    """Two monthly downloads in one folder: their versions were joined as one extract at the later date,
    the same voorkomen twice with different contents picked at random."""
    ext = tmp_path / "ext"
    ext.mkdir()
    for kind in ("VBO", "NUM", "OPR", "WPL"):
        name = f"0221{kind}15092020-000001.xml"
        (ext / name).write_bytes((bag_dir / name).read_bytes())
    later = (bag_dir / "0221VBO15092020-000001.xml").read_text(encoding="utf-8")
    (ext / "0221VBO15102020-000001.xml").write_text(later.replace(">2020-09-15<", ">2020-10-15<"), encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        adapt_bag_xml(ext, tmp_path / "out")
    msg = str(exc.value)
    assert "2020-09-15" in msg and "2020-10-15 (0221VBO15102020-000001.xml)" in msg and "\n" not in msg
