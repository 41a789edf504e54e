"""Indicators run several to a statement where the engine asks for it (`Engine.batch`, Spark): the values are
those of one statement per indicator, and a failing indicator in a batch is still named."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import run_indicators
from pandzicht.store.engine import Store


def _indicator(code: str, query: str) -> Indicator:
    return Indicator(code=code, titel=code, entiteit="adres", familie="test", bronnen=("signaal",), meet=code,
                     waarom=code, bron_url="", onschuldig=("geen",), geen_proxy="geen", query=query)


INDICATORS = [
    _indicator("eens", "SELECT id AS entiteit_id, 1.0 AS waarde FROM raw_signaal"),
    _indicator("vaak", "SELECT id AS entiteit_id, count(*) AS waarde FROM raw_signaal GROUP BY id HAVING count(*) > 1"),
    _indicator("nul", "SELECT id AS entiteit_id, 0 AS waarde FROM raw_signaal"),  # never fires
    _indicator("som", "SELECT id AS entiteit_id, sum(n) / 2 AS waarde FROM raw_signaal GROUP BY id"),
]


def _store(batch: int) -> Store:
    store = Store()
    store.batch = batch
    store.write_arrow("raw_signaal", pa.table({"id": ["a", "a", "b", "c", None], "n": [1, 2, 3, 4, 5]}))
    return store


def _values(store: Store) -> list[tuple]:
    return store.rows("SELECT indicator, entiteit, entiteit_id, waarde FROM indicator_waarde "
                      "ORDER BY indicator, entiteit_id")


@pytest.mark.parametrize("batch", [2, 3, 16])
def test_a_batch_gives_the_values_of_one_statement_per_indicator(batch: int):
    with _store(1) as one, _store(batch) as batched:
        assert run_indicators(one, INDICATORS) == run_indicators(batched, INDICATORS)
        assert _values(one) == _values(batched)
        assert ("vaak", "adres", "a", 2.0) in _values(batched)
        assert not any(r[0] == "nul" for r in _values(batched))


def test_a_failing_indicator_in_a_batch_is_named():
    broken = _indicator("stuk", "SELECT id AS entiteit_id, CAST('x' AS INTEGER) AS waarde FROM raw_signaal")
    with _store(3) as store, pytest.raises(PandzichtError, match="indicator stuk"):
        run_indicators(store, [INDICATORS[0], broken, INDICATORS[1]])
