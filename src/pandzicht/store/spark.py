"""The second engine: the same relations as Parquet tables on Spark, the same SQL translated by SQLGlot.

For a region or the country that outgrows one machine. Every table is a
folder of Parquet files in a warehouse (by default beside the output, so
DuckDB reads them too: `read_parquet('WAREHOUSE/<table>/*.parquet')`),
registered in the Spark session as a temporary view under its own name.
A statement that changes a table writes the table's new version and points
the view at it: Spark cannot overwrite a Parquet folder it reads from, and a
DELETE or UPDATE is a SELECT of the rows that remain (`spark_sql.parse`).
"""

from __future__ import annotations

import csv
import itertools
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pandzicht.store.engine import Engine, Store
from pandzicht.store.spark_sql import Statement, parse, to_spark_sql

log = logging.getLogger(__name__)

WAREHOUSE = "spark-warehouse"  # the store's folder in an output folder
# Spark setting naming a folder the driver and every executor reach, for data too large to pass through the
# driver's heap (Splink's input profiles and scored pairs, `link/parties_splink.py`): the store's warehouse
SCRATCH_CONF = "pandzicht.kladmap"

__all__ = [
    "SCRATCH_CONF", "WAREHOUSE", "SparkStore", "local_session", "publish", "scratch_folder", "session", "to_spark_sql",
]


def session(master: str = "local[2]", app: str = "pandzicht", memory: str = "2g", partitions: int = 8) -> Any:
    """A Spark session on `master` (local[N] or spark://host:port) with Splink's similarity functions loaded,
    UTC dates and no web UI."""
    # pyspark's pandas version check warns on the terminal at import time; the Arrow and pandas paths used here
    # are covered by the Spark tests, so the user sees pandzicht's progress, not that notice
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # Python workers (per-partition steps) run this interpreter, with pandzicht and its packages; pyspark reads
    # the variable when the context starts
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master).appName(app)
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.executor.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        # Shuffles sized to the data, not to the cluster: most of the analysis's statements shuffle a few MB,
        # and `partitions` tiny tasks (and as many tiny Parquet files, each a task for every later read) cost
        # more than the work. Adaptive execution merges a shuffle's output into partitions of about 64 MB
        # (spark.sql.adaptive.advisoryPartitionSizeInBytes), one for a small table; a large one keeps them.
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.parallelismFirst", "false")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    # the terminal shows pandzicht's progress, not Spark's (whose warnings may name files and values)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def local_session(app: str = "pandzicht") -> Any:
    """A local Spark session with UTC dates and no web UI."""
    return session("local[2]", app, partitions=4)


def publish(store: Store, spark: Any, tables: list[str]) -> None:
    """Copy store tables into Spark as temporary views under the same names."""
    from pyspark.sql.pandas.types import from_arrow_schema

    for name in tables:
        arrow = store.arrow(f"SELECT * FROM {name}")
        # an empty table has no rows to infer types from: its Arrow schema says them
        schema = from_arrow_schema(arrow.schema) if arrow.num_rows == 0 else None
        spark.createDataFrame(arrow.to_pandas(), schema=schema).createOrReplaceTempView(name)


@contextmanager
def scratch_folder(spark: Any, prefix: str) -> Iterator[Path]:
    """A new folder the driver and the executors reach, removed afterwards: under the folder `SCRATCH_CONF` names
    (a store's warehouse), or the system's temporary folder for a bare session (enough in local mode)."""
    base = spark.conf.get(SCRATCH_CONF, None) or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def parquet_safe(data: pa.Table) -> pa.Table:
    """Arrow columns Spark's Parquet reader takes: no null-typed columns, no nanosecond timestamps."""
    fields = []
    for f in data.schema:
        if pa.types.is_null(f.type):
            fields.append(pa.field(f.name, pa.string()))
        elif pa.types.is_timestamp(f.type):
            fields.append(pa.field(f.name, pa.timestamp("us", tz=f.type.tz)))
        elif pa.types.is_large_string(f.type):
            fields.append(pa.field(f.name, pa.string()))
        elif pa.types.is_dictionary(f.type):
            fields.append(pa.field(f.name, f.type.value_type))
        else:
            fields.append(f)
    return data.cast(pa.schema(fields))


class SparkStore(Engine):
    """The store on Spark: tables as Parquet folders in `warehouse`, queried through one Spark session."""

    name = "spark"
    batch = 16

    def __init__(self, spark: Any, warehouse: Path) -> None:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        self.errors = (PySparkException, Py4JJavaError)
        self.spark = spark
        self.warehouse = Path(warehouse)
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self.path = None
        self._versions: dict[str, Path] = {}
        self._nonempty: dict[str, bool] = {}  # `has_rows` per table version: the catalogue asks it hundreds of times
        self._counter = itertools.count()
        # where Splink's input profiles and scored pairs pass as Parquet (`parties_splink`), as `arrow_bulk`'s results
        spark.conf.set(SCRATCH_CONF, str(self.warehouse / ".versies"))
        for folder in sorted(self.warehouse.iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                self._point(folder.name, folder)

    # --- tables --------------------------------------------------------------------------------------------

    def _point(self, table: str, folder: Path, schema: Any = None) -> None:
        """Register the folder as the table. With the `schema` of the frame just written, Spark does not run a
        job to read it back from the Parquet footers (one job per statement otherwise)."""
        reader = self.spark.read if schema is None else self.spark.read.schema(_nullable(schema))
        reader.parquet(str(folder)).createOrReplaceTempView(table)
        self._nonempty.pop(table, None)
        old = self._versions.get(table)
        self._versions[table] = folder
        if old is not None and old != folder:
            shutil.rmtree(old, ignore_errors=True)

    def adopt(self, table: str, folder: Path) -> None:
        """A Parquet folder written by someone else (intake) as the table."""
        self._point(table, folder)

    def _new_folder(self, table: str) -> Path:
        return self.warehouse / ".versies" / f"{table}.{next(self._counter)}"

    def _save(self, table: str, frame: Any) -> None:
        """Write a DataFrame as the table's next version (column names kept as Spark gives them)."""
        folder = self._new_folder(table)
        frame.write.mode("overwrite").parquet(str(folder))
        self._point(table, folder, frame.schema)

    def _save_arrow(self, table: str, data: pa.Table) -> None:
        folder = self._new_folder(table)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(parquet_safe(data), folder / "part-0.parquet")
        self._point(table, folder)

    def _drop(self, table: str) -> None:
        self._nonempty.pop(table, None)
        if table in self._versions:
            self.spark.catalog.dropTempView(table)
            shutil.rmtree(self._versions.pop(table), ignore_errors=True)

    def finish(self) -> None:
        """Move every table's last version to WAREHOUSE/<table>, the layout DuckDB and a next session read."""
        for table, folder in sorted(self._versions.items()):
            final = self.warehouse / table
            if folder == final:
                continue
            if final.exists():
                shutil.rmtree(final)
            shutil.move(str(folder), str(final))
            self._versions[table] = final
            self.spark.read.parquet(str(final)).createOrReplaceTempView(table)
        shutil.rmtree(self.warehouse / ".versies", ignore_errors=True)

    # --- the engine interface --------------------------------------------------------------------------------

    def _run(self, st: Statement) -> Any:
        spark = self.spark
        if st.kind == "query":
            return spark.sql(st.query)
        if st.kind == "noop":
            return None
        if st.kind == "drop":
            self._drop(st.table)
        elif st.kind == "view":
            # materialised: a lazy view would still read the versions of its tables that were replaced since
            self._save(st.table, spark.sql(st.query))
        elif st.kind == "create":
            if st.if_not_exists and self.has_table(st.table):
                return None
            if st.query is not None:
                self._save(st.table, spark.sql(st.query))
            else:
                ddl = ", ".join(f"`{c}` {t}" for c, t in st.schema)
                self._save(st.table, spark.createDataFrame([], ddl))
        elif st.kind == "insert":
            current = spark.table(st.table)
            new = spark.sql(st.query)
            if st.columns:
                new = new.toDF(*st.columns)
                new = new.select(*[new[c] if c in st.columns else _null_as(current, c) for c in current.columns])
            else:
                new = new.toDF(*current.columns)
            new = new.select(*[new[c].cast(current.schema[c].dataType) for c in current.columns])
            self._save(st.table, current.unionByName(new))
        elif st.kind == "replace_rows":
            # the rewritten SELECT may type a set value differently (0.85 as DECIMAL): keep the table's types
            current = spark.table(st.table).schema
            new = spark.sql(st.query)
            self._save(st.table, new.select(*[new[f.name].cast(f.dataType).alias(f.name) for f in current]))
        elif st.kind == "copy":
            self.export_csv(st.query, Path(st.target), translated=True)
        return None

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        frame = self._run(parse(sql, params, self.columns))
        if frame is not None:
            frame.collect()

    def frame(self, sql: str, params: list[Any] | None = None) -> Any:
        """A query's rows as a Spark DataFrame (for per-partition steps)."""
        return self._run(parse(sql, params, self.columns))

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return [tuple(r) for r in self.frame(sql, params).collect()]

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        return self.frame(sql, params).toArrow()

    def arrow_bulk(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Written by the executors as Parquet and read from the files: collected, millions of rows pass through
        the driver's heap as task results and stop at spark.driver.maxResultSize (1 GB; the scored pairs did at
        500,000 units)."""
        frame = self.frame(sql, params)
        schema = frame.limit(0).toArrow().schema  # the types `arrow` gives (an empty plan: no job)
        positional = [f"k{i}" for i in range(len(schema))]  # a SELECT may repeat a column name; Parquet may not
        with scratch_folder(self.spark, "uitkomst-") as folder:
            frame.toDF(*positional).write.mode("overwrite").parquet(str(folder / "d"))
            data = pq.read_table(folder / "d")
        if data.num_columns == 0:  # no rows, and no file that names the columns
            return schema.empty_table()
        return pa.Table.from_arrays([data.column(k).cast(f.type) for k, f in zip(positional, schema, strict=True)],
                                    schema=schema)

    def write_arrow(self, table: str, data: pa.Table, order_by: str | None = None, append: bool = False) -> None:
        """An Arrow table computed in Python as the table (or appended to it). Spark keeps no row order, so
        `order_by` is ignored: every read that needs an order says ORDER BY."""
        if append and table in self._versions:
            current = self.arrow(f"SELECT * FROM {table}")
            data = pa.concat_tables([current, parquet_safe(data).cast(current.schema)])
        self._save_arrow(table, data)

    def write_frame(self, table: str, frame: Any) -> None:
        """A Spark DataFrame (from a per-partition step) as the table."""
        self._save(table, frame)

    def has_table(self, name: str) -> bool:
        return name in self._versions

    def has_rows(self, table: str) -> bool:
        """As on DuckDB, but asked once per version of the table: every question is a Spark job or two."""
        if table not in self._nonempty:
            self._nonempty[table] = super().has_rows(table)
        return self._nonempty[table]

    def tables(self) -> list[str]:
        return sorted(t for t in self._versions if not t.startswith("_"))

    def columns(self, table: str) -> list[str]:
        return list(self.spark.table(table).columns)

    def export_csv(self, sql: str, target: Path, translated: bool = False) -> None:
        """A query's rows as a CSV file with a header, written by the driver as DuckDB's COPY writes it."""
        frame = self.spark.sql(sql if translated else to_spark_sql(sql))
        with open(target, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(frame.columns)
            for batch in frame.toLocalIterator():
                writer.writerow(_csv_value(v) for v in batch)

    @contextmanager
    def transaction(self) -> Iterator[SparkStore]:
        """Spark has no transactions over Parquet folders; a failed analysis is never published
        (pandzicht.publish), which is what the all-or-nothing is for."""
        yield self

    @contextmanager
    def yielding_memory(self, share: float = 0.05) -> Iterator[None]:
        yield

    def close(self) -> None:
        self.finish()


def _nullable(schema: Any) -> Any:
    """A frame's schema as Spark reads it back from Parquet: every column nullable."""
    from pyspark.sql.types import StructField, StructType

    return StructType([StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])


def _null_as(frame: Any, column: str) -> Any:
    from pyspark.sql import functions as F

    return F.lit(None).cast(frame.schema[column].dataType).alias(column)


def _csv_value(v: Any) -> Any:
    """A value as DuckDB's CSV writer prints it (booleans lower case, floats without a trailing .0 lost)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v
