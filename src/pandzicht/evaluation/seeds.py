"""Evaluation over several demo worlds (dialects × variants × seeds), so no figure rests on one lucky world.

Every world is generated, analysed twice (pandzicht and the exact-key rules, in one `evaluate` run) and
measured against its truth. The dialects are marked as tuning or held-out (`synth.dialects.TUNING`): settings
are chosen on the first, and the second say whether they generalise. A world whose analysis fails is
reported with the error and the commands that reproduce it; the other worlds go on.

The pseudo-dialect `onafhankelijk` is a world of the independent generator (`altworld/`), held out from all
tuning: its figures are reported, never used to choose settings.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from pandzicht import altworld
from pandzicht.evaluation.run import evaluate
from pandzicht.synth import generate
from pandzicht.synth.dialects import DEFAULT, get
from pandzicht.synth.dialects import rol as _synth_rol

ALT_ROLE = "held-out, andere generator"


def rol(dialect: str) -> str:
    """Tuning or held-out; the independent generator's worlds are always held out."""
    return ALT_ROLE if dialect == altworld.GENERATOR else _synth_rol(dialect)


def _generate(bundle: Path, units: int, seed: int, variant: str, dialect: str) -> None:
    if dialect == altworld.GENERATOR:
        altworld.generate(bundle, units, seed, variant)
    else:
        generate(bundle, units, seed, variant, dialect=dialect)

KEYS = ("r_precisie", "precisie_bij_50", "recall_bij_2000", "gemiddelde_precisie")
# the per-world figures of issue 11's table, with their medians per dialect × variant
TABLE_KEYS = ("r_precisie", "ap", "ap_exact", "ap_verhouding", "partij_ap", "vermoeden_goed", "recall_k_hennepkwekerij",
              "recall_k_overbewoning", "f1", "adres_goed", "adres_fout", "r_precisie_plafond",
              "vermoeden_goed_plafond")


def _world_row(dialect: str, variant: str, seed: int, rep: dict) -> dict:
    m = rep["methoden"]
    p, x = m["pandzicht"], m["exacte_regels"]
    row: dict = {"dialect": dialect, "rol": rol(dialect), "variant": variant, "seed": seed, "R": p["ranglijst"]["R"],
                 "woningen": rep["eenheden_met_woonfunctie"], "top_k": p["ranglijst"].get("top_k")}
    for method in ("pandzicht", "exacte_regels", "status_quo"):
        row[method] = {k: m[method]["ranglijst"][k] for k in KEYS}
    row["rang_malafide_bemiddelaars"] = [r["rang"] for r in p["partijen"] if r["rol"] == "bemiddelaar"]
    # the same agents in the party list filtered on role bemiddelaar (the web app's filter)
    row["rang_malafide_bemiddelaars_in_rol"] = [r.get("rang_in_rol") for r in p["partijen"]
                                                if r["rol"] == "bemiddelaar"]
    for method in ("pandzicht", "exacte_regels"):
        if "partijkoppeling" in m[method]:
            row[f"f1_{method}"] = m[method]["partijkoppeling"]["f1"]
        if "adreskoppeling" in m[method]:
            row[f"adres_goed_{method}"] = m[method]["adreskoppeling"]["goed"]
            row[f"adres_fout_{method}"] = m[method]["adreskoppeling"]["fout"]
    per_typ = p["ranglijst"]["per_typologie"]
    ap, ap_x = p["ranglijst"]["gemiddelde_precisie"], x["ranglijst"]["gemiddelde_precisie"]
    row["tabel"] = {
        "r_precisie": p["ranglijst"]["r_precisie"],
        "ap": ap,
        "ap_exact": ap_x,
        "ap_verhouding": ap / ap_x if ap_x > 0 else None,
        "partij_ap": p["partij_gemiddelde_precisie"],
        "partij_ap_exact": x["partij_gemiddelde_precisie"],
        "vermoeden_goed": p["vermoeden"]["aandeel_goed"] if p["vermoeden"]["waar_in_top_k"] else None,
        "vermoeden_goed_n": [p["vermoeden"]["goed"], p["vermoeden"]["waar_in_top_k"]],
        **_calibration(p["vermoeden"].get("kalibratie")),
        "recall_k_per_typologie": {t: v.get("recall_bij_top_k") for t, v in per_typ.items()},
        "recall_k_hennepkwekerij": per_typ.get("hennepkwekerij", {}).get("recall_bij_top_k"),
        "recall_k_overbewoning": per_typ.get("overbewoning", {}).get("recall_bij_top_k"),
        "f1": row.get("f1_pandzicht"),
        "adres_goed": row.get("adres_goed_pandzicht"),
        "adres_fout": row.get("adres_fout_pandzicht"),
        # what the same indicator values give with every true label known (evaluation/ceiling.py)
        "r_precisie_plafond": m["plafond"]["ranglijst"]["r_precisie"] if "plafond" in m else None,
        "ap_plafond": m["plafond"]["ranglijst"]["gemiddelde_precisie"] if "plafond" in m else None,
        "vermoeden_goed_plafond": m["plafond"]["vermoeden"]["aandeel_goed"]
        if "vermoeden" in m.get("plafond", {}) else None,
    }
    row["terugvallen"] = sorted({f["stap"] for f in p.get("terugvallen", [])})
    return row


def _calibration(cal: dict | None) -> dict:
    """The typology probabilities' calibration of one world (see ranking.typology_calibration)."""
    if not cal:
        return {"vermoeden_log_loss": None, "vermoeden_met_kansen": 0, "vermoeden_zeker_n": [0, 0]}
    return {"vermoeden_log_loss": cal["log_loss"], "vermoeden_met_kansen": cal["met_kansen"],
            "vermoeden_zeker_n": [cal["zeker_goed"], cal["zeker_getoond"]]}


def _dialect_totals(rows: list[dict], dialects: list[str]) -> dict:
    """Per dialect, the typology figures pooled over its worlds: `vermoeden` right of the true homes in the top k,
    the log-loss over all of them, and how often a typology shown at 90% or more was right.

    Pooled counts, not medians: a world has a few dozen true homes in its top, too few for a share on its own."""
    out = {}
    for d in dialects:
        dr = [r["tabel"] for r in rows if r["dialect"] == d and "tabel" in r]
        if not dr:
            continue
        n_cal = sum(t.get("vermoeden_met_kansen", 0) for t in dr)
        loss = sum(t["vermoeden_log_loss"] * t["vermoeden_met_kansen"] for t in dr
                   if t.get("vermoeden_log_loss") is not None)
        out[d] = {
            "werelden": len(dr),
            "vermoeden_goed_n": [sum(t["vermoeden_goed_n"][0] for t in dr), sum(t["vermoeden_goed_n"][1] for t in dr)],
            "vermoeden_met_kansen": n_cal,
            "vermoeden_log_loss": loss / n_cal if n_cal else None,
            "vermoeden_zeker_n": [sum(t.get("vermoeden_zeker_n", [0, 0])[0] for t in dr),
                                  sum(t.get("vermoeden_zeker_n", [0, 0])[1] for t in dr)],
        }
    return out


def _reproduce(units: int, seed: int, variant: str, dialect: str) -> str:
    shape = f"--generator {dialect}" if dialect == altworld.GENERATOR else f"--dialect {dialect}"
    return (f"pandzicht demo-world /tmp/w --units {units} --seed {seed} --variant {variant} {shape} && "
            "PANDZICHT_DEBUG=1 pandzicht evaluate /tmp/w --out /tmp/w-eval")


def _median(values: list) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def evaluate_seeds(
    units: int, seeds: list[int], variants: list[str], work: Path | None = None,
    on_world: Callable[[str], None] | None = None, dialects: list[str] | None = None,
) -> dict:
    """Generate and evaluate every (dialect, variant, seed); returns per-world figures and medians.

    `mediaan` keeps the per-variant medians over the default dialect's worlds (as before dialects existed);
    `mediaan_dialect` has the medians of issue 11's table per dialect and variant. With `work` the worlds
    and analyses stay there (and a world already generated is reused); without, each is removed once measured."""
    dialects = dialects or [DEFAULT]
    for d in dialects:
        if d != altworld.GENERATOR:
            get(d)  # unknown names fail before hours of work
    rows, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(work or tmp)
        for dialect in dialects:
            for variant in variants:
                for seed in seeds:
                    name = f"{dialect} {variant} seed {seed}"
                    if on_world:
                        on_world(name)
                    folder = base / f"{dialect}-{variant}-{seed}"
                    bundle = folder / "bundel"
                    if not (bundle / "truth" / "wereld.json").exists():
                        _generate(bundle, units, seed, variant, dialect)
                    try:
                        rep = evaluate(bundle, folder / "evaluatie")
                        rows.append(_world_row(dialect, variant, seed, rep))
                    except Exception as exc:  # one failing world must not stop the others
                        frames = traceback.extract_tb(exc.__traceback__)
                        where = next((f"{Path(f.filename).name}:{f.lineno} ({f.name})" for f in reversed(frames)
                                      if "pandzicht" in f.filename), "")
                        failures.append({"dialect": dialect, "rol": rol(dialect), "variant": variant, "seed": seed,
                                         "fout": f"{type(exc).__name__}: {exc}"[:500], "waar": where,
                                         "reproduceer": _reproduce(units, seed, variant, dialect)})
                    finally:
                        if work is None:
                            shutil.rmtree(folder, ignore_errors=True)
    return {"eenheden": units, "seeds": seeds, "varianten": variants, "dialecten": dialects,
            "rol": {d: rol(d) for d in dialects}, "werelden": rows, "mislukt": failures,
            "mediaan": _variant_medians([r for r in rows if r["dialect"] == dialects[0]], variants),
            "mediaan_dialect": _dialect_medians(rows, dialects, variants),
            "totaal_dialect": _dialect_totals(rows, dialects)}


def _variant_medians(rows: list[dict], variants: list[str]) -> dict:
    summary = {}
    for variant in variants:
        vr = [r for r in rows if r["variant"] == variant]
        if not vr:
            continue
        summary[variant] = {
            method: {k: statistics.median(r[method][k] for r in vr) for k in KEYS}
            for method in ("pandzicht", "exacte_regels", "status_quo")
        }
        summary[variant]["ap_verhouding_pandzicht_exact"] = statistics.median(
            r["pandzicht"]["gemiddelde_precisie"] / max(r["exacte_regels"]["gemiddelde_precisie"], 1e-9) for r in vr)
        summary[variant]["malafide_bemiddelaars_in_top3"] = sum(
            all(a is not None and a <= 3 for a in r["rang_malafide_bemiddelaars"]) for r in vr) / len(vr)
    return summary


def _dialect_medians(rows: list[dict], dialects: list[str], variants: list[str]) -> dict:
    out: dict = {}
    for d in dialects:
        for v in variants:
            vr = [r for r in rows if r["dialect"] == d and r["variant"] == v]
            if not vr:
                continue
            med = {k: _median([r["tabel"][k] for r in vr]) for k in TABLE_KEYS}
            med["werelden"] = len(vr)
            med["malafide_bemiddelaars_in_top3"] = sum(
                all(a is not None and a <= 3 for a in r["rang_malafide_bemiddelaars"]) for r in vr) / len(vr)
            med["malafide_bemiddelaars_in_top3_van_rol"] = sum(
                all(a is not None and a <= 3 for a in r.get("rang_malafide_bemiddelaars_in_rol", [None]))
                for r in vr) / len(vr)
            out.setdefault(d, {})[v] = med
    return out


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def _agents(row: dict) -> str:
    """The malafide agents' ranks in the party list, and among the agents: "[4, 8] ([1, 3])"."""
    in_role = row.get("rang_malafide_bemiddelaars_in_rol")
    return f"{row['rang_malafide_bemiddelaars']}" + (f" ({in_role})" if in_role is not None else "")


def _ratio(n: list[int] | None) -> str:
    """right/total with its share: "105/116 (91%)"."""
    if not n or not n[1]:
        return "–"
    return f"{n[0]}/{n[1]} ({100 * n[0] / n[1]:.0f}%)"


def render(result: dict) -> str:
    dialects = result.get("dialecten", [DEFAULT])
    roles = result.get("rol", {})
    k_note = ""
    ks = sorted({r["top_k"] for r in result["werelden"] if r.get("top_k")})
    if ks:
        k_note = (f" Top k = {2000 / 19000:.1%} van de gerangschikte woningen (de top 2000 van ~19.000 woningen in "
                  f"een wereld van 20.000 eenheden, issue 11), hier k = {', '.join(map(str, ks))}.")
    lines = [
        f"# Evaluatie over {len(dialects)} dialect(en) × {len(result.get('varianten', []))} varianten × "
        f"{len(result['seeds'])} seeds, {result['eenheden']} eenheden", "",
        "Dialecten: " + ", ".join(f"{d} ({roles.get(d, rol(d))})" for d in dialects) + "." + k_note, "",
        "AP = gemiddelde precisie; exact = de exacte-sleutelregels in dezelfde run; party AP over alle partijen "
        "in truth/malafide_partij.csv (bemiddelaars, katvangers, huurder-bv's, malafide verhuurders), gevonden via "
        "de entiteit waarin hun records zijn samengevoegd; vermoeden goed = aandeel van de ware woningen in de "
        "top k waarvan `vermoeden` de ware typologie is; F1 = paarsgewijze F1 van de entiteiten; adres = "
        "vrije-tekstadressen goed / fout gekoppeld; bemiddelaars = rang van de malafide bemiddelaars in de hele "
        "partijlijst (tussen haakjes: onder de bemiddelaars, de lijst gefilterd op rol zoals in de webapp); "
        "R-prec plafond = een model op de ware labels met dezelfde indicatorwaarden, buiten de vouw gescoord (een "
        "maatstaf: niet beter dan pandzicht betekent dat bewijs ontbreekt, niet het leren); vermoeden plafond = "
        "evenzo een model op de ware typologieën van de ware woningen in de top k van pandzicht.", "",
        "| dialect | variant | seed | R | R-prec | AP | AP exact | AP/exact | party AP | vermoeden goed "
        "| typ. log-loss | ≥ 90% goed | recall@k hennep | recall@k overbew. | bemiddelaars | F1 | adres goed/fout "
        "| terugvallen |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["werelden"]:
        t = r.get("tabel")
        if t is None:  # a row from before dialects: the old layout
            continue
        n_ok, n_top = t["vermoeden_goed_n"]
        lines.append(
            f"| {r['dialect']} ({r['rol']}) | {r['variant']} | {r['seed']} | {r['R']} | {_f(t['r_precisie'])} | "
            f"{_f(t['ap'])} | {_f(t['ap_exact'])} | {_f(t['ap_verhouding'], 2)} | {_f(t['partij_ap'])} | "
            f"{_pct(t['vermoeden_goed'])} ({n_ok}/{n_top}) | {_f(t.get('vermoeden_log_loss'), 2)} | "
            f"{_ratio(t.get('vermoeden_zeker_n'))} | {_f(t['recall_k_hennepkwekerij'], 2)} | "
            f"{_f(t['recall_k_overbewoning'], 2)} | {_agents(r)} | {_f(t['f1'], 4)} | "
            f"{_pct(t['adres_goed'], 1)} / {_pct(t['adres_fout'], 2)} | {len(r.get('terugvallen', []))} |")
    lines += ["", "Medianen per dialect × variant:", "",
              "| dialect | variant | werelden | R-prec | R-prec plafond | AP | AP exact | AP/exact | party AP "
              "| vermoeden goed | vermoeden plafond | recall@k hennep | recall@k overbew. "
              "| bemiddelaars in top 3 (van de bemiddelaars) | F1 | adres goed/fout |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d, per_v in result.get("mediaan_dialect", {}).items():
        for v, m in per_v.items():
            lines.append(
                f"| {d} ({roles.get(d, rol(d))}) | {v} | {m['werelden']} | {_f(m['r_precisie'])} | "
                f"{_f(m.get('r_precisie_plafond'))} | {_f(m['ap'])} | "
                f"{_f(m['ap_exact'])} | {_f(m['ap_verhouding'], 2)} | {_f(m['partij_ap'])} | "
                f"{_pct(m['vermoeden_goed'])} | {_pct(m.get('vermoeden_goed_plafond'))} | "
                f"{_f(m['recall_k_hennepkwekerij'], 2)} | "
                f"{_f(m['recall_k_overbewoning'], 2)} | {_pct(m['malafide_bemiddelaars_in_top3'])} "
                f"({_pct(m.get('malafide_bemiddelaars_in_top3_van_rol'))}) | "
                f"{_f(m['f1'], 4)} | {_pct(m['adres_goed'], 1)} / {_pct(m['adres_fout'], 2)} |")
    totals = result.get("totaal_dialect", {})
    if totals:
        lines += ["", "Typologie per dialect, opgeteld over de werelden (ware woningen in de top k; log-loss: "
                  "gemiddelde −ln van de kans op de ware typologie, ln 6 = 1,79 is gokken; ≥ 90%: hoe vaak de "
                  "typologie die het dossier met 90% of meer toont de ware is):", "",
                  "| dialect | werelden | vermoeden goed | log-loss | getoond met ≥ 90%: goed |",
                  "|---|---|---|---|---|"]
        for d, t in totals.items():
            lines.append(f"| {d} ({roles.get(d, rol(d))}) | {t['werelden']} | {_ratio(t['vermoeden_goed_n'])} | "
                         f"{_f(t['vermoeden_log_loss'], 2)} | {_ratio(t['vermoeden_zeker_n'])} |")
    if result.get("mislukt"):
        lines += ["", "Mislukt:", ""]
        for f in result["mislukt"]:
            lines.append(f"- {f['dialect']} {f['variant']} seed {f['seed']}: `{f['fout']}` in {f['waar']}; "
                         f"reproduceer: `{f['reproduceer']}`")
    fallbacks = sorted({(r["dialect"], s) for r in result["werelden"] for s in r.get("terugvallen", [])})
    if fallbacks:
        lines += ["", "Terugvallen (stappen die een standaard gebruikten), per dialect:", ""]
        for d in dialects:
            steps = [s for dd, s in fallbacks if dd == d]
            if steps:
                lines.append(f"- {d}: " + ", ".join(steps))
    lines += ["", "Medianen per variant (dialect " + dialects[0] + "):", "", "```",
              json.dumps(result["mediaan"], indent=1), "```"]
    return "\n".join(lines) + "\n"
