"""Training rows from past outcomes, with the indicators as they stood before each check.

A check in 2019 that found a cannabis farm says what was visible *before*
2019, not what the home looks like today: its police registration at
discovery, the later owner, the new tenants would all leak into today's
features. So each outcome is paired with the indicators computed at a
reference date before it (the end of the half-year before the check), by
running the same catalogue queries with the store's peildatum set to that date.
Sources that did not yet exist then (energy data usually covers only the last
two years) simply contribute nothing, as they did for the analyst at the time.

Checks are not a sample of the homes: they follow tips and police registrations, go to focus areas, or to
homes a partner noticed for reasons the delivery does not hold (a grid operator's fraud team, a community
officer). Where the choice rests on something the indicators do not see, the checks alone misjudge how often
an indicator fires at ordinary homes, which is what the ranking must know. So the weights also learn from
*population controls*: a sample of the delivery's homes at each reference date, as they stood then, beside
the checks that found nothing (`population_controls`); a region that records only its hits learns from them
alone. The sample follows a hash of the unit id, not a random draw, so the same homes
return in the next delivery and their values can be taken over (point_in_time.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pandzicht.indicators.catalogue import Indicator
from pandzicht.indicators.run import runnable
from pandzicht.score.point_in_time import values_at
from pandzicht.store.engine import Store

# Sources that start at a date (an extract of the last N months or years): before that date an indicator
# built on them was not unknown-because-zero but simply unobserved. (source, SQL for its first date)
_FIRST_DATE = {
    "energie_verbruik": "SELECT CAST(min(periode) || '-01' AS DATE) FROM raw_energie_verbruik",
    "melding": "SELECT min(datum) FROM raw_melding",
    "politie_incident": "SELECT min(datum) FROM raw_politie_incident",
    "kortverblijf_advertentie": "SELECT NULL",
}


# Population controls per past check at each reference date (their count beside the checks that found nothing).
CONTROLS_PER_CHECK = 2.0


class _PastRows:
    """Rows of indicator values as of earlier dates, with the cells their sources covered (`observed`)."""

    x: np.ndarray
    observed: np.ndarray

    def imputed(self, fill: np.ndarray) -> np.ndarray:
        """x with unobserved cells set to `fill` (per indicator): a value that says nothing about the label."""
        return np.where(self.observed, self.x, fill[None, :])


@dataclass
class Controls(_PastRows):
    """Homes of the delivery as they stood at the reference dates of past checks, unchecked: label 0."""

    x: np.ndarray
    observed: np.ndarray
    units: list[str]
    dates: list[dt.date]  # the reference date of each row


@dataclass
class TrainingSet(_PastRows):
    x: np.ndarray
    y: np.ndarray
    observed: np.ndarray  # False where an indicator's source did not yet cover the reference date
    units: list[str]
    dates: list[dt.date]
    snapshots: int
    findings: list[str] = field(default_factory=list)  # per check what was found ('niets_gevonden' for nothing)
    outside_bag: int = 0  # checks left out: their unit is not in the delivery's BAG
    controls: Controls | None = None  # population controls, when asked for


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


def population_controls(store: Store, per_ref: dict[dt.date, int]) -> dict[dt.date, list[str]]:
    """Per reference date, `per_ref[date]` dwellings of the delivery that existed then (built in or before
    that year, or of unknown year), in the order of a hash of their id: the same homes at every date and in
    every delivery, unrelated to anything the indicators read."""
    wanted = max(per_ref.values(), default=0)
    if not wanted:
        return {}
    # Candidates in hash order; an early date skips the homes built after it, so take more than the largest count.
    # BIGINT as intake types it: a whole number of the contract has up to 18 digits, and a typo'd year must not stop
    # the analysis (it is a year that has not come, so the home is left out of every date's sample)
    built = "bouwjaar" if "bouwjaar" in store.columns("raw_bag_verblijfsobject") else "NULL"
    rows = store.rows(
        f"SELECT verblijfsobject_id, CAST({built} AS BIGINT) FROM raw_bag_verblijfsobject "
        "WHERE list_contains(string_split(gebruiksdoel, ';'), 'woonfunctie') "
        "ORDER BY md5(verblijfsobject_id), verblijfsobject_id LIMIT ?", [2 * wanted + 10_000])
    return {ref: [u for u, year in rows if year is None or year <= ref.year][:n] for ref, n in per_ref.items()}


def training_set(store: Store, indicators: list[Indicator], controls_per_check: float = 0.0,
                 kept: TrainingSet | None = None, since: dt.date | None = None) -> TrainingSet:
    """One row per past check (unit, date): point-in-time indicator values and 1 for a finding, 0 for none.

    Checks on units that are not in the delivery's BAG are left out (counted in `outside_bag`): with no
    BAG row they would show no evidence at all, which is not what the checker saw. With `controls_per_check`,
    also that many population controls per check at each reference date (`controls`), computed in the same
    queries. With `since`, only the checks after that date: the rows an earlier delivery's `kept` rows lack
    (`extended`); the population controls are then the homes the sample adds at each reference date to those
    `kept` already holds, and past values are appended to the kept ones in the store (`values_at(extend=True)`)."""
    codes = [i.code for i in indicators]
    col = {c: j for j, c in enumerate(codes)}
    if not store.has_table("raw_handhaving_uitkomst"):
        return TrainingSet(np.zeros((0, len(codes))), np.zeros(0), np.ones((0, len(codes)), bool), [], [], 0)
    after = "AND datum > ?" if since is not None else ""
    params = [since] if since is not None else []
    checks = store.rows(
        "SELECT verblijfsobject_id, datum, max(CASE WHEN bevinding <> 'niets_gevonden' THEN 1 ELSE 0 END), "
        "coalesce(min(bevinding) FILTER (WHERE bevinding <> 'niets_gevonden'), 'niets_gevonden') "
        "FROM raw_handhaving_uitkomst WHERE verblijfsobject_id IN (SELECT verblijfsobject_id FROM "
        f"raw_bag_verblijfsobject) {after} GROUP BY 1, 2 ORDER BY 2, 1", params
    )
    outside = int(store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT verblijfsobject_id, datum FROM raw_handhaving_uitkomst "
        f"WHERE verblijfsobject_id NOT IN (SELECT verblijfsobject_id FROM raw_bag_verblijfsobject) {after})",
        params))
    by_ref: dict[dt.date, list[int]] = {}
    for i, (_, day, _, _) in enumerate(checks):
        by_ref.setdefault(reference_date(day), []).append(i)
    x = np.zeros((len(checks), len(codes)))
    observed = np.ones((len(checks), len(codes)), dtype=bool)
    present = runnable(store, indicators)
    first = _first_dates(store)
    work: dict[dt.date, tuple[list[Indicator], list[str]]] = {}
    for ref, rows in sorted(by_ref.items()):
        for ind in indicators:
            if ind not in present or not _observed(ind, ref, first):
                observed[rows, col[ind.code]] = False
        work[ref] = ([i for i in present if _observed(i, ref, first)], [checks[i][0] for i in rows])
    sampled = _sample(store, by_ref, controls_per_check, kept if since is not None else None)
    targets = {ref: (inds, [*ids, *sampled.get(ref, [])]) for ref, (inds, ids) in work.items()}
    # The values of an unchanged past come from the previous delivery where it continues one (point_in_time.py).
    values = values_at(store, targets, "adres", extend=since is not None)
    for ref, rows in by_ref.items():
        for i in rows:
            for ind in work[ref][0]:
                value = values.get((ref, ind.code, str(checks[i][0])))
                if value is not None:
                    x[i, col[ind.code]] = value  # every check of that unit at this date
    return TrainingSet(
        x, np.array([c[2] for c in checks], dtype=float), observed, [c[0] for c in checks], [c[1] for c in checks],
        len(by_ref), [c[3] for c in checks], outside,
        _controls(sampled, work, observed, by_ref, values, col) if controls_per_check else None,
    )


def _sample(store: Store, by_ref: dict[dt.date, list[int]], per_check: float,
            kept: TrainingSet | None) -> dict[dt.date, list[str]]:
    """The population controls per reference date: round(checks x per_check) homes in hash order. Beside `kept`
    rows, a date's count counts its kept checks too, and the homes already kept there are left out: kept and
    added controls together are the sample a run computing every row now would draw."""
    if not per_check:
        return {}
    before: dict[dt.date, int] = {}
    have: dict[dt.date, set[str]] = {}
    if kept is not None:
        for day in kept.dates:
            before[reference_date(day)] = before.get(reference_date(day), 0) + 1
        if kept.controls is not None:
            for ref, unit in zip(kept.controls.dates, kept.controls.units, strict=True):
                have.setdefault(ref, set()).add(unit)
    total = {ref: round((len(rows) + before.get(ref, 0)) * per_check) for ref, rows in by_ref.items()}
    drawn = population_controls(store, total)
    return {ref: [u for u in units if u not in have.get(ref, set())][:max(total[ref] - len(have.get(ref, ())), 0)]
            for ref, units in drawn.items()}


def extended(kept: TrainingSet, new: TrainingSet) -> TrainingSet:
    """The kept rows followed by the rows of the checks since (both ordered by date, the new ones later); the
    controls ordered by reference date, the kept ones of a date before those added to it."""
    if not len(new.y):
        return kept
    controls = kept.controls
    if kept.controls is not None and new.controls is not None:
        c, d = kept.controls, new.controls
        units, dates = c.units + d.units, c.dates + d.dates
        order = sorted(range(len(dates)), key=dates.__getitem__)  # stable: kept before added within a date
        x, seen = np.vstack([c.x, d.x]), np.vstack([c.observed, d.observed])
        controls = Controls(x[order], seen[order], [units[r] for r in order], [dates[r] for r in order])
    refs = {reference_date(day) for day in [*kept.dates, *new.dates]}
    return TrainingSet(np.vstack([kept.x, new.x]), np.concatenate([kept.y, new.y]),
                       np.vstack([kept.observed, new.observed]), kept.units + new.units, kept.dates + new.dates,
                       len(refs), kept.findings + new.findings, kept.outside_bag + new.outside_bag, controls)


def restrict_to_coverage(store: Store, train: TrainingSet, indicators: list[Indicator]) -> int:
    """Training rows kept from an earlier delivery (`model_reuse`), seen with this delivery's sources: a cell whose
    source no longer covers its reference date here (a rolling extract drops its oldest months; a source no longer
    delivered) becomes unobserved, as a run computing the rows now would have it. Returns the cells changed."""
    present = runnable(store, indicators)
    first = _first_dates(store)
    changed = 0
    for rows, refs in ((train, [reference_date(d) for d in train.dates]),
                       (train.controls, train.controls.dates if train.controls else [])):
        if rows is None or not len(refs):
            continue
        dates = np.array(refs, dtype="datetime64[D]")
        for ref in np.unique(dates):
            day = ref.astype(dt.date)
            gone = np.array([ind not in present or not _observed(ind, day, first) for ind in indicators])
            if gone.any():
                at = np.flatnonzero(dates == ref)
                changed += int(rows.observed[np.ix_(at, np.flatnonzero(gone))].sum())
                rows.observed[np.ix_(at, np.flatnonzero(gone))] = False
    return changed


def _controls(sampled: dict[dt.date, list[str]], work: dict[dt.date, tuple[list[Indicator], list[str]]],
              observed: np.ndarray, by_ref: dict[dt.date, list[int]], values: dict, col: dict[str, int]) -> Controls:
    refs = [ref for ref in sorted(sampled) for _ in sampled[ref]]
    units = [u for ref in sorted(sampled) for u in sampled[ref]]
    x = np.zeros((len(units), len(col)))
    seen = observed[[by_ref[ref][0] for ref in refs]]  # a source covers a date for every home alike
    for r, (ref, unit) in enumerate(zip(refs, units, strict=True)):
        for ind in work[ref][0]:
            value = values.get((ref, ind.code, unit))
            if value is not None:
                x[r, col[ind.code]] = value
    return Controls(x, seen, units, refs)
