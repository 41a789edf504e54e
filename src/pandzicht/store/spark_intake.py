"""Intake for the Spark engine: the same validation and quarantine, then the typed tables as Parquet.

Validation is per file and runs in Python and DuckDB as on the DuckDB engine
(`intake.load.load_bundle`), in a scratch DuckDB file beside the warehouse;
DuckDB then writes every table it made (`raw_*`, `quarantine_*`,
`bundel_meta`) straight to Parquet in the warehouse, without passing the rows
through Python, and the scratch file is removed. The intake thus reads each
file on the driver; the analysis after it runs on Spark.
"""

from __future__ import annotations

from pathlib import Path

from pandzicht.intake.load import load_bundle
from pandzicht.store.engine import Store
from pandzicht.store.spark import SparkStore


def load_bundle_to_spark(bundle: Path, store: SparkStore) -> dict:
    """Load a bundle into the Spark store; returns the load report (the same as on DuckDB)."""
    scratch = store.warehouse / ".inlezen.duckdb"
    scratch.unlink(missing_ok=True)
    try:
        with Store(scratch) as duck:
            report = load_bundle(Path(bundle), duck)
            for table in duck.tables():
                folder = store.warehouse / table
                folder.mkdir(parents=True, exist_ok=True)
                target = str(folder / "part-0.parquet").replace("'", "''")
                duck.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
                store.adopt(table, folder)
    finally:
        for p in (scratch, scratch.with_name(scratch.name + ".wal")):
            p.unlink(missing_ok=True)
    return report
