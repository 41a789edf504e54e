"""The transparent model: weights never negative, learned from labels, explained per indicator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.evaluation.ranking import ranking_metrics
from pandzicht.score.model import MIN_LABELS, explain, fit, fit_nonnegative_logistic
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


def test_few_labels_fall_back_to_equal_weights():
    x = np.eye(4)
    model = fit(["a", "b", "c", "d"], x[:3], np.array([1.0, 0.0, 1.0]), x, base_rate=0.01)
    assert not model.learned and list(model.weights) == [1.0] * 4
    assert model.notes and "te weinig" in model.notes[0]
    assert MIN_LABELS > 3


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
