"""Past indicator values are kept in the store and taken over by the next delivery only where they still hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pandzicht.indicators.catalogue import Indicator
from pandzicht.score import point_in_time as pit
from pandzicht.store.engine import Store

REF1, REF2 = dt.date(2021, 6, 30), dt.date(2022, 12, 31)


def _flag(code: str, suffix: str = "") -> Indicator:
    """A unit indicator that fires (value 1) on homes flagged in `_vlag` on or before the peildatum."""
    return Indicator(
        code=code, titel=code, entiteit="adres", familie="test", bronnen=("relatie",), meet="", waarom="",
        bron_url="", onschuldig=(), geen_proxy="",
        query=f"SELECT woning AS entiteit_id, 1.0 AS waarde FROM _vlag WHERE code = '{code}' "
              f"AND datum <= (SELECT peildatum FROM bundel_meta){suffix}")


def _store(path: Path) -> Store:
    store = Store(path)
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    store.execute("CREATE TABLE _vlag (woning VARCHAR, code VARCHAR, datum DATE)")
    store.execute("INSERT INTO _vlag VALUES ('H1', 'a', DATE '2020-01-01'), ('H2', 'a', DATE '2022-01-01'), "
                  "('H1', 'b', DATE '2022-06-01'), ('H3', 'b', DATE '2019-01-01')")
    return store


def _work(inds: list[Indicator], extra: tuple[str, ...] = ()) -> dict:
    return {REF1: (inds, ["H1", "H2", *extra]), REF2: (inds, ["H1", "H2"])}


def test_values_are_computed_as_of_each_date_and_the_peildatum_is_restored(tmp_path: Path) -> None:
    with _store(tmp_path / "a.duckdb") as store:
        values = pit.values_at(store, _work([_flag("a"), _flag("b")]), "adres")
        assert store.scalar("SELECT peildatum FROM bundel_meta") == dt.date(2024, 6, 30)
        assert pit.summary(store)["peildata_berekend"] == 2 and pit.summary(store)["peildata_hergebruikt"] == 0
        kept = store.scalar(f"SELECT count(*) FROM {pit.VALUES}")
    assert values == {(REF1, "a", "H1"): 1.0, (REF2, "a", "H1"): 1.0, (REF2, "a", "H2"): 1.0,
                      (REF2, "b", "H1"): 1.0}
    assert kept == 4


def _previous(tmp_path: Path, inds: list[Indicator]) -> Path:
    """An earlier analysis that kept its values, one of them marked so a taken-over value can be told apart."""
    path = tmp_path / "vorige.duckdb"
    with _store(path) as store:
        pit.values_at(store, _work(inds), "adres")
        store.execute(f"UPDATE {pit.VALUES} SET waarde = 0.25 WHERE peildatum = ? AND indicator = 'a' "
                      "AND entiteit_id = 'H1'", [REF1])
    return path


def test_a_continuing_run_takes_over_what_the_previous_one_computed(tmp_path: Path) -> None:
    inds = [_flag("a"), _flag("b")]
    previous = _previous(tmp_path, inds)
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work(inds), "adres")
        summary = pit.summary(store)
        # what this run used is kept again, so a third delivery can take it over from this one
        again = store.scalar(f"SELECT waarde FROM {pit.VALUES} WHERE peildatum = ? AND indicator = 'a' "
                             "AND entiteit_id = 'H1'", [REF1])
    assert values[(REF1, "a", "H1")] == 0.25  # taken over, not recomputed
    assert summary["peildata_hergebruikt"] == 2 and summary["peildata_berekend"] == 0
    assert again == 0.25


def test_a_new_check_at_a_date_is_computed_for_that_check_only(tmp_path: Path) -> None:
    inds = [_flag("a"), _flag("b")]
    previous = _previous(tmp_path, inds)
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work(inds, extra=("H3",)), "adres")
        summary = pit.summary(store)
    assert values[(REF1, "a", "H1")] == 0.25  # the checks of then: taken over
    assert values[(REF1, "b", "H3")] == 1.0 and (REF1, "a", "H3") not in values  # the new one: computed
    assert summary["peildata_deels"] == 1 and summary["peildata_hergebruikt"] == 1
    assert summary["waarden_berekend"] == 2 and summary["waarden_hergebruikt"] == 8


def test_a_changed_query_is_recomputed_and_the_others_taken_over(tmp_path: Path) -> None:
    previous = _previous(tmp_path, [_flag("a"), _flag("b")])
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work([_flag("a", " AND true"), _flag("b")]), "adres")
        summary = pit.summary(store)
    assert values[(REF1, "a", "H1")] == 1.0  # 'a' changed: computed again
    assert summary["peildata_deels"] == 2 and summary["waarden_hergebruikt"] == 4


def test_without_kept_values_the_previous_run_is_not_taken_over(tmp_path: Path) -> None:
    old = tmp_path / "oud.duckdb"
    with _store(old):
        pass
    with _store(tmp_path / "b.duckdb") as store:
        assert not pit.carry_previous(store, old)
        pit.values_at(store, _work([_flag("a")]), "adres")
        assert pit.summary(store)["peildata_hergebruikt"] == 0
