"""Compute every indicator whose sources are present, into one long table.

`indicator_waarde(indicator, entiteit, entiteit_id, waarde)` holds one row per
entity where an indicator fired (waarde > 0); absent means zero. Indicators
whose sources are missing are listed, not silently skipped: what we don't know
is part of the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.store.engine import Store, raw_table

DERIVED = {"adres_koppeling", "partij_vermelding", "entiteit", "relatie", "contract_adres", "incident_adres",
           "melding_adres", "kortverblijf_koppeling", "adres_score"}


def available(store: Store, ind: Indicator) -> bool:
    """Whether every source an indicator needs was delivered with rows: a header-only file (or one whose every
    row went to quarantine) says nothing, and an indicator run on it would read that silence as innocence."""
    return all(
        store.has_table(b) if b in DERIVED
        else store.has_table(raw_table(b)) and store.scalar(f"SELECT EXISTS (SELECT 1 FROM {raw_table(b)})")
        for b in ind.bronnen
    )


def run_indicators(
    store: Store, indicators: list[Indicator] | None = None, progress: Callable[[str, int, int], None] | None = None,
    phase: str = "indicatoren",
) -> dict[str, list[str]]:
    """Write `indicator_waarde` for the indicators of one phase; returns which ran and which lacked a source.

    The first phase starts the table afresh; a later phase ("na_adresscore", network evidence that reads the
    homes' scores) replaces only its own rows, so it can rerun after the scores change."""
    indicators = [i for i in (indicators if indicators is not None else load_catalogue()) if i.fase == phase]
    if phase == "indicatoren" or not store.has_table("indicator_waarde"):
        store.execute(
            "CREATE OR REPLACE TABLE indicator_waarde (indicator VARCHAR, entiteit VARCHAR, entiteit_id VARCHAR, "
            "waarde DOUBLE)"
        )
    else:
        codes = ", ".join(f"'{i.code}'" for i in indicators) or "NULL"
        store.execute(f"DELETE FROM indicator_waarde WHERE indicator IN ({codes})")
    ran, skipped, todo = [], [], []
    for i, ind in enumerate(indicators):
        if available(store, ind):
            todo.append((i, ind))
        else:
            skipped.append(ind.code)
    # a batch of indicators is one statement (`Engine.batch`); when it fails, its indicators run one by one
    # so the error names the one that failed
    for start in range(0, len(todo), store.batch):
        batch = [ind for _, ind in todo[start:start + store.batch]]
        if progress:
            for i, ind in todo[start:start + store.batch]:
                progress(ind.code, i, len(indicators))
        try:
            _insert(store, batch)
        except store.errors as exc:
            if len(batch) == 1:
                # Name the indicator: at scale one query can run out of memory, and the user must know which.
                raise PandzichtError(f"indicator {batch[0].code}: {type(exc).__name__}") from exc
            for ind in batch:
                try:
                    _insert(store, [ind])
                except store.errors as exc_one:
                    raise PandzichtError(f"indicator {ind.code}: {type(exc_one).__name__}") from exc_one
        ran.extend(ind.code for ind in batch)
    store.execute(
        "CREATE OR REPLACE TABLE indicator_waarde AS SELECT * FROM indicator_waarde ORDER BY indicator, entiteit_id"
    )
    return {"berekend": ran, "ontbrekende_bron": skipped}


def _insert(store: Store, indicators: list[Indicator]) -> None:
    """One statement that appends the values of these indicators to `indicator_waarde`."""
    store.execute("INSERT INTO indicator_waarde " + " UNION ALL ".join(
        f"SELECT '{ind.code}', '{ind.entiteit}', CAST(entiteit_id AS VARCHAR), CAST(waarde AS DOUBLE) "
        f"FROM ({ind.query}) AS q WHERE entiteit_id IS NOT NULL AND waarde > 0" for ind in indicators))
