"""Key lookups whose cost does not grow with the table: a columnar copy plus a sorted key array.

Why: DuckDB answers `WHERE key = ?` on a sorted table from one row group, but a lookup of several keys at once
(`key IN (SELECT unnest(?))`, what every dossier and network request needs: the parties of a unit, the edges of
twenty nodes, the addresses of forty units) becomes a hash join that reads the whole table. At 1M units the
relation table has millions of rows, so such a lookup costs tens to hundreds of milliseconds per request.
Here the key column is a sorted NumPy byte-string array: `searchsorted` finds each key's row range in
O(log n), and PyArrow takes exactly those rows. The store is read-only, so an index never goes stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEP = "\x1f"  # joins the parts of a composite key (unit separator: never inside an id)


def _encode(values: Sequence[Any]) -> np.ndarray:
    """Keys as a fixed-width byte-string array (UTF-8), the form `np.searchsorted` compares in C."""
    try:
        return np.array(["" if v is None else str(v) for v in values], dtype=object).astype("S")
    except UnicodeEncodeError:
        return np.array([("" if v is None else str(v)).encode() for v in values], dtype="S")


def _is_text(arr: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


def _fixed_width(arr: pa.Array) -> np.ndarray | None:
    """The keys of a string array without nulls whose keys all have one length, read from its buffers; else None."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    offsets = offsets[arr.offset: arr.offset + len(arr) + 1]
    width = int(offsets[1] - offsets[0])
    if width == 0 or not np.all(np.diff(offsets) == width):
        return None
    return np.frombuffer(arr.buffers()[2], dtype=f"S{width}", count=len(arr), offset=int(offsets[0]))


def _encode_column(column: pa.ChunkedArray | pa.Array) -> np.ndarray | None:
    """Keys of one string column without a Python string per row, which at millions of rows is most of the time
    to open a store: straight from Arrow's buffers when every key has the same length (BAG ids, party ids), else
    padded to the longest by Arrow (record keys, composite keys; a null is ''). The same array `_encode` gives.
    None for a column that is not text, is empty, or holds a non-ASCII key (the caller goes through Python)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(arr) == 0 or not _is_text(arr):
        return None
    if not arr.null_count and (keys := _fixed_width(arr)) is not None:
        return keys
    arr = pc.fill_null(arr, "") if arr.null_count else arr
    width = pc.max(pc.binary_length(arr)).as_py()
    if not width or not pc.all(pc.string_is_ascii(arr)).as_py():  # ASCII: a character is a byte, so pads align
        return None
    # numpy's fixed-width bytes ignore trailing NULs: b'ab' padded to b'ab\x00' is still b'ab'
    return _fixed_width(pc.utf8_rpad(arr, width=width, padding="\x00"))


def _encode_parts(table: pa.Table, parts: list[str]) -> np.ndarray | None:
    """A composite key (`SEP` between the parts, a null part as '') of text columns, by Arrow; None otherwise."""
    columns = [table.column(p) for p in parts]
    if not all(_is_text(c) for c in columns):
        return None
    joined = pc.binary_join_element_wise(*(pc.fill_null(c, "") for c in columns), SEP)
    return _encode_column(joined)


class KeyIndex:
    """Rows of one query, found by the value of one (or a composite) key column.

    `rows(keys)` returns every row of each key (keys in the order given, a key's rows in the query's order);
    `counts(keys)` how many rows each key has, without reading them. With `presorted` (the query is ordered by
    the key) only each distinct key and where its rows start are kept, which for a table of many rows per key
    (24 monthly readings per unit) is a fraction of a full key array; a query found ordered by its key is kept so
    too."""

    def __init__(self, table: pa.Table, key: str | Sequence[str], presorted: bool = False) -> None:
        self.table = table
        parts = [key] if isinstance(key, str) else list(key)
        keys = (_encode_column(self.table.column(parts[0])) if len(parts) == 1 else
                _encode_parts(self.table, parts) if self.table.num_rows else None)
        if keys is None:
            columns = [self.table.column(p).to_pylist() for p in parts]
            raw = columns[0] if len(columns) == 1 else [SEP.join("" if x is None else str(x) for x in t)
                                                         for t in zip(*columns, strict=True)]
            keys = _encode(raw)
        n = len(keys)
        # A query ordered by its key (every per-unit table the dossier reads) needs no sort: its rows of one key
        # are already together, in the query's order, so only where each key starts is kept (one pass to check,
        # against a sort of millions of keys and an order array as large as the table at publication).
        if not presorted and n > 1 and bool(np.all(keys[1:] >= keys[:-1])):
            presorted = True
        if presorted:
            firsts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if n else np.empty(0, dtype=np.int64)
            self.keys = keys[firsts]
            self.starts = np.r_[firsts, n].astype(np.int64)
            self.order: np.ndarray | None = None
        else:
            order = np.argsort(keys, kind="stable")  # stable: a key's rows keep the query's order
            self.keys = keys[order]
            self.starts = None
            self.order = order.astype(np.int32 if n < 2**31 else np.int64)

    @classmethod
    def from_arrays(cls, table: pa.Table, keys: np.ndarray, order: np.ndarray | None,
                    starts: np.ndarray | None) -> KeyIndex:
        """An index from parts already built (`lookup_files` reads them memory-mapped): nothing is sorted."""
        index = cls.__new__(cls)
        index.table, index.keys, index.order, index.starts = table, keys, order, starts
        return index

    @classmethod
    def query(cls, con: duckdb.DuckDBPyConnection, sql: str, key: str | Sequence[str],
              presorted: bool = False) -> KeyIndex:
        """An index over the rows of `sql` (fetched once, as one contiguous Arrow table)."""
        table = con.sql(sql).to_arrow_table()
        return cls(table.combine_chunks() if table.num_rows else table, key, presorted)

    def on(self, key: str | Sequence[str]) -> KeyIndex:
        """A second index over the same rows by another key (the rows are not copied)."""
        return KeyIndex(self.table, key)

    def __len__(self) -> int:
        return self.table.num_rows

    def _spans(self, keys: Iterable[Any]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """For each distinct wanted key, the [lo, hi) range of its rows (in `order` or in the table)."""
        wanted = list(dict.fromkeys(str(k) for k in keys if k is not None))
        if not wanted or not len(self.keys):
            empty = np.empty(0, dtype=np.int64)
            return [], empty, empty
        q = _encode(wanted)
        # Queried in the index's own width: a wider query array would make NumPy cast the whole key array to
        # it on every call (at 1M units, 150 ms for one signal id among the unit ids). A key longer than the
        # index's width is in no row; it is masked, not truncated into a false match.
        fits = np.char.str_len(q) <= self.keys.dtype.itemsize
        q = q.astype(self.keys.dtype)
        if self.starts is None:
            lo, hi = np.searchsorted(self.keys, q, "left"), np.searchsorted(self.keys, q, "right")
            return wanted, np.where(fits, lo, 0), np.where(fits, hi, 0)
        i = np.searchsorted(self.keys, q, "left")
        hit = fits & (i < len(self.keys)) & (self.keys[np.minimum(i, len(self.keys) - 1)] == q)
        lo = np.where(hit, self.starts[i.clip(max=len(self.keys) - 1)], 0)
        hi = np.where(hit, self.starts[(i + 1).clip(max=len(self.keys))], 0)
        return wanted, lo, hi

    def positions(self, keys: Iterable[Any], per_key: int | None = None) -> np.ndarray:
        """Row numbers in `table` of the given keys, at most `per_key` (the first in query order) per key."""
        _, lo, hi = self._spans(keys)
        if per_key is not None:
            hi = np.minimum(hi, lo + per_key)
        if self.order is None:
            spans = [np.arange(a, b) for a, b in zip(lo, hi, strict=True) if b > a]
        else:
            spans = [self.order[a:b] for a, b in zip(lo, hi, strict=True) if b > a]
        return np.concatenate(spans) if spans else np.empty(0, dtype=np.int64)

    def rows(self, keys: Iterable[Any], per_key: int | None = None) -> list[dict[str, Any]]:
        pos = self.positions(keys, per_key)
        if not len(pos):
            return []
        return self.table.take(pa.array(pos)).to_pylist()

    def get(self, key: Any) -> list[dict[str, Any]]:
        return self.rows([key])

    def counts(self, keys: Iterable[Any]) -> dict[str, int]:
        wanted, lo, hi = self._spans(keys)
        return {k: int(b - a) for k, a, b in zip(wanted, lo, hi, strict=True) if b > a}


def composite(*parts: Any) -> str:
    """The key of a composite-key index for one row (as `KeyIndex` builds it)."""
    return SEP.join("" if p is None else str(p) for p in parts)
