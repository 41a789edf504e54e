"""Ownership in the demo world: private landlords' portfolios are long-tailed but bounded."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.synth.ownership import capped_shares


@settings(max_examples=200)
@given(
    st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=2, max_size=300),
    st.integers(min_value=1, max_value=2_000_000),
    st.integers(min_value=1, max_value=5000),
)
def test_private_portfolios_are_capped(weights, homes, most):
    """No private landlord gets more than `most` homes' share, the shares stay a distribution, and the order
    of landlords by weight is kept (a Pareto tail once gave one person 27k homes at 1M units)."""
    w = np.array(weights)
    share = capped_shares(w, homes, most)
    assert abs(share.sum() - 1) < 1e-9
    assert (share >= 0).all()
    if most / homes * len(w) >= 1:
        assert share.max() <= most / homes * (1 + 1e-6)
    order = np.argsort(w, kind="stable")
    assert (np.diff(share[order]) >= -1e-12).all()
