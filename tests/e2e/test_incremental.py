"""A second delivery linked incrementally gives the answer a full analysis of it gives, and keeps the ids.

One small two-delivery demo world (`demo-world --leveringen 2`) through `bench leveringen`'s runs: delivery 1,
then delivery 2 incrementally and in full (`--opnieuw`) from the same folder. The bench's incremental run computes
the score models' training rows again (`--hertrain`), so that taking over past values is tested; the default, fitting
on delivery 1's kept rows (`score/model_reuse.py`), has its own runs at the end.
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pyarrow as pa
import pytest

from pandzicht.bench_deliveries import bench_deliveries
from pandzicht.fallback import recorded
from pandzicht.fallback import reset as reset_fallbacks
from pandzicht.link import parties_incremental as inc
from pandzicht.link.parties_splink import DRIFT_COLUMNS, agreement_rates
from pandzicht.link.stable_ids import keep_entity_ids
from pandzicht.store.engine import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("incrementeel")
    first = work / "levering-1.duckdb"
    return {"work": work, "first": first,
            "result": bench_deliveries(1200, 17, work, keep_first=first, hertrain=True)}


def test_the_second_delivery_is_linked_incrementally_with_the_kept_model(bench) -> None:  # type: ignore[no-untyped-def]
    runs = bench["result"]["runs"]
    report = json.loads((bench["work"] / "uitvoer" / "laadrapport.json").read_text(encoding="utf-8"))
    koppeling = report["analyse"]["koppeling"]
    assert koppeling == runs["levering_2_incrementeel"]["koppeling"]
    assert (koppeling["modus"], koppeling["model"]) == ("incrementeel", "hergebruikt")
    records = koppeling["records"]
    assert records["nieuw"] > 0 and records["gewijzigd"] > 0 and records["ongewijzigd"] > 0
    # only a small part is resolved again, and far fewer pairs are scored than in the full run
    assert records["opnieuw_geresolveerd"] < 0.2 * (records["opnieuw_geresolveerd"] + records["ongewijzigd"])
    assert set(koppeling["drift"]) == {"persoon", "bedrijf"}
    full = runs["levering_2_volledig"]["koppeling"]
    assert (full["modus"], full["model"]) == ("volledig", "getraind") and "--opnieuw" in full["reden"]
    first = runs["levering_1"]["koppeling"]
    assert first["modus"] == "volledig" and "eerste" in first["reden"]


def test_incremental_and_full_give_the_same_answer(bench) -> None:  # type: ignore[no-untyped-def]
    r = bench["result"]
    assert r["top200_overlap"] >= 0.95
    assert abs(r["entiteit_f1_verschil"]) <= 0.002, (r["entiteit_f1_incrementeel"], r["entiteit_f1_volledig"])
    assert r["entiteit_f1_tov_volledig"] >= 0.99


def test_ids_survive_the_incremental_and_the_full_run(bench) -> None:  # type: ignore[no-untyped-def]
    r = bench["result"]
    assert r["id_stabiliteit"]["aandeel"] >= 0.995 and r["id_stabiliteit"]["zonder_brp_aandeel"] >= 0.99
    assert r["id_stabiliteit_volledig"]["aandeel"] >= 0.99  # --opnieuw keeps ids too
    assert r["ware_partijen"]["aandeel"] >= 0.99


def _store_with_model(frames: dict[str, pa.Table]) -> Store:
    store = Store(None)
    store.execute("CREATE TEMP TABLE _vorig_model (soort VARCHAR, profielen BIGINT, overeenstemming VARCHAR)")
    for kind, frame in frames.items():
        store.execute("INSERT INTO _vorig_model VALUES (?, ?, ?)",
                      [kind, frame.num_rows, json.dumps(agreement_rates(frame, DRIFT_COLUMNS[kind]))])
    return store


def _frame(kind: str, n: int, new: int, distinct: int) -> pa.Table:
    cols = {c: [f"v{i % distinct}" for i in range(n)] for c in DRIFT_COLUMNS[kind]}
    return pa.table({**cols, "nieuw": [i < new for i in range(n)]})


def test_drift_retrains_on_many_new_profiles_growth_or_shifted_agreement() -> None:
    trained = {"persoon": _frame("persoon", 1000, 0, 400), "bedrijf": _frame("bedrijf", 200, 0, 150)}
    store = _store_with_model(trained)
    same = {"persoon": _frame("persoon", 1000, 20, 400), "bedrijf": _frame("bedrijf", 200, 3, 150)}
    why, figures = inc.drift(store, same)
    assert why is None and figures["persoon"]["aandeel_nieuw_of_gewijzigd"] == 0.02
    many_new = {**same, "persoon": _frame("persoon", 1000, 400, 400)}
    assert "40% van de profielen nieuw" in (inc.drift(store, many_new)[0] or "")
    grown = {**same, "bedrijf": _frame("bedrijf", 300, 3, 225)}
    assert "+50% profielen" in (inc.drift(store, grown)[0] or "")
    # every value now shared by ten times as many profiles: u of the exact levels would be ten times off
    shifted = {**same, "persoon": _frame("persoon", 1000, 20, 40)}
    assert "overeenstemming op" in (inc.drift(store, shifted)[0] or "")
    store.close()


def test_the_incremental_run_takes_over_past_indicator_values(bench) -> None:  # type: ignore[no-untyped-def]
    runs = bench["result"]["runs"]
    first, inc_run, full = (runs[k]["peildata"] for k in ("levering_1", "levering_2_incrementeel",
                                                          "levering_2_volledig"))
    assert first["modus"] == "volledig" and first["peildata_hergebruikt"] == 0 and first["peildata_berekend"] > 0
    assert full["modus"] == "volledig" and full["reden"] == "--opnieuw" and full["peildata_hergebruikt"] == 0
    assert inc_run["modus"] == "incrementeel"
    # most reference dates lie before delivery 1's checks and are taken over (all but the indicators measured
    # against the delivery, computed afresh); new checks are computed
    assert inc_run["peildata_hergebruikt"] + inc_run["peildata_deels"] > inc_run["peildata_berekend"]
    assert inc_run["waarden_hergebruikt"] > inc_run["waarden_berekend"], inc_run


def _table(folder, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with Store(folder / "pandzicht.duckdb", read_only=True) as store:
        return store.rows(f"SELECT * FROM {name}")


def test_what_the_incremental_run_took_over_equals_what_the_full_run_computed(bench) -> None:  # type: ignore[no-untyped-def]
    runs, work = bench["result"]["runs"], bench["work"]
    reuse, full = runs["levering_2_incrementeel"]["hergebruik"], runs["levering_2_volledig"]["hergebruik"]
    assert runs["levering_1"]["hergebruik"]["inlezen"]["modus"] == "volledig"
    assert full["inlezen"] == {"modus": "volledig", "reden": "--opnieuw"}
    assert full["vermeldingen"]["overgenomen"] == 0 and full["vermeldingen"]["modus"] == "volledig"
    # the demo world's BAG is the same file in both deliveries; every other source changed
    assert reuse["inlezen"]["overgenomen"] == ["bag_verblijfsobject"]
    assert "huurcontract" in reuse["inlezen"]["gelezen"]
    mentions = reuse["vermeldingen"]
    assert mentions["modus"] == "incrementeel" and mentions["overgenomen"] > 5 * mentions["afgeleid"]
    inc_out, full_out = work / "uitvoer", work / "uitvoer-opnieuw"  # the full run read and derived everything
    # text links kept from delivery 1 (those behind a link made through people too) are the links matching makes
    for table in ("raw_bag_verblijfsobject", "quarantine_bag_verblijfsobject", "partij_vermelding", "adres_koppeling",
                  "adres_koppeling_tekst"):
        assert _table(inc_out, table) == _table(full_out, table), table
    assert _table(inc_out, "adres_koppeling_tekst")  # the people stage replaced some text links


def _resolve_again(bench, name: str, take_over: bool, change: str | None = None,  # type: ignore[no-untyped-def]
                   stable: bool = False) -> tuple[list[tuple], dict[str, int]]:
    """Delivery 2's mentions resolved again against delivery 1's store, copying the untouched kept parties'
    rows (`take_over`) or deriving them; `change` is SQL run on the mentions first."""
    copy = bench["work"] / f"{name}.duckdb"
    shutil.copyfile(bench["work"] / "uitvoer" / "pandzicht.duckdb", copy)
    try:
        with Store(copy) as store:
            if change:
                store.execute(change)
            n, plan = inc.resolve_incremental(store, bench["first"], take_over=take_over)
            assert n is not None and plan.modus == "incrementeel"
            if stable:
                keep_entity_ids(store, bench["first"])
            return store.rows("SELECT * FROM entiteit ORDER BY bron, record_sleutel"), plan.overgenomen
    finally:
        copy.unlink()


def test_copied_entity_rows_equal_derived_ones_and_the_published_table(bench) -> None:  # type: ignore[no-untyped-def]
    reuse = bench["result"]["runs"]["levering_2_incrementeel"]["hergebruik"]["entiteiten"]
    assert reuse["modus"] == "incrementeel" and reuse["partijen_overgenomen"] > 0
    assert reuse["records_overgenomen"] > reuse["records_berekend"] > 0
    full = bench["result"]["runs"]["levering_2_volledig"]["hergebruik"]["entiteiten"]
    assert full["modus"] == "volledig" and "--opnieuw" in full["reden"]
    copied, counts = _resolve_again(bench, "kopie", take_over=True)
    derived, none = _resolve_again(bench, "afgeleid", take_over=False)
    assert counts["records"] == reuse["records_overgenomen"] and none["records"] == 0
    assert copied == derived
    # and, given the kept ids, what the incremental analysis published
    assert _resolve_again(bench, "gepubliceerd", take_over=True, stable=True)[0] == \
        _table(bench["work"] / "uitvoer", "entiteit ORDER BY bron, record_sleutel")


def test_a_continued_run_bounds_its_blocking_rules_as_a_full_run_does(bench, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The kept model's rules read the flag columns; the continued run flags all profiles (old and new) itself,
    and a rule it had to bound is in its report, as in a full run."""
    monkeypatch.setattr("pandzicht.link.prediction_blocks.MIN_BUDGET", 0)
    monkeypatch.setattr("pandzicht.link.prediction_blocks.PAIRS_PER_PROFILE", 0.05)
    copy = bench["work"] / "begrensd.duckdb"
    shutil.copyfile(bench["work"] / "uitvoer" / "pandzicht.duckdb", copy)
    try:
        with Store(copy) as store:
            reset_fallbacks(store)
            n, plan = inc.resolve_incremental(store, bench["first"])
            assert n is not None and plan.modus == "incrementeel"
            steps = [(f.stap, f.reden) for f in recorded(store)]
    finally:
        copy.unlink()
    bounded = [r for s, r in steps if s == "partijen.blokgrens.persoon"]
    assert bounded and all("(bij de training" not in r for r in bounded), steps


def test_a_changed_record_makes_its_party_be_resolved_again(bench) -> None:  # type: ignore[no-untyped-def]
    _, before = _resolve_again(bench, "voor", take_over=True)
    # one record of each of twenty parties of delivery 1 that delivery 2 left unchanged gets another name
    first = str(bench["first"]).replace("'", "''")
    change = f"""
        ATTACH '{first}' AS een (READ_ONLY);
        UPDATE partij_vermelding SET naam = coalesce(naam, '') || ' anders'
        WHERE (bron, record_sleutel) IN (
            SELECT min((bron, record_sleutel)) FROM een.entiteit WHERE entiteit_id IN (
                SELECT e.entiteit_id FROM een.entiteit e JOIN een.partij_vermelding v USING (bron, record_sleutel)
                JOIN partij_vermelding n USING (bron, record_sleutel)
                GROUP BY 1 HAVING count(*) >= 2 AND bool_and(v.naam IS NOT DISTINCT FROM n.naam)
                ORDER BY 1 LIMIT 20)
            GROUP BY entiteit_id);
        DETACH een"""
    copied, after = _resolve_again(bench, "na", take_over=True, change=change)
    derived, _ = _resolve_again(bench, "na-afgeleid", take_over=False, change=change)
    assert after["partijen"] < before["partijen"] and after["records"] < before["records"]
    assert copied == derived


def test_past_values_measured_against_the_delivery_equal_the_full_runs(bench, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What a neighbourhood's median or a region's share was at an earlier date moves with every delivery: the
    incremental run computes those afresh, so the model learns from the same values as a full run. Checked
    against the queries run afresh on the incremental analysis's own store (its own parties: a full run retrains
    the linking model and may decide a pair near the threshold otherwise, within issue 13's F1 bound), and, for
    the homes, against the full run itself."""
    from pandzicht.indicators.catalogue import load_catalogue
    from pandzicht.score import point_in_time as pit

    marked = {i.code: i for i in load_catalogue() if i.vergelijkt_met_levering}
    sql = ("SELECT doel, peildatum, indicator, entiteit_id, round(waarde, 9) FROM peil_waarde "
           f"WHERE indicator IN ({', '.join(repr(c) for c in sorted(marked))}) ORDER BY ALL")
    inc, full = bench["work"] / "uitvoer", bench["work"] / "uitvoer-opnieuw"
    kept = _table(inc, f"({sql})")
    assert len({r[2] for r in kept}) >= 3  # several marked indicators fired at earlier dates
    assert [r for r in kept if r[0] == "adres"] == [r for r in _table(full, f"({sql})") if r[0] == "adres"]
    copy = tmp_path / "kopie.duckdb"
    shutil.copy(os.path.realpath(inc / "pandzicht.duckdb"), copy)
    afresh = []
    with Store(copy) as store:
        for doel in ("adres", "partij"):
            asked: dict = {}
            for ref, code, ident in store.rows(
                    "SELECT DISTINCT c.peildatum, c.indicator, t.entiteit_id FROM peil_indicator c JOIN peil_doel t "
                    "USING (doel, peildatum) WHERE c.doel = ? ORDER BY ALL", [doel]):
                if code in marked:
                    inds, ids = asked.setdefault(ref, ({}, set()))
                    inds[code] = marked[code]
                    ids.add(ident)
            values = pit.compute(store, {ref: (list(inds.values()), sorted(ids)) for ref, (inds, ids) in asked.items()})
            afresh += [(doel, ref, code, ident, round(v, 9)) for (ref, code, ident), v in values.items()]
    assert sum(r[0] == "partij" for r in kept) >= 10 and sum(r[0] == "adres" for r in kept) >= 5
    assert kept == sorted(afresh)


@pytest.fixture(scope="module")
def reused(bench):  # type: ignore[no-untyped-def]
    """Delivery 1, then delivery 2 as `analyse` continues it by default: fitted on delivery 1's training rows."""
    from pandzicht.pipeline import analyse

    work = bench["work"]
    out, first = work / "hergebruik", work / "hergebruik-levering-1"
    analyse(work / "levering-01", out)
    shutil.copy(os.path.realpath(out / "pandzicht.duckdb"), first)
    result = analyse(work / "levering-02", out)
    return {"out": out, "first": first, "report": result.report["analyse"]}


def _kept_rows(path):  # type: ignore[no-untyped-def]
    from pandzicht.score import model_reuse

    with Store(path, read_only=True) as store:
        header = json.loads(store.scalar(f"SELECT model FROM {model_reuse.TABLE}"))
        rows = model_reuse._unpack(dict(store.rows(f"SELECT naam, waarde FROM {model_reuse.ROWS}")))
    return header, rows


def test_a_monthly_delivery_fits_its_models_on_the_kept_training_rows(reused) -> None:  # type: ignore[no-untyped-def]
    report = reused["report"]
    scoremodel = report["scoremodel"]
    assert scoremodel["model"] == "hergebruikt", scoremodel
    assert 0 < scoremodel["nieuwe_controles"] < scoremodel["controles_bij_training"]
    added = scoremodel["toegevoegd"]
    assert added["controles"] == scoremodel["nieuwe_controles"] and added["steekproef"] > 0, added
    # only the new checks were computed at their reference dates
    assert report["peildata"]["modus"] == "aangevuld" and report["peildata"]["waarden_berekend"] > 0
    (h1, first), (h2, now) = _kept_rows(reused["first"]), _kept_rows(reused["out"] / "pandzicht.duckdb")
    n = len(first.units.y)
    assert len(now.units.y) == n + added["controles"] and now.units.units[:n] == first.units.units
    assert np.array_equal(now.units.x[:n], first.units.x) and np.array_equal(now.evidence.x[:n], first.evidence.x)
    # what counts as observed can only shrink: the energy extract rolled on by a month (`restrict_to_coverage`)
    for a, b in ((first.units.observed, now.units.observed[:n]), (first.evidence.observed, now.evidence.observed[:n])):
        assert not (b & ~a).any()
    assert now.parties.confirmed == first.parties.confirmed + added["partijen"]
    assert np.array_equal(now.parties.fired[:len(first.parties.fired)], first.parties.fired)
    # the header moves on to this delivery; the rows' full computation stays delivery 1's
    assert h2["peildatum"] > h1["peildatum"] and h2["volledig_berekend_op"] == h1["peildatum"]
    assert h2["controles"] == h1["controles"] + scoremodel["nieuwe_controles"]
    # delivery 1's past values travel on, with the new checks' values beside them
    with Store(reused["first"], read_only=True) as a, Store(reused["out"] / "pandzicht.duckdb", read_only=True) as b:
        for table in ("peil_waarde", "peil_doel", "peil_indicator"):
            old = set(a.rows(f"SELECT * FROM {table}"))
            new = b.rows(f"SELECT * FROM {table}")
            assert old <= set(new), table
        grown = "SELECT count(*) FROM (SELECT DISTINCT * FROM peil_doel WHERE doel = 'adres')"
        assert a.scalar(grown) < b.scalar(grown) <= a.scalar(grown) + added["controles"] + added["steekproef"]
        # but the models are fitted again on this delivery (today's shares and share of findings), not copied
        before, after = (json.loads(s.scalar("SELECT model FROM model_adres")) for s in (a, b))
    assert before["intercept"] != after["intercept"] or before["gewichten"] != after["gewichten"]
    assert "hergebruikt" in after["opmerkingen"][-1] and "getraind" in before["opmerkingen"][-1]


def test_the_added_rows_are_the_rows_a_full_run_computes(bench, reused) -> None:  # type: ignore[no-untyped-def]
    """The new checks' rows, and the homes the sample adds, equal those of `--opnieuw` on the same delivery."""
    _, first = _kept_rows(reused["first"])
    _, now = _kept_rows(reused["out"] / "pandzicht.duckdb")
    _, full = _kept_rows(bench["work"] / "uitvoer-opnieuw" / "pandzicht.duckdb")
    n = len(first.units.y)
    at = {(u, d): k for k, (u, d) in enumerate(zip(full.units.units, full.units.dates, strict=True))}
    for rows, other in ((now.units, full.units), (now.evidence, full.evidence)):
        for k in range(n, len(rows.y)):
            j = at[(rows.units[k], rows.dates[k])]
            # equal up to the order DuckDB sums in (a parallel aggregate is not bit-for-bit repeatable)
            assert np.allclose(rows.x[k], other.x[j], rtol=1e-9, atol=1e-12)
            assert np.array_equal(rows.observed[k], other.observed[j])
            assert rows.y[k] == other.y[j] and rows.findings[k] == other.findings[j]
    assert len(now.units.y) == len(full.units.y)
    c, f = now.units.controls, full.units.controls
    assert c is not None and f is not None and first.units.controls is not None
    assert sorted(zip(c.dates, c.units, strict=True)) == sorted(zip(f.dates, f.units, strict=True))
    kept = set(zip(first.units.controls.dates, first.units.controls.units, strict=True))
    where = {(d, u): k for k, (d, u) in enumerate(zip(f.dates, f.units, strict=True))}
    added = [k for k, key in enumerate(zip(c.dates, c.units, strict=True)) if key not in kept]
    assert added
    for k in added:
        assert np.allclose(c.x[k], f.x[where[(c.dates[k], c.units[k])]], rtol=1e-9, atol=1e-12)


def test_fitting_on_the_kept_rows_gives_the_full_runs_answer(bench, reused) -> None:  # type: ignore[no-untyped-def]
    from pandzicht.bench_deliveries import top_overlap

    full = bench["work"] / "uitvoer-opnieuw"
    assert top_overlap(reused["out"] / "adressen.csv", full / "adressen.csv", 100) >= 0.95
    with Store(full / "pandzicht.duckdb", read_only=True) as f, \
            Store(reused["out"] / "pandzicht.duckdb", read_only=True) as r:
        top = "SELECT entiteit_id FROM partij_score WHERE rang <= 30"
        assert len(set(f.rows(top)) & set(r.rows(top))) >= 27


def test_a_third_delivery_continues_the_continued_rows(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Month after month: delivery 3 takes the rows delivery 2 continued, adds its own new checks, and keeps the
    date of their last full computation; its added rows are those a full run of delivery 3 computes."""
    from pandzicht.pipeline import analyse
    from pandzicht.synth.deliveries import folder_name, generate_deliveries

    work = tmp_path_factory.mktemp("drie")
    generate_deliveries(work, 1200, 19, 3)
    out, full = work / "uitvoer", work / "uitvoer-opnieuw"
    reports = [analyse(work / folder_name(k), out).report["analyse"]["scoremodel"] for k in (1, 2)]
    shutil.copytree(out, full, symlinks=True)
    _, second = _kept_rows(out / "pandzicht.duckdb")
    third = analyse(work / folder_name(3), out).report["analyse"]["scoremodel"]
    analyse(work / folder_name(3), full, opnieuw=True)
    assert [r["model"] for r in (*reports, third)] == ["getraind", "hergebruikt", "hergebruikt"], third
    h1 = json.loads((work / folder_name(1) / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
    h2 = json.loads((work / folder_name(2) / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
    assert third["getraind_op_peildatum"] == h2 and third["volledig_berekend_op_peildatum"] == h1
    header, now = _kept_rows(out / "pandzicht.duckdb")
    _, other = _kept_rows(full / "pandzicht.duckdb")
    assert header["volledig_berekend_op"] == h1 and header["peildatum"] > h2
    n = len(second.units.y)
    assert third["toegevoegd"]["controles"] == len(now.units.y) - n > 0
    assert len(now.units.y) == len(other.units.y) and sorted(now.units.units) == sorted(other.units.units)
    at = {(u, d): k for k, (u, d) in enumerate(zip(other.units.units, other.units.dates, strict=True))}
    for k in range(n, len(now.units.y)):
        j = at[(now.units.units[k], now.units.dates[k])]
        assert np.allclose(now.units.x[k], other.units.x[j], rtol=1e-9, atol=1e-12), (k, n)
    assert now.parties.confirmed >= second.parties.confirmed
