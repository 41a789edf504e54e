"""Probabilistic person and company resolution with Splink (Fellegi–Sunter), on DuckDB or Spark.

Shared keys decide where they exist (a KvK number is one company, a BRP token
one person); everywhere else Splink weighs the evidence: surname with and
without prefix and by sound, given names against initials, birth dates with a
day/month swap, the unit a mention was seen at. Its m/u parameters are trained
on the data itself (u by random sampling, m by EM on blocking rules). Mentions
that agree on every compared field are collapsed into one profile first, so a
corporation on thousands of contracts costs one comparison, not millions.
Clusters are formed strongest link first under constraints (see
`clustering.py`), analysts' judgements are applied, and the pairs the model is
unsure of go to the review queue.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute  # makes pa.compute available
import pyarrow.parquet as pq
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import EMTrainingException

from pandzicht.fallback import record as record_fallback
from pandzicht.link.clustering import cluster_constrained
from pandzicht.link.company_context import infer_company_numbers
from pandzicht.link.judgements import current_judgements, default_path
from pandzicht.link.mentions import MENTION_COLUMNS
from pandzicht.link.parties_exact import clusters_to_table
from pandzicht.link.placeholder_dates import TABLE as PLACEHOLDER_DATES
from pandzicht.link.placeholder_dates import mark as mark_placeholder_dates
from pandzicht.link.prediction_blocks import PredictionRule, bound_blocks, flag_name
from pandzicht.store.engine import Store, limit_memory
from pandzicht.store.spark import parquet_safe, scratch_folder

log = logging.getLogger(__name__)

Engine = Literal["duckdb", "spark"]
Model = Literal["tuned", "default"]

DREMPEL = 0.9  # link probability from which two profiles are one party
WACHTRIJ_ONDER = 0.6  # pairs from here up to DREMPEL go to the review queue (and those just above it)
WACHTRIJ_BOVEN = 0.95
_SEED = 42

# A profile: mentions equal on every compared field. A company is its name core when that name carries at most
# one KvK number (as the exact baseline joins on the normalised name), else name and number. A person without
# birth date, unit or BRP token stays alone, because two bare 'J. Jansen' mentions may well be two people.
_MENTIONS_SQL = """
CREATE OR REPLACE TEMP TABLE _pv AS
WITH m AS (  -- a number inferred from the mention's home (link/company_context.py) counts as recorded
  SELECT {mention_columns},
         -- a number inferred from the name's spelling joins the company but never teaches the name model
         coalesce(p.kvk_nummer IS NULL AND a.grond = 'schrijfwijze', false) AS kvk_uit_naam
  FROM partij_vermelding p
  LEFT JOIN vermelding_kvk_afgeleid a ON a.bron = p.bron AND a.record_sleutel = p.record_sleutel
  LEFT JOIN {placeholders} z ON z.geboortedatum = p.geboortedatum  -- a date that stands for 'unknown'
),
-- how many KvK numbers go with each company name core (a grouping joined back: a distinct count over a window
-- sorted every mention: 4.4 against 2.7 s at 200,000 units)
k AS (SELECT bedrijf_kern, count(DISTINCT kvk_nummer) AS kvk_per_kern FROM m WHERE bedrijf_kern IS NOT NULL GROUP BY 1),
v AS (SELECT m.*, k.kvk_per_kern FROM m LEFT JOIN k USING (bedrijf_kern))
SELECT bron || '/' || record_sleutel AS sleutel, soort, achternaam_sleutel, achternaam, achternaam_fonetisch,
       achternaam_laatste,
       voornamen, voornaam1, initialen, left(initialen, 1) AS initiaal,
       strftime(geboortedatum, '%Y-%m-%d') AS geboortedatum, geboortedatum_sleutel,
       CAST(year(geboortedatum) AS VARCHAR) AS geboortejaar, verblijfsobject_id, persoon_token, kvk_nummer,
       CASE WHEN NOT kvk_uit_naam THEN kvk_nummer END AS kvk_opgegeven,
       bedrijf_kern, replace(bedrijf_kern, ' ', '') AS kern_compact,
       split_part(bedrijf_kern, ' ', 1) AS kern_eerste,
       split_part(bedrijf_kern, ' ', -1) AS kern_laatste,
       CASE
         WHEN bron || '/' || record_sleutel IN (SELECT sleutel FROM _beoordeeld) THEN bron || '/' || record_sleutel
         WHEN soort = 'bedrijf' AND bedrijf_kern IS NOT NULL AND kvk_per_kern <= 1 THEN 'b|' || bedrijf_kern
         WHEN soort = 'bedrijf' AND (bedrijf_kern IS NOT NULL OR kvk_nummer IS NOT NULL)
           THEN 'b|' || coalesce(bedrijf_kern, '') || '|' || coalesce(kvk_nummer, '')
         WHEN soort = 'persoon' AND achternaam_sleutel IS NOT NULL
              AND (geboortedatum IS NOT NULL OR verblijfsobject_id IS NOT NULL OR persoon_token IS NOT NULL)
           THEN 'p|' || concat_ws('|', achternaam_sleutel, coalesce(achternaam, ''), coalesce(voornamen, ''),
                coalesce(initialen, ''), coalesce(CAST(geboortedatum AS VARCHAR), ''),
                coalesce(verblijfsobject_id, ''), coalesce(persoon_token, ''))
         ELSE bron || '/' || record_sleutel
       END AS profiel
FROM v
""".replace("{placeholders}", PLACEHOLDER_DATES).replace("{mention_columns}", ", ".join(
    "coalesce(p.kvk_nummer, a.kvk_nummer) AS kvk_nummer" if c == "kvk_nummer"
    else f"CASE WHEN z.geboortedatum IS NULL THEN p.{c} END AS {c}" if c in ("geboortedatum", "geboortedatum_sleutel")
    else f"p.{c}" for c in MENTION_COLUMNS))

_PROFILE_SQL = """
CREATE OR REPLACE TEMP TABLE _profiel AS
SELECT profiel, min(sleutel) AS unique_id, any_value(soort) AS soort, max(kvk_nummer) AS kvk_nummer,
       max(kvk_opgegeven) AS kvk_opgegeven,
       {cols}
FROM _pv GROUP BY profiel
"""
_PROFILE_COLS = (
    "achternaam_sleutel", "achternaam", "achternaam_fonetisch", "achternaam_laatste", "voornamen", "voornaam1",
    "initialen", "initiaal",
    "geboortedatum", "geboortedatum_sleutel", "geboortejaar", "verblijfsobject_id", "persoon_token", "bedrijf_kern",
    "kern_compact", "kern_eerste", "kern_laatste",
)
PERSON_COLUMNS = (
    "unique_id", "achternaam_sleutel", "achternaam", "achternaam_fonetisch", "achternaam_laatste", "voornamen",
    "voornaam1", "initialen",
    "initiaal", "geboortedatum", "geboortedatum_sleutel", "geboortejaar", "verblijfsobject_id", "persoon_token",
)
COMPANY_COLUMNS = ("unique_id", "bedrijf_kern", "kern_compact", "kern_eerste", "kern_laatste", "kvk_nummer",
                   "kvk_opgegeven")
# The company model learns from numbers as recorded (or inferred from a home or a register's dates), never from
# numbers inferred from the name's spelling: pairs chosen for their similar names would teach it that similar
# names are the same company.
TRAINING_NUMBER = "kvk_opgegeven"


def build_profiles(store: Store) -> None:
    """Temp tables `_pv` (each mention with its profile key) and `_profiel` (one row per profile), as every
    resolution, full or continued, builds them: birth dates that stand for "unknown" read as unknown."""
    mark_placeholder_dates(store)
    store.execute(_MENTIONS_SQL)
    store.execute(_PROFILE_SQL.format(cols=", ".join(f"any_value({c}) AS {c}" for c in _PROFILE_COLS)))


# --- model settings -------------------------------------------------------------------------------------------

def _surname() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="achternaam",
        comparison_levels=[
            cll.NullLevel("achternaam_sleutel"),
            cll.ExactMatchLevel("achternaam_sleutel").configure(tf_adjustment_column="achternaam_sleutel"),
            cll.ExactMatchLevel("achternaam").configure(label_for_charts="same surname, other prefix"),
            cll.JaroWinklerLevel("achternaam", 0.92),
            cll.ExactMatchLevel("achternaam_fonetisch").configure(label_for_charts="same sound"),
            cll.ExactMatchLevel("achternaam_laatste").configure(label_for_charts="same last surname word"),
            cll.JaroWinklerLevel("achternaam", 0.8),
            cll.ElseLevel(),
        ],
    )


def _given_names() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="voornamen",
        comparison_levels=[
            cll.NullLevel("initialen"),
            cll.And(cll.ExactMatchLevel("voornamen"), cll.Not(cll.NullLevel("voornaam1"))).configure(
                label_for_charts="all given names"),
            cll.ExactMatchLevel("voornaam1"),
            cll.JaroWinklerLevel("voornaam1", 0.88),
            cll.ExactMatchLevel("initialen").configure(label_for_charts="same initials"),
            cll.ExactMatchLevel("initiaal").configure(label_for_charts="same first initial"),
            cll.ElseLevel(),
        ],
    )


def _birth_date() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="geboortedatum",
        comparison_levels=[
            cll.NullLevel("geboortedatum"),
            cll.ExactMatchLevel("geboortedatum"),
            cll.ExactMatchLevel("geboortedatum_sleutel").configure(label_for_charts="day and month swapped"),
            cll.DamerauLevenshteinLevel("geboortedatum", 1),
            cll.ElseLevel(),
        ],
    )


def _company_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="bedrijfsnaam",
        comparison_levels=[
            cll.NullLevel("kern_compact"),
            cll.ExactMatchLevel("kern_compact"),
            cll.JaroWinklerLevel("kern_compact", 0.95),
            cll.DamerauLevenshteinLevel("kern_compact", 2),
            cll.JaroWinklerLevel("kern_compact", 0.88),
            cll.ElseLevel(),
        ],
    )


# Surname and birth year alone grow with the square of the population (5M candidates at 200k units, 2.6M of them
# true); with the initial 2.8M, and the other rules still reach what it no longer finds, all but one mention pair
# in 16M (docs/schaal.md, session 28). Each rule is bounded in the pairs it may put up (`prediction_blocks`).
PERSON_RULES = tuple(PredictionRule(c, "persoon_token") for c in (
    ("achternaam_sleutel", "geboortejaar", "initiaal"),
    ("achternaam_sleutel", "initiaal", "verblijfsobject_id"),
    ("achternaam_fonetisch", "initiaal", "verblijfsobject_id"),
    ("achternaam_fonetisch", "geboortedatum_sleutel"),
    ("voornaam1", "geboortedatum_sleutel"),
    ("achternaam_sleutel", "voornaam1"),
    ("achternaam_laatste", "initiaal", "verblijfsobject_id"),
))
# Two profiles that both carry a KvK number are decided by it (equal ones are one profile already, different ones
# never merge), so name blocks only pair profiles where at least one lacks a number: a corporation's thousands of
# numbered spelling variants would otherwise pair with each other.
COMPANY_RULES = (
    *(PredictionRule((key,), "kvk_nummer") for key in ("kern_compact", "kern_eerste", "kern_laatste")),
    PredictionRule(("kvk_nummer",)),
)


def person_settings() -> SettingsCreator:
    """Tuned person model: Dutch name parts, swapped dates, the unit; BRP persons are never compared to each
    other (their tokens already say who is who). Its frame carries the rules' flag columns (`bound_blocks`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            _surname(), _given_names(), _birth_date(),
            cl.ExactMatch("verblijfsobject_id"),
        ],
        blocking_rules_to_generate_predictions=[r.sql(flag_name(i)) for i, r in enumerate(PERSON_RULES)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def company_settings() -> SettingsCreator:
    """Tuned company model: the distinctive part of the name, and the KvK number when both have one. Two
    different KvK numbers are two companies (m fixed as a prior; EM would need pairs it never sees, because
    profiles with the same number are joined beforehand)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_company_name(), cl.ExactMatch("kvk_nummer").configure(m_probabilities=[0.99, 0.001])],
        blocking_rules_to_generate_predictions=[r.sql(flag_name(i)) for i, r in enumerate(COMPANY_RULES)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def bounded(frame: pa.Table, kind: str, fallbacks: Fallbacks) -> pa.Table:
    """`frame` with the prediction rules' flag columns; a rule that had to leave blocks out is a fallback."""
    rules = PERSON_RULES if kind == "persoon" else COMPANY_RULES
    flagged, bounds = bound_blocks(frame, rules)
    for b in bounds:
        fallbacks.add(f"partijen.blokgrens.{kind}", b.reason(), b.fallback())
    return flagged


DEFAULT_COLUMNS = ("unique_id", "achternaam_sleutel", "voornamen", "geboortedatum", "bedrijf_sleutel", "kvk_nummer",
                   "verblijfsobject_id")
DEFAULT_RULES = (("achternaam_sleutel", "geboortedatum"), ("bedrijf_sleutel",), ("kvk_nummer",))


def default_settings() -> SettingsCreator:
    """Splink out of the box: library comparisons on the raw mention fields, plain blocking, no exact rules."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("achternaam_sleutel"), cl.NameComparison("voornamen"),
            cl.DateOfBirthComparison("geboortedatum", input_is_string=True),
            cl.NameComparison("bedrijf_sleutel"), cl.ExactMatch("kvk_nummer"), cl.ExactMatch("verblijfsobject_id"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*r) for r in DEFAULT_RULES],
        retain_matching_columns=False,
    )


# --- engines -------------------------------------------------------------------------------------------------

@contextmanager
def _db_api(engine: Engine, spark: Any = None) -> Iterator[Any]:
    """A Splink database API: an in-memory DuckDB (kept apart from the store) or Spark."""
    if engine == "duckdb":
        con = duckdb.connect(":memory:")
        # The store's DuckDB runs in the same process: each gets its share of memory and spills beyond it.
        limit_memory(con, SPLINK_MEMORY_SHARE)
        api = DuckDBAPI(connection=con)
        try:
            yield api
        finally:
            api.duckdb_con.close()
    elif engine == "spark":
        from splink import SparkAPI

        session = spark or spark_session()
        with scratch_folder(session, "splink-") as folder:
            # persist, not checkpoint: needs no checkpoint directory, and local mode keeps the data in memory
            api = SparkAPI(spark_session=session, break_lineage_method="persist", num_partitions_on_repartition=4)
            api.pandzicht_scratch = folder  # where `_register` leaves the profiles for the executors
            yield api
    else:
        raise ValueError(f"unknown engine {engine!r}: duckdb or spark")


def spark_session(cores: int = 2, memory: str = "4g") -> Any:
    """A local Spark session with Splink's similarity functions (Jaro–Winkler, ...) registered."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("pandzicht-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def _register(api: Any, engine: Engine, table: pa.Table) -> Any:
    if engine == "duckdb":
        return api.register(table)
    # As Parquet for the executors to read, not a frame made from driver data: that is a LocalRelation every plan
    # built on it carries in the driver's heap (at 10,000 units a 2 GB driver ran out of heap in Splink's EM
    # that way), and it took a pandas copy of the profiles first
    folder = Path(tempfile.mkdtemp(prefix="profielen-", dir=api.pandzicht_scratch))
    pq.write_table(parquet_safe(table), folder / "part-0.parquet")
    return api.register(api.spark.read.parquet(str(folder)))


def _pairs(sdf: Any, engine: Engine) -> pa.Table:
    """The scored pairs (unique_id_l, unique_id_r, match_probability) as Arrow, whatever the engine."""
    cols = "unique_id_l, unique_id_r, match_probability"
    if engine == "duckdb":
        return sdf.as_duckdbpyrelation().select(cols).to_arrow_table()
    # Written by the executors and read from the files: collected, the pairs pass through the driver's heap as
    # serialized task results (at 250,000 units 2g ran out of heap; at 500,000 they exceeded Spark's 1 GB
    # spark.driver.maxResultSize)
    frame = sdf.as_spark_dataframe().select(*cols.split(", "))
    with scratch_folder(frame.sparkSession, "paren-") as folder:
        frame.write.mode("overwrite").parquet(str(folder / "paren"))
        table = pq.read_table(folder / "paren")
    if table.num_columns == 0:
        return _empty_pairs()
    return table.select(cols.split(", ")).cast(_empty_pairs().schema)


def estimate_u(linker: Linker, settings: SettingsCreator, frame: pa.Table, max_pairs: float) -> None:
    """u of `linker` by random sampling of `frame`'s pairs, always estimated on DuckDB in this process.

    u comes from a sample of at most a few million pairs of a few thousand profiles, whatever the size of the
    data, so it never needs a cluster; on Spark, Splink's sampling join is a cartesian product that reads the
    whole input again for each of its ~44 chunks (100 s at 50,000 units, over 10 minutes at 100,000). One
    engine for it also gives both engines the same u. `settings` must be the linker's own (a fresh copy)."""
    with _db_api("duckdb") as api:
        local = Linker(api.register(frame), settings, log_level=logging.WARNING)
        local.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=_SEED)
        # the estimates, including Splink's marker for a level the sample never showed, level by level
        for source, target in zip(local._settings_obj.comparisons, linker._settings_obj.comparisons, strict=True):
            for a, b in zip(source.comparison_levels, target.comparison_levels, strict=True):
                if not a.is_null_level:
                    b._u_probability = a._u_probability


# --- training and scoring --------------------------------------------------------------------------------------

# Evidence a learned step needs before its estimate is trusted; below it the documented default is used and
# the fallback recorded (`pandzicht.fallback`), so an odd delivery never crashes and never defaults silently.
MIN_PRIOR_PAIRS = 10  # pairs meeting a deterministic rule, to estimate the prior from it
MIN_EM_PAIRS = 50  # pairs in a blocking rule, to run EM on it
# Company names when EM cannot run: m per level of `_company_name` below its null level (exact, JW 0.95, DL 2,
# JW 0.88, else). Spelling variants of one company mostly keep the name core; a wholly different core is rare.
DEFAULT_COMPANY_NAME_M = (0.6, 0.2, 0.1, 0.06, 0.04)


@dataclass
class Fallbacks:
    """The fallbacks one resolution took; written to the store by the caller (Splink may run off-store)."""

    items: list[tuple[str, str, str]]
    em: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per model, the pairs each EM session saw

    def add(self, stap: str, reden: str, terugval: str) -> None:
        self.items.append((stap, reden, terugval))


# EM learns m from the blocked pairs' agreement patterns; a few million pairs pin every level's m far more
# tightly than the data's own variation, while a blocking rule on birth date grows with the square of the data
# (at 1M units tens of millions of pairs, each compared on every column: most of Spark's linking time).
# Beyond this many pairs EM trains on whole blocks picked by a hash of their key, which says nothing of whether
# a pair matches, so the sample's agreement patterns are the population's; below it every block is used.
EM_MAX_PAIRS = 2_000_000


@dataclass(frozen=True)
class EmBlocks:
    """The pairs one EM session trains on: all pairs agreeing on `columns`, or the blocks marked in `flag`."""

    columns: tuple[str, ...]
    pairs: int  # pairs in every block
    trained: int  # pairs in the blocks EM trains on
    flag: str | None = None  # frame column, 1 for profiles in a sampled block; None when every block is used

    def rule(self) -> Any:
        if self.flag is None:
            return block_on(*self.columns)
        return " AND ".join([*(f"l.{c} = r.{c}" for c in self.columns), f"l.{self.flag} = 1"])

    def report(self) -> dict[str, Any]:
        return {"blokkering": " + ".join(self.columns), "paren": self.pairs, "paren_getraind": self.trained}


def em_blocks(frame: pa.Table, columns: tuple[str, ...], flag: str,
              cap: int | None = None) -> tuple[EmBlocks, pa.Array | None]:
    """The blocks of `frame` on `columns` that EM trains on, and the `flag` column marking their profiles (None
    when all blocks fit under `cap` pairs). Blocks are taken in the order of a hash of their key (DuckDB's
    `hash`, the same on both engines and in every run) until they hold `cap` (EM_MAX_PAIRS) pairs."""
    cap = EM_MAX_PAIRS if cap is None else cap
    cols = ", ".join(f'"{c}"' for c in columns)
    present = " AND ".join(f'"{c}" IS NOT NULL' for c in columns)
    con = duckdb.connect()
    try:
        con.register("_profielen", frame.select(list(columns)))
        blocks = con.execute(f"SELECT hash({cols}) AS h, count(*) AS n FROM _profielen WHERE {present} "
                             f"GROUP BY {cols} HAVING count(*) > 1 ORDER BY h").fetchnumpy()
        n = blocks["n"].astype(np.int64)
        cumulative = np.cumsum(n * (n - 1) // 2)
        total = int(cumulative[-1]) if len(cumulative) else 0
        if total <= cap:
            return EmBlocks(columns, total, total), None
        last = int(np.searchsorted(cumulative, cap))  # the block that brings the sample to `cap` pairs
        bound = int(blocks["h"][last])
        marked = con.sql(f"SELECT CAST(coalesce({present} AND hash({cols}) <= {bound}, false) AS TINYINT) AS m "
                         "FROM _profielen").to_arrow_table().column("m")
        return EmBlocks(columns, total, int(cumulative[last]), flag), marked.combine_chunks()
    finally:
        con.close()


def _em_blocks(frame: pa.Table, rules: Sequence[tuple[str, ...]]) -> tuple[pa.Table, list[EmBlocks]]:
    """The EM sessions' blocks, and `frame` with the flag columns of the sampled ones (Splink blocks on them)."""
    out: list[EmBlocks] = []
    for i, columns in enumerate(rules):
        blocks, marked = em_blocks(frame, columns, f"_em_blok_{i}")
        if marked is not None:
            frame = frame.append_column(blocks.flag, marked)
        out.append(blocks)
    return frame, out


def pairs_sharing(frame: pa.Table, columns: tuple[str, ...]) -> int:
    """How many pairs of rows agree on all `columns`, none of them empty: the pairs a blocking rule or a
    deterministic rule on them would find."""
    table = frame.select(list(columns))
    for c in columns:
        table = table.filter(pa.compute.is_valid(table.column(c)))
    if table.num_rows < 2:
        return 0
    counts = table.group_by(list(columns)).aggregate([([], "count_all")]).column("count_all").to_numpy()
    return int((counts * (counts - 1) // 2).sum())


class _UnobservedLevels(logging.Filter):
    """Takes Splink's 'level not observed, unable to train m value' warnings out of its log during one EM session.

    Splink then keeps that level's starting m (or u) value: a fallback like any other, so it is recorded
    instead of printed to the user's terminal in English (the warning names a comparison and a level label,
    never a value from the data). Every other record of that logger passes as before."""

    PATTERN = re.compile(r"Level (.+?) on comparison (\S+) not observed in dataset, unable to train (m|u) value")

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[tuple[str, str, str]] = []  # (comparison, level label, 'm' or 'u')

    def filter(self, record: logging.LogRecord) -> bool:
        match = self.PATTERN.search(record.getMessage())
        if match:
            self.levels.append((match.group(2), match.group(1), match.group(3)))
        return match is None


@contextmanager
def _unobserved_levels() -> Iterator[_UnobservedLevels]:
    """Collect (and keep out of the log) Splink's unobserved-level warnings for the duration of one EM session."""
    logger = logging.getLogger("splink.internals.expectation_maximisation")
    collector = _UnobservedLevels()
    logger.addFilter(collector)
    try:
        yield collector
    finally:
        logger.removeFilter(collector)


def _em(linker: Linker, blocks: EmBlocks, stap: str, fallbacks: Fallbacks,
        unobserved: list[tuple[str, str, str]] | None = None) -> bool:
    """EM on one blocking rule when it pairs enough profiles; otherwise (or when Splink finds EM cannot run)
    the comparisons keep their starting m values, and the fallback is recorded. Levels that occurred in none
    of the pairs are added to `unobserved` (see `_record_untrained_levels`)."""
    columns, n = blocks.columns, blocks.pairs
    if n < MIN_EM_PAIRS:
        fallbacks.add(stap, f"EM geblokt op {' + '.join(columns)} vindt {n} paren (minimaal {MIN_EM_PAIRS})",
                      "m-kansen van deze vergelijkingen blijven op hun startwaarden")
        return False
    try:
        with _unobserved_levels() as collector:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocks.rule(), estimate_without_term_frequencies=True)
    except (EMTrainingException, ValueError, ZeroDivisionError) as exc:
        fallbacks.add(stap, f"EM geblokt op {' + '.join(columns)} liep niet ({type(exc).__name__}, {n} paren)",
                      "m-kansen van deze vergelijkingen blijven op hun startwaarden")
        return False
    if unobserved is not None:
        unobserved.extend(collector.levels)
    return True


def _record_untrained_levels(linker: Linker, unobserved: list[tuple[str, str, str]], stap: str,
                             fallbacks: Fallbacks) -> None:
    """Record the comparison levels no EM session could learn: they occurred in none of the pairs of any session,
    so Splink kept their starting m value. A level one session missed but another learned is not a fallback."""
    levels = {(cc.output_column_name, level.label_for_charts): level
              for cc in linker._settings_obj.comparisons for level in cc._comparison_levels_excluding_null}
    untrained = []
    for comparison, label, kind in dict.fromkeys(unobserved):
        level = levels.get((comparison, label))
        learned = level is not None and (level._has_estimated_m_values if kind == "m"
                                         else level._has_estimated_u_values)
        if not learned:
            untrained.append(f"{comparison}: {label} ({kind})")
    if untrained:
        fallbacks.add(stap, f"{len(untrained)} niveau(s) kwamen in geen enkel EM-paar voor, dus niets om van te "
                            f"leren — {'; '.join(untrained)}", "de m-kans van die niveaus blijft op de startwaarde")


def _prior(linker: Linker, rule: str, columns: tuple[str, ...], recall: float, frame: pa.Table, stap: str,
           fallbacks: Fallbacks) -> None:
    """The prior from a deterministic rule when enough pairs meet it; else one true partner per profile."""
    n = pairs_sharing(frame, columns)
    if n >= MIN_PRIOR_PAIRS:
        linker.training.estimate_probability_two_random_records_match([rule], recall=recall)
        return
    default = 1.0 / max(frame.num_rows - 1, 1)
    linker._settings_obj._probability_two_random_records_match = default  # Splink has no public setter
    fallbacks.add(stap, f"{n} paren voldoen aan de vaste regel op {' + '.join(columns)} (minimaal "
                        f"{MIN_PRIOR_PAIRS})", f"a-priorikans 1/(profielen − 1) = {default:.2e}")


# EM sessions of the person model. Birth date alone blocks ~160 profiles per date at 1M units (hundreds of
# millions of pairs); with the initial far fewer, and the surname levels are still trained in that session.
_PERSON_EM_RULES = (("geboortedatum", "initiaal"), ("achternaam_sleutel", "verblijfsobject_id"))
_COMPANY_EM_RULES = (("kvk_nummer",), ("kern_eerste",))


def score_persons(api: Any, engine: Engine, frame: pa.Table, floor: float,
                  fallbacks: Fallbacks | None = None, models: dict[str, dict] | None = None) -> pa.Table:
    """Train the person model on these profiles and return scored pairs from `floor` up; the trained model
    goes into `models['persoon']` so a later delivery can reuse it (`parties_incremental`)."""
    fallbacks = fallbacks if fallbacks is not None else Fallbacks([])
    if frame.num_rows < 2:
        return _empty_pairs()
    frame = bounded(frame, "persoon", fallbacks)
    trained, sessions = _em_blocks(frame, _PERSON_EM_RULES)
    fallbacks.em["persoon"] = [b.report() for b in sessions]

    def train(linker: Linker) -> None:
        estimate_u(linker, person_settings(), frame, min(5e6, max(1e5, frame.num_rows * 20.0)))
        _prior(linker, "l.achternaam_sleutel = r.achternaam_sleutel AND l.voornaam1 = r.voornaam1 "
                       "AND l.geboortedatum = r.geboortedatum",
               ("achternaam_sleutel", "voornaam1", "geboortedatum"), 0.6, frame, "partijen.personen.a-priorikans",
               fallbacks)
        unobserved: list[tuple[str, str, str]] = []
        for blocks in sessions:
            _em(linker, blocks, "partijen.personen.em", fallbacks, unobserved)
        _record_untrained_levels(linker, unobserved, "partijen.personen.em.niveaus", fallbacks)

    linker = _trained_linker(api, engine, frame, trained, person_settings, train, models, "persoon")
    return _pairs(linker.inference.predict(threshold_match_probability=floor, warning_mode="never"), engine)


def score_companies(api: Any, engine: Engine, frame: pa.Table, floor: float,
                    fallbacks: Fallbacks | None = None, models: dict[str, dict] | None = None) -> pa.Table:
    """Train the company model on these profiles and return scored pairs from `floor` up.

    Most company profiles are spelling variants of a few large companies, so random pairs of profiles are
    often matches and would inflate u. u is therefore sampled from one profile per KvK number: companies
    known to be distinct. Where spelling variants carry no KvK number (as in many partners' contract files),
    no pair shares one: EM then learns the name levels from pairs sharing the name's first word, and failing
    that they keep documented defaults."""
    fallbacks = fallbacks if fallbacks is not None else Fallbacks([])
    if frame.num_rows < 2:
        return _empty_pairs()
    frame, learn = _training_frame(bounded(frame, "bedrijf", fallbacks))
    kvk = learn.column("kvk_nummer").to_pylist()
    seen: set[str] = set()
    distinct = [i for i, k in enumerate(kvk) if k and not (k in seen or seen.add(k))]
    max_pairs = min(5e6, max(1e5, frame.num_rows * 20.0))
    trained, (by_kvk, by_name) = _em_blocks(learn, _COMPANY_EM_RULES)

    def train(linker: Linker) -> None:
        if len(distinct) >= 20:
            estimate_u(linker, company_settings(), learn.take(distinct), max_pairs)
        else:
            fallbacks.add("partijen.bedrijven.u", f"{len(distinct)} profielen met een eigen KvK-nummer (minimaal 20)",
                          "u-kansen uit willekeurige paren van alle bedrijfsprofielen")
            estimate_u(linker, company_settings(), learn, max_pairs)
        # Profiles with a KvK number are a labelled sample: pairs sharing one are matches. The rule finds the
        # share of matching pairs where both sides carry a number, i.e. about (share of profiles with a number)^2.
        with_kvk = sum(1 for k in kvk if k) / frame.num_rows
        _prior(linker, "l.kvk_nummer = r.kvk_nummer", ("kvk_nummer",), max(with_kvk**2, 0.05), learn,
               "partijen.bedrijven.a-priorikans", fallbacks)
        unobserved: list[tuple[str, str, str]] = []
        ran = [by_kvk] if _em(linker, by_kvk, "partijen.bedrijven.em", fallbacks, unobserved) else []
        if not ran and _em(linker, by_name, "partijen.bedrijven.em-naam", fallbacks, unobserved):
            ran = [by_name]
        fallbacks.em["bedrijf"] = [b.report() for b in ran]
        if not ran:
            _set_company_name_defaults(linker)
            fallbacks.add("partijen.bedrijven.m", "EM kon op geen enkele blokkering draaien",
                          "m-kansen van de bedrijfsnaam: " + ", ".join(f"{m:g}" for m in DEFAULT_COMPANY_NAME_M))
        else:
            _record_untrained_levels(linker, unobserved, "partijen.bedrijven.em.niveaus", fallbacks)

    linker = _trained_linker(api, engine, frame, trained, company_settings, train, models, "bedrijf",
                             separate=learn is not frame)
    return _pairs(linker.inference.predict(threshold_match_probability=floor, warning_mode="never"), engine)


def _training_frame(frame: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(the profiles to predict on, the profiles to learn from): the same table unless some profile's number was
    inferred from its name's spelling only; the learning one then carries the numbers without those
    (`TRAINING_NUMBER`). Neither keeps that column: Splink reads only the compared ones."""
    if TRAINING_NUMBER not in frame.column_names:
        return frame, frame
    recorded = frame.column(TRAINING_NUMBER)
    predict = frame.drop_columns([TRAINING_NUMBER])
    if pa.compute.all(pa.compute.equal(pa.compute.fill_null(recorded, ""),
                                       pa.compute.fill_null(predict.column("kvk_nummer"), ""))).as_py() is not False:
        return predict, predict
    return predict, predict.set_column(predict.schema.get_field_index("kvk_nummer"), "kvk_nummer", recorded)


def _trained_linker(api: Any, engine: Engine, frame: pa.Table, trained: pa.Table,
                    settings: Callable[[], SettingsCreator], train: Callable[[Linker], None],
                    models: dict[str, dict] | None, kind: str, separate: bool = False) -> Linker:
    """A linker on the engine over `frame`, with the parameters `train` estimates.

    Training reads a bounded share of the data (u: a sample of pairs; EM: at most EM_MAX_PAIRS pairs; the prior:
    a count of pairs meeting a rule), and the profiles are in this process already, so it always runs on DuckDB
    here (`trained`: the profiles with the EM sample's flag columns). On Spark each EM iteration was a Spark job
    over a few hundred agreement patterns (25 iterations per session: 82 and 142 s at 100,000 units), and both
    engines now get the very same model. Only prediction, which reads every blocked pair, runs on the engine."""
    if engine == "duckdb" and not separate:
        linker = Linker(_register(api, engine, trained), settings(), log_level=logging.WARNING)
        train(linker)
    else:  # trained on its own frame (`separate`: one that differs from the predicted one, `_training_frame`)
        with _db_api("duckdb") as local:
            trainer = Linker(local.register(trained), settings(), log_level=logging.WARNING)
            train(trainer)
            if models is not None:
                models[kind] = trainer.misc.save_model_to_json()
            linker = Linker(_register(api, engine, frame), settings(), log_level=logging.WARNING)
            _copy_parameters(trainer, linker)
        return linker
    if models is not None:
        models[kind] = linker.misc.save_model_to_json()
    return linker


def _copy_parameters(source: Linker, target: Linker) -> None:
    """m and u of every level (with Splink's marker for a level training never saw) and the prior, from a
    trained linker to one with the same settings on another engine."""
    for a, b in zip(source._settings_obj.comparisons, target._settings_obj.comparisons, strict=True):
        for x, y in zip(a.comparison_levels, b.comparison_levels, strict=True):
            if not x.is_null_level:
                y._m_probability = x._m_probability
                y._u_probability = x._u_probability
    target._settings_obj._probability_two_random_records_match = (
        source._settings_obj._probability_two_random_records_match)


def _set_company_name_defaults(linker: Linker) -> None:
    comparison = next(c for c in linker._settings_obj.comparisons
                      if c.output_column_name == "bedrijfsnaam")
    levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
    for level, m in zip(levels, DEFAULT_COMPANY_NAME_M, strict=True):
        level.m_probability = m


def _empty_pairs() -> pa.Table:
    return pa.table({"unique_id_l": pa.array([], pa.string()), "unique_id_r": pa.array([], pa.string()),
                     "match_probability": pa.array([], pa.float64())})


# --- the resolver ---------------------------------------------------------------------------------------------

MIN_MENTIONS = 500
SPLINK_MEMORY_SHARE = 0.35


@dataclass
class Resolution:
    entities: int
    profiles: int
    pairs_scored: int
    review: int


def resolve_parties(
    store: Store,
    engine: Engine = "duckdb",
    judgements: Path | None = None,
    threshold: float = DREMPEL,
    review: tuple[float, float] = (WACHTRIJ_ONDER, WACHTRIJ_BOVEN),
    spark: Any = None,
) -> int:
    """Resolve `partij_vermelding` into table `entiteit` and fill `beoordeling_wachtrij`; returns the number of
    entities. Judgements default to the file next to the store (`<store>.oordelen.sqlite`).

    A delivery too small to estimate match weights from (fewer than MIN_MENTIONS mentions) is resolved on
    exact keys instead: a model trained on a handful of records would be noise."""
    if store.scalar("SELECT count(*) FROM partij_vermelding") < MIN_MENTIONS:
        from pandzicht.link.parties_exact import resolve_exact

        n_mentions = store.scalar("SELECT count(*) FROM partij_vermelding")
        record_fallback(store, "partijen.model", f"{n_mentions} partijvermeldingen (minimaal {MIN_MENTIONS})",
                        "alleen vaste sleutels (BRP-token, KvK-nummer, gelijke naam en geboortedatum)")
        n = resolve_exact(store)
        infer_company_numbers(store)  # kept for the next delivery's comparison, as in a resolution by model
        store.write_arrow("_paar", _empty_pairs())
        store.execute("CREATE OR REPLACE TEMP TABLE _oordeel_paar (links VARCHAR, rechts VARCHAR)")
        _write_review_queue(store, review, threshold)  # empty, with its columns, for the review screens
        save_models(store, {}, {}, Fallbacks([]))  # no model: the next delivery is resolved in full
        store.execute("DROP TABLE IF EXISTS _paar")
        store.execute("DROP TABLE IF EXISTS _oordeel_paar")
        return n
    return resolve_parties_detail(store, engine, judgements, threshold, review, spark).entities


def resolve_parties_detail(
    store: Store,
    engine: Engine = "duckdb",
    judgements: Path | None = None,
    threshold: float = DREMPEL,
    review: tuple[float, float] = (WACHTRIJ_ONDER, WACHTRIJ_BOVEN),
    spark: Any = None,
) -> Resolution:
    """As `resolve_parties`, with the counts the benchmark reports."""
    infer_company_numbers(store)
    judged = current_judgements(judgements or default_path(store.path))
    keys = sorted({k for pair in judged for k in pair})
    store.write_arrow("_beoordeeld", pa.table({"sleutel": pa.array(keys, pa.string())}))
    store.write_arrow("_oordeel_paar", pa.table({"links": pa.array([a for a, _ in judged], pa.string()),
                                                 "rechts": pa.array([b for _, b in judged], pa.string())}))
    build_profiles(store)
    persons = store.arrow(
        f"SELECT {', '.join(PERSON_COLUMNS)} FROM _profiel WHERE soort = 'persoon' AND achternaam_sleutel IS NOT NULL "
        "ORDER BY unique_id")
    companies = store.arrow(
        f"SELECT {', '.join(COMPANY_COLUMNS)} FROM _profiel WHERE soort = 'bedrijf' ORDER BY unique_id")
    floor = min(review[0], threshold)
    fallbacks = Fallbacks([])
    models: dict[str, dict] = {}
    with store.yielding_memory(), _db_api(engine, spark) as api:
        scored = pa.concat_tables([
            score_persons(api, engine, persons, floor, fallbacks, models),
            score_companies(api, engine, companies, floor, fallbacks, models),
        ])
    for stap, reden, terugval in fallbacks.items:
        record_fallback(store, stap, reden, terugval)
    save_models(store, models, {"persoon": persons, "bedrijf": companies}, fallbacks)
    store.write_arrow("_paar", scored)
    log.info("party profiles scored: %d person, %d company profiles, %d pairs",
             persons.num_rows, companies.num_rows, scored.num_rows)
    n_entities = _cluster(store, threshold, judged)
    n_review = _write_review_queue(store, review, threshold)
    store.execute("DROP TABLE IF EXISTS _paar")
    for table in ("_beoordeeld", "_oordeel_paar"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    return Resolution(n_entities, persons.num_rows + companies.num_rows, scored.num_rows, n_review)


def _cluster(store: Store, threshold: float, judged: dict, kept: Sequence[tuple[str, str]] = (),
             kept_zekerheid: dict[str, float] | None = None) -> int:
    """Constrained clustering of profiles, then every mention takes its profile's entity.

    `kept` are pairs of mention keys that stay in one party whatever the links say (an incremental run's
    unchanged records of one earlier party); `kept_zekerheid` their earlier certainty, which they keep."""
    profiles = store.rows(
        "SELECT unique_id, kvk_nummer, persoon_token, geboortedatum_sleutel FROM _profiel ORDER BY unique_id")
    index = {p[0]: i for i, p in enumerate(profiles)}
    member = dict(store.rows("SELECT v.sleutel, p.unique_id FROM _pv v JOIN _profiel p USING (profiel)"))
    # Rounded and fully ordered, so parallel float sums in training cannot reorder ties between reruns.
    # Links come back as numpy columns of profile positions: tens of millions of Python tuples at 500k
    # units did not fit in memory.
    store.execute("CREATE OR REPLACE TEMP TABLE _pidx AS "
                  "SELECT unique_id, CAST(row_number() OVER (ORDER BY unique_id) - 1 AS INTEGER) AS i FROM _profiel")
    links = store.arrow(
        "SELECT a.i AS l, b.i AS r, CAST(round(q.match_probability, 6) AS DOUBLE) AS p FROM _paar q "
        "JOIN _pidx a ON a.unique_id = q.unique_id_l JOIN _pidx b ON b.unique_id = q.unique_id_r "
        "WHERE q.match_probability >= ? ORDER BY p DESC, q.unique_id_l, q.unique_id_r", [threshold])
    store.execute("DROP TABLE _pidx")
    # the same KvK number is the same company: chain every profile holding it to the first
    first_with: dict[str, int] = {}
    chain_l, chain_r = [], []
    for i, (_, kvk, _, _) in enumerate(profiles):
        if kvk:
            j = first_with.setdefault(kvk, i)
            if j != i:
                chain_l.append(j)
                chain_r.append(i)
    left = np.concatenate([links.column("l").to_numpy().astype(np.int64), np.asarray(chain_l, dtype=np.int64)])
    right = np.concatenate([links.column("r").to_numpy().astype(np.int64), np.asarray(chain_r, dtype=np.int64)])
    prob = np.concatenate([links.column("p").to_numpy().astype(float), np.ones(len(chain_l))])
    forced = [(index[member[a]], index[member[b]]) for (a, b), j in judged.items()
              if j.oordeel == "zelfde" and a in member and b in member]
    forced += [(index[member[a]], index[member[b]]) for a, b in kept if a in member and b in member]
    cannot = [(index[member[a]], index[member[b]]) for (a, b), j in judged.items()
              if j.oordeel == "verschillend" and a in member and b in member]
    exclusive = [[p[1] for p in profiles], [p[2] for p in profiles], [p[3] for p in profiles]]
    result = cluster_constrained(len(profiles), left, right, prob, exclusive, forced, cannot)
    records = sorted(member)
    membership = [result.membership[index[member[r]]] for r in records]
    zekerheid = [result.zekerheid[index[member[r]]] for r in records]
    if kept_zekerheid:
        zekerheid = [kept_zekerheid.get(r, z) for r, z in zip(records, zekerheid, strict=True)]
    clusters_to_table(store, records, membership, zekerheid)
    # the seed of each cluster (its smallest record, which also names it) is certain by definition
    store.execute("""
        UPDATE entiteit SET zekerheid = 1.0 WHERE (bron || '/' || record_sleutel) IN (
            SELECT min(bron || '/' || record_sleutel) FROM entiteit GROUP BY entiteit_id)
    """)
    return len(set(membership))


# --- the trained model, kept for the next delivery -------------------------------------------------------------

MODEL_TABLE = "partij_model"
# Columns whose agreement rates the m/u parameters rest on, per model: a u probability is about the chance
# that two random profiles agree on a column, so a large change in that chance means the model is stale.
DRIFT_COLUMNS = {
    "persoon": ("achternaam_sleutel", "achternaam_fonetisch", "voornaam1", "initialen", "geboortedatum",
                "verblijfsobject_id"),
    "bedrijf": ("kern_compact", "kern_eerste", "kvk_nummer"),
}


def agreement_rates(frame: pa.Table, columns: Sequence[str]) -> dict[str, float]:
    """Per column, the share of all pairs of profiles that agree on it (empty never agrees): sum (n_v / N)^2.
    This is what u of an exact-match level estimates, computed exactly instead of sampled."""
    n = frame.num_rows
    out: dict[str, float] = {}
    for c in columns:
        if n < 2 or c not in frame.column_names:
            out[c] = 0.0
            continue
        col = frame.select([c]).filter(pa.compute.is_valid(frame.column(c)))
        counts = col.group_by([c]).aggregate([([], "count_all")]).column("count_all").to_numpy().astype(float)
        out[c] = float(((counts / n) ** 2).sum())
    return out


def save_models(store: Store, models: dict[str, dict], frames: dict[str, pa.Table], fallbacks: Fallbacks) -> None:
    """Keep the trained models with the profile counts and agreement rates they were trained on, and the
    fallbacks training took, in table `partij_model`: the next delivery reuses them unless the data drifted."""
    rows = {"soort": [], "model": [], "profielen": [], "overeenstemming": [], "terugvallen": [], "em": []}
    for kind, model in models.items():
        frame = frames[kind]
        rows["soort"].append(kind)
        rows["model"].append(json.dumps(model))
        rows["profielen"].append(frame.num_rows)
        rows["overeenstemming"].append(json.dumps(agreement_rates(frame, DRIFT_COLUMNS[kind])))
        rows["terugvallen"].append(json.dumps(
            [f for f in fallbacks.items if f[0].startswith("partijen.personen" if kind == "persoon"
                                                           else "partijen.bedrijven")], ensure_ascii=False))
        rows["em"].append(json.dumps(fallbacks.em.get(kind, [])))
    store.write_arrow(MODEL_TABLE, pa.table({
        "soort": pa.array(rows["soort"], pa.string()), "model": pa.array(rows["model"], pa.string()),
        "profielen": pa.array(rows["profielen"], pa.int64()),
        "overeenstemming": pa.array(rows["overeenstemming"], pa.string()),
        "terugvallen": pa.array(rows["terugvallen"], pa.string()), "em": pa.array(rows["em"], pa.string())}))


def em_report(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Per kept model, the pairs each of its EM sessions had and trained on (`analyse.koppeling.em`); empty for
    a model an older version saved without them."""
    if not store.has_table(MODEL_TABLE) or "em" not in store.columns(MODEL_TABLE):
        return {}
    return {kind: json.loads(em) for kind, em in store.rows(f"SELECT soort, em FROM {MODEL_TABLE} ORDER BY soort")
            if em is not None}


def _write_review_queue(store: Store, review: tuple[float, float], threshold: float) -> int:
    """Pairs the model is unsure of, with both mentions side by side; judged pairs leave the queue."""
    lo, hi = review
    fields = ("bron", "record_sleutel", "soort", "naam", "geboortedatum", "kvk_nummer", "verblijfsobject_id", "rol")
    side = ", ".join(f"{s}.{f} AS {f}_{tag}" for tag, s in (("links", "a"), ("rechts", "b")) for f in fields)
    store.execute(f"""
        CREATE OR REPLACE TABLE beoordeling_wachtrij AS
        SELECT q.unique_id_l AS links, q.unique_id_r AS rechts, round(q.match_probability, 4) AS kans,
               q.match_probability >= {threshold} AS boven_drempel,
               ea.entiteit_id = eb.entiteit_id AS samengevoegd, {side}
        FROM _paar q
        JOIN partij_vermelding a ON a.bron || '/' || a.record_sleutel = q.unique_id_l
        JOIN partij_vermelding b ON b.bron || '/' || b.record_sleutel = q.unique_id_r
        JOIN entiteit ea ON ea.bron = a.bron AND ea.record_sleutel = a.record_sleutel
        JOIN entiteit eb ON eb.bron = b.bron AND eb.record_sleutel = b.record_sleutel
        WHERE q.match_probability >= {lo} AND q.match_probability < {hi}
          -- below the threshold only pairs a 'zelfde' judgement would still merge: others are joined already
          AND (q.match_probability >= {threshold} OR ea.entiteit_id <> eb.entiteit_id)
          AND NOT EXISTS (SELECT 1 FROM _oordeel_paar o WHERE o.links = least(q.unique_id_l, q.unique_id_r)
                                                         AND o.rechts = greatest(q.unique_id_l, q.unique_id_r))
        ORDER BY abs(q.match_probability - {threshold}), q.unique_id_l, q.unique_id_r
    """)
    return store.scalar("SELECT count(*) FROM beoordeling_wachtrij")


def prioritise_review_queue(store: Store) -> int:
    """Order the review queue by what a judgement could change in the shortlists, then by doubt.

    At 1M units the queue holds over a million pairs; no analyst reviews that. A pair matters as much as
    the highest-scoring party or home either mention belongs to, so a pair touching a shortlisted landlord
    comes before two unknown tenants. Adds column `belang`; returns the number of pairs with one above 0."""
    if not (store.has_table("beoordeling_wachtrij") and store.has_table("partij_score")
            and store.has_table("adres_score")):
        return 0
    columns = {c.lower() for c in store.columns("beoordeling_wachtrij")}  # both engines (Spark: no information_schema)
    earlier = " EXCLUDE (belang)" if "belang" in columns else ""  # a second run replaces it
    store.execute(f"""
        CREATE OR REPLACE TABLE beoordeling_wachtrij AS
        WITH w AS (SELECT *{earlier} FROM beoordeling_wachtrij)
        SELECT w.*, greatest(coalesce(pa.score, 0), coalesce(pb.score, 0),
                             coalesce(ua.score, 0), coalesce(ub.score, 0)) AS belang
        FROM w
        LEFT JOIN entiteit ea ON ea.bron = w.bron_links AND ea.record_sleutel = w.record_sleutel_links
        LEFT JOIN entiteit eb ON eb.bron = w.bron_rechts AND eb.record_sleutel = w.record_sleutel_rechts
        LEFT JOIN partij_score pa ON pa.entiteit_id = ea.entiteit_id
        LEFT JOIN partij_score pb ON pb.entiteit_id = eb.entiteit_id
        LEFT JOIN adres_score ua ON ua.verblijfsobject_id = w.verblijfsobject_id_links
        LEFT JOIN adres_score ub ON ub.verblijfsobject_id = w.verblijfsobject_id_rechts
        ORDER BY belang DESC, abs(w.kans - {DREMPEL}), w.links, w.rechts
    """)
    return int(store.scalar("SELECT count(*) FROM beoordeling_wachtrij WHERE belang > 0"))


# --- Splink out of the box, for comparison ----------------------------------------------------------------------

def default_pair_count(store: Store) -> int:
    """How many pairs the default blocking rules would compare (sum over blocks of n*(n-1)/2)."""
    total = 0
    for cols in DEFAULT_RULES:
        cond = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        total += store.scalar(f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) n FROM "
                              f"(SELECT DISTINCT {', '.join(DEFAULT_COLUMNS[1:])} FROM partij_vermelding) "
                              f"WHERE {cond} GROUP BY {', '.join(cols)})")
    return int(total)


def resolve_default(store: Store, engine: Engine = "duckdb", threshold: float = 0.95, spark: Any = None) -> int:
    """Splink with library comparisons and connected components at `threshold`, no exact rules or constraints.
    Identical rows are scored once (they would score alike anyway). Writes `entiteit`; returns entity count."""
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _std AS
        SELECT bron || '/' || record_sleutel AS sleutel,
               min(bron || '/' || record_sleutel) OVER (PARTITION BY {', '.join(DEFAULT_COLUMNS[1:])}) AS unique_id,
               {', '.join(c if c != 'geboortedatum' else "strftime(geboortedatum, '%Y-%m-%d') AS geboortedatum"
                          for c in DEFAULT_COLUMNS[1:])}
        FROM partij_vermelding
    """)
    frame = store.arrow(f"SELECT DISTINCT {', '.join(DEFAULT_COLUMNS)} FROM _std ORDER BY unique_id")
    with _db_api(engine, spark) as api:
        linker = Linker(_register(api, engine, frame), default_settings(), log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("achternaam_sleutel", "voornamen", "geboortedatum"), block_on("bedrijf_sleutel", "kvk_nummer")],
            recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, max(1e5, frame.num_rows * 20.0)),
                                                         seed=_SEED)
        for rule in (block_on("achternaam_sleutel", "geboortedatum"), block_on("bedrijf_sleutel")):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        if engine == "duckdb":
            labels = clustered.as_duckdbpyrelation().select("unique_id, cluster_id").to_arrow_table()
        else:
            labels = pa.Table.from_pandas(
                clustered.as_spark_dataframe().select("unique_id", "cluster_id").toPandas(), preserve_index=False)
    store.write_arrow("_std_cluster", labels)
    rows = store.rows("SELECT s.sleutel, c.cluster_id FROM _std s JOIN _std_cluster c USING (unique_id) ORDER BY 1")
    store.execute("DROP TABLE _std_cluster")
    labels_by_cluster: dict[str, int] = {}
    membership = [labels_by_cluster.setdefault(c, len(labels_by_cluster)) for _, c in rows]
    clusters_to_table(store, [r[0] for r in rows], membership, [1.0] * len(rows))
    return len(labels_by_cluster)
