"""`pandzicht bench link`: time, peak memory and quality of every linking step on one generated world.

The steps that are stages of `analyse` run the functions `pandzicht.stages`
declares for them (the exact baseline is the `entiteiten` stage's baseline
function); Splink out of the box and the tuned resolver's detail are run here
because only the benchmark compares them.

Quality is measured against the world's truth in the same run for the exact
baseline, Splink out of the box and the tuned resolver, so the comparison is
on identical input. Peak memory is the process's resident set (DuckDB runs
in-process), sampled while each step runs.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pandzicht.bench import RssSampler
from pandzicht.evaluation.linking import address_accuracy, pairwise_scores
from pandzicht.intake.load import load_bundle
from pandzicht.link.network import graph_index, neighbourhood
from pandzicht.link.parties_splink import default_pair_count, resolve_default, resolve_parties_detail
from pandzicht.stages import BY_NAME as stage
from pandzicht.stages import StageInput
from pandzicht.store.engine import Store
from pandzicht.synth.world import generate

DEFAULT_PAIR_LIMIT = 300_000_000  # beyond this Splink's default blocking is not run (it would not finish)


def _export(store: Store, sql: str, path: Path) -> Path:
    target = str(path).replace("'", "''")
    store.execute(f"COPY ({sql}) TO '{target}' (HEADER, DELIMITER ',')")
    return path


def _entities_csv(store: Store, path: Path) -> Path:
    return _export(store, "SELECT bron, record_sleutel, entiteit_id, zekerheid FROM entiteit "
                          "ORDER BY bron, record_sleutel", path)


def bench_link(units: int, seed: int, variant: str, workdir: Path | None = None, queries: int = 400,
               default_pair_limit: int = DEFAULT_PAIR_LIMIT) -> dict:
    """Generate a world, load it, and time/measure each linking step; returns figures for the report."""
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pandzicht-bench-link-")
        workdir = Path(tmp.name)
    workdir = Path(workdir)
    bundle = workdir / f"wereld_{units}_{seed}_{variant}"
    steps: dict[str, dict[str, float]] = {}
    out: dict[str, Any] = {"eenheden": units, "seed": seed, "variant": variant, "stappen": steps, "kwaliteit": {}}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        with RssSampler(interval=0.02) as mem:
            t0 = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - t0
        peak = max([*mem.peaks.values(), RssSampler.rss()])
        steps[name] = {"seconden": round(elapsed, 3), "piek_geheugen_mb": round(peak / 2**20)}
        return result

    try:
        step("wereld_genereren", lambda: generate(bundle, units, seed, variant))
        truth = bundle / "truth" / "persoon_sleutel.csv"
        db = workdir / f"bench_link_{units}_{seed}_{variant}.duckdb"
        if db.exists():
            db.unlink()
        with Store(db) as store:

            def addresses_against_truth(name: str) -> dict[str, float]:
                """The address links as they stand now, scored against the world's truth."""
                links = _export(store, "SELECT bron, record_sleutel, adres_tekst, verblijfsobject_id, zekerheid "
                                       "FROM adres_koppeling", workdir / f"{name}.csv")
                return address_accuracy(links, bundle / "truth" / "adres_tekst.csv")

            step("inlezen", lambda: load_bundle(bundle, store))
            given = StageInput(store)
            step("adreskoppeling", lambda: stage["adreskoppeling"].run(given))
            out["kwaliteit"]["adreskoppeling"] = addresses_against_truth("adreskoppeling")
            mentions = step("vermeldingen", lambda: stage["vermeldingen"].run(given))
            out["vermeldingen"] = mentions
            out["vermeldingen_per_s"] = round(mentions / max(steps["vermeldingen"]["seconden"], 1e-9))

            step("exact", lambda: stage["entiteiten"].exact(given))
            out["kwaliteit"]["exact"] = pairwise_scores(_entities_csv(store, workdir / "ent_exact.csv"), truth)

            pairs = default_pair_count(store)
            out["splink_standaard_paren"] = pairs
            if pairs <= default_pair_limit:
                step("splink_standaard", lambda: resolve_default(store))
                out["kwaliteit"]["splink_standaard"] = pairwise_scores(
                    _entities_csv(store, workdir / "ent_default.csv"), truth)
            else:
                out["kwaliteit"]["splink_standaard"] = {"overgeslagen": f"{pairs} paren na blokkeren"}

            detail = step("splink_afgestemd", lambda: resolve_parties_detail(store, judgements=workdir / "geen.sqlite"))
            out["splink_afgestemd"] = vars(detail)
            out["vermeldingen_per_s_afgestemd"] = round(mentions / max(steps["splink_afgestemd"]["seconden"], 1e-9))
            out["kwaliteit"]["splink_afgestemd"] = pairwise_scores(
                _entities_csv(store, workdir / "ent_tuned.csv"), truth)

            out["adressen_via_personen"] = step("adres_via_personen", lambda: stage["adres_via_personen"].run(given))
            out["kwaliteit"]["adreskoppeling_met_personen"] = addresses_against_truth("adreskoppeling_personen")

            def graph() -> dict[str, int]:
                stage["record_adres"].run(given)
                edges = stage["netwerk"].run(given)
                return {"relaties": edges, **stage["netwerkmaten"].run(given)}

            out["netwerk"] = step("netwerk", graph)
            step("netwerk_index", lambda: graph_index(store))
            out["buurt_query"] = _query_latency(store, queries, seed)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return out


def _query_latency(store: Store, n: int, seed: int) -> dict[str, float]:
    """p50/p95 of two-hop neighbourhood queries from random units and random parties."""
    rng = random.Random(seed)
    units = [r[0] for r in store.rows("SELECT verblijfsobject_id FROM raw_bag_verblijfsobject")]
    parties = [r[0] for r in store.rows("SELECT DISTINCT entiteit_id FROM entiteit")]
    starts = rng.sample(units, min(n // 2, len(units))) + rng.sample(parties, min(n // 2, len(parties)))
    times = []
    sizes = []
    for node in starts:
        t0 = time.perf_counter()
        result = neighbourhood(store, node, hops=2)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(result["relaties"]))
    times.sort()
    return {"queries": len(times), "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2), "max_ms": round(times[-1], 2),
            "gem_relaties": round(sum(sizes) / max(len(sizes), 1), 1)}
