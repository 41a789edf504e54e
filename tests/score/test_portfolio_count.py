"""A letting party's count of striking homes, weighed against what its portfolio size predicts (issue 11)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.run import run_indicators
from pandzicht.score.shortlist import score_parties
from pandzicht.store.engine import Store

CODE = "portefeuille_opvallend_aantal"
PEILDATUM = dt.date(2024, 6, 30)


def _surprise(k: int, n: int, base: float) -> float:
    """n × KL(k/n || base) in nats, scaled as the indicator does (7 nats give 1.0, then logarithmic)."""
    q = k / n
    nats = n * (q * math.log(q / base) + ((1 - q) * math.log((1 - q) / (1 - base)) if k < n else 0.0))
    return nats / 7.0 if nats <= 7.0 else 1.0 + math.log(nats / 7.0)


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s.duckdb")
    store.execute(f"CREATE TABLE bundel_meta AS SELECT DATE '{PEILDATUM}' AS peildatum")
    # 'groot' lets 40 homes, 5 of them far above the mean; 'gewoon' 1000 homes, 10 high; 'klein' 3 homes, 1 high;
    # 'verleden' let 6 ordinary homes until 2023 and checks found something in 2 of them while it did
    high = {f"G{i}" for i in range(5)} | {f"N{i}" for i in range(10)} | {"K0"}
    homes = ([f"G{i}" for i in range(40)] + [f"N{i}" for i in range(1000)] + [f"K{i}" for i in range(3)]
             + [f"V{i}" for i in range(6)] + ["OUD"] + [f"X{i}" for i in range(850)])
    store.execute("CREATE TABLE adres_score (verblijfsobject_id VARCHAR, score DOUBLE)")
    # the others share the score of a home without any signal, as in a delivery
    store.con.executemany("INSERT INTO adres_score VALUES (?, ?)", [(h, 0.5 if h in high else 0.02) for h in homes])
    store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                  "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    rows = ([("groot", f"G{i}", "brokers", None) for i in range(40)]
            + [("gewoon", f"N{i}", "lets", None) for i in range(1000)]
            + [("klein", f"K{i}", "lets", None) for i in range(3)]
            + [("verleden", f"V{i}", "brokers", dt.date(2023, 1, 1)) for i in range(6)]
            + [("oud", "OUD", "brokers", dt.date(2020, 1, 1))])  # ended more than three years ago
    store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'huurcontract', 'x', DATE '2019-01-01', ?)", rows)
    store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, bevinding VARCHAR)")
    store.con.executemany("INSERT INTO raw_handhaving_uitkomst VALUES (?, ?, ?)", [
        ("V0", dt.date(2022, 5, 1), "safehouse"),
        ("V1", dt.date(2023, 3, 1), "drugsopslag"),  # within 90 days of the contract's end: counts
        ("V2", dt.date(2023, 9, 1), "hennepkwekerij"),  # long after: the next tenant's, not this agent's
        ("V3", dt.date(2022, 5, 1), "niets_gevonden"),
        ("OUD", dt.date(2019, 6, 1), "safehouse"),
    ])
    return store


def test_the_count_of_striking_homes_is_weighed_against_the_portfolio_size(tmp_path):
    with _store(tmp_path) as store:
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{CODE}'"))
        share = dict(store.rows("SELECT entiteit_id, waarde FROM indicator_waarde "
                                "WHERE indicator = 'portefeuille_hoge_scores'"))
    base = (5 + 10 + 1 + 2) / (40 + 1000 + 3 + 6)  # striking homes over every letting party's homes in the window
    assert values["groot"] == pytest.approx(_surprise(5, 40, base))
    assert values["verleden"] == pytest.approx(_surprise(2, 6, base))  # findings while its contracts ran
    assert "gewoon" not in values  # at the region's share: nothing
    assert "klein" not in values  # one striking home is not yet a pattern
    assert "oud" not in values  # its contract ended more than three years before the peildatum
    # 5 of 40 is a small share, so the share-based indicator gives 'groot' little; the count says more
    assert values["groot"] > 0.7 > 0.4 > share["groot"] > 0


def test_the_party_explanation_lists_the_count(tmp_path):
    with _store(tmp_path) as store:
        store.execute("CREATE TABLE partij_vermelding (bron VARCHAR, record_sleutel VARCHAR, rol VARCHAR, "
                      "naam VARCHAR, kvk_nummer VARCHAR)")
        store.execute("CREATE TABLE entiteit (entiteit_id VARCHAR, bron VARCHAR, record_sleutel VARCHAR)")
        for k, (party, role) in enumerate((("groot", "bemiddelaar"), ("gewoon", "verhuurder"),
                                           ("verleden", "bemiddelaar"))):
            store.execute("INSERT INTO partij_vermelding VALUES ('huurcontract', ?, ?, ?, NULL)",
                          [f"c{k}", role, party])
            store.execute("INSERT INTO entiteit VALUES (?, 'huurcontract', ?)", [party, f"c{k}"])
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        score_parties(store, load_catalogue())
        rows = {r[0]: r[1:] for r in store.rows("SELECT entiteit_id, rang, uitleg FROM partij_score")}
        parts = dict(store.rows(f"SELECT entiteit_id, bijdrage FROM bijdrage_partij WHERE indicator = '{CODE}'"))
    assert f"{CODE}:+" in rows["groot"][1] and f"{CODE}:+" in rows["verleden"][1]
    assert CODE not in rows["gewoon"][1] and rows["gewoon"][0] == 3
    assert set(parts) == {"groot", "verleden"}


def test_stronger_evidence_than_seven_nats_still_counts(tmp_path):
    """Beyond 7 nats the value keeps growing (logarithmically): 20 striking homes of 100 weigh more than 2 of 2,
    which a cap at 1.0 made equal."""
    with Store(tmp_path / "s.duckdb") as store:
        store.execute(f"CREATE TABLE bundel_meta AS SELECT DATE '{PEILDATUM}' AS peildatum")
        high = {f"T{i}" for i in range(2)} | {f"B{i}" for i in range(20)} | {f"N{i}" for i in range(20)}
        homes = [f"T{i}" for i in range(2)] + [f"B{i}" for i in range(100)] + [f"N{i}" for i in range(2000)]
        store.execute("CREATE TABLE adres_score (verblijfsobject_id VARCHAR, score DOUBLE)")
        store.con.executemany("INSERT INTO adres_score VALUES (?, ?)", [(h, 0.5 if h in high else 0.02) for h in homes])
        store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                      "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
        rows = ([("twee", f"T{i}", "brokers") for i in range(2)] + [("twintig", f"B{i}", "brokers") for i in range(100)]
                + [("gewoon", f"N{i}", "lets") for i in range(2000)])
        store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'huurcontract', 'x', DATE '2019-01-01', NULL)",
                              rows)
        store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, "
                      "bevinding VARCHAR)")
        store.execute("INSERT INTO raw_handhaving_uitkomst VALUES ('N1999', DATE '2022-01-01', 'niets_gevonden')")
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{CODE}'"))
    base = 42 / 2102  # the 42 homes above the shared score of the 2,060 homes without a signal
    assert values["twee"] == pytest.approx(_surprise(2, 2, base)) and values["twee"] < 1.2
    assert values["twintig"] == pytest.approx(_surprise(20, 100, base))
    assert values["twintig"] > 2.0 > values["twee"] + 0.5  # 28 nats against about 8


def test_striking_means_among_the_homes_the_model_expects_a_finding_at(tmp_path):
    """A home is striking when it ranks within the number of findings the calibrated scores expect (their sum),
    not when it merely scores a few times the mean: the tail of weak signals does not make a portfolio."""
    with Store(tmp_path / "s.duckdb") as store:
        store.execute(f"CREATE TABLE bundel_meta AS SELECT DATE '{PEILDATUM}' AS peildatum")
        scores = ({f"E{i}": (0.9 if i < 4 else 0.005) for i in range(10)}  # 'echt': 4 strong homes of 10
                  | {f"S{i}": (0.05 if i < 5 else 0.005) for i in range(10)}  # 'staart': 5 weak signals of 10
                  | {f"O{i}": 0.3 + i / 1000 for i in range(30)}  # 'gewoon': 30 homes with a real signal
                  | {f"N{i}": 0.005 for i in range(2000)})  # and 2,000 without any
        expected = sum(scores.values())  # 22.9 findings: striking is above the 23rd home
        assert 4 * expected / len(scores) < 0.05  # the old rule (4x the mean) called the weak signals striking
        store.execute("CREATE TABLE adres_score (verblijfsobject_id VARCHAR, score DOUBLE)")
        store.con.executemany("INSERT INTO adres_score VALUES (?, ?)", list(scores.items()))
        store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                      "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
        owner = {"E": "echt", "S": "staart", "O": "gewoon", "N": "gewoon"}
        store.con.executemany("INSERT INTO relatie VALUES (?, ?, 'lets', 'huurcontract', 'x', DATE '2019-01-01', NULL)",
                              [(owner[h[0]], h) for h in scores])
        store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, "
                      "bevinding VARCHAR)")
        store.execute("INSERT INTO raw_handhaving_uitkomst VALUES ('N1999', DATE '2022-01-01', 'niets_gevonden')")
        run_indicators(store, load_catalogue(), phase="na_adresscore")
        values = dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{CODE}'"))
    assert round(expected) == 23
    striking = 4 + 18  # the 4 strong homes and the 18 best of the 30 rank above the 23rd
    assert values["echt"] == pytest.approx(_surprise(4, 10, striking / 2050))
    assert "staart" not in values
