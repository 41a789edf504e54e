"""The rewrites that make the stages' DuckDB SQL run on Spark: each one parsed into the statement Spark runs."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from pandzicht.store.spark_sql import parse, to_spark_sql

COLUMNS = {"raw_h": ["a", "v", "b"], "t": ["x", "_n", "y"], "meta": ["regio", "peildatum"]}


def test_star_replace_and_exclude_are_expanded_from_the_table_columns():
    sql = "SELECT r.* REPLACE (coalesce(r.v, k.v) AS v), k.x FROM raw_h AS r LEFT JOIN a AS k ON k.id = r.a"
    assert to_spark_sql(sql, COLUMNS.get) == (
        "SELECT r.a, COALESCE(r.v, k.v) AS v, r.b, k.x FROM raw_h AS r LEFT JOIN a AS k ON k.id = r.a")
    assert to_spark_sql("SELECT 1 AS z, * EXCLUDE (_n) FROM t", COLUMNS.get) == "SELECT 1 AS z, x, y FROM t"


def test_star_of_a_subquery_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        to_spark_sql("SELECT * EXCLUDE (a) FROM (SELECT 1 AS a, 2 AS b)", COLUMNS.get)


def test_distinct_window_count_becomes_the_size_of_a_set():
    assert to_spark_sql("SELECT count(DISTINCT k) OVER (PARTITION BY b) AS n FROM t") == (
        "SELECT SIZE(COLLECT_SET(k) OVER (PARTITION BY b)) AS n FROM t")


def test_distinct_string_agg_becomes_a_sorted_set_joined():
    out = to_spark_sql("SELECT string_agg(DISTINCT n, ';' ORDER BY n) FILTER (WHERE s = 'a') AS e FROM r GROUP BY v")
    assert out == ("SELECT NULLIF(ARRAY_JOIN(ARRAY_SORT(COLLECT_SET(n) FILTER(WHERE s = 'a')), ';'), '') AS e "
                   "FROM r GROUP BY v")


def test_quantile_cont_is_spark_percentile():
    assert to_spark_sql("SELECT quantile_cont(x, 0.95) AS p FROM t") == (
        "SELECT PERCENTILE(x, CAST(0.95 AS DOUBLE)) AS p FROM t")


def test_a_number_with_a_decimal_point_is_a_double_as_in_duckdb():
    assert to_spark_sql("SELECT count(*) * 1.0 / n, -0.25, 1e-3, CAST(x AS DECIMAL(10, 2)) FROM t") == (
        "SELECT COUNT(*) * CAST(1.0 AS DOUBLE) / n, -CAST(0.25 AS DOUBLE), 1e-3, CAST(x AS DECIMAL(10, 2)) FROM t")
    assert parse("SELECT * FROM t WHERE x > ?", [0.5]).query == "SELECT * FROM t WHERE x > CAST(0.5 AS DOUBLE)"


def test_full_match_is_an_anchored_rlike():
    assert to_spark_sql("SELECT regexp_full_match(a, '[0-9]+') FROM t") == "SELECT a RLIKE '^(?:[0-9]+)$' FROM t"


def test_delete_keeps_the_rows_the_condition_does_not_hold_for_including_unknown():
    st = parse("DELETE FROM t WHERE x IN (1, 2)", None, COLUMNS.get)
    assert (st.kind, st.table) == ("replace_rows", "t")
    assert st.query == "SELECT * FROM t WHERE NOT COALESCE((x IN (1, 2)), FALSE)"


def test_update_writes_every_column_back_with_the_condition_per_value():
    st = parse("UPDATE meta SET peildatum = ? WHERE regio = 'x'", [dt.date(2024, 1, 31)], COLUMNS.get)
    assert st.kind == "replace_rows"
    assert st.query == ("SELECT meta.regio, CASE WHEN regio = 'x' THEN CAST('2024-01-31' AS DATE) "
                        "ELSE meta.peildatum END AS peildatum FROM meta AS meta")


def test_update_from_a_table_is_a_left_join_that_changes_only_the_joined_rows():
    st = parse("UPDATE raw_h k SET v = n.v FROM nieuw n WHERE k.a = n.a", None, COLUMNS.get)
    assert st.query == (
        "SELECT k.a, CASE WHEN n._bijgewerkt IS TRUE THEN n.v ELSE k.v END AS v, k.b FROM raw_h AS k "
        "LEFT JOIN (SELECT *, TRUE AS _bijgewerkt FROM nieuw) AS n ON k.a = n.a")


def test_parameters_are_bound_as_literals_in_order():
    st = parse("SELECT * FROM t WHERE x = ? AND y = ? AND z IS ?", ["o'neil", 3, None])
    assert st.query == "SELECT * FROM t WHERE x = 'o\\'neil' AND y = 3 AND z IS NULL"


def test_statements_are_classified():
    assert parse("CREATE OR REPLACE TEMP TABLE q AS SELECT 1 AS a").kind == "create"
    empty = parse("CREATE TABLE q (a VARCHAR, b BIGINT, c DOUBLE, d DATE)")
    assert empty.schema == (("a", "STRING"), ("b", "BIGINT"), ("c", "DOUBLE"), ("d", "DATE"))
    insert = parse("INSERT INTO q (a, b) VALUES ('x', 1), ('y', 2)")
    assert (insert.kind, insert.columns) == ("insert", ("a", "b"))
    assert insert.query == "SELECT 'x', 1 UNION ALL SELECT 'y', 2"
    assert parse("DROP TABLE IF EXISTS q").table == "q"
    assert parse("COPY (SELECT 1 AS a) TO '/tmp/x.csv' (HEADER)").target == "/tmp/x.csv"
    assert parse("CREATE INDEX i ON q (a)").kind == "noop"
    assert parse("BEGIN TRANSACTION").kind == "noop"


def test_qualify_becomes_a_subquery_spark_can_run():
    out = to_spark_sql("SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1")
    assert "QUALIFY" not in out
    sqlglot.parse_one(out, read="spark")
