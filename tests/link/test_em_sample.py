"""EM on a sample of whole blocks when a blocking rule yields more pairs than EM needs (`em_blocks`)."""

from __future__ import annotations

import json
import math
import shutil

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht import fallback
from pandzicht.evaluation.linking import pairwise_scores
from pandzicht.link import parties_splink as ps
from pandzicht.link.company_context import infer_company_numbers
from pandzicht.store.engine import Store

COLUMNS = ("a", "b")

values = st.one_of(st.none(), st.sampled_from(["x", "y", "z", "w"]))
frames = st.lists(st.tuples(values, st.sampled_from(["1", "2", "3"]), st.integers(0, 9)), max_size=120)


def _frame(rows: list[tuple]) -> pa.Table:
    return pa.table({"a": pa.array([r[0] for r in rows], pa.string()),
                     "b": pa.array([r[1] for r in rows], pa.string()),
                     "c": pa.array([r[2] for r in rows], pa.int64())})


@settings(max_examples=80, deadline=None)
@given(rows=frames, cap=st.integers(0, 400))
def test_the_sample_is_whole_blocks_up_to_the_cap(rows, cap):
    frame = _frame(rows)
    blocks, marked = ps.em_blocks(frame, COLUMNS, "_em", cap=cap)
    total = ps.pairs_sharing(frame, COLUMNS)
    assert blocks.pairs == total
    if total <= cap:
        assert marked is None and blocks.trained == total and blocks.flag is None
        return
    assert blocks.flag == "_em" and len(marked) == frame.num_rows
    flags = marked.to_pylist()
    by_key: dict[tuple, set[int]] = {}
    for row, flag in zip(rows, flags, strict=True):
        if row[0] is None or row[1] is None:
            assert flag == 0  # a profile without the key is in no block
        else:
            by_key.setdefault((row[0], row[1]), set()).add(flag)
    assert all(len(f) == 1 for f in by_key.values())  # a block is taken whole or not at all
    sample = frame.filter(pa.array([f == 1 for f in flags]))
    assert blocks.trained == ps.pairs_sharing(sample, COLUMNS)
    biggest = max(n * (n - 1) // 2 for n in (sum(1 for r in rows if (r[0], r[1]) == k) for k in by_key))
    assert cap <= blocks.trained <= max(cap - 1, 0) + biggest  # stops at the block that reaches the cap
    assert ps.em_blocks(frame, COLUMNS, "_em", cap=cap)[1].to_pylist() == flags  # the same in every run


def _model(store: Store) -> tuple[dict, dict]:
    (model, em), = store.rows(f"SELECT model, em FROM {ps.MODEL_TABLE} WHERE soort = 'persoon'")
    return json.loads(model), json.loads(em)


def _weights(model: dict) -> dict[tuple[str, str], tuple[float, float]]:
    """(m, match weight in bits) per comparison level."""
    return {(c["output_column_name"], lv["label_for_charts"]): (lv["m_probability"],
                                                                 math.log2(lv["m_probability"] / lv["u_probability"]))
            for c in model["comparisons"] for lv in c["comparison_levels"] if "m_probability" in lv}


def test_em_on_sampled_blocks_learns_the_full_model(world_base, tmp_path, monkeypatch):
    """A quarter of the blocks teaches EM nearly the same weights as all of them (the sample is blind to whether
    a pair matches): every level that a tenth or more of the matches show within half a bit; the parties come
    out the same; the report says how many pairs EM had and saw. (A 3,000-unit world has ~13,000 such pairs; at
    the cap's scale the sample holds millions, so its spread is far smaller.)"""
    bundle, db = world_base
    runs, unseen = {}, {}
    for name, cap in (("alle", None), ("steekproef", 0.25)):
        copy = tmp_path / f"{name}.duckdb"
        shutil.copy(db, copy)
        with Store(copy) as store:
            if cap is not None:
                full = runs["alle"][1][0]["paren"]
                monkeypatch.setattr(ps, "EM_MAX_PAIRS", int(full * cap))
            fallback.reset(store)
            ps.resolve_parties(store, judgements=tmp_path / "geen.sqlite")
            model, em = _model(store)
            store.execute(f"COPY (SELECT * FROM entiteit) TO '{tmp_path / name}.csv' (HEADER)")
            unseen[name] = " ".join(f.reden for f in fallback.recorded(store)
                                    if f.stap == "partijen.personen.em.niveaus")
        runs[name] = (_weights(model), em["persoon"] if isinstance(em, dict) else em,
                      pairwise_scores(tmp_path / f"{name}.csv", bundle / "truth" / "persoon_sleutel.csv"))
    (m_all, em_all, f_all), (m_sample, em_sample, f_sample) = runs["alle"], runs["steekproef"]
    assert em_all[0]["blokkering"] == "geboortedatum + initiaal"
    assert em_all[0]["paren_getraind"] == em_all[0]["paren"] > 10_000
    assert em_sample[0]["paren"] == em_all[0]["paren"]
    assert em_sample[0]["paren_getraind"] < 0.3 * em_sample[0]["paren"]
    # A level that no sampled pair shows keeps its starting m, and the report says so (a rare level of a small
    # world: at the cap's scale the sample holds millions of pairs); every other level is learned from the sample.
    missing = m_all.keys() - m_sample.keys()
    assert m_sample.keys() <= m_all.keys() and len(missing) <= 1
    for column, level in missing:
        assert m_all[(column, level)][0] < 0.05 and f"{column}: {level}" in unseen["steekproef"]
    assert any(m_sample[k][0] != m_all[k][0] for k in m_sample)  # EM did train on the sample only
    # a comparison with a level the sample never saw shares that level's matches out over its other levels, so
    # only the comparisons whose every level was seen are held to the full model's weights
    whole = {k[0] for k in m_all} - {column for column, _ in missing}
    # "most matches": a level at least a tenth of the matches show. A rarer level rests on a few dozen matched
    # pairs of a quarter of this small world's blocks, and EM's split of its look-alike non-matches moves it (a
    # surname within Jaro-Winkler 0.92, shown by 5% of the matches: m 0.053 on all blocks, 0.020 on the sample)
    common = [k for k, (m, _) in m_all.items() if m >= 0.1 and k[0] in whole]
    assert len(common) >= 6
    differences = {k: abs(m_sample[k][1] - m_all[k][1]) for k in common}
    assert max(differences.values()) < 0.5, sorted(differences.items(), key=lambda kv: -kv[1])[:3]
    assert f_sample["f1"] == pytest.approx(f_all["f1"], abs=0.002)


def _person_profiles(store: Store) -> pa.Table:
    store.write_arrow("_beoordeeld", pa.table({"sleutel": pa.array([], pa.string())}))
    store.write_arrow("_oordeel_paar", pa.table({"links": pa.array([], pa.string()),
                                                 "rechts": pa.array([], pa.string())}))
    infer_company_numbers(store)  # as the resolver does before it builds profiles
    ps.build_profiles(store)
    return store.arrow(f"SELECT {', '.join(ps.PERSON_COLUMNS)} FROM _profiel WHERE soort = 'persoon' "
                       "AND achternaam_sleutel IS NOT NULL ORDER BY unique_id")


def test_a_model_trained_elsewhere_predicts_as_the_trainer(world_base, tmp_path):
    """On Spark the model is trained on DuckDB and its parameters copied to the engine's linker: the copy
    scores every pair as the trained linker does."""
    _, db = world_base
    shutil.copy(db, tmp_path / "s.duckdb")
    with Store(tmp_path / "s.duckdb") as store:
        frame = _person_profiles(store)
    with ps._db_api("duckdb") as api:
        models: dict[str, dict] = {}
        trained = ps.score_persons(api, "duckdb", frame, 0.5, models=models)
        frame = ps.bounded(frame, "persoon", ps.Fallbacks([]))  # the prediction rules' flag columns
        copy = ps.Linker(api.register(frame), ps.person_settings())
        ps._copy_parameters(ps.Linker(api.register(frame), models["persoon"]), copy)
        assert copy.misc.save_model_to_json()["comparisons"] == models["persoon"]["comparisons"]
        again = ps._pairs(copy.inference.predict(threshold_match_probability=0.5, warning_mode="never"), "duckdb")
    key = ("unique_id_l", "unique_id_r")
    assert trained.num_rows > 1000
    assert trained.sort_by([(k, "ascending") for k in key]).equals(again.sort_by([(k, "ascending") for k in key]))
