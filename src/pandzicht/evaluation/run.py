"""`pandzicht evaluate`: pandzicht against the status quo and exact rules, on a bundle with truth/.

All three are computed in one run on the same bundle, so their figures compare:
- *status quo*: police registrations and tips that already carry a BAG id, counted per unit;
- *exact rules*: the same indicators and model, but records join only on keys they carry
  (no free-text address resolution, exact party keys);
- *pandzicht*: the full pipeline;
- *plafond* (a yardstick, not a method): a model fitted to the true labels on pandzicht's own indicator values,
  scored out of fold (`evaluation/ceiling.py`): how far better learning alone could take the ranking.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from pandzicht.errors import PandzichtError
from pandzicht.evaluation.ceiling import ceiling_ranking, ceiling_typology
from pandzicht.evaluation.linking import address_accuracy, entity_truth, pairwise_scores
from pandzicht.evaluation.ranking import (
    party_average_precision,
    party_ranks,
    ranking_metrics,
    top_k,
    typology_calibration,
    typology_guess,
)
from pandzicht.pipeline import analyse
from pandzicht.store.engine import Store

STATUS_QUO_SQL = """
WITH signalen AS (
  SELECT verblijfsobject_id FROM raw_politie_incident WHERE verblijfsobject_id IS NOT NULL
  UNION ALL
  SELECT verblijfsobject_id FROM raw_melding WHERE verblijfsobject_id IS NOT NULL)
SELECT s.verblijfsobject_id, count(x.verblijfsobject_id) AS n
FROM adres_score s LEFT JOIN signalen x USING (verblijfsobject_id)
GROUP BY 1 ORDER BY n DESC, 1
"""


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _status_quo(db: Path) -> list[str]:
    with Store(db, read_only=True) as store:
        if not (store.has_table("raw_politie_incident") and store.has_table("raw_melding")):
            return [r[0] for r in store.rows("SELECT verblijfsobject_id FROM adres_score ORDER BY verblijfsobject_id")]
        return [r[0] for r in store.rows(STATUS_QUO_SQL)]


def _typology_probs(db: Path) -> dict[str, dict[str, float]]:
    """{unit: {typology: probability}} from the analysis' `typologie_kans` (empty when it has none)."""
    out: dict[str, dict[str, float]] = {}
    with Store(db, read_only=True) as store:
        if store.has_table("typologie_kans"):
            for unit, typ, p in store.rows("SELECT verblijfsobject_id, typologie, kans FROM typologie_kans"):
                out.setdefault(unit, {})[typ] = float(p)
    return out


def evaluate(bundle: Path, out: Path, on_stage: Callable[[str], None] | None = None) -> dict:
    """Run the three methods on `bundle` and measure them against `bundle/truth`; writes evaluatie.json/.md."""
    bundle, out = Path(bundle), Path(out)
    truth_dir = bundle / "truth"
    if not (truth_dir / "adres_typologie.csv").is_file():
        raise PandzichtError(f"{truth_dir}: geen grondwaarheid (truth/adres_typologie.csv); evalueren kan alleen op "
                             "een synthetische bundel")
    truth = {r["verblijfsobject_id"]: r["typologie"] for r in _csv(truth_dir / "adres_typologie.csv")}
    malafide = _csv(truth_dir / "malafide_partij.csv") if (truth_dir / "malafide_partij.csv").is_file() else []
    keys = truth_dir / "persoon_sleutel.csv"
    runs = {}
    ranked_by: dict[str, list[str]] = {}
    for name, exact in (("pandzicht", False), ("exacte_regels", True)):
        if on_stage:
            on_stage(name)
        target = out / name
        result = analyse(bundle, target, exact_only=exact)
        rows = _csv(target / "adressen.csv")
        ranked = [r["verblijfsobject_id"] for r in rows]
        ranked_by[name] = ranked
        k = top_k(len(ranked))
        ranks = party_ranks(_csv(target / "partijen.csv"), malafide,
                            entity_truth(target / "entiteiten.csv", keys) if keys.is_file() else None)
        entry = {
            "ranglijst": ranking_metrics(ranked, truth, k_top=k),
            "vermoeden": {**typology_guess(rows, truth, k),
                          "kalibratie": typology_calibration(ranked, _typology_probs(target / "pandzicht.duckdb"),
                                                             truth, k)},
            "partijen": ranks,
            "partij_gemiddelde_precisie": party_average_precision(ranks),
            "model": result.model,
            "terugvallen": result.report.get("analyse", {}).get("terugvallen", []),
            "tijden_s": result.timings,
        }
        if keys.is_file():
            entry["partijkoppeling"] = pairwise_scores(target / "entiteiten.csv", keys)
        if (truth_dir / "adres_tekst.csv").is_file():
            entry["adreskoppeling"] = address_accuracy(target / "adreskoppeling.csv", truth_dir / "adres_tekst.csv")
        runs[name] = entry
    runs["status_quo"] = {"ranglijst": ranking_metrics(_status_quo(out / "pandzicht" / "pandzicht.duckdb"), truth,
                                                       k_top=top_k(len(ranked)))}
    # a yardstick, not a method: the same indicator values with every true label known (evaluation/ceiling.py)
    db = out / "pandzicht" / "pandzicht.duckdb"
    ceiling = ceiling_ranking(db, truth)
    if ceiling is not None:
        runs["plafond"] = {"ranglijst": ranking_metrics(ceiling, truth, k_top=top_k(len(ranked)))}
        # the typology of the very homes `vermoeden` is measured on: pandzicht's own top k
        ours = ranked_by["pandzicht"]
        typology = ceiling_typology(db, ours, truth, top_k(len(ours)))
        if typology is not None:
            runs["plafond"]["vermoeden"] = typology
    world = truth_dir / "wereld.json"
    report = {"bundel": str(bundle), "eenheden_met_woonfunctie": len(ranked), "waar_actief": len(truth),
              "wereld": json.loads(world.read_text(encoding="utf-8")) if world.is_file() else {},
              "methoden": runs}
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluatie.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "evaluatie.md").write_text(render_markdown(report), encoding="utf-8")
    return report


def render_markdown(report: dict) -> str:
    """The evaluation as a table a reader can check at a glance."""
    m = report["methoden"]
    names = [n for n in ("pandzicht", "exacte_regels", "status_quo", "plafond") if n in m]
    lines = [f"# Evaluatie: {report['bundel']}", "",
             f"{report['eenheden_met_woonfunctie']} woningen, {report['waar_actief']} in crimineel gebruik op de "
             "peildatum (grondwaarheid).", "",
             "| maat | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key in ("r_precisie", "precisie_bij_50", "recall_bij_2000", "recall_bij_top_k", "gemiddelde_precisie"):
        if all(key in m[n]["ranglijst"] for n in names):
            lines.append(f"| {key} | " + " | ".join(f"{m[n]['ranglijst'][key]:.3f}" for n in names) + " |")
    for t in m["pandzicht"]["ranglijst"]["per_typologie"]:
        lines.append(f"| recall@R {t} | " + " | ".join(
            f"{m[n]['ranglijst']['per_typologie'][t]['recall_bij_R']:.2f}" for n in names) + " |")
    k = m["pandzicht"]["ranglijst"].get("top_k")
    if k:
        for t in m["pandzicht"]["ranglijst"]["per_typologie"]:
            lines.append(f"| recall@top-{k} {t} | " + " | ".join(
                f"{m[n]['ranglijst']['per_typologie'][t].get('recall_bij_top_k', float('nan')):.2f}" for n in names)
                + " |")
    with_parties = [n for n in names if "partij_gemiddelde_precisie" in m[n]]
    if with_parties:
        lines.append("| partijen: gemiddelde precisie | " + " | ".join(
            f"{m[n]['partij_gemiddelde_precisie']:.3f}" if n in with_parties else "" for n in names) + " |")
        lines.append(f"| vermoeden goed (ware woningen in top {k}) | " + " | ".join(
            f"{m[n]['vermoeden']['goed']}/{m[n]['vermoeden']['waar_in_top_k']}" if "vermoeden" in m[n] else ""
            for n in names) + " |")
        cal = {n: m[n]["vermoeden"].get("kalibratie") for n in with_parties}
        if all(c and c["log_loss"] is not None for c in cal.values()):
            lines.append("| typologiekansen: log-loss (ln 6 = 1,79 is gokken) | " + " | ".join(
                f"{cal[n]['log_loss']:.2f}" if n in cal else "" for n in names) + " |")
            lines.append("| getoond met ≥ 90%: goed | " + " | ".join(
                f"{cal[n]['zeker_goed']}/{cal[n]['zeker_getoond']}" if n in cal else "" for n in names) + " |")
    for n in names:
        if "partijkoppeling" in m[n]:
            p = m[n]["partijkoppeling"]
            lines.append(f"| partijkoppeling {n} (P/R/F1) | {p['precisie']:.3f} / {p['recall']:.3f} / {p['f1']:.3f} |")
        if "adreskoppeling" in m[n]:
            a = m[n]["adreskoppeling"]
            lines.append(
                f"| adreskoppeling {n} (goed/fout/leeg) | {a['goed']:.3f} / {a['fout']:.4f} / {a['leeg']:.3f} |")
    if "plafond" in m:
        lines += ["", "`plafond`: geen methode maar een maatstaf: een logistisch model op de ware labels van deze "
                  "wereld met dezelfde indicatorwaarden als pandzicht, buiten de eigen vouw gescoord (drie vouwen). "
                  "Rangschikt het niet beter dan pandzicht, dan ontbreekt bewijs in de gegevens, niet het leren. "
                  "Zijn `vermoeden goed` is een model op de ware typologieën van dezelfde ware woningen in de top "
                  "van pandzicht, ook buiten de vouw voorspeld."]
    lines += ["", "Rang van de malafide partijen (pandzicht):", ""]
    lines += [f"- {p['rol']}: rang {p['rang']}" for p in m["pandzicht"].get("partijen", [])]
    fallbacks = m["pandzicht"].get("terugvallen", [])
    if fallbacks:
        lines += ["", "Terugvallen (pandzicht):", ""]
        lines += [f"- {f['stap']}: {f['reden']} → {f['terugval']}" for f in fallbacks]
    return "\n".join(lines) + "\n"
