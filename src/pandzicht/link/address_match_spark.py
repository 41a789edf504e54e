"""Address matching on Spark: the same `match_address` per partition of the texts (`mapInPandas`).

Each Python worker builds the BAG index once (from a broadcast copy of the BAG address columns) and
matches the texts of its partitions with exactly the code the DuckDB engine runs, so both engines give
the same links. The texts never pass through the driver; the BAG addresses do, once, to be broadcast:
for 8M homes that copy is about 0.5 GB (docs/schaal.md), which is what limits this step, not the texts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from pandzicht.contract.sources import ADDRESS_TEXT_SOURCES
from pandzicht.link.address_match import AddressIndex, Unit, match_address
from pandzicht.link.address_parse import fold, normalise_street
from pandzicht.link.address_reuse import REPLACED
from pandzicht.store.engine import raw_table

OUT_SCHEMA = ("bron STRING, record_sleutel STRING, adres_tekst STRING, verblijfsobject_id STRING, "
              "zekerheid DOUBLE, methode STRING")
BAG_COLUMNS = ("verblijfsobject_id", "openbare_ruimte", "huisnummer", "huisletter", "huisnummertoevoeging",
               "postcode", "woonplaats")

_INDEX: dict[str, AddressIndex] = {}  # per Python worker: the index of one broadcast, built once


def index_from_rows(rows: pa.Table) -> AddressIndex:
    """The index `AddressIndex.from_store` builds, from the BAG address columns as Arrow."""
    cols = [rows.column(c).to_pylist() for c in BAG_COLUMNS]
    norm: dict[str, str] = {}

    def street(s: str) -> str:
        if s not in norm:
            norm[s] = normalise_street(s)
        return norm[s]

    return AddressIndex(
        Unit(vbo, street(st), int(nr), (lt or "").upper() or None, (tv or "").lower() or None, pc, fold(wp))
        for vbo, st, nr, lt, tv, pc, wp in zip(*cols, strict=True)
    )


def _matcher(bag: Any, key: str) -> Any:
    def match(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        index = _INDEX.get(key)
        if index is None:
            _INDEX.clear()
            index = _INDEX[key] = index_from_rows(bag.value)
        for frame in batches:
            found = [match_address(t, index) for t in frame["adres_tekst"]]
            yield frame.assign(verblijfsobject_id=[m.verblijfsobject_id for m in found],
                               zekerheid=[m.zekerheid for m in found], methode=[m.methode for m in found])

    return match


def link_addresses_spark(store: Any) -> int:
    """`link_addresses` on the Spark engine: writes `adres_koppeling`, returns the number of records."""
    texts = [
        f"SELECT '{source}' AS bron, CAST({key} AS VARCHAR) AS record_sleutel, adres_tekst "
        f"FROM {raw_table(source)} WHERE verblijfsobject_id IS NULL AND adres_tekst IS NOT NULL"
        for source, key in ADDRESS_TEXT_SOURCES.items() if store.has_table(raw_table(source))
    ]
    # filled by the people stage (`address_reuse.py`)
    store.execute(f"CREATE OR REPLACE TABLE {REPLACED} ({OUT_SCHEMA.replace('STRING', 'VARCHAR')})")
    if not texts:
        store.execute(f"CREATE OR REPLACE TABLE adres_koppeling ({OUT_SCHEMA.replace('STRING', 'VARCHAR')})")
        return 0
    bag = store.arrow(f"SELECT {', '.join(BAG_COLUMNS)} FROM {raw_table('bag_verblijfsobject')}")
    shared = store.spark.sparkContext.broadcast(bag)
    try:
        frame = store.frame(" UNION ALL ".join(texts))
        linked = frame.mapInPandas(_matcher(shared, uuid.uuid4().hex), OUT_SCHEMA)
        store.write_frame("adres_koppeling", linked)
    finally:
        shared.unpersist()
    return int(store.scalar("SELECT count(*) FROM adres_koppeling"))
