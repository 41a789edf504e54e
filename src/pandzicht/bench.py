"""Benchmarks that report ratios measured in one run, because these machines are shared and noisy.

`bench load`: per source, the full load (validate, quarantine, typed tables)
against the I/O floor, DuckDB reading the same CSV into a table and nothing
else; runs alternate, and the median of per-run ratios is reported.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from pandzicht.intake.load import discover, load_bundle
from pandzicht.store.engine import Store


def _floor(store: Store, path: Path) -> float:
    t0 = time.perf_counter()
    target = str(path).replace("'", "''")
    store.execute(f"CREATE OR REPLACE TEMP TABLE _floor AS SELECT * FROM read_csv('{target}', all_varchar = true)")
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
