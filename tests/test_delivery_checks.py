"""Checks of a delivery against the previous one in the same output folder, without running an analysis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pandzicht.contract.sources import SOURCES
from pandzicht.delivery_checks import PreviousDelivery, check_against_previous, continues
from pandzicht.errors import PandzichtError
from pandzicht.intake.load import load_bundle
from pandzicht.store.engine import Store

from bundles import minimal_bundle, valid_row

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


def _contracts(folder: Path, prefix: str) -> dict:
    source = SOURCES["huurcontract"]
    bundle = minimal_bundle(folder / "b", extra={"huurcontract": [
        {**valid_row(source, i), "contract_id": f"{prefix}{i}"} for i in range(40)]})
    return load_bundle(bundle, folder / "s.duckdb")


def test_a_source_whose_keys_were_reissued_is_refused_unless_accepted(tmp_path):
    """A partner that numbers its records again delivers the same rows under new keys: the row counts matched, so
    the delivery passed, and the parties known only through those records lost their ids without a word (re-keyed
    BRP in a 600-home world: 920 of 1,912 parties)."""
    report = _contracts(tmp_path / "een", "HC-")
    previous = PreviousDelivery(tmp_path / "een" / "s.duckdb", "test", dt.date(2024, 5, 31),
                                {k: v["gelezen"] for k, v in report["bronnen"].items()})
    same = _contracts(tmp_path / "zelfde", "HC-")
    with Store(tmp_path / "zelfde" / "s.duckdb") as store:
        assert check_against_previous(same, previous, "test", store=store)["vorige_levering"]["afwijkingen"] == []
    again = _contracts(tmp_path / "twee", "NIEUW-")
    with Store(tmp_path / "twee" / "s.duckdb") as store:
        with pytest.raises(PandzichtError) as err:
            check_against_previous(again, previous, "test", store=store)
        section = check_against_previous(again, previous, "test", accept=True, store=store)["vorige_levering"]
    assert str(err.value).startswith("levering geweigerd: bron huurcontract: 40 van de 42 sleutels (contract_id) van "
                                     "de vorige levering komen niet meer voor (95%, grens 30%")
    assert "\n" not in str(err.value) and "--accepteer-afwijking" in str(err.value)
    assert section["afwijking_geaccepteerd"] and section["afwijkingen"][0].startswith("bron huurcontract: 40 van")
