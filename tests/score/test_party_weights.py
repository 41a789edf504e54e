"""Party indicator weights learned from past findings, measured before each finding (no leakage)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pandzicht import fallback
from pandzicht.indicators.catalogue import Indicator
from pandzicht.score.party_weights import MIN_CONFIRMED, party_weights
from pandzicht.score.shortlist import score_parties
from pandzicht.store.engine import Store


def _flag_indicator(code: str) -> Indicator:
    """A party indicator that fires for parties flagged in `_vlag` on or before the peildatum."""
    return Indicator(
        code=code, titel=code, entiteit="partij", familie="test", bronnen=("relatie",), meet="", waarom="",
        bron_url="", onschuldig=(), geen_proxy="",
        query=f"SELECT partij AS entiteit_id, 1.0 AS waarde FROM _vlag WHERE code = '{code}' "
              "AND datum <= (SELECT peildatum FROM bundel_meta)")


def _store(tmp_path: Path, tenants: int) -> Store:
    """`tenants` tenants of homes where a check found a cannabis farm on 2022-03-01. Each was flagged by
    'vooraf' in 2020 (visible before the check) and by 'achteraf' on the day of the raid (the discovery)."""
    store = Store(tmp_path / "p.duckdb")
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                  "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, bevinding VARCHAR)")
    store.execute("CREATE TABLE _vlag (partij VARCHAR, code VARCHAR, datum DATE)")
    raid = dt.date(2022, 3, 1)
    for k in range(tenants):
        store.execute("INSERT INTO relatie VALUES (?, ?, 'rents', 'huurcontract', 'x', DATE '2019-01-01', ?)",
                      [f"T{k}", f"H{k}", raid + dt.timedelta(days=10)])
        store.execute("INSERT INTO raw_handhaving_uitkomst VALUES (?, ?, 'hennepkwekerij')", [f"H{k}", raid])
        store.execute("INSERT INTO _vlag VALUES (?, 'vooraf', DATE '2020-01-01'), (?, 'achteraf', ?)",
                      [f"T{k}", f"T{k}", raid])
    return store


def _today(tenants: int) -> np.ndarray:
    """Today both indicators fire on every confirmed tenant and on 5 of 100 other parties each."""
    x = np.zeros((tenants + 100, 2))
    x[:tenants] = 1.0
    x[tenants:tenants + 5, 0] = 1.0
    x[tenants + 5:tenants + 10, 1] = 1.0
    return x


def test_an_indicator_seen_before_the_findings_outweighs_one_that_came_with_them(tmp_path):
    inds = [_flag_indicator("vooraf"), _flag_indicator("achteraf")]
    with _store(tmp_path, 12) as store:
        w, _ = party_weights(store, inds, _today(12))
        peildatum = store.scalar("SELECT peildatum FROM bundel_meta")
    assert w.learned and w.confirmed == 12
    # same share today, but only 'vooraf' was there before the checks: 'achteraf' is the discovery itself
    assert w.weights[0] > 2 * w.weights[1] > 0
    assert np.mean(w.weights) == pytest.approx(1.0)
    assert peildatum == dt.date(2024, 6, 30)  # the peildatum is restored after the as-of runs


def test_too_few_confirmed_parties_fall_back_to_equal_weights(tmp_path):
    inds = [_flag_indicator("vooraf"), _flag_indicator("achteraf")]
    with _store(tmp_path, MIN_CONFIRMED - 1) as store:
        w, _ = party_weights(store, inds, _today(MIN_CONFIRMED - 1))
    assert not w.learned and list(w.weights) == [1.0, 1.0]


def test_score_parties_records_the_fallback_and_stores_the_weights(tmp_path):
    with _store(tmp_path, 3) as store:
        store.execute("CREATE TABLE partij_vermelding (bron VARCHAR, record_sleutel VARCHAR, rol VARCHAR, "
                      "naam VARCHAR, kvk_nummer VARCHAR)")
        store.execute("CREATE TABLE entiteit (entiteit_id VARCHAR, bron VARCHAR, record_sleutel VARCHAR)")
        for k in range(3):
            store.execute("INSERT INTO partij_vermelding VALUES ('huurcontract', ?, 'huurder', 'x', NULL)", [f"c{k}"])
            store.execute("INSERT INTO entiteit VALUES (?, 'huurcontract', ?)", [f"T{k}", f"c{k}"])
        store.execute("CREATE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
                      "waarde DOUBLE)")
        store.execute("INSERT INTO indicator_waarde VALUES ('vooraf', 'partij', 'T0', 1.0)")
        score_parties(store, [_flag_indicator("vooraf")])
        steps = [f.stap for f in fallback.recorded(store)]
        model = store.scalar("SELECT model FROM model_partij")
        top = store.scalar("SELECT entiteit_id FROM partij_score WHERE rang = 1")
    assert steps == ["score.partijen.gewichten"]
    assert '"geleerd": false' in model and '"bevestigde_partijen": 3' in model
    assert top == "T0"
