"""An indicator's `bronnen` are the tables its query reads: they document it and decide whether it can run."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.run import DERIVED
from pandzicht.stages import INTAKE_TABLES, STAGES
from pandzicht.store.engine import raw_table


def tables_read(sql: str) -> set[str]:
    """Every table a query names, minus the names its own CTEs define."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}


def test_tables_read_sees_joins_subqueries_and_skips_ctes():
    sql = ("WITH w AS (SELECT * FROM raw_a) SELECT * FROM w JOIN entiteit e USING (x) "
           "WHERE x IN (SELECT x FROM raw_b)")
    assert tables_read(sql) == {"raw_a", "entiteit", "raw_b"}


def upstream(table: str) -> set[str]:
    """The tables a derived table is built from, through the stages that write it (pandzicht.stages)."""
    seen: set[str] = set()
    todo = [table]
    while todo:
        current = todo.pop()
        for stage in STAGES:
            if current in stage.writes:
                new = set(stage.reads) - seen
                seen |= new
                todo.extend(new)
    return seen


@pytest.mark.parametrize("ind", load_catalogue(), ids=lambda i: i.code)
def test_bronnen_are_the_tables_the_query_reads(ind):
    """Every table the query reads is declared; a declared source the query does not read itself must feed a
    derived table it reads (kvk_functionaris feeds `relatie`: without it the director edges are silently
    missing). `bundel_meta` (the peildatum) is written by every intake, so it is no source one can lack."""
    declared = {b if b in DERIVED else raw_table(b) for b in (*ind.bronnen, *ind.optioneel)}
    read = tables_read(ind.query) - set(INTAKE_TABLES)
    feeding = set().union(*(upstream(t) for t in read if t in DERIVED))
    assert sorted(read - declared) == [], "read but not in bronnen"
    assert sorted(declared - read - feeding) == [], "in bronnen but neither read nor feeding a table read"


def test_every_derived_source_is_a_table_the_analysis_writes():
    written = {t for s in STAGES for t in s.writes}
    assert written >= DERIVED, sorted(DERIVED - written)
