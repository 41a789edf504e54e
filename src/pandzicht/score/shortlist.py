"""Ranked, explained shortlists of units and parties from the indicator values.

Units are scored by the transparent model learned from past outcomes; parties
(agents, landlords, owners, tenants) by the sum of their own indicators. Both
keep the per-indicator contributions, which is what every screen shows.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pandzicht import fallback
from pandzicht.indicators.catalogue import Indicator
from pandzicht.score import model_reuse
from pandzicht.score.model import MIN_LABELS, MIN_SUPPORT, TransparentModel, explain_rows, fit, gate
from pandzicht.score.model_reuse import Decision, Kept
from pandzicht.score.party_weights import MIN_CONFIRMED, party_training, party_weights
from pandzicht.score.training import CONTROLS_PER_CHECK, TrainingSet, extended, restrict_to_coverage, training_set
from pandzicht.score.typology import (
    MIN_POSITIVES,
    NOTHING_FOUND,
    FitStart,
    TypologyModel,
    finding_rows,
    fit_typology,
    guesses_for,
)
from pandzicht.score.typology_evidence import evidence_indicators, with_evidence
from pandzicht.store.engine import Store

ROLE_PRIORITY = ("bemiddelaar", "verhuurder", "eigenaar", "huurder")
# Every dwelling in the bundle: the loaded ones, and those whose BAG row was quarantined for another field
# but still carries a valid id, so that no dwelling drops off the list unseen (scored on what is known).
DWELLINGS_SQL = """
SELECT verblijfsobject_id FROM raw_bag_verblijfsobject
WHERE list_contains(string_split(gebruiksdoel, ';'), 'woonfunctie')
UNION
SELECT TRIM(verblijfsobject_id) FROM quarantine_bag_verblijfsobject
WHERE regexp_full_match(TRIM(verblijfsobject_id), '[0-9]{16}') AND gebruiksdoel LIKE '%woonfunctie%'
ORDER BY 1
"""


def _matrix(store: Store, ids_sql: str, codes: list[str]) -> tuple[list[str], np.ndarray]:
    """The ids of `ids_sql` and, per id and code, the indicator's largest value (0 where it did not fire). Placed by
    Arrow and NumPy: millions of values at 1M units, where a loop over rows took seconds."""
    ids = [r[0] for r in store.rows(ids_sql)]
    x = np.zeros((len(ids), len(codes)))
    if not ids or not codes:
        return ids, x
    placeholders = ", ".join("?" for _ in codes)
    values = store.arrow(
        f"SELECT indicator, entiteit_id, waarde FROM indicator_waarde WHERE indicator IN ({placeholders})", codes)
    if not values.num_rows:
        return ids, x
    row = pc.index_in(values.column("entiteit_id").cast(pa.string()), value_set=pa.array(ids, pa.string()))
    col = pc.index_in(values.column("indicator").cast(pa.string()), value_set=pa.array(codes, pa.string()))
    found = pc.and_(row.is_valid(), col.is_valid())
    i = pc.filter(row, found).to_numpy().astype(np.int64)
    j = pc.filter(col, found).to_numpy().astype(np.int64)
    v = pc.filter(values.column("waarde").cast(pa.float64()), found).to_numpy(zero_copy_only=False)
    np.fmax.at(x, (i, j), v)  # the largest value per cell; a value below 0 leaves the 0 of "did not fire"
    return ids, x


DEFAULT_BASE_RATE = 0.01  # share of dwellings with a finding, assumed when the outcomes cannot say
BASE_RATE_BOUNDS = (0.001, 0.2)  # a measured share outside these is taken as a sign of unrepresentative outcomes


def _prevalence(store: Store, n_units: int) -> float:
    """The share of dwellings where a check ever found something: the level the scores are set to."""
    if not store.has_table("raw_handhaving_uitkomst") or not n_units:
        fallback.record(store, "score.basisniveau", "geen handhavingsuitkomsten geleverd",
                        f"aandeel woningen met een bevinding aangenomen op {DEFAULT_BASE_RATE:.1%}")
        return DEFAULT_BASE_RATE
    found = int(store.scalar(
        "SELECT count(DISTINCT verblijfsobject_id) FROM raw_handhaving_uitkomst WHERE bevinding <> 'niets_gevonden' "
        "AND verblijfsobject_id IN (SELECT verblijfsobject_id FROM raw_bag_verblijfsobject)"
    ))
    if not found:
        fallback.record(store, "score.basisniveau", "geen enkele controle in de uitkomsten vond iets "
                        "(0 woningen met een bevinding)",
                        f"aandeel woningen met een bevinding aangenomen op {DEFAULT_BASE_RATE:.1%}")
        return DEFAULT_BASE_RATE
    rate = found / n_units
    lo, hi = BASE_RATE_BOUNDS
    if not lo <= rate <= hi:
        bound = min(max(rate, lo), hi)
        fallback.record(store, "score.basisniveau", f"{found} van {n_units} woningen hadden een bevinding "
                        f"({rate:.2%}), buiten de aannemelijke grenzen {lo:.1%}–{hi:.0%}",
                        f"aandeel begrensd op {bound:.1%}")
        return bound
    return rate


def score_units(store: Store, indicators: list[Indicator], reuse: Decision | None = None) -> TransparentModel:
    """Write `adres_score` (rang, verblijfsobject_id, score, vermoeden, uitleg) for every dwelling.

    Also `typologie_kans` (per home with any evidence, the probability of each typology) and the two
    models as JSON (`model_adres`, `model_typologie`). Every default used for lack of evidence is recorded
    with `pandzicht.fallback`. `reuse` holds the training rows of an earlier delivery when they still fit
    (`model_reuse.decide`): the models are then fitted on them instead of on rows computed again; it collects the
    rows used, which `score_parties` keeps in the store."""
    reuse = reuse if reuse is not None else Decision("getraind", "")
    unit_inds = [i for i in indicators if i.unit_level]
    codes = [i.code for i in unit_inds]
    ids, x = _matrix(
        store,
        DWELLINGS_SQL,
        codes,
    )
    # Evidence about people counts only beside a signal about the home itself (`gate`), here and in training.
    conditional = np.array([i.alleen_met_woningsignaal for i in unit_inds], dtype=bool)
    x = gate(x, conditional)
    kept = reuse.kept
    if kept is not None:  # the earlier delivery's rows as this delivery's sources cover their dates
        restrict_to_coverage(store, kept.units, unit_inds)
        restrict_to_coverage(store, kept.evidence, evidence_indicators())
        kept = _with_new_checks(store, unit_inds, reuse, kept)
    model, typology, x_typ, reuse.units, reuse.evidence = _train_units(store, unit_inds, ids, x, conditional, kept)
    reuse.typology = typology
    if kept is not None:
        model.notes.append(f"de controles tot peildatum {reuse.header['peildatum']} met hun waarden van vóór de "
                           f"controle zoals berekend bij die levering (hergebruikt: {reuse.reden}), aangevuld met "
                           f"{reuse.figures['toegevoegd']['controles']} nieuwe; opnieuw geschat op deze levering")
    scores = model.predict(x) if len(ids) else np.zeros(0)
    contrib = model.contributions(x)
    strength = model.logit(x) if len(ids) else np.zeros(0)
    guesses = _write_typologies(store, typology, ids, x, x_typ, strength)
    # Ranked on the log-odds, not the rounded probability: near 1 many homes print the same score, and their
    # order must still follow the evidence (the id breaks only true ties).
    order = _ranked(strength, ids)
    table = pa.table({
        "rang": pa.array(np.arange(1, len(ids) + 1), pa.int64()),
        "verblijfsobject_id": [ids[r] for r in order],
        "score": [round(float(scores[r]), 6) for r in order],
        "vermoeden": [guesses[r] for r in order],
        "uitleg": explain_rows(codes, contrib, order),
    })
    store.write_arrow("adres_score", table)
    _write_contributions(store, "adres", ids, codes, contrib)
    store.execute("CREATE OR REPLACE TABLE model_adres (model VARCHAR)")
    store.execute("INSERT INTO model_adres VALUES (?)", [json.dumps(model.to_json(), ensure_ascii=False)])
    return model


def _train_units(store: Store, unit_inds: list[Indicator], ids: list[str], x: np.ndarray, conditional: np.ndarray,
                 kept: Kept | None = None) -> tuple[TransparentModel, TypologyModel, np.ndarray, TrainingSet,
                                                    TrainingSet]:
    """Fit the address weights and the typology model on the past checks (as computed now, or `kept` from an
    earlier delivery); with today's typology inputs and the training rows used."""
    codes = [i.code for i in unit_inds]
    train = kept.units if kept is not None else training_set(store, unit_inds, controls_per_check=CONTROLS_PER_CHECK)
    _record_training_gaps(store, train)
    # An indicator whose source did not cover a past check's date is filled with today's mean: it then
    # says nothing about that check's outcome, instead of claiming the signal was absent.
    fill = x.mean(axis=0) if len(ids) else np.zeros(len(codes))
    x_train = gate(train.imputed(fill), conditional, train.observed)
    controls = gate(train.controls.imputed(fill), conditional, train.controls.observed) if train.controls else None
    model = fit(codes, x_train, train.y, x, base_rate=_prevalence(store, len(ids)), observed=train.observed,
                controls=controls)
    model.notes.append(f"getraind op {len(train.y)} controles, indicatoren per controle berekend op "
                       f"{train.snapshots} peildata vóór de controle"
                       + (f", met een steekproef van {model.controls} woningen uit de levering zoals ze op die "
                          "peildata stonden" if model.controls else ""))
    _record_weight_fallbacks(store, model, x_train)
    typology, x_typ, train_ev = _fit_typologies(store, unit_inds, ids, x, x_train, train,
                                                kept.evidence if kept is not None else None,
                                                kept.typology if kept is not None else None)
    return model, typology, x_typ, train, train_ev


def _with_new_checks(store: Store, unit_inds: list[Indicator], reuse: Decision, kept: Kept) -> Kept:
    """The kept rows with those of the checks since the training added (their values computed now, at their
    reference dates, and kept in the store beside the earlier ones): the past a run computing every row would
    learn from, of which only the new part is computed. The party rows are added in `score_parties`."""
    since = dt.date.fromisoformat(reuse.header["peildatum"])
    units = training_set(store, unit_inds, CONTROLS_PER_CHECK, kept=kept.units, since=since)
    evidence = training_set(store, evidence_indicators(), kept=kept.evidence, since=since)
    reuse.figures["toegevoegd"] = {"controles": len(units.y),
                                   "steekproef": len(units.controls.units) if units.controls else 0}
    return Kept(extended(kept.units, units), extended(kept.evidence, evidence), kept.parties, kept.typology)


def _ranked(strength: np.ndarray, ids: list[str]) -> list[int]:
    """Row order by falling strength (rounded to 9 decimals so summation noise makes no order), then id.

    Sorted by NumPy (a Python sort keyed per row took seconds for the 2.4M parties of 1M units); the rounding stays
    Python's, whose decimal rounding NumPy's does not always equal."""
    if not len(ids):
        return []
    falling = np.array([-round(float(v), 9) for v in strength], dtype=np.float64)
    return np.lexsort((np.array(ids, dtype=str), falling)).tolist()


def _record_training_gaps(store: Store, train: TrainingSet) -> None:
    if not store.has_table("raw_handhaving_uitkomst"):
        return  # recorded once, by the base rate
    if train.outside_bag:
        fallback.record(store, "score.uitkomsten", f"{train.outside_bag} controles betreffen een verblijfsobject "
                        "dat niet in de BAG-levering staat", "deze controles tellen niet mee bij het leren")


def _record_weight_fallbacks(store: Store, model: TransparentModel, x_train: np.ndarray) -> None:
    if not model.learned:
        if model.n_pos + model.n_neg == 0:
            why = "geen handhavingsuitkomsten om gewichten uit te leren (0 controles)"
        elif model.n_pos == 0 or model.n_neg == 0:
            why = (f"uitkomsten van één soort: {model.n_pos} controles met en {model.n_neg} zonder bevinding "
                   f"(minimaal {MIN_LABELS} van elk)")
        else:
            why = (f"te weinig uitkomsten: {model.n_pos} controles met en {model.n_neg} zonder bevinding "
                   f"(minimaal {MIN_LABELS} van elk)")
        fallback.record(store, "score.gewichten", why,
                        "elke indicator weegt naar hoe zeldzaam hij in deze levering is: log(0,5 / aandeel van de "
                        "woningen waar hij afgaat)")
        return
    if model.n_neg < MIN_LABELS:
        kind = "uitkomsten van één soort" if not model.n_neg else "te weinig controles zonder bevinding"
        fallback.record(store, "score.gewichten", f"{kind}: {model.n_pos} controles met en {model.n_neg} zonder "
                        f"bevinding (minimaal {MIN_LABELS} van elk)",
                        f"gewichten geleerd uit de bevindingen tegen een steekproef van {model.controls} woningen "
                        "uit de levering, zoals ze op de peildata van de controles stonden; wat controles zonder "
                        "bevinding leren (welke signalen ook bij gecontroleerde onschuldige woningen afgaan), "
                        "ontbreekt")
    supported = int(((x_train > 0).sum(axis=0) >= MIN_SUPPORT).sum())
    if not supported:
        fallback.record(store, "score.gewichten.krimp", f"geen indicator was bij minstens {MIN_SUPPORT} controles "
                        "actief", "de gewichten blijven dicht bij hoe zeldzaam elke indicator in deze levering is")


def _fit_typologies(store: Store, unit_inds: list[Indicator], ids: list[str], x: np.ndarray, x_train: np.ndarray,
                    train: TrainingSet, train_ev: TrainingSet | None, start: FitStart | None = None,
                    ) -> tuple[TypologyModel, np.ndarray, TrainingSet]:
    """Fit the typology model on past findings; with today's inputs (the indicators and the evidence). A continued
    delivery's fit starts from the previous delivery's solution (`start`): the same optimum in no more steps."""
    rows = finding_rows(train)
    labels = [train.findings[i] for i in rows]
    # the indicators plus the tips and police registrations per category: what tells typologies apart
    feats, points, x_typ, x_typ_train, train_ev = with_evidence(
        store, ids, [i.code for i in unit_inds], {i.code: i.wijst_op for i in unit_inds}, x, train, x_train, train_ev)
    model = fit_typology(feats, points, x_typ_train[rows], labels, x_typ, start=start)
    _record_typology_fallbacks(store, model, train)
    return model, x_typ, train_ev


def _write_typologies(store: Store, model: TypologyModel, ids: list[str], x: np.ndarray, x_typ: np.ndarray,
                      strength: np.ndarray) -> list[str]:
    """Write `typologie_kans` and `model_typologie`; the guesses."""
    proba = model.proba(x_typ) if len(ids) else np.zeros((0, len(model.typologies)))
    evidence = (x > 0).any(axis=1)
    held = np.flatnonzero(evidence)
    store.write_arrow("typologie_kans", pa.table({
        "verblijfsobject_id": [ids[r] for r in held for _ in model.typologies],
        "typologie": [t for _ in held for t in model.typologies],
        "kans": proba[held].ravel().round(4) if len(held) else np.zeros(0),
    }), order_by="verblijfsobject_id, typologie")
    store.execute("CREATE OR REPLACE TABLE model_typologie (model VARCHAR)")
    store.execute("INSERT INTO model_typologie VALUES (?)", [json.dumps(model.to_json(), ensure_ascii=False)])
    return guesses_for(model, proba, strength, evidence)


def _record_typology_fallbacks(store: Store, model: TypologyModel, train: TrainingSet) -> None:
    nothing = sum(1 for f in train.findings if f == NOTHING_FOUND)
    if not model.n_findings:
        why = ("geen handhavingsuitkomsten geleverd" if not store.has_table("raw_handhaving_uitkomst")
               else f"geen enkele controle vond iets ({nothing} controles zonder bevinding)")
        fallback.record(store, "score.typologie", why,
                        "typologie per woning uit de indicatorcatalogus (wijst_op), voor alle typologieën")
        return
    few = [t for t, ok in model.learned.items() if not ok]
    if few:
        counts = ", ".join(f"{t} {model.positives[t]}" for t in few)
        fallback.record(store, "score.typologie", f"te weinig bevindingen om van te leren (minimaal {MIN_POSITIVES}"
                        f" per typologie; {model.n_findings} bevindingen in totaal): {counts}",
                        "deze typologieën volgen vooral de catalogus (wijst_op), bijgesteld met hun weinige "
                        "bevindingen; een typologie zonder bevinding krijgt de basiskans van een gemiddelde typologie")


def _write_contributions(store: Store, level: str, ids: list[str], codes: list[str], contrib: np.ndarray) -> None:
    rows, cols = np.nonzero(contrib > 0)
    table = pa.table({
        "entiteit_id": [ids[r] for r in rows],
        "indicator": [codes[c] for c in cols],
        "bijdrage": contrib[rows, cols].round(6),
    })
    store.write_arrow(f"bijdrage_{level}", table, order_by="entiteit_id, indicator")


def score_parties(store: Store, indicators: list[Indicator], reuse: Decision | None = None) -> None:
    """Write `partij_score` for every resolved agent, landlord, owner and tenant; keep the training rows of the
    three score models for the next delivery (`model_reuse`: those `score_units` put in `reuse`, and the party
    weights' own)."""
    party_inds = [i for i in indicators if not i.unit_level]
    codes = [i.code for i in party_inds]
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _partij AS
        WITH m AS (
          SELECT e.entiteit_id, v.rol, v.naam, v.kvk_nummer, v.bron
          FROM partij_vermelding v JOIN entiteit e USING (bron, record_sleutel)),
        rollen AS (
          SELECT entiteit_id, min(CASE rol WHEN 'bemiddelaar' THEN 1 WHEN 'verhuurder' THEN 2 WHEN 'eigenaar' THEN 3
                                           WHEN 'huurder' THEN 4 END) AS prio
          FROM m WHERE rol IN ('bemiddelaar', 'verhuurder', 'eigenaar', 'huurder') GROUP BY 1),
        namen AS (
          SELECT entiteit_id, naam, count(*) AS n,
                 max(CASE WHEN bron IN ('kvk_vestiging', 'brp_inschrijving') THEN 1 ELSE 0 END) AS register
          FROM m GROUP BY 1, 2)
        SELECT r.entiteit_id,
               (SELECT naam FROM namen x WHERE x.entiteit_id = r.entiteit_id
                ORDER BY register DESC, n DESC, naam LIMIT 1) AS naam,
               (SELECT min(kvk_nummer) FROM m WHERE m.entiteit_id = r.entiteit_id) AS kvk_nummer,
               ['bemiddelaar', 'verhuurder', 'eigenaar', 'huurder'][r.prio] AS rol
        FROM rollen r
    """)
    ids, x = _matrix(store, "SELECT entiteit_id FROM _partij ORDER BY 1", codes)
    # No outcomes are recorded per party; each indicator's weight comes from how often it fired, before the
    # finding, on the parties of homes where a past check found something (or 1 each with too few of them).
    kept = reuse.kept if reuse is not None else None
    training = None
    if kept is not None and reuse is not None and reuse.header:  # the kept rows, with the parties confirmed since
        training = party_training(store, party_inds, kept.parties, dt.date.fromisoformat(reuse.header["peildatum"]))
        reuse.figures.setdefault("toegevoegd", {})["partijen"] = training.confirmed - kept.parties.confirmed
    weights, training = party_weights(store, party_inds, x, training)
    if reuse is not None and reuse.units is not None and reuse.evidence is not None:
        header = model_reuse.trained_header(store, indicators, reuse.header if kept is not None else None)
        model_reuse.save(store, header, reuse.units, reuse.evidence, training, reuse.typology)
    if not weights.learned:
        fallback.record(store, "score.partijen.gewichten",
                        f"te weinig partijen bij woningen met een bevinding: {weights.confirmed} "
                        f"(minimaal {MIN_CONFIRMED})", "elke partij-indicator weegt 1 (de som van de waarden)")
    x = x * weights.weights[None, :]
    total = x.sum(axis=1)
    scores = 1.0 - np.exp(-total)
    store.execute("CREATE OR REPLACE TABLE model_partij (model VARCHAR)")
    store.execute("INSERT INTO model_partij VALUES (?)", [json.dumps(weights.to_json(), ensure_ascii=False)])
    # in the order of `ids` (both by entiteit_id), so a ranked column is one `take`
    meta = store.arrow("SELECT entiteit_id, naam, kvk_nummer, rol FROM _partij ORDER BY entiteit_id")
    if not meta.column("entiteit_id").combine_chunks().equals(pa.array(ids, meta.schema.field("entiteit_id").type)):
        raise AssertionError("de partijen van _partij en van de indicatormatrix lopen niet gelijk")
    order = _ranked(total, ids)  # the weighted sum, which the saturating score hides at the top
    ranked = pa.array(order, pa.int64())
    table = pa.table({
        "rang": pa.array(np.arange(1, len(ids) + 1), pa.int64()),
        "entiteit_id": meta.column("entiteit_id").take(ranked),
        "naam": meta.column("naam").take(ranked),
        "kvk_nummer": meta.column("kvk_nummer").take(ranked),
        "rol": meta.column("rol").take(ranked),
        "score": [round(float(scores[r]), 6) for r in order],
        "uitleg": explain_rows(codes, x, order),
    })
    store.write_arrow("partij_score", table)
    _write_contributions(store, "partij", ids, codes, x)
