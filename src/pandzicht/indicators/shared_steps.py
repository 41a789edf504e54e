"""Indicators whose queries share a step run as one statement, the step computed once.

Why: the two energy breaks (`energie_breuk_omlaag`, `energie_breuk_omhoog`) both build every home's monthly
series over two years, its running sums and the t statistic of every split point before they differ in one
`min` against `max`. Run one after the other, DuckDB builds all of that twice: at 200k units 6.6 s for the pair
against 4.0 s together, and as of two earlier reference dates (`score/point_in_time.py`) 18 s against 11 s.

A step is a CTE of the query's top `WITH`. Two queries share it when it computes the same in both: the same name
and text, over steps that compute the same (so `b AS (SELECT * FROM beste)` is not shared when the two `beste`
differ); a step counts only when it reads data (a table other than `bundel_meta` and the
reference dates of a lifted query: `p AS (SELECT peildatum FROM bundel_meta)` is in almost every query and costs
nothing). Queries that share a counted step, directly or through a third, form one group. A group's statement
hoists every CTE to one `WITH`: a shared step once, `MATERIALIZED` (computed once whatever the planner would
choose), the others renamed per query (`q<n>_<name>`, each reference keeping its old name as alias, so the
query's qualified columns still resolve), and the queries themselves, wrapped by the caller, in a `UNION ALL`.

Each query's rows are those of its own statement: the same SQL over the same tables, only scheduled together
(`tests/score/test_lift.py` runs every group of the catalogue both ways, today and lifted, on an analysed
world; `tests/score/test_shared_steps.py` random families of queries). A query
with a `WITH` below its top level, or one SQLGlot cannot parse, is never merged; a group is never formed on
Spark, which batches by `Engine.batch` and does not keep a CTE for a second reader.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import cache
from typing import TypeVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from pandzicht.score.lift import DATES
from pandzicht.store.engine import Engine

K = TypeVar("K", bound=Hashable)
Wrap = Callable[[K, str], str]

# Tables that hold no data of the delivery: reading only these (and CTEs reading only these) is no shared work.
_FREE = {"bundel_meta", DATES}


def groups(store: Engine, items: Sequence[tuple[K, str]]) -> list[list[K]]:
    """The statements to run `items` (key, query) in, as lists of keys in the order of `items`.

    DuckDB: one statement per group of queries that share a step, the rest one per query. Spark: `Engine.batch`
    queries per statement, as they come."""
    keys = [k for k, _ in items]
    if store.batch > 1:
        return [keys[i:i + store.batch] for i in range(0, len(keys), store.batch)]
    component = _components(tuple(q for _, q in items))
    out: dict[int, list[K]] = {}
    for key, c in zip(keys, component, strict=True):
        out.setdefault(c, []).append(key)
    return list(out.values())


def statement(store: Engine, items: Sequence[tuple[K, str]], wrap: Wrap) -> str:
    """One statement for `items` (key, query): `wrap(key, query)` for each, in a `UNION ALL`; on DuckDB, queries
    that share a step read it from one `WITH` at the top (the statement of a group from `groups`)."""
    if len(items) == 1:
        key, query = items[0]
        return wrap(key, query)
    queries = tuple(q for _, q in items)
    if store.batch > 1 or len(set(_components(queries))) != 1:  # Spark, or nothing shared: the queries as they are
        return " UNION ALL ".join(wrap(k, q) for k, q in items)
    ctes, bodies = _hoisted(queries)
    return f"WITH {ctes} " + " UNION ALL ".join(wrap(k, b) for (k, _), b in zip(items, bodies, strict=True))


# -- what a query's steps are ------------------------------------------------------------------------------------
class _Query:
    """A parsed query: its top CTEs in order (name, text, body), which of them each one reads, whether it reads
    data, and what it computes (`sig`)."""

    def __init__(self, sql: str) -> None:
        self.tree: exp.Query | None = None
        self.steps: list[tuple[str, str, exp.Expression]] = []
        self.reads: dict[str, set[str]] = {}
        self.data: dict[str, bool] = {}  # per step: reads a table with the delivery's data, directly or not
        self.sig: dict[str, tuple] = {}
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except SqlglotError:
            return
        with_ = tree.args.get("with_")
        if not isinstance(tree, exp.Query) or with_ is None or with_.args.get("recursive"):
            return
        if any(w is not with_ for w in tree.find_all(exp.With)):  # a WITH inside: names could mean two things
            return
        self.tree = tree
        self.steps = [(c.alias, c.this.sql("duckdb"), c.this) for c in with_.expressions]
        # A step reads the steps before it (a later name is a table of the store); what a step computes is its
        # name and text and what the steps it reads compute: the same text over other steps is other work.
        for name, text, body in self.steps:
            before = set(self.sig)
            tables = list(body.find_all(exp.Table))
            self.reads[name] = {t.name for t in tables if not t.args.get("db") and t.name in before}
            # reads data itself, or through a step before it
            self.data[name] = (any(_holds_data(t, before) for t in tables)
                               or any(self.data[d] for d in self.reads[name]))
            self.sig[name] = (name, text, tuple(sorted((d, self.sig[d]) for d in self.reads[name])))


def _holds_data(table: exp.Table, steps: set[str]) -> bool:
    """A table reference that is neither a step of the query nor one of the tables without the delivery's data."""
    if table.args.get("db"):  # a qualified name (another catalogue or schema) is a real table
        return True
    return table.name not in steps and table.name not in _FREE


@cache
def _parsed(sql: str) -> _Query:
    return _Query(sql)


def _shared(queries: tuple[str, ...]) -> set[tuple]:
    """What steps two or more of `queries` compute alike: same name and text over steps that compute alike."""
    seen: dict[tuple, int] = {}
    for q in (_parsed(sql) for sql in queries):
        for sig in set(q.sig.values()):
            seen[sig] = seen.get(sig, 0) + 1
    return {sig for sig, n in seen.items() if n >= 2}


@cache
def _components(queries: tuple[str, ...]) -> tuple[int, ...]:
    """Per query the number of its group: queries that share a step that reads data, directly or through others."""
    parsed = [_parsed(q) for q in queries]
    shared = _shared(queries)
    parent = list(range(len(queries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, q in enumerate(parsed):
        for name, sig in q.sig.items():
            if sig in shared and q.data[name]:
                j = owner.setdefault(sig, i)
                parent[root(i)] = root(j)
    return tuple(root(i) for i in range(len(queries)))


def _hoisted(queries: tuple[str, ...]) -> tuple[str, list[str]]:
    """The CTEs of one `WITH` for all `queries` (shared steps once) and each query's body without its own `WITH`."""
    shared = _shared(queries)
    name_of = {sig: f"g{n}_{sig[0]}" for n, sig in enumerate(sorted(shared, key=repr))}
    once = set(name_of.values())
    ctes: list[str] = []
    bodies: list[str] = []
    written: set[str] = set()
    for n, sql in enumerate(queries):
        q = _parsed(sql)
        assert q.tree is not None
        new = {name: name_of.get(q.sig[name], f"q{n}_{name}") for name, _, _ in q.steps}

        def renamed(node: exp.Expression, visible: set[str], new: dict[str, str] = new) -> exp.Expression:
            """`node` reading the renamed steps; `visible`: the steps it can read (a later name is a table)."""
            node = node.copy()
            for table in list(node.find_all(exp.Table)):
                if not table.args.get("db") and table.name in visible:
                    alias = table.alias or table.name
                    table.set("this", exp.to_identifier(new[table.name]))
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
            return node

        before: set[str] = set()
        for cte in q.tree.args["with_"].expressions:
            target = new[cte.alias]
            visible, before = set(before), before | {cte.alias}
            if target in written:
                continue
            written.add(target)
            alias = cte.args["alias"].copy()
            alias.set("this", exp.to_identifier(target))
            step = exp.CTE(this=renamed(cte.this, visible), alias=alias)
            if target in once:
                step.set("materialized", True)
            ctes.append(step.sql("duckdb"))
        body = renamed(q.tree, before)
        body.set("with_", None)
        bodies.append(body.sql("duckdb"))
    return ", ".join(ctes), bodies
