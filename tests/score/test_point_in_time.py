"""Past indicator values are kept in the store and taken over by the next delivery only where they still hold."""

from __future__ import annotations

import datetime as dt
import json
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


def test_an_indicator_that_compares_with_the_delivery_is_computed_afresh(tmp_path: Path) -> None:
    """Its past value moves when other homes' data do (a neighbourhood's median), so it is never taken over:
    the value marked 0.25 in the previous analysis is computed again, while the unmarked 'b' is taken over."""
    from dataclasses import replace

    previous = _previous(tmp_path, [_flag("a"), _flag("b")])
    relative = replace(_flag("a"), vergelijkt_met_levering=True)  # same query, same hash as then
    assert pit.query_hash(relative) == pit.query_hash(_flag("a"))
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work([relative, _flag("b")]), "adres")
        summary = pit.summary(store)
    assert values[(REF1, "a", "H1")] == 1.0
    assert summary["peildata_deels"] == 2 and summary["waarden_hergebruikt"] == 4 and summary["waarden_berekend"] == 4


PEIL = dt.date(2024, 6, 30)  # the previous delivery's peildatum: the reference date of this month's new checks


def _previous_with_today(tmp_path: Path, sources: tuple[str, ...] = ("melding",)) -> Path:
    """A previous delivery (peildatum PEIL) that kept past values and wrote its own values at PEIL: 'a' at 0.4 for
    H1 only (computing 'a' as of PEIL on this data gives 1.0 for H1 and H2), and had rows of `sources`."""
    path = tmp_path / "vorige.duckdb"
    with _store(path) as store:
        pit.values_at(store, _work([_flag("a")]), "adres")
        store.execute("CREATE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
                      "waarde DOUBLE)")
        store.execute("INSERT INTO indicator_waarde VALUES ('a', 'adres', 'H1', 0.4), ('m', 'adres', 'H1', 0.4), "
                      "('a', 'partij', 'P1', 0.9)")
        for source in sources:
            store.execute(f"CREATE TABLE raw_{source} AS SELECT 1 AS x")
        report = {"bronnen": {source: {"gelezen": 1, "geladen": 1} for source in sources}}
        store.execute("CREATE TABLE laadrapport AS SELECT ? AS rapport", [json.dumps(report)])
    return path


def _continued(store: Store, previous: Path) -> None:
    """This month's store: a later peildatum, the previous delivery's values carried and kept (rows reused)."""
    store.execute("UPDATE bundel_meta SET peildatum = DATE '2024-07-31'")
    store.execute("CREATE TABLE raw_melding AS SELECT 1 AS x")
    store.execute("INSERT INTO _vlag VALUES ('H1', 'm', DATE '2020-01-01')")
    assert pit.carry_previous(store, previous)
    pit.keep_previous(store)


def test_new_checks_at_the_previous_peildatum_take_that_deliverys_own_values(tmp_path: Path) -> None:
    """What the data showed on that date is what the previous delivery computed then: taken over for the catalogue's
    address indicators (a home absent from its values did not fire), computed for the typology evidence (not in
    that table) and for an indicator over a source that had no rows then; only while the kept rows are continued."""
    from dataclasses import replace

    evidence = replace(_flag("b"), familie="typologie")
    over_melding = replace(_flag("m"), bronnen=("melding",))
    inds = [_flag("a"), evidence, over_melding]
    work = {PEIL: (inds, ["H1", "H2"])}
    with _store(tmp_path / "b.duckdb") as store:
        _continued(store, _previous_with_today(tmp_path))
        values = pit.values_at(store, work, "adres", extend=True)
        kept = store.scalar(f"SELECT waarde FROM {pit.VALUES} WHERE peildatum = ? AND indicator = 'a' "
                            "AND entiteit_id = 'H1'", [PEIL])
        summary = pit.summary(store)
    assert values[(PEIL, "a", "H1")] == 0.4 and (PEIL, "a", "H2") not in values  # as the previous delivery had it
    assert values[(PEIL, "b", "H1")] == 1.0  # typology evidence: computed
    assert values[(PEIL, "m", "H1")] == 0.4  # its source had rows then and now: taken over
    assert kept == 0.4  # kept for the next delivery like any value used
    assert summary["waarden_hergebruikt"] == 4 and summary["waarden_berekend"] == 2

    tmp2 = tmp_path / "zonder"
    tmp2.mkdir()
    with _store(tmp2 / "b.duckdb") as store:  # the previous delivery had no tips: 'm' is computed now
        _continued(store, _previous_with_today(tmp2, sources=()))
        values = pit.values_at(store, work, "adres", extend=True)
    assert values[(PEIL, "m", "H1")] == 1.0 and values[(PEIL, "a", "H1")] == 0.4


def test_values_of_a_previous_delivery_that_lost_records_since_are_not_taken_over(tmp_path: Path) -> None:
    """Retention or an erasure removed a row from the previous store after its analysis: what it computed then
    came partly from that row, so this month's checks are computed on this delivery instead."""
    import duckdb

    previous = _previous_with_today(tmp_path)
    with duckdb.connect(str(previous)) as con:
        con.execute("DELETE FROM raw_melding")
    with _store(tmp_path / "b.duckdb") as store:
        _continued(store, previous)
        values = pit.values_at(store, {PEIL: ([_flag("a")], ["H1", "H2"])}, "adres", extend=True)
    assert values == {(PEIL, "a", "H1"): 1.0, (PEIL, "a", "H2"): 1.0}


def test_the_previous_deliverys_own_values_serve_only_its_peildatum_and_a_continued_run(tmp_path: Path) -> None:
    previous = _previous_with_today(tmp_path)
    with _store(tmp_path / "b.duckdb") as store:
        _continued(store, previous)
        other_date = pit.values_at(store, {REF2: ([_flag("a")], ["H1", "H2", "H3"])}, "adres", extend=True)
        not_continued = pit.values_at(store, {PEIL: ([_flag("a")], ["H1", "H2"])}, "adres")
        parties = pit.values_at(store, {PEIL: ([replace_level(_flag("a"))], ["P1"])}, "partij", extend=True)
    assert other_date[(REF2, "a", "H1")] == 1.0 and other_date[(REF2, "a", "H2")] == 1.0
    assert not_continued == {(PEIL, "a", "H1"): 1.0, (PEIL, "a", "H2"): 1.0}  # computed from this delivery
    # party ids are not taken from the previous delivery's values (P1 had 0.9 there): computed on this delivery
    assert parties == {(PEIL, "a", "P1"): 1.0}


def replace_level(ind: Indicator) -> Indicator:
    """The same flag as a party indicator: home H1's flag fires for party P1."""
    from dataclasses import replace

    return replace(ind, entiteit="partij", query=ind.query.replace("woning AS", "'P' || substr(woning, 2) AS"))


def _no_rewrite(monkeypatch) -> list[str]:
    """Make `lift` record and refuse every call, so a test sees whether a query was rewritten again."""
    calls: list[str] = []

    def refuse(sql: str) -> str:
        calls.append(sql)
        raise AssertionError("rewritten again")

    monkeypatch.setattr(pit, "lift", refuse)
    return calls


def test_a_continuing_run_takes_over_the_kept_rewrite_of_an_unchanged_query(tmp_path: Path, monkeypatch) -> None:
    """The previous analysis's lifted SQL is used as kept: marked to give 0.5, the value computed afresh (the
    comparing 'a') comes out 0.5, and nothing is rewritten. A third delivery finds the rewrite kept again."""
    from dataclasses import replace

    previous = _previous(tmp_path, [_flag("a"), _flag("b")])
    with Store(previous) as old:
        assert old.scalar(f"SELECT count(*) FROM {pit.LIFTED} WHERE gelift IS NOT NULL") == 2
        old.execute(f"UPDATE {pit.LIFTED} SET gelift = replace(gelift, '1.0 AS waarde', '0.5 AS waarde')")
    relative = replace(_flag("a"), vergelijkt_met_levering=True)
    calls = _no_rewrite(monkeypatch)
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work([relative, _flag("b")]), "adres")
        kept = store.rows(f"SELECT herschrijver, gelift LIKE '%0.5 AS waarde%' FROM {pit.LIFTED}")
    assert values[(REF1, "a", "H1")] == 0.5 and values[(REF2, "a", "H2")] == 0.5
    assert values[(REF2, "b", "H1")] == 1.0  # 'b' taken over as a value, not recomputed
    assert calls == []
    assert kept == [(pit.rewriter(), True)]


def test_a_rewrite_kept_by_other_code_or_for_another_text_is_made_again(tmp_path: Path) -> None:
    from dataclasses import replace

    previous = _previous(tmp_path, [_flag("a"), _flag("b")])
    with Store(previous) as old:
        old.execute(f"UPDATE {pit.LIFTED} SET gelift = replace(gelift, '1.0 AS waarde', '0.5 AS waarde'), "
                    "herschrijver = 'een oudere herschrijving'")
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work([replace(_flag("a"), vergelijkt_met_levering=True)]), "adres")
    assert values[(REF1, "a", "H1")] == 1.0
    (tmp_path / "d").mkdir()
    with _store(tmp_path / "c.duckdb") as store:  # the kept rewrite is of this code, but of another text
        assert pit.carry_previous(store, _previous(tmp_path / "d", [_flag("a")]))
        values = pit.values_at(store, _work([_flag("a", " AND true")]), "adres")
    assert values[(REF1, "a", "H1")] == 1.0


def test_a_query_kept_as_not_liftable_is_run_date_by_date(tmp_path: Path, monkeypatch) -> None:
    from dataclasses import replace

    previous = _previous(tmp_path, [_flag("a")])
    with Store(previous) as old:
        old.execute(f"UPDATE {pit.LIFTED} SET gelift = NULL")
    calls = _no_rewrite(monkeypatch)
    with _store(tmp_path / "b.duckdb") as store:
        assert pit.carry_previous(store, previous)
        values = pit.values_at(store, _work([replace(_flag("a"), vergelijkt_met_levering=True)]), "adres")
        summary = pit.summary(store)
    assert values[(REF1, "a", "H1")] == 1.0 and values[(REF2, "a", "H2")] == 1.0
    assert summary["indicatoren_per_peildatum"] == 1 and calls == []


def _compares_with_the_delivery(query: str) -> bool:
    """A median or quantile (of a neighbourhood, a size class: `norm`, `fijn`), or an aggregate over all rows
    without GROUP BY (a region's share, the delivery's median: `regio`, `gewoon`) anywhere in the query."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(query, read="duckdb")
    for select in tree.find_all(exp.Select):
        aggregates = [a for a in select.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
        if any(type(a).__name__ in ("Median", "Quantile", "PercentileCont", "PercentileDisc", "ApproxQuantile")
               or "quantile" in a.sql("duckdb").lower() for a in aggregates):
            return True
        if aggregates and not select.args.get("group") and not any(
                a.find_ancestor(exp.Window) for a in aggregates):
            return True
    return False


def test_the_catalogue_marks_every_indicator_measured_against_the_delivery() -> None:
    """Read from the query text (SQLGlot), so a new comparing indicator without the mark fails here, and a
    mark on one that reads only its own target's rows does too."""
    from pandzicht.indicators.catalogue import load_catalogue

    marked = []
    for ind in load_catalogue():
        if ind.fase != "indicatoren":
            continue  # read after the scores, never as of an earlier date
        assert _compares_with_the_delivery(ind.query) == ind.vergelijkt_met_levering, ind.code
        marked += [ind.code] * ind.vergelijkt_met_levering
    assert len(marked) >= 10
