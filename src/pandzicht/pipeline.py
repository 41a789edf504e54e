"""The batch flow behind `pandzicht analyse`: intake → linking → indicators → scores → output files.

Each stage reads and writes tables in the store, so a stage can be rerun,
inspected or replaced on its own; the timings of each are kept for `bench`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pandzicht import fallback
from pandzicht.changes import COLUMNS as CHANGES_COLUMNS
from pandzicht.changes import TABLE as CHANGES_TABLE
from pandzicht.contract.manifest import read_manifest
from pandzicht.delivery_checks import MAX_AFWIJKING, check_against_previous, continues, find_previous
from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.run import for_store
from pandzicht.intake.load import load_bundle, taken_over
from pandzicht.privacy.files import private_file, restrict_tree
from pandzicht.publish import Publication
from pandzicht.stages import STAGES, StageInput
from pandzicht.store.engine import Engine, Store

Stage = Callable[[str], None]


@dataclass
class AnalysisResult:
    report: dict
    timings: dict[str, float] = field(default_factory=dict)
    indicators: dict[str, list[str]] = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def analyse_store(
    store: Store, on_stage: Stage | None = None, timings: dict[str, float] | None = None, exact_only: bool = False,
    previous: Path | None = None, judgements: Path | None = None, opnieuw: bool = False,
    hergebruik: dict | None = None, hertrain: bool = False,
) -> dict:
    """Everything after intake, on an already loaded store.

    `exact_only` is the evaluation baseline: records join only on keys they already carry (BAG ids, KvK
    numbers, BRP tokens, identical names and birth dates); no free-text address is resolved. `previous` is
    the published store of the earlier delivery this one continues: its parties keep their ids, and only new
    and changed records are linked unless `opnieuw` asks for everything again; the score models are fitted on
    the previous delivery's training rows while they fit (`score/model_reuse.py`) unless `opnieuw` or `hertrain`
    asks otherwise. `hergebruik` holds what intake took over from the previous delivery; the stages add what they
    took over (`analyse.hergebruik`)."""
    timings = timings if timings is not None else {}
    counts: dict[str, int] = {}
    done: dict[str, object] = {}
    given = StageInput(store, for_store(store, load_catalogue()), previous=previous, judgements=judgements,
                       opnieuw=opnieuw, hertrain=hertrain, hergebruik=dict(hergebruik or {}))
    fallback.reset(store)
    for declared in STAGES:
        run = declared.step(exact_only)
        if run is None or not declared.applies(store):
            continue
        if on_stage:
            on_stage(declared.name)
        t0 = time.perf_counter()
        done[declared.name] = run(given)
        timings[declared.name] = round(time.perf_counter() - t0, 3)
        if declared.count:
            counts[declared.count] = done[declared.name]
    indicators, network = done["indicatoren"], done["netwerkbewijs"]
    indicators = {k: indicators.get(k, []) + network.get(k, []) for k in ("berekend", "ontbrekende_bron")}
    model, ids = done["score_adressen"], done["stabiele_ids"]
    return {"counts": counts, "indicators": indicators, "model": model.to_json(), "entiteit_ids": ids,
            "koppeling": given.koppeling, "peildata": given.peildata, "hergebruik": given.hergebruik,
            "scoremodel": given.scoremodel.report() if given.scoremodel else {}}


def analysis_section(store: Store, result: dict) -> dict:
    """The `analyse` section of laadrapport.json (a compatible extension, docs/outputs.md): what the analysis
    could not learn from this delivery and used a documented default for, and the indicators without source."""
    return {
        "terugvallen": fallback.as_report(store),
        "indicatoren_zonder_bron": sorted(result["indicators"].get("ontbrekende_bron", [])),
        "aantallen": result["counts"],
        **({"koppeling": result["koppeling"]} if result.get("koppeling") else {}),
        **({"peildata": result["peildata"]} if result.get("peildata") else {}),
        **({"scoremodel": result["scoremodel"]} if result.get("scoremodel") else {}),
        **({"hergebruik": result["hergebruik"]} if result.get("hergebruik") else {}),
    }


def write_outputs(store: Store, out: Path, report: dict) -> None:
    """The five files of the output contract, from the store's tables."""
    out.mkdir(parents=True, exist_ok=True)
    exports = {
        "adressen.csv": "SELECT rang, verblijfsobject_id, score, vermoeden, uitleg FROM adres_score ORDER BY rang",
        "partijen.csv": "SELECT rang, entiteit_id, naam, kvk_nummer, rol, score, uitleg FROM partij_score "
                        "ORDER BY rang",
        "entiteiten.csv": "SELECT bron, record_sleutel, entiteit_id, zekerheid FROM entiteit "
                          "ORDER BY bron, record_sleutel",
        "adreskoppeling.csv": "SELECT bron, record_sleutel, adres_tekst, verblijfsobject_id, zekerheid, methode "
                              "FROM adres_koppeling ORDER BY bron, record_sleutel",
    }
    if store.has_table(CHANGES_TABLE):
        exports["wijzigingen.csv"] = f"SELECT {CHANGES_COLUMNS} FROM {CHANGES_TABLE}"
    for name, sql in exports.items():
        store.export_csv(sql, out / name)
    (out / "laadrapport.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # Outputs and the store hold BRP, police and case data: owner-only, whatever the umask (issue 12, finding 11).
    restrict_tree(out)
    if store.path is not None and store.path.is_file():
        private_file(store.path)


@contextmanager
def _engine_store(pub: Publication, engine: str, master: str | None, memory: str = "2g") -> Iterator[Engine]:
    """The run's store: a DuckDB file in the build folder, or Parquet tables in its `spark-warehouse` on a
    Spark session (local[2] unless `master` names a cluster; `memory` for the driver and each executor)."""
    if engine == "duckdb":
        with Store(pub.store_path) as store:
            yield store
        return
    from pandzicht.store.spark import WAREHOUSE, SparkStore, session

    spark = session(master or "local[2]", memory=memory)
    try:
        with SparkStore(spark, (pub.build or pub.out) / WAREHOUSE) as store:
            yield store
    except Exception as exc:
        if "OutOfMemoryError" in str(exc):  # the JVM's own words; a Python MemoryError is not Spark's heap
            raise PandzichtError(
                f"Spark had te weinig geheugen ({memory} voor de driver en elke executor); de gepubliceerde analyse "
                "is onveranderd. Geef meer met --spark-geheugen, bijvoorbeeld 8g (in local-modus is dat al het "
                "geheugen van Spark).") from None
        raise
    finally:
        spark.stop()


def _load(bundle: Path, store: Engine, previous: Path | None) -> dict:
    if isinstance(store, Store):
        return load_bundle(Path(bundle), store, previous=previous)
    from pandzicht.store.spark_intake import load_bundle_to_spark

    return load_bundle_to_spark(Path(bundle), store)


def intake_reuse(store: Engine, report: dict, previous: Path | None, opnieuw: bool) -> dict:
    """`analyse.hergebruik.inlezen`: the sources whose tables were copied from the previous delivery's store
    (file and everything that decides its tables unchanged, `intake/load.py`) and those read from their file."""
    if previous is None or opnieuw:
        return {"modus": "volledig", "reden": "--opnieuw" if opnieuw and previous is not None
                else "geen eerdere levering van deze regio"}
    if not isinstance(store, Store):
        return {"modus": "volledig", "reden": "overnemen draait alleen op de DuckDB-opslag"}
    taken = taken_over(store)
    read = [name for name in report.get("bronnen", {}) if name not in taken]
    return {"modus": "incrementeel" if taken else "volledig", "overgenomen": taken, "gelezen": read,
            "reden": "bestand en controles ongewijzigd; tabellen overgenomen uit de vorige analyse" if taken
            else "geen bron ongewijzigd sinds de vorige levering"}


def analyse(
    bundle: Path, out: Path, db: Path | None = None, on_stage: Stage | None = None, exact_only: bool = False,
    max_afwijking: float = MAX_AFWIJKING, accepteer_afwijking: bool = False, engine: str = "duckdb",
    master: str | None = None, opnieuw: bool = False, spark_memory: str = "2g", hertrain: bool = False,
) -> AnalysisResult:
    """Load a bundle, analyse it and write the output files; the store defaults to OUT/pandzicht.duckdb.

    The analysis is built beside the published one in OUT and switched in atomically when complete
    (`pandzicht.publish`); when OUT holds an earlier delivery of the same region, the new one is checked
    against it (`delivery_checks`), keeps its entity ids and lists what changed (wijzigingen.csv).
    `engine="spark"` runs the same stages on Spark (`master`: local[N] or spark://host:port; `spark_memory` for
    the driver and each executor); the store is then
    Parquet tables in OUT/spark-warehouse. A continued delivery links only its new and changed records
    (`link/parties_incremental.py`); `opnieuw` links everything again, still keeping the ids."""
    out = Path(out)
    timings: dict[str, float] = {}
    with Publication(out, db) as pub, _engine_store(pub, engine, master, spark_memory) as store:
        t0 = time.perf_counter()
        if on_stage:
            on_stage("inlezen")
        earlier = find_previous(pub.previous_store, pub.previous_report)
        # an unchanged source of the same region's earlier delivery is copied, not read again (never with opnieuw)
        same_region = continues(earlier, read_manifest(Path(bundle)).region)
        report = _load(Path(bundle), store, None if opnieuw else same_region)
        timings["inlezen"] = round(time.perf_counter() - t0, 3)
        regio = store.scalar("SELECT regio FROM bundel_meta") or ""
        report = {**report, **check_against_previous(report, earlier, regio, max_afwijking, accepteer_afwijking,
                                                        store)}
        result = analyse_store(store, on_stage, timings, exact_only=exact_only, previous=continues(earlier, regio),
                               judgements=pub.judgements, opnieuw=opnieuw, hertrain=hertrain,
                               hergebruik={"inlezen": intake_reuse(store, report, same_region, opnieuw)})
        report = {**report, "analyse": analysis_section(store, result)}
        if on_stage:
            on_stage("uitvoer")
        t0 = time.perf_counter()
        if result["entiteit_ids"]:
            report["analyse"]["entiteit_ids"] = result["entiteit_ids"]
        write_outputs(store, pub.build or out, report)
        timings["uitvoer"] = round(time.perf_counter() - t0, 3)
        # Closing the store, writing the lookup files the web app reads and switching the new analysis in
        # happen as the two contexts close: a user waits for them too, so they are timed as a stage.
        if on_stage:
            on_stage("publicatie")
        t0 = time.perf_counter()
    timings["publicatie"] = round(time.perf_counter() - t0, 3)
    return AnalysisResult(report, timings, result["indicators"], result["model"], result["counts"])
