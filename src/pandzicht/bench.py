"""Benchmarks that report ratios measured in one run, because these machines are shared and noisy.

`bench load`: per source, the full load (validate, quarantine, typed tables)
against the I/O floor, DuckDB reading the same CSV into a table and nothing
else; runs alternate, and the median of per-run ratios is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pandzicht.intake.load import discover, load_bundle
from pandzicht.store.engine import Store


def _floor(store: Store, path: Path) -> float:
    t0 = time.perf_counter()
    target = str(path).replace("'", "''")
    # The loader's reader options, minus everything the load adds (validation, quarantine, typing).
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE _floor AS SELECT * FROM read_csv('{target}', all_varchar = true, "
        "header = true, delim = ',', quote = '\"', escape = '\"', ignore_errors = true)"
    )
    elapsed = time.perf_counter() - t0
    store.execute("DROP TABLE _floor")
    return elapsed


def bench_load(bundle: Path, db: Path, repeat: int = 3) -> dict:
    """Median load seconds, rows/s and ratio to the I/O floor per source over `repeat` alternating runs."""
    files = discover(bundle)
    runs: list[dict[str, tuple[float, float]]] = []
    rows: dict[str, int] = {}
    for _ in range(repeat):
        if db.exists():
            db.unlink()
        timings: dict[str, float] = {}
        with Store(db) as store:
            report = load_bundle(bundle, store, timings=timings)
            floors = {name: _floor(store, files[name]) for name in timings}
        rows = {name: b["gelezen"] for name, b in report["bronnen"].items()}
        runs.append({name: (timings[name], floors[name]) for name in timings})
    out: dict = {"herhalingen": repeat, "bronnen": {}}
    for name in runs[0]:
        load_s = statistics.median(r[name][0] for r in runs)
        floor_s = statistics.median(r[name][1] for r in runs)
        ratio = statistics.median(r[name][0] / max(r[name][1], 1e-9) for r in runs)
        out["bronnen"][name] = {
            "rijen": rows[name], "laden_s": load_s, "rijen_per_s": rows[name] / max(load_s, 1e-9),
            "vloer_s": floor_s, "verhouding": ratio,
        }
    total_rows = sum(rows.values())
    tot_load = statistics.median(sum(v[0] for v in r.values()) for r in runs)
    tot_floor = statistics.median(sum(v[1] for v in r.values()) for r in runs)
    out["totaal"] = {
        "rijen": total_rows, "laden_s": tot_load, "rijen_per_s": total_rows / max(tot_load, 1e-9),
        "vloer_s": tot_floor,
        "verhouding": statistics.median(sum(v[0] for v in r.values()) / max(sum(v[1] for v in r.values()), 1e-9)
                                        for r in runs),
    }
    return out


class RssSampler:
    """Peak resident memory per stage, sampled from /proc (DuckDB's memory is not Python's)."""

    def __init__(self, interval: float = 0.05, tree: bool = False,
                 probe: Callable[[str], None] | None = None) -> None:
        import threading

        self.interval = interval
        self.tree = tree  # also count child processes (Spark's JVM and its Python workers)
        self.probe = probe  # called with the current stage at every sample (SparkJobs.poll)
        self.stage = "start"
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        try:
            with open("/proc/self/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    @staticmethod
    def tree_rss() -> int:
        """Resident memory of this process and all its descendants (Spark's driver JVM, executors in local
        mode and their Python workers are children of this process)."""
        import os

        parents: dict[int, int] = {}
        sizes: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                sizes[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        mine, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == parent and pid not in mine:
                    mine.add(pid)
                    frontier.append(pid)
        return sum(sizes.get(pid, 0) for pid in mine)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = self.tree_rss() if self.tree else self.rss()
            if value > self.peaks.get(self.stage, 0):
                self.peaks[self.stage] = value
            if self.probe:
                self.probe(self.stage)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class SparkJobs:
    """Spark jobs per stage: each stage's statements run in a job group named after it, and the group's job ids
    are polled from Spark's status tracker (which keeps only the last spark.ui.retainedJobs jobs, so it is read
    while the stage runs, not after). A job is a unit of Spark's fixed cost: scheduling, a task per partition."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = {}
        self.current: str | None = None
        self.context: Any = None  # taken in the main thread: importing pyspark from the sampler's races it

    def start(self, stage: str) -> None:
        from pyspark import SparkContext

        if self.current is not None:
            self.poll(self.current)
        self.context = SparkContext._active_spark_context
        if self.context is not None:
            self.context.setJobGroup(stage, f"pandzicht {stage}")
        self.current = stage

    def poll(self, stage: str) -> None:
        sc = self.context
        if sc is None or sc._jsc is None:  # no session yet, or stopped
            return
        try:
            found = sc.statusTracker().getJobIdsForGroup(stage)
        except Exception:  # the context stopped between the check and the call
            return
        self.ids.setdefault(stage, set()).update(found)

    def counts(self) -> dict[str, int]:
        return {stage: len(ids) for stage, ids in self.ids.items()}


def bench_analyse(bundle: Path, work: Path, engine: str = "duckdb", master: str | None = None,
                  spark_memory: str = "2g") -> dict:
    """One analyse run with per-stage seconds and peak memory, and the I/O floor measured right after it.

    On Spark the peak counts this process and its children (the driver JVM, in local mode also the executors
    and their Python workers); on a cluster the executors' memory is the cluster's, not counted here."""
    from pandzicht.pipeline import analyse

    out = work / "uitvoer"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    jobs = SparkJobs() if engine == "spark" else None
    with RssSampler(interval=0.05 if engine == "duckdb" else 0.25, tree=engine != "duckdb",
                    probe=jobs.poll if jobs else None) as sampler:
        def on_stage(name: str) -> None:
            if jobs:
                jobs.start(name)
            sampler.stage = name

        result = analyse(bundle, out, on_stage=on_stage, engine=engine, master=master, spark_memory=spark_memory)
    files = discover(bundle)
    with Store(work / "vloer.duckdb") as store:
        floor = sum(_floor(store, path) for path in files.values())
    (work / "vloer.duckdb").unlink(missing_ok=True)
    total = sum(result.timings.values())
    return {
        "rijen": {k: v["gelezen"] for k, v in result.report["bronnen"].items()},
        "stadia_s": result.timings,
        "piek_geheugen_mb": {k: round(v / 2**20) for k, v in sampler.peaks.items()},
        "totaal_s": total,
        "io_vloer_s": floor,
        "totaal_tov_vloer": total / max(floor, 1e-9),
        "aantallen": result.counts,
        "engine": engine,
        **({"spark_geheugen": spark_memory} if engine == "spark" else {}),
        **({"spark_jobs": jobs.counts()} if jobs else {}),
    }
