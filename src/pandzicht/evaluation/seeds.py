"""Evaluation over several demo worlds (seeds × variants), so no figure rests on one lucky world."""

from __future__ import annotations

import json
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from pandzicht.evaluation.run import evaluate
from pandzicht.synth import generate

KEYS = ("r_precisie", "precisie_bij_50", "recall_bij_2000", "gemiddelde_precisie")


def evaluate_seeds(
    units: int, seeds: list[int], variants: list[str], work: Path | None = None,
    on_world: Callable[[str], None] | None = None,
) -> dict:
    """Generate and evaluate every (variant, seed); returns per-world figures and per-variant medians."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(work or tmp)
        for variant in variants:
            for seed in seeds:
                if on_world:
                    on_world(f"{variant} seed {seed}")
                bundle = base / f"{variant}-{seed}" / "bundel"
                if not (bundle / "manifest.json").exists():
                    generate(bundle, units, seed, variant)
                rep = evaluate(bundle, bundle.parent / "evaluatie")
                m = rep["methoden"]
                row = {"variant": variant, "seed": seed, "R": m["pandzicht"]["ranglijst"]["R"]}
                for method in ("pandzicht", "exacte_regels", "status_quo"):
                    row[method] = {k: m[method]["ranglijst"][k] for k in KEYS}
                agents = [p["rang"] for p in m["pandzicht"]["partijen"] if p["rol"] == "bemiddelaar"]
                row["rang_malafide_bemiddelaars"] = agents
                for method in ("pandzicht", "exacte_regels"):
                    if "partijkoppeling" in m[method]:
                        row[f"f1_{method}"] = m[method]["partijkoppeling"]["f1"]
                    if "adreskoppeling" in m[method]:
                        row[f"adres_goed_{method}"] = m[method]["adreskoppeling"]["goed"]
                        row[f"adres_fout_{method}"] = m[method]["adreskoppeling"]["fout"]
                rows.append(row)
    summary = {}
    for variant in variants:
        vr = [r for r in rows if r["variant"] == variant]
        summary[variant] = {
            method: {k: statistics.median(r[method][k] for r in vr) for k in KEYS}
            for method in ("pandzicht", "exacte_regels", "status_quo")
        }
        summary[variant]["ap_verhouding_pandzicht_exact"] = statistics.median(
            r["pandzicht"]["gemiddelde_precisie"] / max(r["exacte_regels"]["gemiddelde_precisie"], 1e-9) for r in vr)
        summary[variant]["malafide_bemiddelaars_in_top3"] = sum(
            all(a is not None and a <= 3 for a in r["rang_malafide_bemiddelaars"]) for r in vr) / len(vr)
    return {"eenheden": units, "seeds": seeds, "werelden": rows, "mediaan": summary}


def render(result: dict) -> str:
    lines = [f"# Evaluatie over {len(result['seeds'])} seeds, {result['eenheden']} eenheden", "",
             "| variant | seed | R | R-prec | P@50 | AP | AP exact | AP status quo | bemiddelaars | F1 "
             "| adres goed/fout |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["werelden"]:
        lines.append(
            f"| {r['variant']} | {r['seed']} | {r['R']} | {r['pandzicht']['r_precisie']:.3f} | "
            f"{r['pandzicht']['precisie_bij_50']:.2f} | {r['pandzicht']['gemiddelde_precisie']:.3f} | "
            f"{r['exacte_regels']['gemiddelde_precisie']:.3f} | {r['status_quo']['gemiddelde_precisie']:.3f} | "
            f"{r['rang_malafide_bemiddelaars']} | {r.get('f1_pandzicht', float('nan')):.3f} | "
            f"{r.get('adres_goed_pandzicht', float('nan')):.3f}/{r.get('adres_fout_pandzicht', float('nan')):.4f} |")
    lines += ["", "Medianen per variant:", "", "```", json.dumps(result["mediaan"], indent=1), "```"]
    return "\n".join(lines) + "\n"
