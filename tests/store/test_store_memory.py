"""The store gives up its cached memory while Splink works in the same process, and takes it back after."""

from __future__ import annotations

import duckdb
import pytest

from pandzicht.store.engine import Store


def _limit_bytes(store: Store) -> float:
    value = store.scalar("SELECT current_setting('memory_limit')")
    number, unit = value.split()
    return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]


def test_memory_is_lowered_inside_and_restored_after(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.execute("CREATE TABLE t AS SELECT range AS i FROM range(200000)")
        usual = _limit_bytes(store)
        with store.yielding_memory(0.01):
            assert _limit_bytes(store) < usual / 10
            assert store.scalar("SELECT sum(i) FROM t") == sum(range(200000))
        assert _limit_bytes(store) == pytest.approx(usual, rel=0.02)


def test_memory_is_restored_when_the_work_fails(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        usual = _limit_bytes(store)
        with pytest.raises(RuntimeError), store.yielding_memory(0.01):
            raise RuntimeError("Splink stopped")
        assert _limit_bytes(store) == pytest.approx(usual, rel=0.02)


def test_yielding_works_after_the_store_has_spilled(tmp_path):
    """At 1M units the store has spilled before party resolution; DuckDB then refuses to change its spill
    directory, so yielding must only touch the memory cap."""
    with Store(tmp_path / "s.duckdb") as store:
        # One thread and a cap a sort of ~150 MB must spill under but cannot run out of: with many threads
        # a 64 MB cap ran out of memory on CI instead of spilling.
        store.execute("SET threads = 1")
        store.execute("SET memory_limit = '128MB'")
        store.execute("SET preserve_insertion_order = false")
        store.execute("CREATE TABLE t AS SELECT range AS i, md5(CAST(range AS VARCHAR)) AS h FROM range(3000000)")
        assert store.scalar("SELECT count(*) FROM (SELECT h FROM t ORDER BY h)") == 3_000_000
        with pytest.raises(duckdb.Error, match="temporary directory"):
            store.execute(f"SET temp_directory = '{tmp_path / 'elsewhere'}'")  # the sort did spill
        with store.yielding_memory(0.01):
            assert store.scalar("SELECT count(*) FROM t") == 3_000_000
        assert _limit_bytes(store) > 2**30
