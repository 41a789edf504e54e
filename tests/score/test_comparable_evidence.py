"""Indicators measured against the delivery's own homes: energy breaks, residents per m², confirmed parties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.store.engine import Store

CATALOGUE = {i.code: i for i in load_catalogue()}
MONTHS = [f"2023-{m:02d}" for m in range(7, 13)] + [f"2024-{m:02d}" for m in range(1, 7)]  # 12 up to the peildatum


def _values(store: Store, code: str) -> dict[str, float]:
    """What the runner keeps of an indicator: the entities where it fired (waarde > 0)."""
    return {str(k): float(v) for k, v in store.rows(CATALOGUE[code].query) if v and v > 0}


def _meta(store: Store) -> None:
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")


def _brp(store: Store, rows: list[tuple[str, str, dt.date, dt.date | None]]) -> None:
    store.execute("CREATE TABLE raw_brp_inschrijving (verblijfsobject_id VARCHAR, persoon_id VARCHAR, "
                  "datum_aanvang DATE, datum_einde DATE)")
    store.con.executemany("INSERT INTO raw_brp_inschrijving VALUES (?, ?, ?, ?)", rows)


def _energy(store: Store, kwh: dict[str, list[float]], months: list[str]) -> None:
    """Monthly electricity per home; a shorter series covers the last months."""
    store.execute("CREATE TABLE raw_energie_verbruik (verblijfsobject_id VARCHAR, periode VARCHAR, "
                  "elektriciteit_kwh DOUBLE, gas_m3 DOUBLE)")
    store.con.executemany("INSERT INTO raw_energie_verbruik VALUES (?, ?, ?, NULL)", [
        (u, m, float(v)) for u, series in kwh.items() for m, v in zip(months[-len(series):], series, strict=True)])


def _energy_store(tmp_path: Path) -> Store:
    """Ordinary homes of one, two and four residents and empty ones (seasonal use with noise; a larger household
    uses more), and a few that break their own pattern."""
    rng = np.random.default_rng(7)
    season = {m: 1 + 0.18 * np.cos(2 * np.pi * (int(m[-2:]) - 1) / 12) for m in MONTHS}
    kwh: dict[str, list[float]] = {}
    residents: dict[str, int] = {}
    for prefix, count, level, people in (("N", 40, 250, 2), ("S", 12, 150, 1), ("F", 12, 500, 4), ("E", 10, 60, 0)):
        for i in range(count):
            home_level = rng.lognormal(0, 0.2) * level
            kwh[f"{prefix}{i}"] = [home_level * season[m] * rng.lognormal(0, 0.06) for m in MONTHS]
            residents[f"{prefix}{i}"] = people
    kwh["SPRONG"] = [250 * season[m] for m in MONTHS[:8]] + [3000.0] * 4  # grow lamps, same household
    kwh["SPRONG_MATIG"] = [250 * season[m] for m in MONTHS[:8]] + [500.0] * 4  # doubled, same household
    kwh["SPRONG_GEZIN"] = list(kwh["SPRONG_MATIG"])  # the same rise, but a household of four moved in
    kwh["SPRONG_GEZIN_LAMPEN"] = list(kwh["SPRONG"])  # four moved in, and use rose far beyond what four use
    # a couple that always used twice what couples use, joined by two more: use doubled, as from two to four here
    kwh["GROEI_VEELVERBRUIKER"] = [500 * season[m] for m in MONTHS[:8]] + [1000.0] * 4
    kwh["DALING"] = [250 * season[m] for m in MONTHS[:8]] + [70.0] * 4  # tapped: the meter shows less
    kwh["DALING_VERTROKKEN"] = list(kwh["DALING"])  # the household left: an empty home, not a tap
    kwh["DALING_EEN_BLEEF"] = [250 * season[m] for m in MONTHS[:8]] + [25.0] * 4  # one stayed, far below one's use
    kwh["DALING_NIEUW"] = list(kwh["DALING"])  # nobody was registered a year ago: no household stayed
    kwh["KORT"] = [3000.0] * 6  # six months of data say nothing about a break
    kwh["WEER_BEWOOND"] = [15.0] * 8 + [300 * season[m] for m in MONTHS[8:]]  # stood empty, then lived in
    store = Store(tmp_path / "e.duckdb")
    _meta(store)
    _energy(store, kwh, MONTHS)
    long_ago, moved_in, left = dt.date(2015, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 1)
    special = ("SPRONG_GEZIN", "SPRONG_GEZIN_LAMPEN", "GROEI_VEELVERBRUIKER", "DALING_VERTROKKEN", "DALING_NIEUW",
               "DALING_EEN_BLEEF")
    rows = [(u, f"{u}-{k}", long_ago, None) for u in kwh if u not in special for k in range(residents.get(u, 2))]
    for u in ("SPRONG_GEZIN", "SPRONG_GEZIN_LAMPEN"):
        rows += [(u, f"{u}-{k}", long_ago if k == 0 else moved_in, None) for k in range(4)]
    rows += [("GROEI_VEELVERBRUIKER", f"X{k}", long_ago if k < 2 else moved_in, None) for k in range(4)]
    rows += [("DALING_VERTROKKEN", f"V{k}", long_ago, left) for k in range(2)]
    rows += [("DALING_EEN_BLEEF", "B0", long_ago, None), ("DALING_EEN_BLEEF", "B1", long_ago, left)]
    rows += [("DALING_NIEUW", "D0", moved_in, None)]
    _brp(store, rows)
    return store


def test_a_jump_in_use_without_new_residents_stands_out_against_the_delivery(tmp_path):
    with _energy_store(tmp_path) as store:
        up = _values(store, "energie_breuk_omhoog")
    assert up.get("SPRONG") == pytest.approx(1.0)
    assert "SPRONG_MATIG" in up  # use doubled while the same household stayed
    # the same rise with a household of four moving in: four use about that much here, so it is explained
    assert "SPRONG_GEZIN" not in up
    # a larger household explains a rise only up to what such a household uses, not six times that
    assert up.get("SPRONG_GEZIN_LAMPEN", 0) > 0.5
    # growing from two to four brings the step between those sizes' usual use, also from a level above theirs
    assert "GROEI_VEELVERBRUIKER" not in up
    assert "KORT" not in up  # too few months to compare a home with itself
    assert "WEER_BEWOOND" not in up  # an empty home that is lived in again did not break with its use
    assert not any(k[0] in "NSFE" and k[1:].isdigit() for k in up)  # ordinary homes stay silent


def test_a_drop_in_use_while_the_residents_stay_points_at_a_tap(tmp_path):
    with _energy_store(tmp_path) as store:
        down = _values(store, "energie_breuk_omlaag")
    # a household that left entirely, or none registered before: no household stayed, so nothing to explain
    assert {"DALING", "DALING_EEN_BLEEF"} <= set(down)
    assert not {"DALING_VERTROKKEN", "DALING_NIEUW", "WEER_BEWOOND", "KORT"} & set(down)
    # an ordinary home whose last two months sag a little may cross z = 4, the bottom of the scale, and no further
    ordinary = {k: v for k, v in down.items() if k not in ("DALING", "DALING_EEN_BLEEF")}
    assert len(ordinary) <= 1 and all(v < 0.05 for v in ordinary.values())
    assert down["DALING"] > 0.5
    assert down["DALING_EEN_BLEEF"] > 0.5  # one of two left, and use fell far below what one person uses


# 2022-07 .. 2024-06
MONTHS_24 = [f"{2022 + (k + 6) // 12}-{(k + 6) % 12 + 1:02d}" for k in range(24)]


def _break_store(tmp_path: Path) -> Store:
    """24 months of 60 ordinary homes and homes that break with their own use at a month of their own."""
    rng = np.random.default_rng(11)
    season = {m: 1 + 0.25 * np.cos(2 * np.pi * (int(m[-2:]) - 1) / 12) for m in MONTHS_24}
    kwh: dict[str, list[float]] = {}

    def usual(level: float, months: list[str]) -> list[float]:
        return [level * season[m] * rng.lognormal(0, 0.08) for m in months]

    for i in range(60):
        kwh[f"N{i}"] = usual(rng.lognormal(0, 0.3) * 280, MONTHS_24)
    for i in range(12):  # households of four, which here use about 1,000 kWh a month
        kwh[f"F{i}"] = usual(rng.lognormal(0, 0.2) * 1000, MONTHS_24)
    # a household that moved in in the autumn of 2023, lamps switched on in the spring: the move does not explain it
    kwh["LAMPEN"] = [*usual(300, MONTHS_24[:20]), 1100.0, 1050.0, 1120.0, 1080.0]
    # the jump came with a household of four, to what such households use here
    kwh["NIEUW_GEZIN"] = usual(300, MONTHS_24[:20]) + usual(1000, MONTHS_24[20:])
    # tapped since the autumn of 2022: the whole of the last 18 months is low, the break lies before them
    kwh["AFTAP"] = usual(320, MONTHS_24[:4]) + usual(80, MONTHS_24[4:])
    kwh["WINTER"] = [300 * season[m] ** 3 for m in MONTHS_24]  # strongly seasonal, no break: the split finds none
    store = Store(tmp_path / "k.duckdb")
    _meta(store)
    _energy(store, kwh, MONTHS_24)
    long_ago = dt.date(2015, 1, 1)
    rows = [(u, f"{u}-{k}", long_ago, None) for u in kwh if u not in ("LAMPEN", "NIEUW_GEZIN")
            for k in range(4 if u.startswith("F") else 2)]
    rows += [("LAMPEN", f"L{k}", dt.date(2023, 10, 1), None) for k in range(2)]
    rows += [("NIEUW_GEZIN", f"G{k}", dt.date(2024, 2, 10), None) for k in range(4)]
    _brp(store, rows)
    return store


def test_a_break_is_found_at_whatever_month_it_happened(tmp_path):
    with _break_store(tmp_path) as store:
        up = _values(store, "energie_breuk_omhoog")
        down = _values(store, "energie_breuk_omlaag")
    # residents who came months before the jump do not explain it; those who came with it do
    assert set(up) == {"LAMPEN"} and up["LAMPEN"] > 0.5
    # a tap of 20 months is a break even though all of the last 18 months are low; the season alone is none
    assert set(down) == {"AFTAP"} and down["AFTAP"] > 0.5


def _residents_store(tmp_path: Path) -> Store:
    """60 homes of 80 m² with one to three residents; one with eight (three of whom left this year)."""
    store = Store(tmp_path / "b.duckdb")
    _meta(store)
    store.execute("CREATE TABLE raw_bag_verblijfsobject (verblijfsobject_id VARCHAR, oppervlakte_m2 INTEGER, "
                  "wijk_code VARCHAR, gemeente_code VARCHAR, gebruiksdoel VARCHAR)")
    homes = [(f"N{i}", 80) for i in range(60)] + [("VOL", 80), ("GROOT_GEZIN", 82), ("VILLA", 220)]
    store.con.executemany("INSERT INTO raw_bag_verblijfsobject VALUES (?, ?, 'WK01', '0599', 'woonfunctie')", homes)
    long_ago = dt.date(2010, 1, 1)
    rows = [(f"N{i}", f"N{i}-{k}", long_ago, None) for i in range(60) for k in range(1 + i % 3)]
    rows += [("VOL", f"V{k}", dt.date(2023, 9, 1), None) for k in range(5)]
    rows += [("VOL", f"W{k}", dt.date(2023, 8, 1), dt.date(2024, 1, 15)) for k in range(3)]  # wisselende bewoners
    rows += [("GROOT_GEZIN", f"G{k}", long_ago, None) for k in range(3)]  # as many as comparable homes have
    rows += [("VILLA", f"L{k}", long_ago, None) for k in range(8)]  # 8 people in 220 m²: compared to its own class
    rows += [("VOL", "OUD", long_ago, dt.date(2020, 1, 1))]  # left years ago: does not count
    _brp(store, rows)
    return store


def test_many_more_residents_per_m2_than_comparable_homes(tmp_path):
    with _residents_store(tmp_path) as store:
        values = _values(store, "bewoners_vergelijkbaar")
    assert set(values) == {"VOL"}
    assert values["VOL"] == pytest.approx(1.0)  # 8 / 80 m² against a 95th percentile of 3 / 80 m²


def _relations_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "r.duckdb")
    _meta(store)
    store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                  "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, bevinding VARCHAR)")
    rel = [("corporatie", f"C{i}", "lets", dt.date(2010, 1, 1), None) for i in range(200)]
    rel += [
        ("katvanger", "H1", "rents", dt.date(2019, 1, 1), dt.date(2021, 3, 10)),  # ended days after the raid
        ("vorige", "H1", "rents", dt.date(2012, 1, 1), dt.date(2018, 6, 1)),  # left long before
        ("later", "H2", "rents", dt.date(2023, 1, 1), None),  # the finding at H2 comes after the peildatum
        ("leeg", "C0", "rents", dt.date(2022, 1, 1), None),  # its home was checked and nothing was found
    ]
    store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'huurcontract', 'x', ?, ?)", rel)
    store.con.executemany("INSERT INTO raw_handhaving_uitkomst VALUES (?, ?, ?)", [
        ("H1", dt.date(2021, 3, 1), "hennepkwekerij"), ("C5", dt.date(2020, 5, 1), "overbewoning"),
        ("C9", dt.date(2022, 5, 1), "woonfraude"), ("H2", dt.date(2024, 9, 1), "drugsopslag"),
        ("C0", dt.date(2023, 1, 1), "niets_gevonden")])
    return store


def test_a_tenant_of_a_home_where_a_check_found_something_stands_out(tmp_path):
    with _relations_store(tmp_path) as store:
        values = _values(store, "partij_bevestigde_woningen")
    # the corporation's 2 findings among 200 homes are below the region's share; the tenant's 1 of 1 is not
    assert set(values) == {"katvanger"}
    assert values["katvanger"] == pytest.approx(1.0)


def _recent_store(tmp_path: Path) -> Store:
    """24 months of 60 ordinary homes; one whose use jumped two months before the peildatum, and spikes of one
    month (a reading corrected later, a month of building dryers) at the end and in the middle."""
    rng = np.random.default_rng(5)
    season = {m: 1 + 0.25 * np.cos(2 * np.pi * (int(m[-2:]) - 1) / 12) for m in MONTHS_24}

    def usual(level: float) -> list[float]:
        return [level * season[m] * rng.lognormal(0, 0.08) for m in MONTHS_24]

    kwh = {f"N{i}": usual(rng.lognormal(0, 0.3) * 280) for i in range(60)}
    kwh["LAMPEN_RECENT"] = [*usual(300)[:22], 1150.0, 1100.0]  # lamps on for the last two months
    kwh["PIEK_EIND"] = [*usual(300)[:23], 1150.0]  # one month high, the last
    piek = usual(300)
    piek[14] = 1150.0
    kwh["PIEK_MIDDEN"] = piek  # one month high, then back to the usual
    store = Store(tmp_path / "r.duckdb")
    _meta(store)
    _energy(store, kwh, MONTHS_24)
    _brp(store, [(u, f"{u}-{k}", dt.date(2015, 1, 1), None) for u in kwh for k in range(2)])
    return store


def test_a_new_level_counts_two_months_after_it_began_a_single_month_does_not(tmp_path):
    # a region that analyses every month sees a farm one delivery after its lamps went on, not three
    with _recent_store(tmp_path) as store:
        up = _values(store, "energie_breuk_omhoog")
    assert set(up) == {"LAMPEN_RECENT"} and up["LAMPEN_RECENT"] > 0.5
