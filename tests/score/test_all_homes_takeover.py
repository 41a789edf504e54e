"""Every home's past values of an indicator over dated sources are kept, and a later delivery takes them over
exactly where the rows visible as of that date are the same (`score/as_of.py`, `point_in_time._take_over_all`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.score import as_of
from pandzicht.score import point_in_time as pit
from pandzicht.store.engine import Store

REF = dt.date(2024, 12, 31)
SEASON = next(i for i in load_catalogue() if i.code == "energie_geen_seizoen")  # compares with the delivery


def _months(first: str, n: int) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _store(path: Path, months: int, change: dict | None = None) -> Store:
    """Twenty homes with monthly readings from 2023-01 on: four use a lot and the same all year (the indicator
    fires on them), the rest a usual household with a winter peak. `change` sets one reading's kWh."""
    store = Store(path)
    store.execute("CREATE TABLE bundel_meta AS SELECT 'c' AS contract, 'r' AS regio, DATE '2025-06-30' AS peildatum")
    rows = []
    for h in range(20):
        for k, month in enumerate(_months("2023-01", months)):
            winter = month[5:] in ("11", "12", "01", "02")
            kwh = 900.0 + h if h < 4 else (300.0 if winter else 180.0) + h
            rows.append((k + 1000 * h, f"0599{h:012d}", month, (change or {}).get((h, month), kwh), None))
    store.execute("CREATE TABLE raw_energie_verbruik (_rij BIGINT, verblijfsobject_id VARCHAR, periode VARCHAR, "
                  "elektriciteit_kwh DOUBLE, gas_m3 DOUBLE)")
    store.con.executemany("INSERT INTO raw_energie_verbruik VALUES (?, ?, ?, ?, ?)", rows)
    return store


def _targets(*homes: int) -> list[str]:
    return [f"0599{h:012d}" for h in homes]


def _first_delivery(tmp_path: Path) -> Path:
    """Delivery 1 (readings through 2025-03) computes the indicator at REF for homes 0 and 5 only."""
    path = tmp_path / "een.duckdb"
    with _store(path, 27) as store:
        values = pit.values_at(store, {REF: ([SEASON], _targets(0, 5))}, "adres")
        assert values == {(REF, SEASON.code, _targets(0)[0]): 1.0}
        assert store.scalar(f"SELECT count(*) FROM {pit.ALL_VALUES}") == 4  # every home it fired on, not only 0
    return path


def test_the_catalogue_energy_indicators_are_covered_and_those_reading_derived_tables_not() -> None:
    by_code = {i.code: i for i in load_catalogue()}
    assert as_of.covered(by_code["energie_geen_seizoen"]) and as_of.covered(by_code["energie_breuk_omhoog"])
    assert not as_of.covered(by_code["energie_leeg_verhuurd"])  # reads contracts and their address links
    assert not as_of.covered(by_code["bemiddelaar_slechte_portefeuille"])
    sneaky = dataclasses.replace(SEASON, query=SEASON.query.replace("FROM m, norm", "FROM m, norm, entiteit"))
    assert not as_of.covered(sneaky)  # a table outside its declared sources: computed as before


def test_a_later_delivery_takes_over_every_homes_values_where_the_data_as_of_the_date_is_the_same(
        tmp_path: Path) -> None:
    previous = _first_delivery(tmp_path)
    with Store(previous) as store:  # mark one kept value, so a taken-over value can be told from a computed one
        store.execute(f"UPDATE {pit.ALL_VALUES} SET waarde = 0.5 WHERE entiteit_id = ?", _targets(2))
    with _store(tmp_path / "twee.duckdb", 30) as store:  # three more months of readings, after REF
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, {REF: ([SEASON], _targets(0, 2, 7))}, "adres")
        summary = pit.summary(store)
        kept = store.scalar(f"SELECT count(*) FROM {pit.ALL_VALUES}")
    assert values == {(REF, SEASON.code, _targets(0)[0]): 1.0, (REF, SEASON.code, _targets(2)[0]): 0.5}
    assert summary["waarden_hergebruikt"] == 3 and summary["waarden_berekend"] == 0
    assert kept == 4  # kept again here, for the delivery after this one


def test_taken_over_values_are_the_values_computing_gives(tmp_path: Path) -> None:
    previous = _first_delivery(tmp_path)
    asked = {REF: ([SEASON], _targets(*range(20)))}
    with _store(tmp_path / "twee.duckdb", 30) as store:
        assert pit.carry_previous(store, previous)
        taken = pit.values_at(store, asked, "adres")
        assert pit.summary(store)["waarden_berekend"] == 0
    with _store(tmp_path / "vers.duckdb", 30) as store:
        computed = pit.values_at(store, asked, "adres")
    assert taken == computed and len(computed) == 4


def test_a_reading_changed_on_or_before_the_date_makes_it_computed_again(tmp_path: Path) -> None:
    previous = _first_delivery(tmp_path)
    with Store(previous) as store:
        store.execute(f"UPDATE {pit.ALL_VALUES} SET waarde = 0.5")
    # a correction of one reading of December 2024 (a later one, of 2025-04, would not matter)
    with _store(tmp_path / "twee.duckdb", 30, change={(9, "2024-12"): 301.0}) as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, {REF: ([SEASON], _targets(0, 2))}, "adres")
        summary = pit.summary(store)
    assert set(values.values()) == {1.0}  # computed, not the marked 0.5
    assert summary["waarden_berekend"] == 2 and summary["waarden_hergebruikt"] == 0
    with _store(tmp_path / "drie.duckdb", 30, change={(9, "2025-04"): 301.0}) as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, {REF: ([SEASON], _targets(0, 2))}, "adres")
    assert set(values.values()) == {0.5}


def test_a_registration_that_ended_after_the_date_still_counts_as_open_then(tmp_path: Path) -> None:
    """BRP as of a date: one delivery has a registration still open, the next one ended after the date; both saw
    the same as of that date, so the fingerprint agrees; an end on or before the date does not."""
    brp = Indicator(code="x", titel="x", entiteit="adres", familie="test", bronnen=("brp_inschrijving",), meet="",
                    waarom="", bron_url="", onschuldig=(), geen_proxy="",
                    query="SELECT 'h' AS entiteit_id, 1.0 AS waarde")
    prints = []
    for end in (None, dt.date(2025, 3, 1), dt.date(2024, 11, 1)):
        with Store(tmp_path / f"brp{len(prints)}.duckdb") as store:
            store.execute("CREATE TABLE bundel_meta AS SELECT 'c' AS contract, 'r' AS regio, "
                          "DATE '2025-06-30' AS peildatum")
            store.execute("CREATE TABLE raw_brp_inschrijving AS SELECT 1 AS _rij, 'p1' AS persoon_id, "
                          "'0599000000000001' AS verblijfsobject_id, DATE '2020-01-01' AS datum_aanvang, "
                          "CAST(? AS DATE) AS datum_einde, 'x' AS \"extra kolom\"", [end])  # delivered extra
            prints.append(as_of.Fingerprints(store).of(brp, REF, "q"))
    assert prints[0] == prints[1] != prints[2]


def test_a_fingerprint_the_data_no_longer_has_is_dropped_when_the_kept_values_are_carried_whole(
        tmp_path: Path) -> None:
    """A run that reuses its score models keeps the previous delivery's values whole (`keep_previous`) and computes
    only what is new; where it computed a date and indicator again, because a reading dated before the date was
    corrected, the earlier fingerprint there is of data this delivery no longer has, and does not stay beside it."""
    previous = _first_delivery(tmp_path)
    with _store(tmp_path / "twee.duckdb", 30, change={(9, "2024-12"): 301.0}) as store:
        assert pit.carry_previous(store, previous)
        pit.keep_previous(store)
        before = store.scalar(f"SELECT min(vingerafdruk) FROM {pit.ALL_COMPUTED}")
        values = pit.values_at(store, {REF: ([SEASON], _targets(0, 2))}, "adres", extend=True)
        kept = store.rows(f"SELECT DISTINCT vingerafdruk FROM {pit.ALL_VALUES}")
        fingerprints = store.rows(f"SELECT peildatum, indicator, vingerafdruk FROM {pit.ALL_COMPUTED}")
    with _store(tmp_path / "vers.duckdb", 30, change={(9, "2024-12"): 301.0}) as store:
        assert values == pit.values_at(store, {REF: ([SEASON], _targets(0, 2))}, "adres")
    assert len(fingerprints) == 1 and fingerprints[0][2] != before  # the new one only
    assert kept == [(fingerprints[0][2],)]
