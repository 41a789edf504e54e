"""Where relations live: the engine seam, and its DuckDB implementation (one DuckDB file by default).

Tables are flat, named by what they hold (`raw_<source>`, `quarantine_<source>`,
analysis tables), and typed with plain SQL types (VARCHAR, BIGINT, DOUBLE,
DATE) so the same relations can live as Spark tables when a region outgrows
one machine. `Engine` is the one interface every stage runs its SQL through
(written in DuckDB's dialect); `Store` is DuckDB, `pandzicht.store.spark.SparkStore`
is Spark (SQL translated by SQLGlot with the rewrites in `pandzicht.store.spark_sql`).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pandzicht.errors import PandzichtError

log = logging.getLogger(__name__)

STORE_MEMORY_SHARE = 0.4


def limit_memory(con: duckdb.DuckDBPyConnection, share: float) -> None:
    """Cap a DuckDB connection at a share of this machine's memory; it spills to a temp directory beyond it.

    Two DuckDB databases in one process (the store and Splink's working database) would each assume 80%
    of memory by default and together exceed it at a million units."""
    set_memory_share(con, share)
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/pandzicht-duckdb-spill'").fetchall()


def set_memory_share(con: duckdb.DuckDBPyConnection, share: float) -> None:
    """Only the memory cap (the spill directory cannot change once DuckDB has used it)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit_mb = max(int(total * share / 2**20), 512)
    con.execute(f"SET memory_limit = '{limit_mb}MB'").fetchall()


def raw_table(source: str) -> str:
    """The table that holds a source's valid, typed rows."""
    return f"raw_{source}"


def quarantine_table(source: str) -> str:
    """The table that holds a source's refused rows with row number and reason."""
    return f"quarantine_{source}"


class Engine(ABC):
    """What a stage may do with the store, on either engine: SQL in DuckDB's dialect, Arrow in and out.

    As Splink's DatabaseAPI: the stages never touch a connection, so the same stage runs on DuckDB and on
    Spark. `path` is the DuckDB file (None on Spark and in memory)."""

    name: str
    path: Path | None
    errors: tuple[type[BaseException], ...]  # what a failing statement raises on this engine
    # How many independent queries of one kind (an indicator each) a caller may union into one statement.
    # DuckDB: one at a time, which bounds memory. Spark: each statement costs fixed overhead (planning, a job
    # per shuffle), and one statement lets adaptive execution run the queries' stages side by side.
    batch: int = 1

    @abstractmethod
    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run a statement for its effect."""

    @abstractmethod
    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """A query's rows as tuples, on the driver."""

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        """A query's first value (None without rows)."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    @abstractmethod
    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """A query's rows as an Arrow table, on the driver."""

    def arrow_bulk(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """A query's rows as Arrow in no particular order, however many there are (Spark reads them from files
        its executors write, not through the driver's heap)."""
        return self.arrow(sql, params)

    @abstractmethod
    def write_arrow(self, table: str, data: pa.Table, order_by: str | None = None, append: bool = False) -> None:
        """Write an Arrow table computed in Python into the store (replacing, or appending to, `table`)."""

    @abstractmethod
    def has_table(self, name: str) -> bool: ...

    def has_rows(self, table: str) -> bool:
        """Whether the table exists and holds at least one row."""
        return self.has_table(table) and bool(self.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})"))

    @abstractmethod
    def tables(self) -> list[str]: ...

    @abstractmethod
    def columns(self, table: str) -> list[str]: ...

    @abstractmethod
    def export_csv(self, sql: str, target: Path) -> None:
        """A query's rows as a comma-separated file with a header (the output contract's format)."""

    @abstractmethod
    def transaction(self) -> Any:
        """A context in which all statements succeed or none do (as far as the engine can)."""

    @abstractmethod
    def yielding_memory(self, share: float = 0.05) -> Any:
        """A context in which the store holds less memory, for another engine in this process."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_store_path(path: Path) -> None:
    """Refuse, in one line, a store path (`--db`) that names a folder. Why: DuckDB stopped on it with an
    IOException that reached the user as 'interne fout' (for `analyse` only when publishing, after the whole run)."""
    if path.is_dir():
        raise PandzichtError(f"{path}: dit is een map, geen DuckDB-bestand; geef met --db een bestandsnaam op, "
                             f"bijv. {path / 'pandzicht.duckdb'}")


def store_error(path: Path | None, exc: duckdb.IOException) -> Exception:
    """What to tell the user when DuckDB cannot open a store file: held by another program (the web app, or a DuckDB
    client an analyst opened to inspect a stage, as the README invites), or a file that is no DuckDB store. Why:
    both reached the user as 'interne fout: IOException'. Anything else stays the error it is."""
    text = str(exc)
    if "Could not set lock" in text:
        pid = re.search(r"PID (\d+)", text)
        by = f" (proces {pid.group(1)})" if pid else ""
        return PandzichtError(f"{path}: in gebruik door een ander programma{by}, bijv. de webapp of een "
                              "DuckDB-venster; sluit dat en probeer het opnieuw")
    if "not a valid DuckDB database file" in text:
        return PandzichtError(f"{path}: dit bestand bestaat al maar is geen DuckDB-bestand; kies met --db een ander "
                              "bestand")
    return exc


class Store(Engine):
    """The DuckDB engine: a DuckDB database file (or memory) with transactions and small helpers."""

    name = "duckdb"
    errors = (duckdb.Error,)

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path else None
        if self.path:
            check_store_path(self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path) if self.path else ":memory:", read_only=read_only)
        except duckdb.IOException as exc:
            raise store_error(self.path, exc) from None
        limit_memory(self.con, STORE_MEMORY_SHARE)

    @contextmanager
    def yielding_memory(self, share: float = 0.05) -> Iterator[None]:
        """Shrink the store's memory cap while another engine works in this process, then restore it.

        DuckDB keeps cached pages up to its cap; lowering the cap evicts them, so Splink's own database
        can use that memory (at 1M units the two together peaked at 19 GB of 24). If DuckDB cannot free
        enough (pinned pages), the cap stays as it was: slower is better than failing."""
        try:
            set_memory_share(self.con, share)
        except duckdb.Error:
            log.info("store memory could not be lowered; continuing at its usual cap")
        try:
            yield
        finally:
            set_memory_share(self.con, STORE_MEMORY_SHARE)

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run a statement for its effect; its result is consumed so the connection is free again."""
        self.con.execute(sql, params or []).fetchall()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        return (self.con.sql(sql, params=params) if params else self.con.sql(sql)).to_arrow_table()

    def export_csv(self, sql: str, target: Path) -> None:
        escaped = str(target).replace("'", "''")
        self.execute(f"COPY ({sql}) TO '{escaped}' (HEADER, DELIMITER ',', QUOTE '\"')")

    def write_arrow(self, table: str, data: pa.Table, order_by: str | None = None, append: bool = False) -> None:
        """Write an Arrow table computed in Python into the store (replacing, or appending to, `table`)."""
        self.con.register("_arrow_in", data)
        try:
            order = f" ORDER BY {order_by}" if order_by else ""
            if append:
                self.execute(f"INSERT INTO {table} SELECT * FROM _arrow_in{order}")
            else:
                self.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _arrow_in{order}")
        finally:
            self.con.unregister("_arrow_in")

    def has_table(self, name: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
                [name],
            )
        )

    def tables(self) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            )
        ]

    def columns(self, table: str) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main' "
                "ORDER BY ordinal_position",
                [table],
            )
        ]

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All or nothing: a failed load leaves the store as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
