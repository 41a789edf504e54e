"""Compute every indicator whose sources are present, into one long table.

`indicator_waarde(indicator, entiteit, entiteit_id, waarde)` holds one row per
entity where an indicator fired (waarde > 0); absent means zero. Indicators
whose sources are missing are listed, not silently skipped: what we don't know
is part of the answer.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.store.engine import Store, raw_table

DERIVED = {"adres_koppeling", "partij_vermelding", "entiteit", "relatie", "contract_adres", "incident_adres",
           "melding_adres", "kortverblijf_koppeling"}


def available(store: Store, ind: Indicator) -> bool:
    """Whether every source an indicator needs was delivered."""
    return all(store.has_table(b if b in DERIVED else raw_table(b)) for b in ind.bronnen)


def run_indicators(
    store: Store, indicators: list[Indicator] | None = None, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, list[str]]:
    """Write `indicator_waarde`; returns which indicators ran and which lacked a source."""
    indicators = indicators if indicators is not None else load_catalogue()
    store.execute(
        "CREATE OR REPLACE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
        "waarde DOUBLE)"
    )
    ran, skipped = [], []
    for i, ind in enumerate(indicators):
        if progress:
            progress(ind.code, i, len(indicators))
        if not available(store, ind):
            skipped.append(ind.code)
            continue
        try:
            store.execute(
                f"INSERT INTO indicator_waarde SELECT '{ind.code}', '{ind.entiteit}', CAST(entiteit_id AS VARCHAR), "
                f"CAST(waarde AS DOUBLE) FROM ({ind.query}) AS q WHERE entiteit_id IS NOT NULL AND waarde > 0"
            )
        except duckdb.Error as exc:
            # Name the indicator: at scale one query can run out of memory, and the user must know which.
            raise PandzichtError(f"indicator {ind.code}: {type(exc).__name__}") from exc
        ran.append(ind.code)
    store.execute(
        "CREATE OR REPLACE TABLE indicator_waarde AS SELECT * FROM indicator_waarde ORDER BY indicator, entiteit_id"
    )
    return {"berekend": ran, "ontbrekende_bron": skipped}
