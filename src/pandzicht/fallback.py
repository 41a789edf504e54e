"""Fallbacks of learned steps, recorded so that no default is ever used silently.

Every step that learns from the delivery (Splink's prior, u and m for persons and companies, the score
weights, the typology model, thresholds) first checks it has enough evidence. When it has not, it falls
back to a documented default and records that here: the table `analyse_terugval` in the analysis store,
which `laadrapport.json` (section `analyse`) and the web app's model page both show. A record names the
step, the reason with the counts that decided it, and what was used instead; never personal data.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import pyarrow as pa

from pandzicht.store.engine import Store

TABLE = "analyse_terugval"
log = logging.getLogger(__name__)

_SCHEMA = pa.schema([("volgorde", pa.int32()), ("stap", pa.string()), ("reden", pa.string()),
                     ("terugval", pa.string())])


@dataclass(frozen=True)
class Fallback:
    stap: str  # the learned step, e.g. "partijen.bedrijven.em"
    reden: str  # why its evidence was not enough, with the counts (Dutch, for the report)
    terugval: str  # what was used instead (Dutch)


def reset(store: Store) -> None:
    """Start an analysis with no fallbacks recorded (a rerun replaces the earlier list)."""
    store.write_arrow(TABLE, _SCHEMA.empty_table())


def record(store: Store, stap: str, reden: str, terugval: str) -> None:
    """Record one fallback; also logged (the texts carry counts, never values from the data)."""
    if not store.has_table(TABLE):
        reset(store)
    n = int(store.scalar(f"SELECT count(*) FROM {TABLE}"))
    store.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", [n + 1, stap, reden, terugval])
    log.warning("fallback in %s: %s; terugval: %s", stap, reden, terugval)


def recorded(store: Store) -> list[Fallback]:
    """The fallbacks of the last analysis in this store, in the order they happened."""
    if not store.has_table(TABLE):
        return []
    return [Fallback(*r) for r in store.rows(f"SELECT stap, reden, terugval FROM {TABLE} ORDER BY volgorde")]


def as_report(store: Store) -> list[dict[str, str]]:
    """The fallbacks as the `analyse.terugvallen` list of `laadrapport.json`."""
    return [asdict(f) for f in recorded(store)]
