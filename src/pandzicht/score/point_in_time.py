"""Indicator values as they stood at earlier reference dates, kept in the store and reused by the next delivery.

Learning from past checks needs every indicator as it stood before each check (`training.py`): the catalogue's
queries rerun with the store's peildatum set back, once per reference date. That is most of the scoring time,
and month after month it recomputes the same past: a check of 2021 looked at the data as of 2020, and a new
delivery rarely changes what was known then. So each analysis keeps what it computed (`peil_doel`,
`peil_indicator`, `peil_waarde`), and an analysis that continues an earlier delivery whose parties were
linked incrementally (the earlier linking model reused, so the same data still means the same parties) takes
over the value of every (reference date, indicator, target) it computed then with an unchanged query; it
computes only the rest (new checks, checks newly confirming a party, new indicators, changed queries), and
every indicator that compares with the rest of the delivery (`vergelijkt_met_levering`: a neighbourhood's
median, a region's share), whose past value moves whenever the delivery does.
`--opnieuw` or a retrained linking model recompute everything. The report says how much was taken over
(`analyse.peildata`, docs/outputs.md), and `bench leveringen` measures the result against a full run.

When the kept training rows are continued (`values_at(extend=True)`: the score models learn from the previous
delivery's rows plus the new checks), a new check whose reference date is the previous delivery's peildatum takes
each address indicator's value from that delivery's own `indicator_waarde`: what the region's data showed on that
very date, which is what a reference date means (the data as an analyst could have seen it then). Computing them
again would rerun every indicator, the comparing ones over the whole delivery, for a few hundred homes (the new
checks and their sample): at 1M units 56 of a continued run's 68 s of address scoring. Only where the previous
delivery had the same sources with rows (an indicator over a source that appeared or vanished since is computed)
and its raw tables still hold what it analysed (retention or an erasure since: none taken over); the typology
evidence is not in that table and is computed. A full run (`--opnieuw`) computes every date from the delivery.

The lifted form of each query (`lift.py`: SQLGlot rewrites some 60 queries per analysis, 0.52 s at 20k) is kept too
(`peil_query`), with a fingerprint of the rewrite's code and SQLGlot's version: a continued delivery takes it
over instead of rewriting the same text again; other code rewrites it afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa

from pandzicht.indicators import shared_steps
from pandzicht.indicators.catalogue import Indicator
from pandzicht.link import previous as prev
from pandzicht.score import as_of
from pandzicht.score import lift as lift_module
from pandzicht.score.lift import DATES, NotLiftable, lift
from pandzicht.store.engine import Store

TARGETS, COMPUTED, VALUES = "peil_doel", "peil_indicator", "peil_waarde"
LIFTED = "peil_query"  # per query text: its lifted SQL (NULL: not liftable), and the code that rewrote it
# every home's values of an indicator `as_of.covered`, per date and fingerprint of what they were computed from
ALL_VALUES, ALL_COMPUTED = "peil_alle", "peil_alle_berekend"
KEPT = (TARGETS, COMPUTED, VALUES, "_peil_gebruik", LIFTED, ALL_VALUES, ALL_COMPUTED)  # what scoring writes
_PREVIOUS_ALL = {ALL_VALUES: "_vorige_peil_alle", ALL_COMPUTED: "_vorige_peil_alle_berekend"}
_PREVIOUS = {t: f"_vorige_{t}" for t in (TARGETS, COMPUTED, VALUES)}
_PREVIOUS_LIFTED = f"_vorige_{LIFTED}"
_USE = "_peil_gebruik"  # this run: per kind of target and reference date, indicators reused and computed
_PER_DATE = "_peil_per_datum"  # this run: indicators the rewrite could not lift, computed date by date
_WANTED = "_peil_gevraagde_doelen"  # while computing: (reference date, target) pairs
_TODAY = "_vorige_vandaag"  # the previous delivery's address indicator values at its own peildatum
_TODAY_META = "_vorige_vandaag_peil"  # one row: that peildatum, and the sources it had rows of

_SCHEMA = {
    TARGETS: pa.schema([("doel", pa.string()), ("peildatum", pa.date32()), ("entiteit_id", pa.string())]),
    COMPUTED: pa.schema([("doel", pa.string()), ("peildatum", pa.date32()), ("indicator", pa.string()),
                         ("query_hash", pa.string())]),
    VALUES: pa.schema([("doel", pa.string()), ("peildatum", pa.date32()), ("indicator", pa.string()),
                       ("entiteit_id", pa.string()), ("waarde", pa.float64())]),
    _USE: pa.schema([("doel", pa.string()), ("peildatum", pa.date32()), ("hergebruikt", pa.int64()),  # cells
                     ("berekend", pa.int64())]),
    LIFTED: pa.schema([("tekst_hash", pa.string()), ("herschrijver", pa.string()), ("gelift", pa.string())]),
    ALL_VALUES: pa.schema([("peildatum", pa.date32()), ("indicator", pa.string()), ("vingerafdruk", pa.string()),
                           ("entiteit_id", pa.string()), ("waarde", pa.float64())]),
    ALL_COMPUTED: pa.schema([("peildatum", pa.date32()), ("indicator", pa.string()), ("vingerafdruk", pa.string())]),
}

# (reference date, indicator code, target id) -> value; absent means the indicator did not fire
Values = dict[tuple[dt.date, str, str], float]


def query_hash(ind: Indicator) -> str:
    """What a kept value was computed with: the indicator's query and sources."""
    return hashlib.sha256(f"{ind.query}\x1f{','.join(ind.bronnen)}".encode()).hexdigest()[:16]


def carry_previous(store: Store, previous: Path) -> bool:
    """Copy the previous analysis's kept values into this run (temporary tables); False when it kept none."""
    with prev.attached(store, previous) as alias:
        if not all(prev.has_table(store, t) for t in _PREVIOUS):
            return False
        for table, temp in _PREVIOUS.items():
            store.execute(f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT * FROM {alias}.{table}")
        if prev.has_table(store, LIFTED):  # an analysis older than the kept rewrites has none
            store.execute(f"CREATE OR REPLACE TEMP TABLE {_PREVIOUS_LIFTED} AS SELECT * FROM {alias}.{LIFTED} "
                          "WHERE herschrijver = ?", [rewriter()])
        for table, temp in _PREVIOUS_ALL.items():  # an analysis older than the all-homes values has none
            store.execute(f"DROP TABLE IF EXISTS {temp}")
            if prev.has_table(store, table):
                store.execute(f"CREATE TEMP TABLE {temp} AS SELECT * FROM {alias}.{table}")
        _carry_today(store, alias)
    return True


def _carry_today(store: Store, alias: str) -> None:
    """Copy the previous delivery's own address indicator values, its peildatum and the sources it had rows of;
    nothing when its raw tables no longer hold what it analysed (retention or an erasure removed rows since: values
    computed from removed records are not used again)."""
    for table in (_TODAY, _TODAY_META):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    if not all(prev.has_table(store, t) for t in ("indicator_waarde", "bundel_meta", "laadrapport")):
        return
    loaded = {bron: int(info["geladen"]) for bron, info in json.loads(
        store.scalar(f"SELECT rapport FROM {alias}.laadrapport")).get("bronnen", {}).items() if "geladen" in info}
    raw = [r[0] for r in store.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
        "AND starts_with(table_name, 'raw_')", [alias])]
    rows = {t[len("raw_"):]: int(store.scalar(f"SELECT count(*) FROM {alias}.{t}")) for t in raw}
    if any(rows.get(bron, 0) != n for bron, n in loaded.items()):
        return
    store.execute(f"CREATE TEMP TABLE {_TODAY} AS SELECT indicator, entiteit_id, waarde "
                  f"FROM {alias}.indicator_waarde WHERE entiteit = 'adres'")
    store.execute(f"CREATE TEMP TABLE {_TODAY_META} AS SELECT (SELECT peildatum FROM {alias}.bundel_meta) AS "
                  "peildatum, CAST(? AS VARCHAR[]) AS bronnen", [sorted(b for b, n in rows.items() if n)])


def _from_previous_today(store: Store, doel: str, asked: dict[dt.date, list[Indicator]]) -> dict[dt.date, list[str]]:
    """Per reference date, the indicators whose values come from the previous delivery's own values: only at its
    peildatum, for address indicators it computed with the same sources present as now."""
    if doel != "adres" or not store.has_table(_TODAY_META):
        return {}
    meta = store.rows(f"SELECT peildatum, bronnen FROM {_TODAY_META}")
    if not meta or meta[0][0] is None or _day(meta[0][0]) not in asked:
        return {}
    peil, then = _day(meta[0][0]), set(meta[0][1])
    from pandzicht.indicators.run import DERIVED
    from pandzicht.score.typology_evidence import FAMILY as EVIDENCE

    def same_sources(ind: Indicator) -> bool:
        return all((b in then) == store.has_rows(f"raw_{b}") for b in (*ind.bronnen, *ind.optioneel)
                   if b not in DERIVED)

    # A catalogue indicator whose sources had rows then ran then (an absent row is a value of 0); the typology
    # evidence never goes into indicator_waarde. The catalogue itself is the previous delivery's: the kept rows
    # are continued only when it is unchanged (`model_reuse.decide`).
    return {peil: [i.code for i in asked[peil] if i.unit_level and i.familie != EVIDENCE and same_sources(i)]}


def keep_previous(store: Store) -> None:
    """Keep the previous analysis's values (copied by `carry_previous`) in this store as they were: for a run that
    computed none (its score models were reused), so that a later delivery can still take them over."""
    for table, temp in [*_PREVIOUS.items(), (LIFTED, _PREVIOUS_LIFTED), *_PREVIOUS_ALL.items()]:
        if store.has_table(temp):
            store.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {temp}")


@cache
def rewriter() -> str:
    """What a kept rewrite was made with: the source of `lift.py` and the SQLGlot version."""
    try:
        code = inspect.getsource(lift_module)
    except (OSError, TypeError):  # no source on disk: the installed version decides
        code = f"pandzicht {version('pandzicht')}"
    text = f"{code}\x1f{version('sqlglot')}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _text_hash(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def _lift_all(store: Store, indicators: dict[str, Indicator]) -> tuple[dict[str, str], list[str]]:
    """Each indicator's lifted query (code -> SQL) and the codes that cannot be lifted, taking the rewrite kept
    by the previous delivery where the query text is the same; every rewrite used is kept in this store."""
    hashes = {code: _text_hash(ind.query) for code, ind in indicators.items()}
    kept: dict[str, str | None] = {}
    if store.has_table(_PREVIOUS_LIFTED):
        kept = dict(store.rows(f"SELECT tekst_hash, gelift FROM {_PREVIOUS_LIFTED}"))
    lifted: dict[str, str] = {}
    per_date: list[str] = []
    for code, ind in indicators.items():
        if hashes[code] in kept:
            sql = kept[hashes[code]]
        else:
            try:
                sql = lift(ind.query)
            except NotLiftable:
                sql = None
        if sql is None:
            per_date.append(code)
        else:
            lifted[code] = sql
    done = set(r[0] for r in store.rows(f"SELECT tekst_hash FROM {LIFTED}")) if store.has_table(LIFTED) else set()
    new = sorted({hashes[c]: lifted.get(c) for c in indicators if hashes[c] not in done}.items())
    if new:
        data = pa.table({"tekst_hash": [h for h, _ in new], "herschrijver": [rewriter()] * len(new),
                         "gelift": [sql for _, sql in new]}, schema=_SCHEMA[LIFTED])
        store.write_arrow(LIFTED, data, append=store.has_table(LIFTED))
    return lifted, per_date


def _previous(store: Store, doel: str, refs: Iterable[dt.date]) -> tuple[dict[dt.date, set[str]],
                                                                            dict[dt.date, dict[str, str]]]:
    """The previous run's targets and computed indicators (code -> query hash) per reference date."""
    targets: dict[dt.date, set[str]] = {}
    computed: dict[dt.date, dict[str, str]] = {}
    if not store.has_table(_PREVIOUS[TARGETS]):
        return targets, computed
    wanted = sorted(set(refs))
    if not wanted:
        return targets, computed
    dates = pa.table({"peildatum": pa.array(wanted, pa.date32())})
    store.write_arrow("_peil_gevraagd", dates)
    for ref, ident in store.rows(f"SELECT DISTINCT t.peildatum, t.entiteit_id FROM {_PREVIOUS[TARGETS]} t "
                                 "JOIN _peil_gevraagd USING (peildatum) WHERE t.doel = ?", [doel]):
        targets.setdefault(ref, set()).add(ident)
    for ref, code, digest in store.rows(f"SELECT DISTINCT c.peildatum, c.indicator, c.query_hash "
                                        f"FROM {_PREVIOUS[COMPUTED]} c JOIN _peil_gevraagd USING (peildatum) "
                                        "WHERE c.doel = ?", [doel]):
        computed.setdefault(ref, {})[code] = digest
    store.execute("DROP TABLE IF EXISTS _peil_gevraagd")
    return targets, computed


def values_at(store: Store, work: dict[dt.date, tuple[list[Indicator], list[str]]], doel: str,
              extend: bool = False) -> Values:
    """Per reference date, its indicators' values for its targets (units or parties): from the previous
    delivery where it computed the same, else by rerunning the query as of that date.

    Every value used is kept in this store for the next delivery. Targets are compared as text. With `extend`,
    the store already holds the previous delivery's values (`keep_previous`: its training rows are reused and
    only new checks are computed), and only what they lack is appended: targets new at a date, and dates new; at the
    previous delivery's peildatum they come from its own values (`_from_previous_today`)."""
    wanted = {ref: sorted({str(t) for t in ids}) for ref, (inds, ids) in work.items() if ids and inds}
    asked = {ref: work[ref][0] for ref in wanted}
    today = _from_previous_today(store, doel, asked) if extend else {}
    old_targets, old_computed = _previous(store, doel, wanted)
    digests = {ind.code: query_hash(ind) for inds in asked.values() for ind in inds}
    reuse: dict[dt.date, list[str]] = {}
    changed: dict[dt.date, tuple[list[Indicator], list[str]]] = {}
    missing: dict[dt.date, tuple[list[Indicator], list[str]]] = {}
    use: dict[dt.date, tuple[int, int]] = {}  # cells (indicator x target) taken over, computed
    for ref, ids in wanted.items():
        known = old_targets.get(ref, set())
        covered = [t for t in ids if t in known]
        new = [t for t in ids if t not in known]
        kept = old_computed.get(ref, {}) if covered else {}
        then = set(today.get(ref, ()))
        same = [i for i in asked[ref] if kept.get(i.code) == digests[i.code] and not i.vergelijkt_met_levering
                and i.code not in then]
        other = [i for i in asked[ref] if i not in same and i.code not in then]
        reuse[ref] = [i.code for i in same]
        if other:
            changed[ref] = (other, ids)  # a changed (or never computed) query: every target afresh
        if same and new:
            missing[ref] = (same, new)  # an unchanged query: only targets it was not asked for then
        use[ref] = (len(same) * len(covered) + len(then) * len(ids),
                    len(other) * len(ids) + (len(same) * len(new)))
    values: Values = {}
    if today:
        values.update(_today_values(store, {ref: (codes, wanted[ref]) for ref, codes in today.items()}))
    if any(reuse.values()):
        values.update(_reused(store, doel, wanted, reuse))
    prints = as_of.Fingerprints(store) if store.name == "duckdb" and doel == "adres" else None
    if prints is not None:
        taken, changed, missing = _take_over_all(store, prints, digests, changed, missing, use)
        values.update(taken)
    values.update(compute(store, changed, prints))
    values.update(compute(store, missing, prints))
    _declare_all(store)  # declared by the scoring stages: present even when nothing is covered
    if extend:  # what the kept values lack: targets new at a date, and the indicators of a date new altogether
        wanted_new = {ref: [t for t in ids if t not in old_targets.get(ref, set())] for ref, ids in wanted.items()}
        # at a known date the kept indicators stand (a new one there would claim the kept targets did not fire)
        asked_new = {ref: inds if ref not in old_computed else [] for ref, inds in asked.items()}
        fresh = {(ref, t) for ref, ids in wanted_new.items() for t in ids}
        _keep(store, doel, wanted_new, asked_new, digests, {k: v for k, v in values.items() if (k[0], k[2]) in fresh},
              use)
    else:
        _keep(store, doel, wanted, asked, digests, values, use)
    return values


def _today_values(store: Store, work: dict[dt.date, tuple[list[str], list[str]]]) -> Values:
    """The previous delivery's own values (at its peildatum, the one date in `work`) of these indicators for
    these targets."""
    out: Values = {}
    for ref, (codes, ids) in work.items():
        if not codes or not ids:
            continue
        store.write_arrow("_vandaag_gevraagd", pa.table({"entiteit_id": pa.array(ids, pa.string())}))
        store.write_arrow("_vandaag_indicator", pa.table({"indicator": pa.array(codes, pa.string())}))
        try:
            for code, ident, value in store.rows(
                    f"SELECT v.indicator, v.entiteit_id, max(v.waarde) FROM {_TODAY} v "
                    "SEMI JOIN _vandaag_gevraagd USING (entiteit_id) SEMI JOIN _vandaag_indicator USING (indicator) "
                    "WHERE v.waarde > 0 GROUP BY 1, 2"):
                out[(ref, code, ident)] = float(value)
        finally:
            store.execute("DROP TABLE IF EXISTS _vandaag_gevraagd")
            store.execute("DROP TABLE IF EXISTS _vandaag_indicator")
    return out


def _reused(store: Store, doel: str, wanted: dict[dt.date, list[str]], reuse: dict[dt.date, list[str]]) -> Values:
    pairs = [(ref, code) for ref, codes in reuse.items() for code in codes]
    store.write_arrow("_peil_hergebruik", pa.table({
        "peildatum": pa.array([p[0] for p in pairs], pa.date32()), "indicator": [p[1] for p in pairs]}))
    store.write_arrow("_peil_doelen", pa.table({
        "peildatum": pa.array([ref for ref, ids in wanted.items() for _ in ids], pa.date32()),
        "entiteit_id": [t for ids in wanted.values() for t in ids]}))
    rows = store.rows(f"""
        SELECT v.peildatum, v.indicator, v.entiteit_id, max(v.waarde) FROM {_PREVIOUS[VALUES]} v
        JOIN _peil_hergebruik USING (peildatum, indicator) JOIN _peil_doelen USING (peildatum, entiteit_id)
        WHERE v.doel = ? GROUP BY 1, 2, 3""", [doel])
    store.execute("DROP TABLE IF EXISTS _peil_hergebruik")
    store.execute("DROP TABLE IF EXISTS _peil_doelen")
    return {(ref, code, ident): float(value) for ref, code, ident, value in rows}


def compute(store: Store, work: dict[dt.date, tuple[list[Indicator], list[str]]],
            prints: as_of.Fingerprints | None = None) -> Values:
    """Each date's indicators as of that date, for that date's targets.

    One query per indicator over all its dates (`lift.py`: the query reads `_peildata`, one row of bundel_meta
    per date, and returns every date's values at once); an indicator the rewrite cannot lift is run once per
    date with the store's peildatum set to it, and counted in `_peil_per_datum` for the report. With `prints`,
    an indicator `as_of.covered` keeps every home's values at its dates beside their fingerprint (`peil_alle`),
    for a later delivery to take over (`_take_over_all`)."""
    out: Values = {}
    work = {ref: (inds, ids) for ref, (inds, ids) in work.items() if inds and ids}
    if not work:
        return out
    dates_of: dict[str, list[dt.date]] = {}
    indicator: dict[str, Indicator] = {}
    for ref, (inds, _) in sorted(work.items()):
        for ind in inds:
            indicator.setdefault(ind.code, ind)
            dates_of.setdefault(ind.code, []).append(ref)
    lifted, per_date = _lift_all(store, indicator)
    if lifted:
        out.update(_lifted(store, work, dates_of, lifted, indicator, prints))
    if per_date:
        out.update(_per_date(store, {ref: ([i for i in inds if i.code in per_date], ids)
                                     for ref, (inds, ids) in work.items()}))
        data = pa.table({"indicator": pa.array(sorted(per_date), pa.string())})
        store.write_arrow(_PER_DATE, data, append=store.has_table(_PER_DATE))
    return out


def _lifted(store: Store, work: dict[dt.date, tuple[list[Indicator], list[str]]], dates_of: dict[str, list[dt.date]],
            lifted: dict[str, str], indicators: dict[str, Indicator] | None = None,
            prints: as_of.Fingerprints | None = None) -> Values:
    """Every lifted indicator in one query over its dates, joined to each date's targets (with `prints`, those
    `as_of.covered` over every home, kept, and then joined: `_all_homes`)."""
    out: Values = {}
    pairs = [(ref, str(t)) for ref, (_, ids) in sorted(work.items()) for t in ids]
    store.write_arrow(_WANTED, pa.table({"peildatum": pa.array([p[0] for p in pairs], pa.date32()),
                                         "entiteit_id": pa.array([p[1] for p in pairs], pa.string())}))
    meta = store.arrow("SELECT * FROM bundel_meta")
    groups: dict[tuple[dt.date, ...], list[str]] = {}
    for code in lifted:  # indicators asked at the same dates share one `_peildata`
        groups.setdefault(tuple(dates_of[code]), []).append(code)
    refs = {ref: ref for ref in work}
    try:
        for dates, codes in groups.items():
            store.write_arrow(DATES, _at_dates(meta, dates))
            every = [c for c in codes if prints is not None and indicators and as_of.covered(indicators[c])]
            for part in (every, [c for c in codes if c not in every]):
                # one statement per group of queries that share a step on DuckDB, `Engine.batch` of them on Spark
                for batch in shared_steps.groups(store, [(code, lifted[code]) for code in part]):
                    if part is every:
                        rows = _all_homes(store, batch, lifted, dates, indicators or {}, prints)
                    else:
                        rows = store.rows(shared_steps.statement(
                            store, [(code, lifted[code]) for code in batch],
                            lambda code, query: _values_sql(code, query, targets_only=True)))
                    for code, ref, ident, value in rows:
                        out[(refs[_day(ref)], code, ident)] = float(value)
    finally:
        store.execute(f"DROP TABLE IF EXISTS {DATES}")
        store.execute(f"DROP TABLE IF EXISTS {_WANTED}")
    return out


def _values_sql(code: str, query: str, targets_only: bool) -> str:
    """A lifted query's fired values per date and home as (indicator, peildatum, entiteit_id, waarde): only the
    date's targets (`_WANTED`), or every home."""
    target = (f"JOIN {_WANTED} AS t ON t.peildatum = q.peildatum AND t.entiteit_id = CAST(q.entiteit_id AS VARCHAR) "
              if targets_only else "")
    return (f"SELECT '{code}' AS indicator, q.peildatum, CAST(q.entiteit_id AS VARCHAR) AS entiteit_id, "
            f"max(CAST(q.waarde AS DOUBLE)) AS waarde FROM ({query}) AS q {target}"
            "WHERE q.waarde > 0 AND q.entiteit_id IS NOT NULL GROUP BY q.peildatum, CAST(q.entiteit_id AS VARCHAR)")


def _all_homes(store: Store, batch: list[str], lifted: dict[str, str], dates: tuple[dt.date, ...],
               indicators: dict[str, Indicator], prints: as_of.Fingerprints | None) -> list[tuple]:
    """The batch's values for every home at its dates, kept with their fingerprints; the targets' values returned."""
    assert prints is not None
    store.execute("CREATE OR REPLACE TEMP TABLE _peil_alle_nu AS " + shared_steps.statement(
        store, [(code, lifted[code]) for code in batch],
        lambda code, query: _values_sql(code, query, targets_only=False)))
    try:
        _keep_all(store, [(day, code, prints.of(indicators[code], day, query_hash(indicators[code])))
                          for day in dates for code in batch])
        return store.rows(f"SELECT a.indicator, a.peildatum, a.entiteit_id, a.waarde FROM _peil_alle_nu a "
                          f"JOIN {_WANTED} t ON t.peildatum = a.peildatum AND t.entiteit_id = a.entiteit_id")
    finally:
        store.execute("DROP TABLE IF EXISTS _peil_alle_nu")


def _declare_all(store: Store) -> None:
    """The all-home tables, empty where this store has none yet."""
    for table in (ALL_VALUES, ALL_COMPUTED):
        if not store.has_table(table):
            store.write_arrow(table, _SCHEMA[table].empty_table())


def _keep_all(store: Store, prints: list[tuple[dt.date, str, str]], source: str = "_peil_alle_nu") -> None:
    """Append the rows of `source` (every home's values of an indicator at a date) to this store's `peil_alle` with
    the fingerprint of each (date, indicator) in `prints`; a (date, indicator, fingerprint) kept already is not
    kept twice. A `source` with its own fingerprint column (the previous delivery's rows) is matched on it too."""
    _declare_all(store)
    store.write_arrow("_peil_vingerafdruk", pa.table({
        "peildatum": pa.array([p[0] for p in prints], pa.date32()), "indicator": [p[1] for p in prints],
        "vingerafdruk": [p[2] for p in prints]}, schema=_SCHEMA[ALL_COMPUTED]))
    try:
        store.execute("CREATE OR REPLACE TEMP TABLE _peil_vingerafdruk_nieuw AS SELECT DISTINCT * FROM "
                      f"_peil_vingerafdruk f ANTI JOIN {ALL_COMPUTED} k USING (peildatum, indicator, vingerafdruk)")
        on = "peildatum, indicator, vingerafdruk" if "vingerafdruk" in store.columns(source) else "peildatum, indicator"
        store.execute(f"INSERT INTO {ALL_VALUES} SELECT a.peildatum, a.indicator, f.vingerafdruk, a.entiteit_id, "
                      f"a.waarde FROM {source} a JOIN _peil_vingerafdruk_nieuw f USING ({on}) "
                      "ORDER BY a.peildatum, a.indicator, a.entiteit_id")
        store.execute(f"INSERT INTO {ALL_COMPUTED} SELECT * FROM _peil_vingerafdruk_nieuw")
        # Another fingerprint of the same date and indicator is of data as of that date that this delivery no longer
        # has (a late or corrected record dated before it): it cannot be taken over again, so it goes (with the
        # previous delivery's rows kept whole, `keep_previous`, they would pile up delivery after delivery).
        for table in (ALL_VALUES, ALL_COMPUTED):
            store.execute(f"DELETE FROM {table} k WHERE (k.peildatum, k.indicator) IN (SELECT (peildatum, indicator) "
                          "FROM _peil_vingerafdruk) AND (k.peildatum, k.indicator, k.vingerafdruk) NOT IN "
                          "(SELECT (peildatum, indicator, vingerafdruk) FROM _peil_vingerafdruk)")
    finally:
        store.execute("DROP TABLE IF EXISTS _peil_vingerafdruk")
        store.execute("DROP TABLE IF EXISTS _peil_vingerafdruk_nieuw")


def _take_over_all(store: Store, prints: as_of.Fingerprints, digests: dict[str, str],
                   changed: dict[dt.date, tuple[list[Indicator], list[str]]],
                   missing: dict[dt.date, tuple[list[Indicator], list[str]]],
                   use: dict[dt.date, tuple[int, int]]) -> tuple[Values, dict, dict]:
    """Values the previous delivery computed for every home at a date, where the indicator's query and all its
    sources as of that date are the same here (`as_of`): exactly what computing them again would give. Returns
    them for the asked targets and what is left to compute; `use` counts them as taken over."""
    done: dict[tuple[dt.date, str], set[str]] = {}
    if store.has_table(_PREVIOUS_ALL[ALL_COMPUTED]):
        for day, code, fp in store.rows("SELECT peildatum, indicator, vingerafdruk FROM "
                                        f"{_PREVIOUS_ALL[ALL_COMPUTED]}"):
            done.setdefault((_day(day), code), set()).add(fp)
    if not done:
        return {}, changed, missing
    taken: list[tuple[dt.date, str, str]] = []
    asked: list[tuple[dt.date, str, str]] = []

    def split(work: dict[dt.date, tuple[list[Indicator], list[str]]]) -> dict:
        rest = {}
        for ref, (inds, ids) in work.items():
            left = []
            for ind in inds:
                if (ref, ind.code) in done and as_of.covered(ind):
                    fp = prints.of(ind, ref, digests[ind.code])
                    if fp in done[(ref, ind.code)]:
                        taken.append((ref, ind.code, fp))
                        asked.extend((ref, ind.code, t) for t in ids)
                        use[ref] = (use[ref][0] + len(ids), use[ref][1] - len(ids))
                        continue
                left.append(ind)
            if left:
                rest[ref] = (left, ids)
        return rest

    changed, missing = split(changed), split(missing)
    if not taken:
        return {}, changed, missing
    store.write_arrow("_peil_overname", pa.table({
        "peildatum": pa.array([a[0] for a in asked], pa.date32()), "indicator": [a[1] for a in asked],
        "entiteit_id": [a[2] for a in asked]}))
    store.write_arrow("_peil_overname_vingerafdruk", pa.table({
        "peildatum": pa.array([t[0] for t in taken], pa.date32()), "indicator": [t[1] for t in taken],
        "vingerafdruk": [t[2] for t in taken]}))
    previous = _PREVIOUS_ALL[ALL_VALUES]
    try:
        store.execute(f"CREATE OR REPLACE TEMP TABLE _peil_alle_vorige AS SELECT * FROM {previous} "
                      "SEMI JOIN _peil_overname_vingerafdruk USING (peildatum, indicator, vingerafdruk)")
        rows = store.rows("SELECT v.peildatum, v.indicator, v.entiteit_id, max(v.waarde) FROM _peil_alle_vorige v "
                          "SEMI JOIN _peil_overname USING (peildatum, indicator, entiteit_id) GROUP BY 1, 2, 3")
        _keep_all(store, taken, source="_peil_alle_vorige")  # kept here too, for the delivery after this one
    finally:
        for table in ("_peil_overname", "_peil_overname_vingerafdruk", "_peil_alle_vorige"):
            store.execute(f"DROP TABLE IF EXISTS {table}")
    return {(_day(ref), code, ident): float(value) for ref, code, ident, value in rows}, changed, missing


def _at_dates(meta: pa.Table, dates: tuple[dt.date, ...]) -> pa.Table:
    """bundel_meta once per date, with that date as its peildatum."""
    col = meta.schema.get_field_index("peildatum")
    parts = []
    for ref in dates:
        day = pa.array([ref] * meta.num_rows, pa.date32()).cast(meta.schema.field(col).type)
        parts.append(meta.set_column(col, meta.schema.field(col), day))
    return pa.concat_tables(parts)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _per_date(store: Store, work: dict[dt.date, tuple[list[Indicator], list[str]]]) -> Values:
    """Run each date's indicators with the store's peildatum set to that date, for that date's targets.

    The peildatum is restored whatever happens: the rest of the analysis reads it."""
    out: Values = {}
    original = store.scalar("SELECT peildatum FROM bundel_meta")
    try:
        for ref, (indicators, ids) in sorted(work.items()):
            if not indicators:
                continue
            store.execute("UPDATE bundel_meta SET peildatum = ?", [ref])
            store.write_arrow("_doel", pa.table({"entiteit_id": pa.array(ids, pa.string())}))
            for ind in indicators:
                for ident, value in store.rows(
                    f"SELECT CAST(entiteit_id AS VARCHAR), max(CAST(waarde AS DOUBLE)) FROM ({ind.query}) AS q "
                    "WHERE entiteit_id IN (SELECT entiteit_id FROM _doel) AND waarde > 0 "
                    "GROUP BY 1"
                ):
                    out[(ref, ind.code, ident)] = float(value)
    finally:
        store.execute("UPDATE bundel_meta SET peildatum = ?", [original])
        store.execute("DROP TABLE IF EXISTS _doel")
    return out


def _keep(store: Store, doel: str, wanted: dict[dt.date, list[str]], asked: dict[dt.date, list[Indicator]],
          digests: dict[str, str], values: Values, use: dict[dt.date, tuple[int, int]]) -> None:
    """Append what this run used to its own store, so the next delivery can take it over."""
    refs = sorted(wanted)

    def append(table: str, columns: dict[str, list]) -> None:
        data = pa.table(columns, schema=_SCHEMA[table])
        store.write_arrow(table, data, append=store.has_table(table))

    append(TARGETS, {"doel": [doel] * sum(len(wanted[r]) for r in refs),
                     "peildatum": [r for r in refs for _ in wanted[r]], "entiteit_id": [t for r in refs
                                                                                          for t in wanted[r]]})
    append(COMPUTED, {"doel": [doel] * sum(len(asked[r]) for r in refs),
                      "peildatum": [r for r in refs for _ in asked[r]],
                      "indicator": [i.code for r in refs for i in asked[r]],
                      "query_hash": [digests[i.code] for r in refs for i in asked[r]]})
    keys = sorted(values)
    append(VALUES, {"doel": [doel] * len(keys), "peildatum": [k[0] for k in keys], "indicator": [k[1] for k in keys],
                    "entiteit_id": [k[2] for k in keys], "waarde": [values[k] for k in keys]})
    append(_USE, {"doel": [doel] * len(refs), "peildatum": refs,
                  "hergebruikt": [use[r][0] for r in refs], "berekend": [use[r][1] for r in refs]})


def summary(store: Store) -> dict[str, int]:
    """For the report: reference dates whose values were all taken over, partly, or all computed, how many
    values (indicator x target) each way, and how many indicators were computed date by date (not lifted)."""
    if not store.has_table(_USE):
        return {}
    row = store.rows(f"""
        SELECT count(*) FILTER (WHERE berekend = 0), count(*) FILTER (WHERE berekend > 0 AND hergebruikt > 0),
               count(*) FILTER (WHERE hergebruikt = 0), coalesce(sum(hergebruikt), 0), coalesce(sum(berekend), 0)
        FROM (SELECT doel, peildatum, sum(hergebruikt) AS hergebruikt, sum(berekend) AS berekend
              FROM {_USE} GROUP BY 1, 2)""")[0]
    keys = ("peildata_hergebruikt", "peildata_deels", "peildata_berekend", "waarden_hergebruikt",
            "waarden_berekend")
    out = {k: int(v) for k, v in zip(keys, row, strict=True)}
    out["indicatoren_per_peildatum"] = int(store.scalar(f"SELECT count(DISTINCT indicator) FROM {_PER_DATE}")) \
        if store.has_table(_PER_DATE) else 0
    return out
