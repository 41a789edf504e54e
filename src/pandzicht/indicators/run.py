"""Compute every indicator whose sources are present, into one long table.

`indicator_waarde(indicator, entiteit, entiteit_id, waarde)` holds one row per
entity where an indicator fired (waarde > 0); absent means zero. Indicators
whose sources are missing are listed, not silently skipped: what we don't know
is part of the answer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from pandzicht.contract.sources import SOURCES, Kind
from pandzicht.errors import PandzichtError
from pandzicht.indicators import shared_steps
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.store.engine import Store, raw_table

DERIVED = {"adres_koppeling", "partij_vermelding", "entiteit", "relatie", "contract_adres", "incident_adres",
           "melding_adres", "kortverblijf_koppeling", "adres_score"}


def available(store: Store, ind: Indicator, seen: dict[str, bool] | None = None) -> bool:
    """Whether every source an indicator needs was delivered with rows: a header-only file (or one whose every
    row went to quarantine) says nothing, and an indicator run on it would read that silence as innocence.

    `seen` remembers each source's answer across the indicators of one pass (the catalogue asks about the same
    few sources some 150 times, each a catalogue query and a scan; no table is created within such a pass)."""
    return all(_has_rows(store, b, seen) for b in ind.bronnen)


def runnable(store: Store, indicators: list[Indicator]) -> list[Indicator]:
    """The indicators whose sources were all delivered with rows, each source asked about once."""
    seen: dict[str, bool] = {}
    return [ind for ind in indicators if available(store, ind, seen)]


_WITH = re.compile(r"WITH\s+", re.IGNORECASE)
_EMPTY_TYPE = {Kind.INT: "BIGINT", Kind.FLOAT: "DOUBLE", Kind.DATE: "DATE"}


def _empty_source(source: str) -> str:
    """A relation with a source's contract columns and no rows: what an undelivered optional source holds."""
    cols = ", ".join(f"CAST(NULL AS {_EMPTY_TYPE.get(c.kind, 'VARCHAR')}) AS {c.name}" for c in SOURCES[source].columns)
    return f"SELECT {cols} WHERE 1 = 0"


def for_store(store: Store, indicators: list[Indicator]) -> list[Indicator]:
    """The catalogue as this store can run it: an optional source (`bronnen_optioneel`) that was not delivered,
    or arrived without rows, is read as an empty table, so the indicator still runs on what it has.

    The empty table is a CTE named after the raw table, which shadows it for the whole query (the same text then
    serves the point-in-time runs and Spark)."""
    out, seen = [], {}
    for ind in indicators:
        missing = [b for b in ind.optioneel if not _has_rows(store, b, seen)]
        if not missing:
            out.append(ind)
            continue
        ctes = ", ".join(f"{raw_table(b)} AS ({_empty_source(b)})" for b in missing)
        query = ind.query.strip()
        head = _WITH.match(query)
        query = f"WITH {ctes}, {query[head.end():]}" if head else f"WITH {ctes} {query}"
        out.append(dataclasses.replace(ind, query=query))
    return out


def _has_rows(store: Store, source: str, seen: dict[str, bool] | None = None) -> bool:
    if seen is not None and source in seen:
        return seen[source]
    found = store.has_table(source) if source in DERIVED else store.has_rows(raw_table(source))
    if seen is not None:
        seen[source] = found
    return found


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
    seen: dict[str, bool] = {}
    for i, ind in enumerate(indicators):
        if available(store, ind, seen):
            todo.append((i, ind))
        else:
            skipped.append(ind.code)
    # a batch of indicators is one statement (queries that share a step on DuckDB, `Engine.batch` on Spark:
    # `shared_steps`); when it fails, its indicators run one by one so the error names the one that failed
    position = {ind.code: i for i, ind in todo}
    by_code = {ind.code: ind for _, ind in todo}
    for codes in shared_steps.groups(store, [(ind.code, ind.query) for _, ind in todo]):
        batch = [by_code[c] for c in codes]
        if progress:
            for ind in batch:
                progress(ind.code, position[ind.code], len(indicators))
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
    ran.sort(key=position.__getitem__)  # catalogue order, however the statements grouped them
    store.execute(
        "CREATE OR REPLACE TABLE indicator_waarde AS SELECT * FROM indicator_waarde ORDER BY indicator, entiteit_id"
    )
    return {"berekend": ran, "ontbrekende_bron": skipped}


def _insert(store: Store, indicators: list[Indicator]) -> None:
    """One statement that appends the values of these indicators to `indicator_waarde`."""
    kind = {ind.code: ind.entiteit for ind in indicators}
    store.execute("INSERT INTO indicator_waarde " + shared_steps.statement(
        store, [(ind.code, ind.query) for ind in indicators],
        lambda code, query: f"SELECT '{code}', '{kind[code]}', CAST(entiteit_id AS VARCHAR), CAST(waarde AS DOUBLE) "
                            f"FROM ({query}) AS q WHERE entiteit_id IS NOT NULL AND waarde > 0"))
