"""The second engine: the same relations as Spark tables, the same SQL translated by SQLGlot.

For a region or the country that outgrows one machine. Tests run Spark in
local mode; a deployment points the builder at its cluster.
"""

from __future__ import annotations

from typing import Any

import sqlglot

from pandzicht.store.engine import Store


def to_spark_sql(sql: str) -> str:
    """DuckDB SQL (the dialect the catalogue is written in) as Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def local_session(app: str = "pandzicht") -> Any:
    """A local Spark session with UTC dates and no web UI."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]").appName(app)
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4").getOrCreate()
    )


def publish(store: Store, spark: Any, tables: list[str]) -> None:
    """Copy store tables into Spark as temporary views under the same names."""
    for name in tables:
        frame = store.con.execute(f"SELECT * FROM {name}").to_arrow_table().to_pandas()
        spark.createDataFrame(frame).createOrReplaceTempView(name)
