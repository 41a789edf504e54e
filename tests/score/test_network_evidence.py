"""Network evidence after the homes are scored: a tenant inherits how far its homes score above the region."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.run import run_indicators
from pandzicht.store.engine import Store

CODE = "huurder_woningen_hoge_score"


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s.duckdb")
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    # 100 homes: 96 at the floor, so the mean is set by the four that stand out
    scores = [("H32", 0.32), ("H4", 0.04), ("H8", 0.08), ("HOUD", 0.56)] + [(f"N{i}", 0.0) for i in range(96)]
    store.execute("CREATE TABLE adres_score (verblijfsobject_id VARCHAR, score DOUBLE)")
    store.con.executemany("INSERT INTO adres_score VALUES (?, ?)", scores)
    store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                  "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    rows = [
        ("katvanger", "H32", "rents", None), ("katvanger", "H8", "rents", None),
        ("gewoon", "H4", "rents", None),
        ("verhuisd", "HOUD", "rents", dt.date(2023, 1, 1)),  # contract ended before the peildatum
        ("verhuurder", "H32", "lets", None),  # only tenants inherit
    ]
    store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'huurcontract', 'x', DATE '2020-01-01', ?)",
                          [(v, n, s, t) for v, n, s, t in rows])
    store.execute("CREATE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
                  "waarde DOUBLE)")
    store.execute("INSERT INTO indicator_waarde VALUES ('contante_huur', 'adres', 'H32', 1.0), "
                  f"('{CODE}', 'partij', 'oud', 0.7)")
    return store


def test_tenants_inherit_how_far_their_homes_score_above_the_region(tmp_path):
    with _store(tmp_path) as store:
        result = run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{CODE}'"))
        kept = store.scalar("SELECT count(*) FROM indicator_waarde WHERE indicator = 'contante_huur'")
    # mean 0.01: H32 is 32x (counts fully), H8 is 8x (a third), H4 is 4x (nothing); capped at 0.75
    assert values == {"katvanger": pytest.approx(0.75)}
    assert CODE in result["berekend"] and "portefeuille_hoge_scores" in result["berekend"]
    assert kept == 1  # the first phase's rows stay; the second phase replaced only its own


def test_one_home_at_eight_times_the_mean_counts_a_third(tmp_path):
    with _store(tmp_path) as store:
        store.execute("DELETE FROM relatie WHERE naar = 'H32'")
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{CODE}'"))
    assert values == {"katvanger": pytest.approx(1 / 3)}


def test_the_first_phase_never_runs_network_evidence(tmp_path):
    with _store(tmp_path) as store:
        store.execute("CREATE TABLE raw_bag_verblijfsobject (verblijfsobject_id VARCHAR)")
        result = run_indicators(store, load_catalogue())
    assert CODE not in result["berekend"] + result["ontbrekende_bron"]


def test_a_home_level_indicator_cannot_come_after_the_home_scores(tmp_path):
    source = (Path(__file__).parents[2] / "src/pandzicht/indicators/catalogue" / f"{CODE}.toml").read_text()
    (tmp_path / f"{CODE}.toml").write_text(source.replace('entiteit = "partij"', 'entiteit = "adres"'))
    with pytest.raises(PandzichtError, match="na de adresscore"):
        load_catalogue(tmp_path)


def test_an_agent_whose_let_homes_score_high_stands_out_against_the_region(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
        # 40 let homes: the agent 'malafide' lets 6, four of them far above the mean; 'gewoon' lets 30, one high
        homes = [(f"M{i}", 0.5 if i < 4 else 0.0) for i in range(6)] + [(f"G{i}", 0.5 if i == 0 else 0.0)
                                                                           for i in range(30)]
        homes += [(f"X{i}", 0.0) for i in range(464)]  # not let: the mean is over every dwelling
        store.execute("CREATE TABLE adres_score (verblijfsobject_id VARCHAR, score DOUBLE)")
        store.con.executemany("INSERT INTO adres_score VALUES (?, ?)", homes)
        store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                      "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
        store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'huurcontract', 'x', DATE '2020-01-01', NULL)",
                              [("malafide", h, "brokers") for h, _ in homes[:6]]
                              + [("gewoon", h, "lets") for h, _ in homes[6:36]]
                              + [("klein", h, "lets") for h, _ in homes[:2]])  # two homes: no pattern yet
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows("SELECT entiteit_id, waarde FROM indicator_waarde "
                                 "WHERE indicator = 'portefeuille_hoge_scores'"))
    base = 5 / 36  # the let homes above 4x the mean (0.5 > 4 * 2.5/500)
    assert values["malafide"] == pytest.approx(min(((4 + 10 * base) / 16 - base) * 4, 1.0))
    assert "gewoon" not in values  # below the region's share: nothing
    assert "klein" not in values
