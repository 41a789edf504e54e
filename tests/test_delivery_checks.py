"""Checks of a delivery against the previous one in the same output folder, without running an analysis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pandzicht.delivery_checks import PreviousDelivery, check_against_previous, continues

PREVIOUS = PreviousDelivery(Path("vorige.duckdb"), "RIEC Rotterdam", dt.date(2024, 6, 30), {"melding": 100})
REPORT = {"peildatum": "2024-07-31", "bronnen": {"melding": {"gelezen": 101}}}


def test_the_region_as_typed_again_next_month_continues_the_previous_delivery():
    """`region` is free text: a trailing space or other case made the next delivery a first one (new party ids, no
    history, no wijzigingen.csv) without a word on the terminal."""
    for regio in ("RIEC Rotterdam ", "riec  rotterdam", "RIEC\tROTTERDAM"):
        assert continues(PREVIOUS, regio) == PREVIOUS.store
        section = check_against_previous(REPORT, PREVIOUS, regio)["vorige_levering"]
        assert "genegeerd" not in section and section["afwijkingen"] == []


def test_another_region_is_still_a_first_delivery():
    assert continues(PREVIOUS, "RIEC Zeeland-West-Brabant") is None
    section = check_against_previous(REPORT, PREVIOUS, "RIEC Zeeland-West-Brabant")["vorige_levering"]
    assert section["genegeerd"] == "andere regio (RIEC Rotterdam)"
