"""Analysts' judgements on pairs of party mentions, kept in a small SQLite file that outlives reanalysis.

The analysis store is rebuilt on every run; what a person decided must not be.
Like nomenklatura's resolver, a judgement is about a pair of record keys
(`bron/record_sleutel`), not about entity ids, because entity ids change when
clusters change. The newest judgement on a pair wins; every resolver run reads
them: `zelfde` merges the two records, `verschillend` keeps them apart even
when the model says match, `onzeker` only takes the pair off the review queue.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

VERDICTS = ("zelfde", "verschillend", "onzeker")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oordeel (
    links TEXT NOT NULL,
    rechts TEXT NOT NULL,
    oordeel TEXT NOT NULL CHECK (oordeel IN ('zelfde', 'verschillend', 'onzeker')),
    wie TEXT NOT NULL,
    wanneer TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Judgement:
    links: str
    rechts: str
    oordeel: str
    wie: str
    wanneer: str


def default_path(store_path: Path | None) -> Path | None:
    """The judgements file that belongs to an analysis store: next to it, so it survives a rebuilt store."""
    return store_path.with_name(store_path.stem + ".oordelen.sqlite") if store_path else None


def _pair(a: str, b: str) -> tuple[str, str]:
    """Judgements are symmetric: store a pair in one order."""
    return (a, b) if a <= b else (b, a)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute(_SCHEMA)
    return con


def record_judgement(path: Path, left: str, right: str, verdict: str, who: str,
                     when: dt.datetime | None = None) -> Judgement:
    """Append one judgement; earlier ones on the same pair stay as history."""
    if verdict not in VERDICTS:
        raise ValueError(f"oordeel must be one of {', '.join(VERDICTS)}")
    if left == right:
        raise ValueError("a judgement needs two different records")
    if not who.strip():
        raise ValueError("a judgement needs the analyst's name (--wie)")
    a, b = _pair(left, right)
    stamp = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    with _connect(Path(path)) as con:
        con.execute("INSERT INTO oordeel VALUES (?, ?, ?, ?, ?)", (a, b, verdict, who.strip(), stamp))
    return Judgement(a, b, verdict, who.strip(), stamp)


def current_judgements(path: Path | None) -> dict[tuple[str, str], Judgement]:
    """The newest judgement per pair (empty when there is no file yet)."""
    if path is None or not Path(path).exists():
        return {}
    with _connect(Path(path)) as con:
        rows = con.execute(
            "SELECT links, rechts, oordeel, wie, wanneer FROM oordeel ORDER BY wanneer, rowid").fetchall()
    latest: dict[tuple[str, str], Judgement] = {}
    for row in rows:
        latest[(row[0], row[1])] = Judgement(*row)
    return latest
