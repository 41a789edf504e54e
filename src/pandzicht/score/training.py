"""Training rows from past outcomes, with the indicators as they stood before each check.

A check in 2019 that found a cannabis farm says what was visible *before*
2019, not what the home looks like today: its police registration at
discovery, the later owner, the new tenants would all leak into today's
features. So each outcome is paired with the indicators computed at a
reference date before it (the end of the half-year before the check), by
running the same catalogue queries with the store's peildatum set to that date.
Sources that did not yet exist then (energy data usually covers only the last
two years) simply contribute nothing, as they did for the analyst at the time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import available
from pandzicht.store.engine import Store

# Sources that start at a date (an extract of the last N months or years): before that date an indicator
# built on them was not unknown-because-zero but simply unobserved. (source, SQL for its first date)
_FIRST_DATE = {
    "energie_verbruik": "SELECT CAST(min(periode) || '-01' AS DATE) FROM raw_energie_verbruik",
    "melding": "SELECT min(datum) FROM raw_melding",
    "politie_incident": "SELECT min(datum) FROM raw_politie_incident",
    "kortverblijf_advertentie": "SELECT NULL",
}


@dataclass
class TrainingSet:
    x: np.ndarray
    y: np.ndarray
    observed: np.ndarray  # False where an indicator's source did not yet cover the reference date
    units: list[str]
    dates: list[dt.date]
    snapshots: int
    findings: list[str] = field(default_factory=list)  # per check what was found ('niets_gevonden' for nothing)
    outside_bag: int = 0  # checks left out: their unit is not in the delivery's BAG

    def imputed(self, fill: np.ndarray) -> np.ndarray:
        """x with unobserved cells set to `fill` (per indicator): a value that says nothing about the label."""
        return np.where(self.observed, self.x, fill[None, :])


def _first_dates(store: Store) -> dict[str, dt.date | None]:
    out: dict[str, dt.date | None] = {}
    for source, sql in _FIRST_DATE.items():
        out[source] = store.scalar(sql) if store.has_table(f"raw_{source}") else None
    return out


def _observed(ind: Indicator, ref: dt.date, first: dict[str, dt.date | None]) -> bool:
    for source in ind.bronnen:
        if source in first:
            start = first[source]
            if start is None or (ref - start).days < ind.venster_maanden * 30.4 - 20:
                return False
    return True


def reference_date(check: dt.date) -> dt.date:
    """The end of the half-year before the check: what an analyst could have seen."""
    if check.month <= 6:
        return dt.date(check.year - 1, 12, 31)
    return dt.date(check.year, 6, 30)


def training_set(store: Store, indicators: list[Indicator]) -> TrainingSet:
    """One row per past check (unit, date): point-in-time indicator values and 1 for a finding, 0 for none.

    Checks on units that are not in the delivery's BAG are left out (counted in `outside_bag`): with no
    BAG row they would show no evidence at all, which is not what the checker saw."""
    codes = [i.code for i in indicators]
    col = {c: j for j, c in enumerate(codes)}
    if not store.has_table("raw_handhaving_uitkomst"):
        return TrainingSet(np.zeros((0, len(codes))), np.zeros(0), np.ones((0, len(codes)), bool), [], [], 0)
    checks = store.rows(
        "SELECT verblijfsobject_id, datum, max(CASE WHEN bevinding <> 'niets_gevonden' THEN 1 ELSE 0 END), "
        "coalesce(min(bevinding) FILTER (WHERE bevinding <> 'niets_gevonden'), 'niets_gevonden') "
        "FROM raw_handhaving_uitkomst WHERE verblijfsobject_id IN (SELECT verblijfsobject_id FROM "
        "raw_bag_verblijfsobject) GROUP BY 1, 2 ORDER BY 2, 1"
    )
    outside = int(store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT verblijfsobject_id, datum FROM raw_handhaving_uitkomst "
        "WHERE verblijfsobject_id NOT IN (SELECT verblijfsobject_id FROM raw_bag_verblijfsobject))"))
    by_ref: dict[dt.date, list[int]] = {}
    for i, (_, day, _, _) in enumerate(checks):
        by_ref.setdefault(reference_date(day), []).append(i)
    x = np.zeros((len(checks), len(codes)))
    observed = np.ones((len(checks), len(codes)), dtype=bool)
    runnable = [ind for ind in indicators if available(store, ind)]
    first = _first_dates(store)
    original = store.scalar("SELECT peildatum FROM bundel_meta")
    try:
        for ref, rows in sorted(by_ref.items()):
            store.execute("UPDATE bundel_meta SET peildatum = ?", [ref])
            position: dict[str, list[int]] = {}
            for i in rows:
                position.setdefault(checks[i][0], []).append(i)
            store.write_arrow("_doel", pa.table({"verblijfsobject_id": pa.array(list(position), pa.string())}))
            for ind in indicators:
                if ind not in runnable or not _observed(ind, ref, first):
                    observed[rows, col[ind.code]] = False
            for ind in runnable:
                if not _observed(ind, ref, first):
                    continue
                for unit, value in store.rows(
                    f"SELECT CAST(entiteit_id AS VARCHAR), max(CAST(waarde AS DOUBLE)) FROM ({ind.query}) AS q "
                    "WHERE entiteit_id IN (SELECT verblijfsobject_id FROM _doel) AND waarde > 0 GROUP BY 1"
                ):
                    x[position[unit], col[ind.code]] = value  # every check of that unit at this date
    finally:
        store.execute("UPDATE bundel_meta SET peildatum = ?", [original])
        store.execute("DROP TABLE IF EXISTS _doel")
    return TrainingSet(
        x, np.array([c[2] for c in checks], dtype=float), observed, [c[0] for c in checks], [c[1] for c in checks],
        len(by_ref), [c[3] for c in checks], outside,
    )
