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
    from pyspark.sql.pandas.types import from_arrow_schema

    for name in tables:
        arrow = store.con.execute(f"SELECT * FROM {name}").to_arrow_table()
        # an empty table has no rows to infer types from: its Arrow schema says them
        schema = from_arrow_schema(arrow.schema) if arrow.num_rows == 0 else None
        spark.createDataFrame(arrow.to_pandas(), schema=schema).createOrReplaceTempView(name)
