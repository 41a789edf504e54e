"""Short-stay listings: registration status, projection, errors, the spatial link and the indicator query."""

from __future__ import annotations

import csv
import gzip
import tomllib
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.adapters.kortverblijf import adapt_kortverblijf, parse_price, parse_registration, to_rd
from pandzicht.adapters.kortverblijf_link import link_listings
from pandzicht.contract.sources import REGISTRATION_STATUSES, SOURCES
from pandzicht.errors import PandzichtError

REPO = Path(__file__).resolve().parents[2]
HEX = "0123456789ABCDEFabcdef"


@given(st.from_regex(r"\A\d{4}\Z"), st.lists(st.text(HEX, min_size=4, max_size=4), min_size=4, max_size=4),
       st.sampled_from([" ", "", "  "]))
def test_wellformed_numbers_are_registered(gemeente: str, groups: list[str], sep: str) -> None:
    number, status = parse_registration(sep.join([gemeente, *groups]))
    assert status == "geregistreerd"
    assert number == " ".join([gemeente, *(g.upper() for g in groups)])


@given(st.text(max_size=30))
def test_any_text_maps_to_a_contract_status(text: str) -> None:
    number, status = parse_registration(text)
    assert status in REGISTRATION_STATUSES
    if status == "ontbreekt":
        assert number == (" ".join(text.split()) or None)


@pytest.mark.parametrize("text,expected", [
    ("Exempt", (None, "vrijgesteld")), ("", (None, "ontbreekt")),
    ("ABCD 1234 AB12 89EF A0F9", ("ABCD 1234 AB12 89EF A0F9", "ontbreekt")),
    ("0599 d9ba 806a 9a56 bdbb", ("0599 D9BA 806A 9A56 BDBB", "geregistreerd")),
])
def test_registration_cases(text: str, expected) -> None:
    assert parse_registration(text) == expected


def test_projection_matches_known_point() -> None:
    x, y = to_rd(5.38720621, 52.15517440)  # Amersfoort, the RD origin (155000, 463000)
    assert x == pytest.approx(155000, abs=2) and y == pytest.approx(463000, abs=2)


def test_missing_column_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "listings.csv"
    path.write_text("id,host_id,latitude,longitude,room_type,minimum_nights,availability_365,last_review,license\n"
                    "1,h1,51.9,4.4,Private room,1,10,,\n", encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        adapt_kortverblijf(path, tmp_path / "out")
    msg = str(exc.value)
    assert str(path) in msg and "regel 1" in msg and "'number_of_reviews_ltm'" in msg


def test_real_listings(listings_file: Path, tmp_path: Path) -> None:
    report = adapt_kortverblijf(listings_file, tmp_path)
    with (tmp_path / "kortverblijf_advertentie.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == SOURCES["kortverblijf_advertentie"].column_names
        rows = list(reader)
    assert report["rijen"] == len(rows) == 1141
    assert sum(report["registratie_status"].values()) == 1141
    assert report["registratie_status"]["vrijgesteld"] == 154
    xs = [float(r["x_rd"]) for r in rows]
    ys = [float(r["y_rd"]) for r in rows]
    assert min(xs) > 60_000 and max(xs) < 105_000 and min(ys) > 425_000 and max(ys) < 450_000  # incl. Hoek van Holland
    assert "name" not in reader.fieldnames


def _world(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TABLE raw_bag_verblijfsobject AS SELECT * FROM (VALUES
        ('0599010000000001', 'woonfunctie', 1000.0, 1000.0),
        ('0599010000000002', 'woonfunctie;winkelfunctie', 1100.0, 1000.0),
        ('0599010000000003', 'kantoorfunctie', 1010.0, 1000.0),
        ('0599010000000009', 'woonfunctie', 5000.0, 5000.0)
        ) t(verblijfsobject_id, gebruiksdoel, x_rd, y_rd)""")
    dense = ", ".join(f"('06{i:014d}', 'woonfunctie', {9000.0 + i}, 9000.0)" for i in range(20))
    con.execute(f"INSERT INTO raw_bag_verblijfsobject VALUES {dense}")
    con.execute("""CREATE TABLE raw_kortverblijf_advertentie AS SELECT * FROM (VALUES
        ('L1', 1020.0, 1000.0, 'ontbreekt', 'Entire home/apt', 300, 5, 4, DATE '2024-05-01'),
        ('L2', 5000.0, 5149.0, 'geregistreerd', 'Entire home/apt', 10, 2, 1, DATE '2024-05-01'),
        ('L3', 9010.0, 9000.0, 'ontbreekt', 'Entire home/apt', 300, 5, 4, DATE '2024-05-01'),
        ('L4', 50000.0, 50000.0, 'ontbreekt', 'Private room', 30, 1, 1, DATE '2024-05-01'),
        ('L5', 5000.0, 5040.0, 'ontbreekt', 'Private room', 30, 0, 1, DATE '2020-01-01')
        ) t(listing_id, x_rd, y_rd, registratie_status, room_type, availability_365, number_of_reviews_ltm,
            host_aantal_advertenties, last_review)""")


def test_link_only_when_few_homes_in_range() -> None:
    con = duckdb.connect()
    _world(con)
    link_listings(con)
    got = {r[0]: r[1:] for r in con.execute("SELECT * FROM kortverblijf_koppeling").fetchall()}
    assert got["L1"] == ("0599010000000001", 20.0, 2, 0.5)  # the office is not a home
    assert got["L2"] == ("0599010000000009", 149.0, 1, 1.0)
    assert got["L3"] == (None, None, 20, None)  # 20 homes in range: too uncertain to link
    assert got["L4"] == (None, None, 0, None)
    assert set(got) == {"L1", "L2", "L3", "L4", "L5"}


def test_link_is_exact_across_cell_edges() -> None:
    """The bucket join must find every home within the radius, whatever cell it falls in."""
    con = duckdb.connect()
    con.execute("CREATE TABLE raw_bag_verblijfsobject AS SELECT '05990100000' || lpad(CAST(i AS VARCHAR), 5, '0')"
                " AS verblijfsobject_id, 'woonfunctie' AS gebruiksdoel, 1000.0 + (i % 7) * 61.3 AS x_rd,"
                " 1000.0 + (i // 7) * 47.9 AS y_rd FROM range(49) r(i)")
    con.execute("CREATE TABLE raw_kortverblijf_advertentie AS SELECT 'L' || i AS listing_id, 1040.0 + i * 37.1 AS x_rd,"
                " 1020.0 + i * 23.7 AS y_rd FROM range(12) r(i)")
    link_listings(con, max_kandidaten=1000)
    brute = dict(con.execute("""
        SELECT l.listing_id, count(h.verblijfsobject_id) FROM raw_kortverblijf_advertentie l
        LEFT JOIN raw_bag_verblijfsobject h ON sqrt(power(l.x_rd - h.x_rd, 2) + power(l.y_rd - h.y_rd, 2)) <= 150
        GROUP BY 1""").fetchall())
    linked = dict(con.execute("SELECT listing_id, kandidaten FROM kortverblijf_koppeling").fetchall())
    assert linked == brute


def test_indicator_query_runs_and_scores() -> None:
    spec = tomllib.loads((REPO / "src/pandzicht/indicators/catalogue/kortverblijf_onvergund.toml").read_text("utf-8"))
    assert spec["code"] == "kortverblijf_onvergund" and spec["entiteit"] == "adres"
    # its intake sources are in the contract; the rest are tables the analysis derives (the listing links)
    assert set(spec["bronnen"]) - {"kortverblijf_koppeling"} <= set(SOURCES)
    assert "kortverblijf_koppeling" in spec["bronnen"]
    con = duckdb.connect()
    _world(con)
    con.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    link_listings(con)
    got = dict(con.execute(spec["query"]).fetchall())
    # L1: unregistered (1) + host with 4 listings (0.5) + whole home 300 days (0.5) = 2, times zekerheid 0.5
    assert got["0599010000000001"] == pytest.approx(1.0)
    # L2 is registered, 1 listing, 10 days: nothing to signal; L3 not linked; L5 inactive
    assert set(got) == {"0599010000000001"}
    assert all(v >= 0 for v in got.values())


def test_gzipped_listings_read_like_plain(listings_file: Path, tmp_path: Path) -> None:
    """Inside Airbnb publishes listings.csv.gz; it was refused as 'bestand is geen UTF-8'."""
    packed = tmp_path / "listings.csv.gz"
    packed.write_bytes(gzip.compress(listings_file.read_bytes()))
    plain = adapt_kortverblijf(listings_file, tmp_path / "plain")
    report = adapt_kortverblijf(packed, tmp_path / "gz")
    assert report["rijen"] == plain["rijen"] > 0
    name = "kortverblijf_advertentie.csv"
    assert (tmp_path / "gz" / name).read_text(encoding="utf-8") == (tmp_path / "plain" / name).read_text(
        encoding="utf-8")


def test_cut_off_gzip_is_refused_in_one_line(listings_file: Path, tmp_path: Path) -> None:
    data = gzip.compress(listings_file.read_bytes())
    cut = tmp_path / "listings.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PandzichtError, match=r"listings\.csv\.gz: .*afgebroken"):
        adapt_kortverblijf(cut, tmp_path / "out")


def test_dutch_spreadsheet_resave_reads_like_the_original(listings_file: Path, tmp_path: Path) -> None:
    """Re-saved by a Dutch spreadsheet (';' and decimal commas) the file was refused: "kolom 'id' ontbreekt"."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    coords = {rows[0].index("latitude"), rows[0].index("longitude")}
    resaved = tmp_path / "listings_nl.csv"
    with resaved.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(rows[0])
        writer.writerows([c.replace(".", ",") if i in coords else c for i, c in enumerate(r)] for r in rows[1:])
    plain = adapt_kortverblijf(listings_file, tmp_path / "plain")
    report = adapt_kortverblijf(resaved, tmp_path / "nl")
    assert report["scheidingsteken"] == ";" and plain["scheidingsteken"] == ","
    assert report["rijen"] == plain["rijen"] > 0 and report["overgeslagen_totaal"] == 0
    name = "kortverblijf_advertentie.csv"
    assert (tmp_path / "nl" / name).read_text(encoding="utf-8") == (tmp_path / "plain" / name).read_text(
        encoding="utf-8")


@pytest.mark.parametrize(("text", "expected"), [
    ("125", 125.0), ("$1,250.00", 1250.0), ("€ 80,50", 80.5), ("€ 1.250,00", 1250.0), ("1.250", 1250.0),
    ("1,250", 1250.0), ("12.5", 12.5), ("€ 80,-", 80.0), ("", None), ("n.v.t.", None),
])
def test_price_formats(text: str, expected: float | None) -> None:
    assert parse_price(text) == expected


def test_prices_written_the_dutch_way_keep_their_value(listings_file: Path, tmp_path: Path) -> None:
    """'€ 125,00' became 12500: the decimal comma was dropped as if it grouped thousands."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("price")
    for r in rows[1:]:
        if r[col]:
            r[col] = "€ " + f"{float(r[col]) * 10:,.2f}".translate(str.maketrans(",.", ".,"))
    dutch = tmp_path / "listings_eur.csv"
    with dutch.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    adapt_kortverblijf(listings_file, tmp_path / "plain")
    adapt_kortverblijf(dutch, tmp_path / "eur")

    def prices(folder: str) -> list[float | None]:
        with (tmp_path / folder / "kortverblijf_advertentie.csv").open(encoding="utf-8") as fh:
            return [float(r["price"]) if r["price"] else None for r in csv.DictReader(fh)]

    plain, eur = prices("plain"), prices("eur")
    assert any(p and p >= 100 for p in plain)
    assert eur == [None if p is None else p * 10 for p in plain]


@pytest.mark.parametrize("form", ["{}", "Registratienummer: {}", "{} (gemeente Rotterdam)"])
@pytest.mark.parametrize("sep", ["-", ".", " "])
def test_registration_numbers_written_otherwise_stay_registered(listings_file: Path, tmp_path: Path, form: str,
                                                                sep: str) -> None:
    """'0599-D9BA-806A-9A56-BDBB' or a number in a sentence counted as 'ontbreekt': a registered host flagged
    as unregistered."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("license")
    for r in rows[1:]:
        number, status = parse_registration(r[col])
        if status == "geregistreerd":
            r[col] = form.format(number.replace(" ", sep))
    path = tmp_path / "listings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    plain = adapt_kortverblijf(listings_file, tmp_path / "plain")
    report = adapt_kortverblijf(path, tmp_path / "other")
    assert report["registratie_status"] == plain["registratie_status"]
    name = "kortverblijf_advertentie.csv"
    assert (tmp_path / "other" / name).read_text(encoding="utf-8") == (tmp_path / "plain" / name).read_text(
        encoding="utf-8")


def test_swapped_or_zero_coordinates_are_skipped_and_counted(listings_file: Path, tmp_path: Path) -> None:
    """Latitude and longitude swapped (or 0,0) were projected to points far outside the Netherlands and
    written as if usable; no unit could ever match them."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    lat, lon = rows[0].index("latitude"), rows[0].index("longitude")
    rows[1][lat], rows[1][lon] = rows[1][lon], rows[1][lat]
    rows[2][lat] = rows[2][lon] = "0"
    path = tmp_path / "listings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = adapt_kortverblijf(path, tmp_path / "out")
    reason = report["overgeslagen"]["locatie buiten Nederland (latitude/longitude verwisseld of 0?)"]
    assert reason["aantal"] == 2 and reason["voorbeelden"] == [f"{rows[1][0]} (regel 2)", f"{rows[2][0]} (regel 3)"]
    assert report["rijen"] == len(rows) - 3


def test_numbers_that_do_not_read_are_counted_not_dropped_silently(listings_file: Path, tmp_path: Path) -> None:
    """'7,0' nights (a Dutch spreadsheet) or '7 nachten' became an empty minimum_nights without a word."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("minimum_nights")
    expected = rows[1][col]
    rows[1][col] = f"{expected},0"
    rows[2][col] = f"{rows[2][col]} nachten"
    path = tmp_path / "listings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = adapt_kortverblijf(path, tmp_path / "out")
    with (tmp_path / "out" / "kortverblijf_advertentie.csv").open(encoding="utf-8") as fh:
        out = list(csv.DictReader(fh))
    assert out[0]["minimum_nights"] == expected and out[1]["minimum_nights"] == ""
    note = report["onleesbaar_leeg_gelaten"]["minimum_nights: geen getal in kolom 'minimum_nights', leeg gelaten"]
    assert note == {"aantal": 1, "voorbeelden": [f"{rows[2][0]} (regel 3)"]}
    assert report["rijen"] == len(rows) - 1


def test_room_type_in_other_case_gets_the_contract_spelling(listings_file: Path, tmp_path: Path) -> None:
    """'entire home/apt' was passed on as written and the intake then refused every such listing."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("room_type")
    for k, r in enumerate(rows[1:]):
        r[col] = r[col].lower() if k % 2 else f" {r[col].upper()} "
    path = tmp_path / "listings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    adapt_kortverblijf(listings_file, tmp_path / "plain")
    adapt_kortverblijf(path, tmp_path / "case")
    name = "kortverblijf_advertentie.csv"
    assert (tmp_path / "case" / name).read_text(encoding="utf-8") == (tmp_path / "plain" / name).read_text(
        encoding="utf-8")


def test_last_review_not_in_iso_form_is_left_empty_and_counted(listings_file: Path, tmp_path: Path) -> None:
    """'07-06-2024' was passed on, and the intake then refused the whole listing for a bad date."""
    with listings_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("last_review")
    k = next(i for i, r in enumerate(rows) if i and r[col])
    rows[k][col] = "-".join(reversed(rows[k][col].split("-")))
    path = tmp_path / "listings.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = adapt_kortverblijf(path, tmp_path / "out")
    with (tmp_path / "out" / "kortverblijf_advertentie.csv").open(encoding="utf-8") as fh:
        out = {r["listing_id"]: r for r in csv.DictReader(fh)}
    assert out[rows[k][0]]["last_review"] == ""
    note = report["onleesbaar_leeg_gelaten"]["last_review: geen datum JJJJ-MM-DD in kolom 'last_review', leeg gelaten"]
    assert note == {"aantal": 1, "voorbeelden": [f"{rows[k][0]} (regel {k + 1})"]}


def test_windows_1252_listings_read_like_utf8(listings_file: Path, tmp_path: Path) -> None:
    """A municipality's own export in Windows-1252 was refused as 'bestand is geen UTF-8 (regel onbekend)'."""
    text = listings_file.read_text(encoding="utf-8-sig").encode("cp1252", "replace").decode("cp1252")
    assert not text.isascii()
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    plain = adapt_kortverblijf(tmp_path / "utf8.csv", tmp_path / "plain")
    report = adapt_kortverblijf(tmp_path / "cp1252.csv", tmp_path / "cp")
    assert report["tekenset"] == "Windows-1252 (geen UTF-8)" and plain["tekenset"] == "UTF-8"
    name = "kortverblijf_advertentie.csv"
    assert (tmp_path / "cp" / name).read_text(encoding="utf-8") == (tmp_path / "plain" / name).read_text(
        encoding="utf-8")
