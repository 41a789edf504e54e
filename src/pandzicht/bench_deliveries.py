"""`pandzicht bench leveringen`: two monthly deliveries of one world analysed into one folder, in one run.

Delivery 1 is analysed from nothing; a copy of that output folder is taken. Delivery 2 then continues it
twice: incrementally in the folder itself (only new and changed records are linked, with the kept model,
`link/parties_incremental.py`), and in full in the copy (`--opnieuw`: everything linked again and the
model retrained; each cluster still takes the id of the earlier cluster it shares most records with,
`link/stable_ids.py`). With `vers`, delivery 2 is also analysed from nothing in a separate folder, to show
what ids would do without a previous analysis. Per run: seconds and peak resident memory per stage, and
the ratio incremental / full. Then the figures issue 13 asks for:

- id stability: of the parties of delivery 1 whose records are still delivered, the share whose id
  continues in delivery 2 (overall, and for parties without a BRP registration: the companies, agents and
  landlords cases are opened on); and, against the truth, of the real parties in both deliveries the share
  whose main entity keeps its id;
- equivalence: top-200 overlap of the address list of the incremental run with the full run of the same
  delivery, and the entity F1 (against the world's truth) of both, and the pairwise F1 of the incremental
  entities taking the full run's as truth.

With `deliveries` N > 2 the region is followed month after month: each later delivery k continues the
incremental folder again (a chain of incremental runs, as a region runs them), and a copy of that folder as it
stood before delivery k is analysed in full as the reference for that step (`keten`: per delivery the seconds
and their ratio, how linking ran, ids kept since the step before and since delivery 1, top-200 overlap and the
entity F1 of both runs). Why: an incremental step is checked against a full run of the same delivery; over
many steps small differences could add up, state could grow, or the kept model could drift, and one step
cannot show that.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from statistics import median

import duckdb
from rich.table import Table

from pandzicht.bench import RssSampler
from pandzicht.evaluation.linking import pairwise_scores
from pandzicht.pipeline import analyse
from pandzicht.score.lift import lift
from pandzicht.synth.deliveries import folder_name, generate_deliveries

TOP = 200


def _run(bundle: Path, out: Path, opnieuw: bool = False, hertrain: bool = False) -> dict:
    """One analyse run with seconds and peak memory (MB) per stage, and how linking ran. Each run starts
    without what an earlier run in this process kept (lifted queries), as a separate `pandzicht analyse`."""
    lift.cache_clear()
    with RssSampler() as sampler:
        def on_stage(name: str) -> None:
            sampler.stage = name

        result = analyse(bundle, out, on_stage=on_stage, opnieuw=opnieuw, hertrain=hertrain)
    section = result.report.get("analyse", {})
    return {"stadia_s": result.timings, "piek_geheugen_mb": {k: round(v / 2**20) for k, v in sampler.peaks.items()},
            "totaal_s": round(sum(result.timings.values()), 3),
            "entiteit_ids": section.get("entiteit_ids", {}), "koppeling": section.get("koppeling", {}),
            "peildata": section.get("peildata", {}), "hergebruik": section.get("hergebruik", {}),
            "scoremodel": section.get("scoremodel", {})}


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def id_stability(before: Path, after: Path) -> dict:
    """Share of the parties in `before`'s entiteiten.csv with records still in `after` whose id continues there:
    all parties, and those without a BRP registration (no record from `brp_inschrijving`)."""
    con = duckdb.connect()
    row = con.execute(f"""
        WITH v AS (SELECT * FROM read_csv({_q(before)}, all_varchar = true)),
             n AS (SELECT * FROM read_csv({_q(after)}, all_varchar = true)),
             per AS (
                SELECT v.entiteit_id,
                       bool_or(v.bron = 'brp_inschrijving') AS brp,
                       count(n.entiteit_id) > 0 AS aanwezig,
                       bool_or(n.entiteit_id = v.entiteit_id) AS behouden
                FROM v LEFT JOIN n USING (bron, record_sleutel) GROUP BY 1)
        SELECT count(*) FILTER (WHERE aanwezig), count(*) FILTER (WHERE aanwezig AND behouden),
               count(*) FILTER (WHERE aanwezig AND NOT brp), count(*) FILTER (WHERE aanwezig AND behouden AND NOT brp)
        FROM per""").fetchone()
    present, kept, present_nb, kept_nb = row
    return {"partijen_aanwezig": present, "id_behouden": kept, "aandeel": kept / present if present else 1.0,
            "zonder_brp_aanwezig": present_nb, "zonder_brp_behouden": kept_nb,
            "zonder_brp_aandeel": kept_nb / present_nb if present_nb else 1.0}


def true_party_stability(before: Path, truth_before: Path, after: Path, truth_after: Path) -> dict:
    """Of the real parties (truth) in both deliveries: the share whose main entity (the entity most of its
    records are in) has the same id in both; also for real parties without a BRP registration.

    A party whose records are split evenly over entities has no one main entity: the tie goes to the smallest
    id, in both deliveries, so two entities that both kept their ids do not count as a change."""
    con = duckdb.connect()

    def main(e: Path, t: Path) -> str:
        return f"""
            SELECT ware_persoon, first(entiteit_id ORDER BY c DESC, entiteit_id) AS entiteit_id, bool_or(brp) AS brp
            FROM (
                SELECT t.ware_persoon, e.entiteit_id, count(*) AS c, bool_or(e.bron = 'brp_inschrijving') AS brp
                FROM read_csv({_q(e)}, all_varchar = true) e
                JOIN read_csv({_q(t)}, all_varchar = true) t USING (bron, record_sleutel) GROUP BY 1, 2)
            GROUP BY 1"""

    both = con.execute(f"""
        WITH a AS ({main(before, truth_before)}), b AS ({main(after, truth_after)})
        SELECT count(*), count(*) FILTER (WHERE a.entiteit_id = b.entiteit_id),
               count(*) FILTER (WHERE NOT a.brp), count(*) FILTER (WHERE NOT a.brp AND a.entiteit_id = b.entiteit_id)
        FROM a JOIN b USING (ware_persoon)""").fetchone()
    n, same, n_nb, same_nb = both
    return {"ware_partijen": n, "zelfde_id": same, "aandeel": same / n if n else 1.0,
            "zonder_brp": n_nb, "zonder_brp_zelfde_id": same_nb, "zonder_brp_aandeel": same_nb / n_nb if n_nb else 1.0}


def top_overlap(a: Path, b: Path, top: int = TOP) -> float:
    """Share of the top `top` homes of adressen.csv `a` that are also in the top `top` of `b`."""
    con = duckdb.connect()
    return con.execute(f"""
        SELECT count(*) / {top} FROM
            (SELECT verblijfsobject_id FROM read_csv({_q(a)}, all_varchar = true) WHERE CAST(rang AS INT) <= {top})
        JOIN (SELECT verblijfsobject_id FROM read_csv({_q(b)}, all_varchar = true) WHERE CAST(rang AS INT) <= {top})
        USING (verblijfsobject_id)""").fetchone()[0]


def changes_against_truth(truth_before: Path, truth_after: Path, changes: Path, addresses: Path,
                          top: int = TOP) -> dict:
    """Whether wijzigingen.csv shows what really changed between two deliveries (both truths' adres_typologie.csv).

    Of the homes whose criminal use started since the first delivery: how many the second analysis ranks in its
    top `top` (the shortlist the change list compares), and how many the change list names with an upward
    reason (new on the list, risen, new signals). Of the homes the list names upward: how many are in criminal
    use. Of the uses that ended: how many of their homes the list names as fallen or off the list."""
    con = duckdb.connect()
    row = con.execute(f"""
        WITH v AS (SELECT verblijfsobject_id FROM read_csv({_q(truth_before)}, all_varchar = true)),
             n AS (SELECT verblijfsobject_id FROM read_csv({_q(truth_after)}, all_varchar = true)),
             w AS (SELECT verblijfsobject_id, reden FROM read_csv({_q(changes)}, all_varchar = true)),
             omhoog AS (SELECT DISTINCT verblijfsobject_id FROM w
                        WHERE NOT (starts_with(reden, 'van_lijst') OR starts_with(reden, 'gedaald'))),
             omlaag AS (SELECT DISTINCT verblijfsobject_id FROM w
                        WHERE starts_with(reden, 'van_lijst') OR starts_with(reden, 'gedaald')),
             a AS (SELECT verblijfsobject_id, CAST(rang AS INT) AS rang FROM read_csv({_q(addresses)},
                                                                                    all_varchar = true)),
             gestart AS (SELECT verblijfsobject_id FROM n EXCEPT SELECT verblijfsobject_id FROM v),
             geeindigd AS (SELECT verblijfsobject_id FROM v EXCEPT SELECT verblijfsobject_id FROM n)
        SELECT (SELECT count(*) FROM gestart),
               (SELECT count(*) FROM gestart JOIN a USING (verblijfsobject_id) WHERE a.rang <= {top}),
               (SELECT count(*) FROM gestart JOIN omhoog USING (verblijfsobject_id)),
               (SELECT count(*) FROM omhoog),
               (SELECT count(*) FROM omhoog JOIN n USING (verblijfsobject_id)),
               (SELECT count(*) FROM geeindigd),
               (SELECT count(*) FROM geeindigd JOIN omlaag USING (verblijfsobject_id))""").fetchone()
    keys = ("gestart", "gestart_in_top", "gestart_in_wijzigingen", "omhoog", "omhoog_waar", "geeindigd",
            "geeindigd_omlaag")
    return dict(zip(keys, (int(x) for x in row), strict=True))


def _as_truth(entities: Path, target: Path) -> Path:
    """An entiteiten.csv written as a truth file (bron, record_sleutel, ware_persoon), to score one run's
    clusters against another's with the same pairwise measure."""
    con = duckdb.connect()
    con.execute(f"COPY (SELECT bron, record_sleutel, entiteit_id AS ware_persoon FROM read_csv({_q(entities)}, "
                f"all_varchar = true)) TO {_q(target)} (HEADER)")
    return target


def _median_run(reps: list[dict]) -> dict:
    """The first repetition's run with its seconds replaced by the median per stage and in total."""
    stages = list(dict.fromkeys(s for r in reps for s in r["stadia_s"]))
    return {**reps[0], "stadia_s": {s: round(float(median(r["stadia_s"].get(s, 0.0) for r in reps)), 3)
                                    for s in stages},
            "totaal_s": round(float(median(r["totaal_s"] for r in reps)), 3)}


def _generate(work: Path, units: int, seed: int, dialect: str, generator: str, variant: str, months: int,
              n: int = 2) -> None:
    """`n` deliveries of one world: the demo world's (`synth.deliveries`, monthly) or the independent generator's
    (`altworld`, held out from all tuning; `months` apart, keys without order)."""
    if generator == "onafhankelijk":
        from pandzicht.altworld import generate_deliveries as independent

        independent(work, units, seed, n, variant=variant, months_apart=months)
    else:
        generate_deliveries(work, units, seed, n, dialect=dialect)


def _step(k: int, inc: dict, full: dict, figures: dict) -> dict:
    """One delivery of the chain: its two runs' seconds and ratio, how linking ran, and the figures."""
    koppeling = inc.get("koppeling", {})
    return {"levering": k, "incrementeel_s": inc["totaal_s"], "volledig_s": full["totaal_s"],
            "verhouding": round(inc["totaal_s"] / max(full["totaal_s"], 1e-9), 4),
            "koppeling": {key: koppeling[key] for key in ("modus", "model", "reden") if key in koppeling},
            "piek_geheugen_mb": max(inc["piek_geheugen_mb"].values(), default=0),
            "stadia_incrementeel_s": inc["stadia_s"], "stadia_volledig_s": full["stadia_s"], **figures}


def _equivalence(out: Path, full: Path, truth: Path, scratch: Path) -> dict:
    """Top-200 overlap and entity F1 of an incremental run (`out`) and a full run (`full`) of one delivery."""
    f1_inc = pairwise_scores(out / "entiteiten.csv", truth)["f1"]
    f1_full = pairwise_scores(full / "entiteiten.csv", truth)["f1"]
    return {"top200_overlap": top_overlap(out / "adressen.csv", full / "adressen.csv"),
            "entiteit_f1_incrementeel": f1_inc, "entiteit_f1_volledig": f1_full,
            "entiteit_f1_verschil": f1_inc - f1_full,
            "entiteit_f1_tov_volledig": pairwise_scores(out / "entiteiten.csv",
                                                        _as_truth(full / "entiteiten.csv", scratch))["f1"]}


def _ranked(work: Path, k: int) -> Path:
    """Where the bench keeps delivery k's address list of the incremental chain (adressen.csv is replaced)."""
    return work / f"adressen-levering-{k}.csv"


def detection(work: Path, n: int, top: int = TOP, share: float = 0.01) -> dict:
    """How soon the chain puts a new criminal use on its shortlist: for every use that started between two
    deliveries (a home in a delivery's truth that was not in the one before), the number of deliveries until the
    incremental analysis ranks it in the top `top` (and in the top `share` of its ranked homes), counted only
    while the use lasts. Why: a region analyses month after month to find new safehouses early; one pair of
    deliveries shows only whether a new use is found at once.

    Per shortlist: `gestart` uses, `na_leveringen` {d: how many were first on it d deliveries after they
    started}, `niet_gevonden` (not on it while in use, up to delivery n) and `te_kort_gevolgd` of those: their
    use was still running at delivery n, so a later delivery might still find them."""
    con = duckdb.connect()
    truth = {k: {r[0] for r in con.execute(f"SELECT verblijfsobject_id FROM read_csv("
                                            f"{_q(work / folder_name(k) / 'truth' / 'adres_typologie.csv')}, "
                                            "all_varchar = true)").fetchall()} for k in range(1, n + 1)}
    ranks = {k: dict(con.execute(f"SELECT verblijfsobject_id, CAST(rang AS INT) FROM read_csv("
                                 f"{_q(_ranked(work, k))}, all_varchar = true)").fetchall()) for k in range(1, n + 1)}
    out: dict = {}
    for name, limit in (("top", lambda k: top), ("top_aandeel", lambda k: max(1, round(share * len(ranks[k]))))):
        found: dict[int, int] = {}
        started = missed = censored = 0
        for k in range(2, n + 1):
            for home in sorted(truth[k] - truth[k - 1]):
                started += 1
                delay = None
                for j in range(k, n + 1):
                    if home not in truth[j]:
                        break
                    if ranks[j].get(home, limit(j) + 1) <= limit(j):
                        delay = j - k
                        break
                if delay is None:
                    missed += 1
                    censored += all(home in truth[j] for j in range(k, n + 1))
                else:
                    found[delay] = found.get(delay, 0) + 1
        out[name] = {"grens": top if name == "top" else share, "gestart": started,
                     "na_leveringen": dict(sorted(found.items())), "niet_gevonden": missed,
                     "te_kort_gevolgd": censored}
    return out


def _follow(work: Path, out: Path, n: int, first_entities: Path, hertrain: bool) -> list[dict]:
    """Deliveries 3..n continuing the incremental folder `out`, each also analysed in full from a copy of `out`
    as it stood before it; per delivery the figures of `_step` (the copy is removed after each)."""
    steps = []
    for k in range(3, n + 1):
        bundle, before = work / folder_name(k), work / f"entiteiten-levering-{k - 1}.csv"
        truth_before, truth = work / folder_name(k - 1) / "truth" / "persoon_sleutel.csv", \
            bundle / "truth" / "persoon_sleutel.csv"
        shutil.copyfile(out / "entiteiten.csv", before)
        full = work / f"uitvoer-opnieuw-{k:02d}"
        if full.exists():
            shutil.rmtree(full)
        shutil.copytree(out, full, symlinks=True)
        inc_run, full_run = _run(bundle, out, hertrain=hertrain), _run(bundle, full, opnieuw=True)
        shutil.copyfile(out / "adressen.csv", _ranked(work, k))
        figures = {
            "id_stabiliteit": id_stability(before, out / "entiteiten.csv"),
            "ware_partijen": true_party_stability(before, truth_before, out / "entiteiten.csv", truth),
            "id_stabiliteit_sinds_levering_1": id_stability(first_entities, out / "entiteiten.csv"),
            **_equivalence(out, full, truth, work / "entiteiten-volledig.csv"),
            "wijzigingen_tegen_waarheid": changes_against_truth(
                work / folder_name(k - 1) / "truth" / "adres_typologie.csv", bundle / "truth" / "adres_typologie.csv",
                out / "wijzigingen.csv", out / "adressen.csv"),
        }
        shutil.rmtree(full)
        steps.append(_step(k, inc_run, full_run, figures))
    return steps


def bench_deliveries(units: int, seed: int, work: Path, fresh_run: bool = False, dialect: str = "basis",
                     keep_first: Path | None = None, repeat: int = 1, hertrain: bool = False,
                     generator: str = "demo", variant: str = "base", months: int = 1, deliveries: int = 2) -> dict:
    """Generate two deliveries (or reuse them in `work`), analyse 1, then 2 incrementally and in full (both
    continuing 1), and with `fresh_run` 2 from nothing; measure. `keep_first`: where to keep a copy of
    delivery 1's store (the tests resolve delivery 2 against it again).

    With `repeat` > 1 the pair of delivery-2 runs is repeated, each time from a copy of delivery 1's output:
    on a shared machine one pair's ratio moves by ±0.1, so the ratio reported is the median of the pairs'
    ratios, and the seconds per stage are medians. `hertrain`: the incremental run computes the score models'
    training rows again instead of fitting on delivery 1's (`score/model_reuse.py`). `generator` "onafhankelijk":
    the independent generator's world (`variant`, deliveries `months` apart) instead of the demo world's.
    `deliveries` > 2: the later deliveries follow as a chain of incremental runs (`_follow`, `keten`)."""
    if deliveries < 2:
        raise ValueError("at least two deliveries")
    work = Path(work)
    first, second = work / folder_name(1), work / folder_name(2)
    # deliveries already in `work` are reused (a longer series of the same world serves a shorter chain: delivery k
    # does not depend on how many follow it); at 1M units writing them takes half an hour
    if not (work / folder_name(deliveries) / "manifest.json").exists():
        _generate(work, units, seed, dialect, generator, variant, months, deliveries)
    out, full, fresh = work / "uitvoer", work / "uitvoer-opnieuw", work / "uitvoer-vers"
    pristine = work / "uitvoer-levering-1"
    for folder in (out, full, fresh, pristine):
        if folder.exists():
            shutil.rmtree(folder)
    runs = {"levering_1": _run(first, out)}
    shutil.copyfile(out / "adressen.csv", _ranked(work, 1))
    kept_entities = work / "entiteiten-levering-1.csv"
    shutil.copyfile(out / "entiteiten.csv", kept_entities)
    if repeat > 1:
        shutil.copytree(out, pristine, symlinks=True)
    shutil.copytree(out, full, symlinks=True)
    if keep_first is not None:
        shutil.copyfile(out / "pandzicht.duckdb", keep_first)
    pairs = []
    for k in range(max(repeat, 1)):
        if k:
            for folder in (out, full):
                shutil.rmtree(folder)
                shutil.copytree(pristine, folder, symlinks=True)
        pairs.append((_run(second, out, hertrain=hertrain), _run(second, full, opnieuw=True)))
    if pristine.exists():
        shutil.rmtree(pristine)
    shutil.copyfile(out / "adressen.csv", _ranked(work, 2))
    runs["levering_2_incrementeel"] = _median_run([i for i, _ in pairs])
    runs["levering_2_volledig"] = _median_run([w for _, w in pairs])
    truth = second / "truth" / "persoon_sleutel.csv"
    inc = runs["levering_2_incrementeel"]
    result = {
        "eenheden": units, "seed": seed, "dialect": dialect, "generator": generator,
        **({"variant": variant, "maanden_tussen_leveringen": months} if generator == "onafhankelijk" else {}),
        "runs": runs,
        "id_stabiliteit": id_stability(kept_entities, out / "entiteiten.csv"),
        "id_stabiliteit_volledig": id_stability(kept_entities, full / "entiteiten.csv"),
        "ware_partijen": true_party_stability(kept_entities, first / "truth" / "persoon_sleutel.csv",
                                              out / "entiteiten.csv", truth),
        **_equivalence(out, full, truth, work / "entiteiten-volledig.csv"),
        "herhalingen": [{"incrementeel_s": i["totaal_s"], "volledig_s": w["totaal_s"],
                         "verhouding": round(i["totaal_s"] / max(w["totaal_s"], 1e-9), 4)} for i, w in pairs],
        "tijd_incrementeel_tov_volledig": float(median(i["totaal_s"] / max(w["totaal_s"], 1e-9) for i, w in pairs)),
        "stadia_incrementeel_tov_volledig": {
            s: round(float(median(i["stadia_s"][s] / w["stadia_s"][s] for i, w in pairs)), 3)
            for s in inc["stadia_s"] if all(w["stadia_s"].get(s) and s in i["stadia_s"] for i, w in pairs)},
        "incrementeel": inc["koppeling"].get("modus") == "incrementeel",
        "wijzigingen_tegen_waarheid": changes_against_truth(
            first / "truth" / "adres_typologie.csv", second / "truth" / "adres_typologie.csv",
            out / "wijzigingen.csv", out / "adressen.csv"),
    }
    if fresh_run:
        runs["levering_2_vers"] = _run(second, fresh)
        result["id_stabiliteit_vers"] = id_stability(kept_entities, fresh / "entiteiten.csv")
    if deliveries > 2:
        keys = ("id_stabiliteit", "ware_partijen", "top200_overlap", "entiteit_f1_incrementeel", "entiteit_f1_volledig",
                "entiteit_f1_verschil", "entiteit_f1_tov_volledig", "wijzigingen_tegen_waarheid")
        first_step = _step(2, inc, runs["levering_2_volledig"], {
            **{key: result[key] for key in keys}, "id_stabiliteit_sinds_levering_1": result["id_stabiliteit"]})
        result["keten"] = [first_step, *_follow(work, out, deliveries, kept_entities, hertrain)]
        result["leveringen"] = deliveries
        result["signalering"] = detection(work, deliveries)
    return result


def render(result: dict) -> list[Table]:
    """The bench as rich tables: seconds and peak MB per stage for each run, then the figures."""
    runs = result["runs"]
    titles = {"levering_1": "levering 1", "levering_2_incrementeel": "levering 2 incrementeel",
              "levering_2_volledig": "levering 2 volledig", "levering_2_vers": "levering 2 vers"}
    stages = list(dict.fromkeys(s for r in runs.values() for s in r["stadia_s"]))
    reps = len(result.get("herhalingen", [])) or 1
    world = (f"onafhankelijke generator, {result.get('variant')}, leveringen "
             f"{result.get('maanden_tussen_leveringen')} maand(en) uit elkaar; "
             if result.get("generator") == "onafhankelijk" else "")
    table = Table(title=f"bench leveringen ({world}{result['eenheden']:,} verblijfsobjecten, seed {result['seed']}; "
                        "levering 2 incrementeel en volledig (--opnieuw), beide als vervolg op levering 1"
                        + (f"; levering 2: mediaan van {reps} paren" if reps > 1 else "") + ")")
    table.add_column("stadium", no_wrap=True)
    for name in runs:
        table.add_column(f"{titles[name]} s", justify="right")
        table.add_column("piek MB", justify="right")
    for stage in [*stages, "totaal"]:
        cells = []
        for r in runs.values():
            if stage == "totaal":
                cells += [f"{r['totaal_s']:.2f}", str(max(r["piek_geheugen_mb"].values(), default=0))]
            else:
                secs = r["stadia_s"].get(stage)
                cells += ["" if secs is None else f"{secs:.2f}", str(r["piek_geheugen_mb"].get(stage, ""))]
        table.add_row(stage, *cells)
    figures = Table(title="id-stabiliteit en gelijkwaardigheid van de incrementele met de volledige analyse van "
                          "levering 2")
    figures.add_column("maat")
    figures.add_column("waarde", justify="right")
    ids, true = result["id_stabiliteit"], result["ware_partijen"]
    figures.add_row("partijen met id behouden", f"{ids['id_behouden']:,}/{ids['partijen_aanwezig']:,} "
                    f"({ids['aandeel']:.2%})")
    figures.add_row("  zonder BRP-inschrijving", f"{ids['zonder_brp_behouden']:,}/{ids['zonder_brp_aanwezig']:,} "
                    f"({ids['zonder_brp_aandeel']:.2%})")
    full = result["id_stabiliteit_volledig"]
    figures.add_row("ter vergelijking: volledig (--opnieuw)",
                    f"{full['aandeel']:.2%}; zonder BRP {full['zonder_brp_aandeel']:.2%}")
    if "id_stabiliteit_vers" in result:
        fresh = result["id_stabiliteit_vers"]
        figures.add_row("ter vergelijking: verse analyse",
                        f"{fresh['aandeel']:.2%}; zonder BRP {fresh['zonder_brp_aandeel']:.2%}")
    figures.add_row("ware partijen met hetzelfde id", f"{true['zelfde_id']:,}/{true['ware_partijen']:,} "
                    f"({true['aandeel']:.2%})")
    figures.add_row("  zonder BRP-inschrijving", f"{true['zonder_brp_zelfde_id']:,}/{true['zonder_brp']:,} "
                    f"({true['zonder_brp_aandeel']:.2%})")
    figures.add_row("top-200-overlap incrementeel/volledig", f"{result['top200_overlap']:.1%}")
    w = result.get("wijzigingen_tegen_waarheid")
    if w:
        figures.add_row("criminele woningen nieuw sinds levering 1: in top 200 / in wijzigingen.csv",
                        f"{w['gestart_in_top']}/{w['gestart']} / {w['gestart_in_wijzigingen']}/{w['gestart']}")
        figures.add_row("  wijzigingen omhoog die crimineel gebruik zijn", f"{w['omhoog_waar']}/{w['omhoog']}")
        figures.add_row("  beëindigd gebruik als gedaald of van de lijst", f"{w['geeindigd_omlaag']}/{w['geeindigd']}")
    figures.add_row("entiteit-F1 incrementeel / volledig (tegen de waarheid)",
                    f"{result['entiteit_f1_incrementeel']:.4f} / {result['entiteit_f1_volledig']:.4f}")
    figures.add_row("verschil F1", f"{result['entiteit_f1_verschil']:+.4f}")
    figures.add_row("F1 incrementeel tegen volledig", f"{result['entiteit_f1_tov_volledig']:.4f}")
    koppeling = runs["levering_2_incrementeel"]["koppeling"]
    figures.add_row("koppeling levering 2", f"{koppeling.get('modus', '?')}, model {koppeling.get('model', '?')}")
    records = koppeling.get("records", {})
    if records:
        figures.add_row("  records nieuw / gewijzigd / verwijderd / opnieuw geresolveerd",
                        f"{records['nieuw']:,} / {records['gewijzigd']:,} / {records['verwijderd']:,} / "
                        f"{records['opnieuw_geresolveerd']:,}")
    peil = runs["levering_2_incrementeel"].get("peildata", {})
    if peil:
        figures.add_row("eerdere peildata (training) levering 2",
                        f"{peil.get('modus', '?')}: {peil.get('peildata_hergebruikt', 0):,} overgenomen, "
                        f"{peil.get('peildata_deels', 0):,} deels, {peil.get('peildata_berekend', 0):,} berekend")
    scoremodel = runs["levering_2_incrementeel"].get("scoremodel", {})
    if scoremodel:
        figures.add_row("trainingsrijen scoremodellen levering 2", f"{scoremodel.get('model', '?')}: "
                        f"{scoremodel.get('reden', '')}")
    reuse = runs["levering_2_incrementeel"].get("hergebruik", {})
    if reuse:
        intake, mentions = reuse.get("inlezen", {}), reuse.get("vermeldingen", {})
        figures.add_row("overgenomen levering 2",
                        f"bronnen {', '.join(intake.get('overgenomen', [])) or 'geen'}; vermeldingen "
                        f"{mentions.get('overgenomen', 0):,} overgenomen, {mentions.get('afgeleid', 0):,} afgeleid")
    ratios = [h["verhouding"] for h in result.get("herhalingen", [])]
    figures.add_row("tijd incrementeel / volledig" + (" (mediaan)" if len(ratios) > 1 else ""),
                    f"{result['tijd_incrementeel_tov_volledig']:.2f}"
                    + (f" ({', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""))
    return [table, figures, *([chain_table(result["keten"])] if result.get("keten") else []),
            *([detection_table(result["signalering"])] if result.get("signalering") else [])]


def detection_table(found: dict) -> Table:
    """How many deliveries after it started a new criminal use first reached the shortlist."""
    table = Table(title="nieuw crimineel gebruik: na hoeveel leveringen op de korte lijst (0 = in de levering "
                        "waarin het begon), zolang het gebruik duurt")
    table.add_column("korte lijst")
    table.add_column("gestart", justify="right")
    depth = max((d for f in found.values() for d in f["na_leveringen"]), default=0)
    for d in range(depth + 1):
        table.add_column(f"na {d}", justify="right")
    table.add_column("niet (nog lopend)", justify="right")
    for name, f in found.items():
        label = f"top {f['grens']}" if name == "top" else f"top {f['grens']:.0%}"
        after = {int(k): v for k, v in f["na_leveringen"].items()}
        table.add_row(label, str(f["gestart"]), *(str(after.get(d, 0)) for d in range(depth + 1)),
                      f"{f['niet_gevonden']} ({f['te_kort_gevolgd']})")
    return table


def chain_table(steps: list[dict]) -> Table:
    """Delivery after delivery: each incremental step beside a full run of the same delivery."""
    table = Table(title="maand na maand: elke levering incrementeel als vervolg op de vorige (incr.), naast een "
                        "volledige analyse van dezelfde levering (vol., --opnieuw); ids behouden sinds de vorige "
                        "levering (alle, zonder BRP), sinds levering 1, en van de ware partijen; F1 tegen de "
                        "waarheid en incr. tegen vol.; nieuw crimineel gebruik in de top 200")
    # short headers: the legend is in the title and in docs/schaal.md
    for col in ("lev.", "incr. s", "vol. s", "verh.", "model", "ids", "zonder BRP", "sinds 1", "ware", "top-200",
                "F1 incr./vol.", "F1 incr.~vol.", "nieuw in top"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for st in steps:
        ids, since, true = st["id_stabiliteit"], st["id_stabiliteit_sinds_levering_1"], st["ware_partijen"]
        w = st.get("wijzigingen_tegen_waarheid") or {}
        table.add_row(
            str(st["levering"]), f"{st['incrementeel_s']:.1f}", f"{st['volledig_s']:.1f}", f"{st['verhouding']:.2f}",
            st["koppeling"].get("model", "?") if st["koppeling"].get("modus") == "incrementeel" else "volledig",
            f"{ids['aandeel']:.2%}", f"{ids['zonder_brp_aandeel']:.2%}", f"{since['aandeel']:.2%}",
            f"{true['aandeel']:.2%}", f"{st['top200_overlap']:.1%}",
            f"{st['entiteit_f1_incrementeel']:.4f} / {st['entiteit_f1_volledig']:.4f}",
            f"{st['entiteit_f1_tov_volledig']:.4f}",
            f"{w['gestart_in_top']}/{w['gestart']}" if w else "")
    return table
