"""The transparent model: weights never negative, learned from labels, explained per indicator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.evaluation.ranking import ranking_metrics
from pandzicht.score.model import MIN_LABELS, explain, explain_rows, fit, fit_nonnegative_logistic, specificity_prior
from pandzicht.score.training import reference_date


def test_learns_the_informative_indicator_and_never_a_negative_weight():
    rng = np.random.default_rng(0)
    n = 600
    y = (rng.random(n) < 0.3).astype(float)
    signal = np.where(y == 1, rng.random(n) < 0.8, rng.random(n) < 0.1).astype(float)
    noise = (rng.random(n) < 0.3).astype(float)
    anti = np.where(y == 1, 0.0, (rng.random(n) < 0.5).astype(float))  # fires only for negatives
    w, _ = fit_nonnegative_logistic(np.column_stack([signal, noise, anti]), y)
    assert w[0] > 1.5 and w[0] > 5 * w[1]
    assert (w >= 0).all() and w[2] < 1e-6


def test_few_labels_fall_back_to_the_specificity_prior():
    # 'a' fires on 1 home in 100, 'b' on 10, 'c' on 60 (more than the assumed hit rate: says nothing)
    x = np.zeros((100, 3))
    x[:1, 0], x[:10, 1], x[:60, 2] = 1.0, 1.0, 1.0
    model = fit(["a", "b", "c"], x[:3], np.array([1.0, 0.0, 1.0]), x, base_rate=0.01)
    assert not model.learned
    assert model.weights == pytest.approx([np.log(0.5 / 0.01), np.log(0.5 / 0.1), 0.0])
    assert model.notes and "te weinig" in model.notes[0]
    assert model.predict(x).mean() == pytest.approx(0.01, abs=0.001)  # calibrated on the delivery, as learned ones
    assert MIN_LABELS > 3


def test_the_prior_is_relative_to_the_delivery_not_a_constant():
    rng = np.random.default_rng(3)
    x = (rng.random((2000, 4)) < [0.002, 0.02, 0.2, 0.7]).astype(float)
    prior = specificity_prior(x)
    assert prior[0] > prior[1] > prior[2] > 0 and prior[3] == 0
    # the same homes delivered twice over: the shares, and so the weights, stay the same
    assert specificity_prior(np.vstack([x, x])) == pytest.approx(prior)


@given(st.integers(1, 60), st.integers(0, 5))
def test_the_prior_is_never_negative_and_zero_for_an_indicator_on_most_homes(n, fired):
    x = np.zeros((n, 2))
    x[: min(fired, n), 0] = 1.0
    x[:, 1] = 1.0
    prior = specificity_prior(x)
    assert (prior >= 0).all() and prior[1] == 0


def test_intercept_sets_the_mean_score_to_the_base_rate():
    rng = np.random.default_rng(1)
    x = (rng.random((500, 3)) < 0.2).astype(float)
    y = (x[:, 0] + rng.random(500) > 0.9).astype(float)
    model = fit(["a", "b", "c"], x, y, x, base_rate=0.05)
    assert model.learned
    assert model.predict(x).mean() == pytest.approx(0.05, abs=0.002)


def test_explanation_is_strongest_first_and_skips_zero():
    assert explain(["a", "b", "c"], np.array([0.2, 0.0, 1.5])) == "c:+1.500;a:+0.200"
    assert explain(["a"], np.array([0.0])) == ""


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_reference_date_is_a_half_year_end_before_the_check(day):
    ref = reference_date(day)
    assert ref < day and (ref.month, ref.day) in {(6, 30), (12, 31)}
    assert (day - ref).days <= 184


def test_ranking_metrics_on_known_lists():
    truth = {"a": "safehouse", "b": "hennepkwekerij"}
    perfect = ranking_metrics(["a", "b", "c", "d"], truth)
    assert perfect["r_precisie"] == 1.0 and perfect["gemiddelde_precisie"] == 1.0
    worst = ranking_metrics(["c", "d", "a", "b"], truth)
    assert worst["r_precisie"] == 0.0 and worst["gemiddelde_precisie"] == pytest.approx((1 / 3 + 2 / 4) / 2)
    assert worst["per_typologie"]["safehouse"]["recall_bij_R"] == 0.0


def test_past_checks_move_the_prior_towards_what_they_found():
    # 'a' fires on 30% of homes; it fired before all 40 checks that found something, 'b' (also 30%) before none
    x_all = np.zeros((1000, 2))
    x_all[:300, 0], x_all[300:600, 1] = 1.0, 1.0
    x = np.zeros((60, 2))
    x[:40, 0] = 1.0
    y = np.array([1.0] * 40 + [0.0] * 20)
    prior = specificity_prior(x_all, x, y)
    assert prior[0] == pytest.approx(np.log((40 + 5) / 50 / 0.3))
    assert prior[1] == 0.0  # (0 + 5) / 50 = 0.1 below its 0.3 share
    # a check whose sources did not cover the indicator says nothing of its sensitivity
    unseen = np.ones_like(x, dtype=bool)
    unseen[:, 0] = False
    assert specificity_prior(x_all, x, y, unseen)[0] == pytest.approx(np.log(0.5 / 0.3))


def test_saturated_scores_are_ranked_on_their_evidence_and_true_ties_on_id():
    from scipy.special import expit

    from pandzicht.score.shortlist import _ranked

    logits = np.array([16.0, 21.0, 3.0, 21.0])  # the first two print the same score (1.000000)
    assert round(float(expit(16.0)), 6) == round(float(expit(21.0)), 6)
    assert [["a", "b", "c", "d"][r] for r in _ranked(logits, ["a", "b", "c", "d"])] == ["b", "d", "a", "c"]


@given(st.lists(st.lists(st.sampled_from([0.0, 0.001, 0.005, 0.2, 1.5, 3.0]), min_size=3, max_size=3),
                min_size=1, max_size=12), st.randoms())
def test_explain_rows_is_explain_per_row_in_the_given_order(values: list[list[float]], rnd) -> None:  # type: ignore[no-untyped-def]
    contrib = np.array(values)
    order = list(range(len(values)))
    rnd.shuffle(order)
    codes = ["a", "b", "c"]
    assert explain_rows(codes, contrib, order) == [explain(codes, contrib[r]) for r in order]
    assert explain_rows(codes, contrib, []) == []


@given(st.lists(st.lists(st.sampled_from([0.0, 0.001, 0.005, 0.2, 1.5, 3.0]), min_size=24, max_size=24),
                min_size=1, max_size=8))
def test_explain_rows_breaks_ties_as_explain_on_rows_as_wide_as_the_catalogue(values: list[list[float]]) -> None:
    """Rows past NumPy's small-array sort (the catalogue has some 40 indicators): the one sort over all rows
    orders equal contributions as the sort of each row alone does."""
    contrib = np.array(values)
    codes = [f"i{k}" for k in range(24)]
    assert explain_rows(codes, contrib, range(len(values))) == [explain(codes, row) for row in contrib]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 1e-10, 0.1, 0.1 + 1e-12, 0.30000000000000004, 0.3, 2.5, 7.0]),
                          st.text(alphabet="aAbé09_", min_size=1, max_size=6)), max_size=60, unique_by=lambda t: t[1]))
def test_the_vectorised_ranking_orders_as_the_keyed_python_sort(rows) -> None:  # type: ignore[no-untyped-def]
    """Falling strength rounded to 9 decimals, then id: NumPy's sort gives the order the per-row Python sort gave,
    with ties broken by id (also ties only after rounding, and ids beyond ASCII)."""
    from pandzicht.score.shortlist import _ranked

    strength = np.array([s for s, _ in rows], dtype=float)
    ids = [i for _, i in rows]
    assert _ranked(strength, ids) == sorted(range(len(ids)), key=lambda r: (-round(float(strength[r]), 9), ids[r]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "zz"]), st.sampled_from(["u1", "u2", "u3", "x9"]),
                          st.floats(-2, 5, allow_nan=False)), max_size=40))
def test_the_indicator_matrix_takes_each_cells_largest_value(rows) -> None:  # type: ignore[no-untyped-def]
    """`_matrix` places values as the per-row loop it replaced did: the largest per (id, code), 0 where none fired
    or all were below 0, values of other ids or codes left out."""
    from pandzicht.score.shortlist import _matrix
    from pandzicht.store.engine import Store

    with Store(None) as store:
        store.execute("CREATE TABLE ids AS SELECT * FROM (VALUES ('u3'), ('u1'), ('u2')) v(entiteit_id)")
        store.execute("CREATE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
                      "waarde DOUBLE)")
        for code, ident, value in rows:
            store.execute("INSERT INTO indicator_waarde VALUES (?, 'adres', ?, ?)", [code, ident, value])
        ids, x = _matrix(store, "SELECT entiteit_id FROM ids ORDER BY 1", ["c", "a", "b"])
    assert ids == ["u1", "u2", "u3"]
    want = np.zeros((3, 3))
    for code, ident, value in rows:
        if code in ("c", "a", "b") and ident in ids:
            i, j = ids.index(ident), ["c", "a", "b"].index(code)
            want[i, j] = max(want[i, j], value)
    assert np.array_equal(x, want)
