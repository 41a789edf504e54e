"""The bound on the candidate pairs of each prediction blocking rule (`link/prediction_blocks.py`)."""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.link import parties_splink as ps
from pandzicht.link.prediction_blocks import PredictionRule, bound_blocks, flag_name

RULE = PredictionRule(("naam", "jaar"), "token")


def _frame(rows: list[tuple[str | None, str | None, str | None]]) -> pa.Table:
    return pa.table({"unique_id": [str(i) for i in range(len(rows))], "naam": [r[0] for r in rows],
                     "jaar": [r[1] for r in rows], "token": [r[2] for r in rows]})


def _compared(frame: pa.Table, rule: PredictionRule, flag: str | None) -> set[tuple[str, str]]:
    """The pairs the rule's SQL puts up on `frame`, as Splink would join them."""
    con = duckdb.connect()
    con.register("p", frame)
    return set(con.execute(f"SELECT l.unique_id, r.unique_id FROM p l JOIN p r ON {rule.sql(flag)} "
                           "AND l.unique_id < r.unique_id").fetchall())


def test_the_largest_block_is_left_out_first_and_the_rest_compared():
    rows = [("jansen", "1980", None)] * 6 + [("bakker", "1980", None)] * 3 + [("visser", "1975", None)] * 2
    frame, bounds = bound_blocks(_frame(rows), (RULE,), per_profile=0, floor=4)  # 15 + 3 + 1 pairs, budget 4
    assert [(b.pairs, b.kept_pairs, b.blocks_left_out, b.profiles_left_out, b.largest_block) for b in bounds] == [
        (19, 4, 1, 6, 6)]
    assert frame.column(flag_name(0)).to_pylist() == [0] * 6 + [1] * 5
    pairs = _compared(frame, RULE, flag_name(0))
    assert len(pairs) == 4 and all(int(a) >= 6 and int(b) >= 6 for a, b in pairs)


def test_a_rule_within_its_budget_is_left_whole():
    rows = [("jansen", "1980", None)] * 6
    frame, bounds = bound_blocks(_frame(rows), (RULE,), per_profile=0, floor=15)
    assert bounds == [] and set(frame.column(flag_name(0)).to_pylist()) == {1}
    assert len(_compared(frame, RULE, flag_name(0))) == 15


def test_pairs_of_two_brp_persons_do_not_count_against_the_budget():
    # 10 BRP persons and one contract tenant of the same name: 10 pairs to compare, not 55
    rows = [("jansen", "1980", f"t{i}") for i in range(10)] + [("jansen", "1980", None)]
    frame, bounds = bound_blocks(_frame(rows), (RULE,), per_profile=0, floor=10)
    assert bounds == [] and len(_compared(frame, RULE, flag_name(0))) == 10


def test_an_empty_key_is_never_a_block():
    rows = [(None, "1980", None)] * 50 + [("jansen", None, None)] * 50 + [("jansen", "1980", None)] * 2
    frame, bounds = bound_blocks(_frame(rows), (RULE,), per_profile=0, floor=1)
    assert bounds == [] and len(_compared(frame, RULE, flag_name(0))) == 1


def test_the_person_model_flags_every_rule_and_reports_a_bound(monkeypatch):
    # A placeholder birth date shared by many profiles: the first-name + birth-date rule is bounded, and the
    # fallback says so with counts only (no name or date in the text).
    profiles = [{"unique_id": f"p{i:03d}", "achternaam_sleutel": f"naam{i}", "achternaam": f"naam{i}",
                 "achternaam_fonetisch": f"naam{i}", "achternaam_laatste": f"naam{i}", "voornamen": "jan",
                 "voornaam1": "jan", "initialen": "j", "initiaal": "j", "geboortedatum": "1900-01-01",
                 "geboortedatum_sleutel": "1900-0101", "geboortejaar": "1900", "verblijfsobject_id": None,
                 "persoon_token": None} for i in range(120)]
    monkeypatch.setattr("pandzicht.link.prediction_blocks.MIN_BUDGET", 1000)  # 20 per profile: 2,400
    fallbacks = ps.Fallbacks([])
    frame = ps.bounded(pa.Table.from_pylist(profiles), "persoon", fallbacks)
    assert [flag_name(i) in frame.column_names for i in range(len(ps.PERSON_RULES))] == [True] * 7
    assert [s for s, _, _ in fallbacks.items] == ["partijen.blokgrens.persoon"]
    _, reden, terugval = fallbacks.items[0]
    assert "voornaam1 + geboortedatum_sleutel" in reden and "7.140 kandidaatparen (grens 2.400)" in reden
    assert "vergeleken, wel via de andere regels" in terugval
    assert "jan" not in reden + terugval and "1900" not in reden + terugval


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", None]), st.sampled_from(["1", "2", None]),
                          st.sampled_from(["t1", "t2", None, None])), max_size=60),
       st.integers(0, 200))
def test_the_bound_keeps_at_most_the_budget_and_leaves_out_as_few_blocks_as_it_can(rows, limit):
    frame, bounds = bound_blocks(_frame(rows), (RULE,), per_profile=0, floor=limit)
    unbounded = _compared(frame, RULE, None)
    kept = _compared(frame, RULE, flag_name(0))
    assert kept <= unbounded
    if not bounds:
        assert kept == unbounded and len(unbounded) <= limit
        return
    (b,) = bounds
    assert b.pairs == len(unbounded) > limit and b.kept_pairs == len(kept) <= limit
    # the blocks left out are the largest, and putting back the smallest of them would break the budget
    key = {str(i): (r[0], r[1]) for i, r in enumerate(rows)}
    size: dict[tuple, int] = {}
    for a, _ in unbounded:
        size[key[a]] = size.get(key[a], 0) + 1
    out = {k for k in size if not any(key[a] == k for a, _ in kept)}
    assert len(out) == b.blocks_left_out
    assert min(size[k] for k in out) >= max((size[k] for k in size if k not in out), default=0)
    assert len(kept) + min(size[k] for k in out) > limit
    assert all(itertools.starmap(lambda a, c: key[a] == key[c], kept))
