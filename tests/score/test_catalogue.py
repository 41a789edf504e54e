"""The indicator catalogue: complete documents, valid SQL on a real store, a page that is up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from pandzicht.indicators.catalogue import ENTITY_KINDS, load_catalogue
from pandzicht.indicators.render import render_catalogue
from pandzicht.indicators.run import available
from pandzicht.intake.load import load_bundle
from pandzicht.pipeline import analyse_store
from pandzicht.store.engine import Store

from bundles import minimal_bundle

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue()


def test_at_least_25_indicators_with_every_field():
    assert len(CATALOGUE) >= 25
    for ind in CATALOGUE:
        assert ind.entiteit in ENTITY_KINDS
        for field in (ind.titel, ind.meet, ind.waarom, ind.geen_proxy, ind.query):
            assert field.strip(), ind.code
        assert ind.onschuldig, ind.code


@pytest.mark.parametrize("ind", CATALOGUE, ids=lambda i: i.code)
def test_query_parses_and_transpiles_to_spark(ind):
    tree = sqlglot.parse_one(ind.query, read="duckdb")
    spark = tree.sql(dialect="spark")
    assert "entiteit_id" in spark and "waarde" in spark


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    bundle = minimal_bundle(tmp_path_factory.mktemp("cat") / "b", n_valid=3)
    store = Store(tmp_path_factory.mktemp("cat") / "s.duckdb")
    load_bundle(bundle, store)
    analyse_store(store)
    yield store
    store.close()


@pytest.mark.parametrize("ind", CATALOGUE, ids=lambda i: i.code)
def test_query_runs_on_the_store(analysed, ind):
    if not available(analysed, ind):
        pytest.skip(f"{ind.code}: source not in the minimal bundle")
    cols = [d[0] for d in analysed.con.execute(f"SELECT * FROM ({ind.query}) q LIMIT 0").description]
    assert cols[:2] == ["entiteit_id", "waarde"]


def test_catalogue_page_is_up_to_date():
    committed = REPO / "docs" / "indicatoren.md"
    assert committed.read_text(encoding="utf-8") == render_catalogue(), "run `pandzicht catalogus` and commit"
