"""The Spark engine's statements on local[2] and on the standalone cluster: tables as Parquet DuckDB reads."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from pandzicht.store.spark import SparkStore, session

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]


@pytest.fixture
def store(spark_master, tmp_path):
    spark = session(spark_master, "pandzicht-test", memory="1g", partitions=2)
    try:
        with SparkStore(spark, tmp_path / "warehouse") as s:
            yield s
    finally:
        spark.stop()


def test_statements_change_tables_as_on_duckdb(store, tmp_path):
    store.execute("CREATE OR REPLACE TABLE t (a VARCHAR, b BIGINT, d DATE)")
    store.execute("INSERT INTO t VALUES ('x', 1, DATE '2024-01-31'), ('y', 2, NULL), ('z', NULL, NULL)")
    store.execute("INSERT INTO t (b, a) SELECT 4, 'w'")
    store.execute("DELETE FROM t WHERE b >= ?", [2])  # NULL >= 2 is unknown: 'z' stays
    store.execute("UPDATE t SET d = ? WHERE a = 'z'", [dt.date(2025, 5, 1)])
    assert store.rows("SELECT a, b, d FROM t ORDER BY a") == [
        ("x", 1, dt.date(2024, 1, 31)), ("z", None, dt.date(2025, 5, 1))]
    store.execute("CREATE OR REPLACE TABLE t AS SELECT * EXCLUDE (d), b * 2 AS c FROM t")  # reads itself
    assert store.columns("t") == ["a", "b", "c"]
    store.write_arrow("u", pa.table({"a": ["x", "q"], "n": [None, None]}))
    store.write_arrow("u", pa.table({"a": ["r"], "n": ["s"]}), append=True)
    assert store.scalar("SELECT count(*) FROM u JOIN t USING (a)") == 1
    assert store.arrow("SELECT a FROM u ORDER BY a").column("a").to_pylist() == ["q", "r", "x"]
    store.export_csv("SELECT a, b FROM t ORDER BY a", tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines() == ["a,b", "x,1", "z,"]
    store.execute("DROP TABLE IF EXISTS u")
    assert not store.has_table("u")
    store.finish()
    con = duckdb.connect()
    parquet = tmp_path / "warehouse" / "t"
    assert con.execute(f"SELECT sum(c) FROM read_parquet('{parquet}/*.parquet')").fetchone() == (2,)


def test_a_number_with_a_decimal_point_computes_as_on_duckdb(store):
    """`sum(n * 1.0) / d` over BIGINT columns: DuckDB's decimal division gives a DOUBLE; Spark, reading `1.0` as a
    DECIMAL, ran out of precision and rounded the quotient to 6 places (3 in 10 million gave 0.0) until the
    translation made the literal a DOUBLE. A bound Python float is a DOUBLE too (it was a DECIMAL on Spark)."""
    query = ("SELECT sum(n * 1.0) / max(d) AS share, max(n) * ? AS half FROM (SELECT CAST(3 AS BIGINT) AS n, "
             "CAST(10000000 AS BIGINT) AS d)")
    con = duckdb.connect()
    want = con.execute(query, [0.5]).fetchall()
    assert want == [(3e-7, 1.5)]
    assert store.rows(query, [0.5]) == want


def test_jobs_are_counted_per_stage(store):
    """`bench analyse --engine spark` counts each stage's Spark jobs through a job group named after it."""
    from pandzicht.bench import SparkJobs

    jobs = SparkJobs()
    jobs.start("een")
    store.write_arrow("j", pa.table({"k": [1, 2, 2]}))
    store.execute("CREATE OR REPLACE TABLE g AS SELECT k, count(*) AS n FROM j GROUP BY k")
    jobs.start("twee")
    assert store.rows("SELECT sum(n) FROM g") == [(3,)]
    jobs.poll("twee")
    assert jobs.counts()["een"] >= 1 and jobs.counts()["twee"] >= 1
    assert not jobs.ids["een"] & jobs.ids["twee"]


def test_has_rows_follows_each_version_and_asks_spark_once(store):
    """The catalogue asks whether a source has rows for every indicator (164 questions at 200 units, two jobs
    each): Spark is asked once per version of a table, and a rewrite or drop asks again."""
    sc = store.spark.sparkContext

    def jobs_of(call, group):
        sc.setJobGroup(group, group)
        answer = call()
        return answer, len(sc.statusTracker().getJobIdsForGroup(group))

    store.write_arrow("h", pa.table({"k": pa.array([], pa.int64())}))
    assert jobs_of(lambda: store.has_rows("h"), "eerst")[0] is False
    store.execute("INSERT INTO h VALUES (1)")
    answer, jobs = jobs_of(lambda: store.has_rows("h"), "na_insert")
    assert answer is True and jobs >= 1  # a new version: asked again
    assert jobs_of(lambda: store.has_rows("h"), "nogmaals") == (True, 0)
    store.execute("DROP TABLE IF EXISTS h")
    assert store.has_rows("h") is False


def test_arrow_bulk_gives_arrows_rows_and_types_through_files(store):
    """`arrow_bulk` (results too large to collect) reads what the executors write: the same rows and types as
    `arrow`, an empty result with its columns, and nothing left in the warehouse."""
    store.write_arrow("b", pa.table({
        "s": ["x", None, "z"], "n": pa.array([1, None, 3], pa.int64()),
        "d": pa.array([dt.date(2024, 2, 29), None, dt.date(1970, 1, 1)], pa.date32()),
        "t": pa.array([dt.datetime(2024, 1, 1, 12), None, None], pa.timestamp("us", tz="UTC"))}))
    query = "SELECT s, n, d, t, CAST(n AS DECIMAL(10, 2)) / 3 AS q, s FROM b"  # a name twice, as a SELECT may
    want = store.arrow(query)
    got = store.arrow_bulk(query)
    assert got.schema == want.schema
    assert sorted(got.to_pylist(), key=str) == sorted(want.to_pylist(), key=str)
    empty = store.arrow_bulk(query + " WHERE n > 10")
    assert empty.num_rows == 0 and empty.schema == want.schema
    assert not any(p.name.startswith("uitkomst-") for p in (store.warehouse / ".versies").iterdir())
