"""Evidence about people (a resident's past, a party's other homes) counts in a home's score only beside a signal
about the home itself (`alleen_met_woningsignaal`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import catalogue_dir, load_catalogue
from pandzicht.score.model import gate

CONDITIONAL = np.array([False, False, True, True])  # two home signals, then two about a resident's past


def test_the_past_alone_is_zeroed_and_beside_a_home_signal_kept():
    x = np.array([
        [0.0, 0.0, 1.0, 1.0],  # only the past: says nothing about the home
        [0.4, 0.0, 1.0, 0.0],  # a home signal beside it: the past counts
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.7, 0.0, 0.5],
    ])
    got = gate(x, CONDITIONAL)
    assert got.tolist() == [[0, 0, 0, 0], [0.4, 0, 1.0, 0], [0, 0, 0, 0], [0, 0.7, 0, 0.5]]
    assert x[0].tolist() == [0, 0, 1.0, 1.0]  # the input is not changed in place


def test_an_imputed_cell_of_a_training_row_is_no_home_signal():
    """Before a source covered a check's date its cell holds today's mean (`TrainingSet.imputed`): that value
    is a placeholder, not a signal, so it cannot let a resident's past count."""
    x = np.array([[0.3, 0.0, 1.0, 0.0], [0.3, 0.0, 1.0, 0.0]])
    observed = np.array([[False, True, True, True], [True, True, True, True]])
    got = gate(x, CONDITIONAL, observed)
    assert got[:, 2].tolist() == [0.0, 1.0]
    assert got[:, 0].tolist() == [0.3, 0.3]  # the imputed value itself stays: it is what the fit expects


@given(arrays(np.float64, st.tuples(st.integers(0, 30), st.just(4)), elements=st.sampled_from([0.0, 0.25, 1.0])))
def test_gating_never_adds_and_never_touches_home_signals(x):
    got = gate(x, CONDITIONAL)
    assert (got <= x).all()
    assert (got[:, ~CONDITIONAL] == x[:, ~CONDITIONAL]).all()
    home = (x[:, ~CONDITIONAL] > 0).any(axis=1)
    assert (got[home] == x[home]).all()
    assert (got[~home][:, CONDITIONAL] == 0).all()


def test_the_person_history_indicators_are_marked():
    marked = {i.code for i in load_catalogue() if i.alleen_met_woningsignaal}
    assert marked == {"persoon_eerdere_zaak", "verdachte_bewoner", "incidenten_netwerk"}


def test_the_flag_is_refused_on_a_party_indicator(tmp_path: Path):
    source = (catalogue_dir() / "huurder_meerdere_woningen.toml").read_text(encoding="utf-8")
    (tmp_path / "huurder_meerdere_woningen.toml").write_text(
        source.replace('familie = "personen"\n', 'familie = "personen"\nalleen_met_woningsignaal = true\n', 1),
        encoding="utf-8")
    with pytest.raises(PandzichtError, match="alleen voor indicatoren op adresniveau"):
        load_catalogue(tmp_path)
