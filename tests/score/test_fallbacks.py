"""Scoring never crashes for lack of outcomes, and records every default it used instead of learning.

A small real store: 240 dwellings, three indicators with SQL queries on a signal table (so the point-in-time
training runs them at past dates), and the outcomes each case needs."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from pandzicht import fallback
from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import run_indicators
from pandzicht.score.shortlist import score_units
from pandzicht.store.engine import Store

N_HOMES = 240
KINDS = {"hennep": "hennepkwekerij", "bezoek": "safehouse", "namen": "overbewoning"}


def _indicator(kind: str) -> Indicator:
    query = ("SELECT s.verblijfsobject_id AS entiteit_id, 1.0 AS waarde FROM raw_signaal s, bundel_meta m "
             f"WHERE s.soort = '{kind}' AND s.datum <= m.peildatum")
    return Indicator(code=f"signaal_{kind}", titel=kind, entiteit="adres", familie="test", bronnen=("signaal",),
                     meet=kind, waarom=kind, bron_url="", onschuldig=("geen",), geen_proxy="geen", query=query,
                     wijst_op=(KINDS[kind],))


INDICATORS = [_indicator(k) for k in KINDS]


def _home(i: int) -> str:
    return f"0599010000{i:06d}"


def make_store(outcomes: list[tuple[str, dt.date, str]] | None) -> Store:
    """Homes 0..239; home i carries signal kind i % 4 (none for 3) since 2019. Outcomes as given (None: no file)."""
    store = Store()
    ids = [_home(i) for i in range(N_HOMES)]
    store.write_arrow("raw_bag_verblijfsobject", pa.table({"verblijfsobject_id": ids,
                                                           "gebruiksdoel": ["woonfunctie"] * N_HOMES}))
    store.write_arrow("quarantine_bag_verblijfsobject", pa.table({"verblijfsobject_id": pa.array([], pa.string()),
                                                                  "gebruiksdoel": pa.array([], pa.string())}))
    store.execute("CREATE TABLE bundel_meta (contract VARCHAR, regio VARCHAR, peildatum DATE, bundel VARCHAR)")
    store.execute("INSERT INTO bundel_meta VALUES ('pandzicht-intake/1', 'test', DATE '2024-12-31', 'x')")
    kinds = list(KINDS)
    signals = [(ids[i], dt.date(2019, 3, 1), kinds[i % 4]) for i in range(N_HOMES) if i % 4 < 3]
    store.write_arrow("raw_signaal", pa.table({"verblijfsobject_id": [s[0] for s in signals],
                                               "datum": [s[1] for s in signals], "soort": [s[2] for s in signals]}))
    if outcomes is not None:
        store.write_arrow("raw_handhaving_uitkomst", pa.table({
            "verblijfsobject_id": [o[0] for o in outcomes], "datum": [o[1] for o in outcomes],
            "instrument": ["controle"] * len(outcomes), "bevinding": [o[2] for o in outcomes]}))
    run_indicators(store, INDICATORS)
    fallback.reset(store)
    return store


def _checks(kind_of_finding: dict[int, str], nothing: range) -> list[tuple[str, dt.date, str]]:
    out = [(_home(i), dt.date(2021, 5, 1), t) for i, t in kind_of_finding.items()]
    return out + [(_home(i), dt.date(2021, 5, 1), "niets_gevonden") for i in nothing]


def _steps(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in fallback.recorded(store):
        out.setdefault(f.stap, []).append(f.reden)
        assert f.terugval.strip()
    return out


def _vermoeden(store: Store) -> dict[str, str]:
    return dict(store.rows("SELECT verblijfsobject_id, vermoeden FROM adres_score"))


def test_no_outcomes_file_records_each_default_and_the_prior_names_the_typology():
    store = make_store(None)
    model = score_units(store, INDICATORS)
    steps = _steps(store)
    assert {"score.basisniveau", "score.gewichten", "score.typologie"} <= set(steps)
    assert "0 controles" in steps["score.gewichten"][0]
    assert not model.learned
    guess = _vermoeden(store)
    assert guess[_home(0)] == "hennepkwekerij" and guess[_home(1)] == "safehouse" and guess[_home(2)] == "overbewoning"
    assert guess[_home(3)] == ""  # no evidence, no guess
    meta = json.loads(store.scalar("SELECT model FROM model_typologie"))
    assert meta["bevindingen"] == 0 and not any(t["geleerd"] for t in meta["typologieen"].values())


def test_outcomes_all_nothing_found():
    store = make_store(_checks({}, range(3, 240, 4)))
    score_units(store, INDICATORS)
    steps = _steps(store)
    assert "één soort" in steps["score.gewichten"][0] and "0 controles met" in steps["score.gewichten"][0]
    assert "geen enkele controle vond iets (60 controles zonder bevinding)" in steps["score.typologie"][0]
    assert "0 woningen met een bevinding" in steps["score.basisniveau"][0]


def test_a_single_outcome():
    store = make_store(_checks({0: "hennepkwekerij"}, range(0)))
    score_units(store, INDICATORS)
    steps = _steps(store)
    assert "1 controles met en 0 zonder" in steps["score.gewichten"][0]
    assert "hennepkwekerij 1" in steps["score.typologie"][0]
    assert store.scalar("SELECT count(*) FROM adres_score") == N_HOMES


def test_findings_of_one_typology_only():
    store = make_store(_checks({i: "hennepkwekerij" for i in range(0, 120, 4)}, range(0)))
    model = score_units(store, INDICATORS)
    steps = _steps(store)
    assert "één soort" in steps["score.gewichten"][0]
    # 30 findings and no empty-handed check: learned against the population controls, and said so
    assert model.learned and model.controls == 60
    terugval = {f.stap: f.terugval for f in fallback.recorded(store)}["score.gewichten"]
    assert "steekproef van 60 woningen" in terugval
    reden = steps["score.typologie"][0]
    assert "safehouse 0" in reden and "hennepkwekerij" not in reden  # hennep (30 findings) was learned
    meta = json.loads(store.scalar("SELECT model FROM model_typologie"))
    assert meta["typologieen"]["hennepkwekerij"]["geleerd"] and meta["bevindingen"] == 30
    # the other typologies keep the prior: for a home with only the visitors' signal safehouse is the likeliest
    # typology (it gets no `vermoeden`: learned from cannabis findings alone, that signal does not raise its score)
    kans = dict(store.rows("SELECT typologie, kans FROM typologie_kans WHERE verblijfsobject_id = ?", [_home(1)]))
    assert max(kans, key=kans.get) == "safehouse"


def test_outcomes_on_units_not_in_bag_are_left_out_and_said():
    outcomes = _checks({i: KINDS[list(KINDS)[i % 4]] for i in range(0, 180) if i % 4 < 3}, range(3, 240, 4))
    outcomes += [("0599010000999999", dt.date(2021, 5, 1), "safehouse")] * 2 + \
        [("0599010000999998", dt.date(2022, 1, 3), "niets_gevonden")]
    store = make_store(outcomes)
    model = score_units(store, INDICATORS)
    steps = _steps(store)
    assert steps["score.uitkomsten"] == ["2 controles betreffen een verblijfsobject dat niet in de BAG-levering staat"]
    assert model.learned and "score.gewichten" not in steps
    assert steps["score.typologie"][0].endswith("(minimaal 5 per typologie; 135 bevindingen in totaal): "
                                                "drugsopslag 0, prostitutie 0, woonfraude 0")
    assert "135 van 240 woningen" in steps["score.basisniveau"][0]  # a test world far above any real share
    guess = _vermoeden(store)
    assert [guess[_home(i)] for i in range(4)] == ["hennepkwekerij", "safehouse", "overbewoning", ""]


def test_learned_typologies_write_a_probability_per_home_and_typology():
    outcomes = _checks({i: KINDS[list(KINDS)[i % 4]] for i in range(0, 180) if i % 4 < 3}, range(3, 240, 4))
    store = make_store(outcomes)
    score_units(store, INDICATORS)
    rows = store.rows("SELECT verblijfsobject_id, sum(kans), count(*), arg_max(typologie, kans) FROM typologie_kans "
                      "GROUP BY 1")
    assert len(rows) == 180  # every home with evidence (homes 3, 7, ... have none)
    for _, total, n, best in rows:
        assert total == pytest.approx(1.0, abs=1e-3) and n == 6 and best
    best = {r[0]: r[3] for r in rows}
    assert best[_home(4)] == "hennepkwekerij" and best[_home(5)] == "safehouse"
