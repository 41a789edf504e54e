"""Queries that share a step run as one statement: each query's rows are those of its own statement, a step is
shared only when everything it reads is, and a step that reads no data never groups queries.

The catalogue's own groups, today and lifted over reference dates, are checked on an analysed world in
`test_lift.py`."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.indicators import shared_steps
from pandzicht.store.engine import Store


def _store() -> Store:
    store = Store()
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    store.write_arrow("raw_x", pa.table({"id": [f"h{i % 7}" for i in range(60)],
                                         "v": [float(i % 11) for i in range(60)]}))
    return store


def _wrap(key: str, query: str) -> str:
    return f"SELECT '{key}' AS k, CAST(entiteit_id AS VARCHAR) AS e, CAST(waarde AS DOUBLE) AS w FROM ({query}) AS q"


def _together(store: Store, queries: dict[str, str]) -> set[tuple]:
    out: set[tuple] = set()
    for keys in shared_steps.groups(store, list(queries.items())):
        out |= set(store.rows(shared_steps.statement(store, [(k, queries[k]) for k in keys], _wrap)))
    return out


def _apart(store: Store, queries: dict[str, str]) -> set[tuple]:
    return {row for k, q in queries.items() for row in store.rows(_wrap(k, q))}


BASE = "base AS (SELECT id, v FROM raw_x WHERE v >= {t})"
P = "p AS (SELECT peildatum FROM bundel_meta)"


def test_queries_sharing_a_step_that_reads_data_are_one_statement():
    queries = {
        "hoog": f"WITH {P}, {BASE.format(t=2)}, s AS (SELECT id, sum(v) AS n FROM base GROUP BY 1) "
                "SELECT id AS entiteit_id, max(n) AS waarde FROM s GROUP BY 1",
        "laag": f"WITH {P}, {BASE.format(t=2)}, s AS (SELECT id, min(v) AS n FROM base GROUP BY 1) "
                "SELECT s.id AS entiteit_id, s.n AS waarde FROM s, p WHERE s.n > 3",
        "los": f"WITH {P} SELECT id AS entiteit_id, 1.0 AS waarde FROM raw_x, p",
    }
    with _store() as store:
        assert shared_steps.groups(store, list(queries.items())) == [["hoog", "laag"], ["los"]]
        sql = shared_steps.statement(store, [(k, queries[k]) for k in ("hoog", "laag")], _wrap)
        assert sql.count("MATERIALIZED") == 2  # p and base once; each query's own s apart
        assert "q0_s" in sql and "q1_s" in sql
        assert _together(store, queries) == _apart(store, queries)


def test_a_step_with_the_same_text_over_a_different_step_is_not_shared():
    """`s` reads `base` in both queries, but their `base` differ: computing `s` once would give one query the
    other's rows."""
    queries = {
        "twee": f"WITH {BASE.format(t=2)}, s AS (SELECT id, count(*) AS n FROM base GROUP BY 1) "
                "SELECT id AS entiteit_id, n AS waarde FROM s",
        "acht": f"WITH {BASE.format(t=8)}, s AS (SELECT id, count(*) AS n FROM base GROUP BY 1) "
                "SELECT id AS entiteit_id, n AS waarde FROM s",
    }
    with _store() as store:
        assert shared_steps.groups(store, list(queries.items())) == [["twee"], ["acht"]]
        assert _together(store, queries) == _apart(store, queries)
        assert {r[1:] for r in _apart(store, {"twee": queries["twee"]})} != \
            {r[1:] for r in _apart(store, {"acht": queries["acht"]})}


def test_column_lists_aliases_and_qualified_columns_survive_the_renaming():
    queries = {
        "a": f"WITH {BASE.format(t=1)}, s(woning, som) AS (SELECT id, sum(v) FROM base GROUP BY 1), "
             "t AS (SELECT x.woning, x.som FROM s AS x JOIN s ON s.woning = x.woning) "
             "SELECT t.woning AS entiteit_id, t.som AS waarde FROM t",
        "b": f"WITH {BASE.format(t=1)}, t AS (SELECT base.id, base.v FROM base WHERE base.v > 5) "
             "SELECT id AS entiteit_id, v AS waarde FROM t",
    }
    with _store() as store:
        assert shared_steps.groups(store, list(queries.items())) == [["a", "b"]]
        assert _together(store, queries) == _apart(store, queries)


def test_what_cannot_be_merged_safely_runs_alone():
    nested = ("SELECT id AS entiteit_id, w AS waarde FROM (WITH base AS (SELECT id, v AS w FROM raw_x) "
              "SELECT * FROM base)")
    queries = {"genest": f"WITH {BASE.format(t=1)} SELECT id AS entiteit_id, v AS waarde FROM base "
                         f"UNION ALL {nested}",
               "gewoon": f"WITH {BASE.format(t=1)} SELECT id AS entiteit_id, v AS waarde FROM base",
               "kapot": f"WITH {BASE.format(t=1)} SELECT id AS entiteit_id, v AS waarde FROM base WHERE ((("}
    with _store() as store:
        assert shared_steps.groups(store, list(queries.items())) == [["genest"], ["gewoon"], ["kapot"]]


def test_spark_batches_as_it_always_did():
    """Spark (`Engine.batch` > 1) unions its batches as they come and never hoists: it knows no `MATERIALIZED`."""
    queries = [(f"q{i}", f"WITH {BASE.format(t=1)} SELECT id AS entiteit_id, v AS waarde FROM base") for i in range(5)]
    with _store() as store:
        store.batch = 2
        assert shared_steps.groups(store, queries) == [["q0", "q1"], ["q2", "q3"], ["q4"]]
        sql = shared_steps.statement(store, queries[:2], _wrap)
        assert "MATERIALIZED" not in sql and sql == " UNION ALL ".join(_wrap(k, q) for k, q in queries[:2])
        assert _together(store, dict(queries)) == _apart(store, dict(queries))


# Random families of queries: each a chain of steps over raw_x whose thresholds and aggregates come from a small
# alphabet, so that some steps coincide across queries (shared) and others share a name and text over different
# steps before them (not shared).
_step = st.tuples(st.sampled_from([0, 3, 6]), st.sampled_from(["sum", "max", "count"]))


def _query(chain: list[tuple[int, str]], final: str) -> str:
    steps = [f"s0 AS (SELECT id, v FROM raw_x WHERE v >= {chain[0][0]})"]
    for n, (t, agg) in enumerate(chain[1:], start=1):
        steps.append(f"s{n} AS (SELECT id, {agg}(v) + {t} AS v FROM s{n - 1} GROUP BY id)")
    return f"WITH {', '.join(steps)} SELECT id AS entiteit_id, {final}(v) AS waarde FROM s{len(chain) - 1} GROUP BY 1"


@given(st.lists(st.tuples(st.lists(_step, min_size=1, max_size=4), st.sampled_from(["min", "max"])),
                min_size=1, max_size=5))
def test_random_families_give_each_query_its_own_rows(family):
    queries = {f"k{i}": _query(chain, final) for i, (chain, final) in enumerate(family)}
    with _store() as store:
        assert _together(store, queries) == _apart(store, queries)


@pytest.mark.parametrize("n", [2, 3])
def test_identical_queries_share_everything_and_keep_their_keys(n: int):
    query = f"WITH {BASE.format(t=4)}, s AS (SELECT id, sum(v) AS n FROM base GROUP BY 1) " \
            "SELECT id AS entiteit_id, n AS waarde FROM s"
    queries = {f"k{i}": query for i in range(n)}
    with _store() as store:
        assert shared_steps.groups(store, list(queries.items())) == [list(queries)]
        assert _together(store, queries) == _apart(store, queries)


def test_a_name_used_before_its_step_is_the_table_of_that_name():
    """`early` reads the table raw_y; the later step named raw_y shadows it only for what comes after."""
    queries = {
        k: f"WITH {BASE.format(t=1)}, early AS (SELECT id, v FROM raw_y), raw_y AS (SELECT id, v * {m} AS v FROM base) "
           "SELECT e.id AS entiteit_id, e.v + r.v AS waarde FROM early e JOIN raw_y r USING (id)"
        for k, m in (("een", 1), ("twee", 2))}
    with _store() as store:
        store.write_arrow("raw_y", pa.table({"id": ["h1", "h2"], "v": [100.0, 200.0]}))
        assert shared_steps.groups(store, list(queries.items())) == [["een", "twee"]]
        assert _together(store, queries) == _apart(store, queries)
