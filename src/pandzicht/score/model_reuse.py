"""The score models' training rows of the previous delivery, reused while what they were learned from still holds.

Learning the weights is most of scoring: every indicator is recomputed as it stood before each past check
(`training.py`), for homes and for parties, and the indicators that compare a home with the rest of the delivery
must be recomputed at every one of those dates in every delivery (`point_in_time.py`). A monthly delivery adds
about one check in a hundred (12 of 930 in the demo world's second month), so computing those rows again every
month spends most of a continued run to learn from nearly the same past. As the linking model is reused until
the data drifts (`link/parties_incremental.py`), the training rows of the three score models (address weights,
typology model, party weights) are kept in the store and reused until one of these says they no longer fit:

- there is no previous delivery, `--opnieuw` or `--hertrain` was given, or linking retrained its model
  (the parties, and so what the party indicators count, may have changed meaning);
- the previous analysis kept no training rows (an older pandzicht), or other scoring code or another
  catalogue (indicator, query, `wijst_op`, condition) made them;
- the checks they were learned from changed: a row of `handhaving_uitkomst` up to the training's peildatum
  added, removed or altered (a corrected finding must be learned);
- rows last computed in full more than MAX_AGE_DAYS ago: the older rows were computed on an older delivery, and
  what compares with the delivery (a neighbourhood's median) drifts.

Kept rows are continued, not frozen: the rows of the checks since the training (their indicators at their
reference dates, the homes the population sample adds there, the parties they confirm) are computed on this
delivery, exactly as a full run computes them, and appended. Without them a full run and a continued one learn
from different evidence where it matters most: at 1M units the 1% new checks all sat at a new reference date
where the energy indicators are observed, and the energy weights differed (top-200 overlap 89%). How many new
checks came in therefore no longer decides (session 25 computed everything again above 5%): they are computed in
either case, and the part of the rows that differs from a full run's (the older checks, as an older delivery saw
them) is bounded by its age.

The models themselves are always fitted again, on the rows and today's delivery: how often each indicator
fires today (the prior of its weight), the share of findings (the intercept), the typical strengths (the
typology model's scale). Measured against a full run in `bench leveringen`; the report says which it was and why
(`analyse.scoremodel`, docs/outputs.md). The previous delivery's past indicator values are carried into the new
store, with the new checks' beside them, so that the delivery that computes every row again can take them over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from pandzicht.indicators.catalogue import Indicator
from pandzicht.link import previous as prev
from pandzicht.score.party_weights import PartyTraining
from pandzicht.score.point_in_time import query_hash
from pandzicht.score.training import Controls, TrainingSet
from pandzicht.score.typology import FitStart, TypologyModel
from pandzicht.store.engine import Store

TABLE = "scoremodel"  # one row: what the kept training rows were computed from (JSON)
ROWS = "scoremodel_rijen"  # the kept training rows: per name a NumPy array (.npy bytes) or JSON
MAX_AGE_DAYS = 183  # a training older than this is redone, however few checks came in

_CHECKS_SQL = """
SELECT count(*), md5(coalesce(string_agg(concat_ws('|', verblijfsobject_id, datum, instrument, bevinding), chr(10)
                                         ORDER BY verblijfsobject_id, datum, instrument, bevinding), ''))
FROM raw_handhaving_uitkomst WHERE datum <= ?
"""


@dataclass
class Kept:
    """The training rows of the three score models, as one delivery computed them."""

    units: TrainingSet  # address checks (with population controls)
    evidence: TrainingSet  # the typology evidence at the same checks
    parties: PartyTraining
    typology: FitStart | None = None  # the typology model's solution: where this delivery's fit starts


@dataclass
class Decision:
    """Whether this delivery reuses the previous training rows (`kept` set) or computes them, and why."""

    model: str  # 'hergebruikt' or 'getraind'
    reden: str
    header: dict[str, Any] | None = None  # what the kept rows were computed from (TABLE)
    kept: Kept | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    # filled while scoring: the rows this delivery used, kept in its store for the next one
    units: TrainingSet | None = None
    evidence: TrainingSet | None = None
    typology: TypologyModel | None = None

    def report(self) -> dict[str, Any]:
        """The `analyse.scoremodel` section of laadrapport.json."""
        return {"model": self.model, "reden": self.reden, **self.figures}


@cache
def code_fingerprint() -> str:
    """What the kept rows were computed and are learned from with: the source of the scoring modules."""
    from pandzicht.score import model, party_weights, shortlist, training, typology, typology_evidence

    parts = []
    for module in (model, party_weights, shortlist, training, typology, typology_evidence):
        try:
            parts.append(inspect.getsource(module))
        except (OSError, TypeError):  # no source on disk: the module's name and the installed version decide
            from importlib.metadata import version

            parts.append(f"{module.__name__} {version('pandzicht')}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def catalogue_fingerprint(indicators: list[Indicator]) -> dict[str, str]:
    """Per indicator the scoring uses: its query, sources, conditions and prior, as one hash."""
    from pandzicht.score.typology_evidence import evidence_indicators

    out = {}
    for ind in [*indicators, *evidence_indicators()]:
        text = f"{query_hash(ind)}|{ind.unit_level}|{ind.alleen_met_woningsignaal}|{','.join(ind.wijst_op)}|{ind.fase}"
        out[ind.code] = hashlib.sha256(text.encode()).hexdigest()[:12]
    return out


def checks(store: Store, until: dt.date) -> tuple[int, str]:
    """The number of checks up to `until` and a hash of them (what a training learned from)."""
    if not store.has_table("raw_handhaving_uitkomst"):
        return 0, ""
    n, digest = store.rows(_CHECKS_SQL, [until])[0]
    return int(n), str(digest)


def _peildatum(store: Store) -> dt.date:
    return store.scalar("SELECT peildatum FROM bundel_meta")


def decide(store: Store, previous: Path | None, opnieuw: bool, hertrain: bool, koppeling: dict[str, Any],
           indicators: list[Indicator]) -> Decision:
    """Reuse the previous delivery's training rows, or compute them; with the reason."""
    if previous is None:
        return Decision("getraind", "eerste levering in deze map")
    if opnieuw:
        return Decision("getraind", "--opnieuw")
    if hertrain:
        return Decision("getraind", "--hertrain")
    if koppeling.get("model") != "hergebruikt":
        return Decision("getraind", "het koppelmodel is opnieuw getraind")
    if store.name != "duckdb":
        return Decision("getraind", "hergebruik van de trainingsrijen kan alleen op de DuckDB-opslag")
    with prev.attached(store, previous) as alias:
        found = prev.has_table(store, TABLE) and prev.has_table(store, ROWS)
        header = store.rows(f"SELECT model FROM {alias}.{TABLE}") if found else []
    if not header:
        return Decision("getraind", "de vorige analyse bewaarde geen trainingsrijen")
    state = json.loads(header[0][0])
    if state.get("code") != code_fingerprint():
        return Decision("getraind", "andere scorecode dan bij de training")
    now = catalogue_fingerprint(indicators)
    if state.get("catalogus") != now:
        before = state.get("catalogus", {})
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
        return Decision("getraind", "indicatorcatalogus gewijzigd sinds de training: " + ", ".join(changed[:5])
                        + (f" en {len(changed) - 5} meer" if len(changed) > 5 else ""))
    trained_on = dt.date.fromisoformat(state["peildatum"])
    computed_on = dt.date.fromisoformat(state.get("volledig_berekend_op", state["peildatum"]))
    today = _peildatum(store)
    figures: dict[str, Any] = {"getraind_op_peildatum": state["peildatum"],
                               "volledig_berekend_op_peildatum": computed_on.isoformat(),
                               "controles_bij_training": state["controles"]}
    if today <= trained_on:
        return Decision("getraind", "peildatum niet na die van de training", figures=figures)
    if (today - computed_on).days > MAX_AGE_DAYS:
        return Decision("getraind", f"de trainingsrijen zijn {(today - computed_on).days} dagen geleden volledig "
                        f"berekend (meer dan {MAX_AGE_DAYS})", figures=figures)
    n_then, digest = checks(store, trained_on)
    if (n_then, digest) != (state["controles"], state["controles_hash"]):
        return Decision("getraind", "de controles van vóór de training zijn gewijzigd (toegevoegd, verwijderd of "
                        "aangepast)", figures=figures)
    n_now, _ = checks(store, today)
    figures["nieuwe_controles"] = n_now - n_then
    # the rows themselves (megabytes at 1M units) are read only once they are known to fit
    with prev.attached(store, previous) as alias:
        rows = dict(store.rows(f"SELECT naam, waarde FROM {alias}.{ROWS}"))
    kept = _unpack(rows)
    if kept.units.x.shape[1] != sum(1 for i in indicators if i.unit_level):
        return Decision("getraind", "andere indicatoren dan bij de training", figures=figures)
    return Decision("hergebruikt", f"controles tot de training ongewijzigd ({n_then}), {n_now - n_then} nieuwe "
                    "erbij berekend; catalogus en code gelijk", state, kept, figures)


# -- the rows as stored --------------------------------------------------------------------------------------------
def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _array(b: bytes) -> np.ndarray:
    return np.load(io.BytesIO(b), allow_pickle=False)


def _pack_set(name: str, t: TrainingSet) -> dict[str, bytes]:
    meta = {"units": [str(u) for u in t.units], "dates": [d.isoformat() for d in t.dates], "snapshots": t.snapshots,
            "findings": t.findings, "outside_bag": t.outside_bag}
    out = {f"{name}.x": _npy(t.x), f"{name}.y": _npy(t.y), f"{name}.observed": _npy(t.observed)}
    if t.controls is not None:
        c = t.controls
        meta["controls"] = {"units": [str(u) for u in c.units], "dates": [d.isoformat() for d in c.dates]}
        out |= {f"{name}.controls.x": _npy(c.x), f"{name}.controls.observed": _npy(c.observed)}
    out[f"{name}.meta"] = json.dumps(meta).encode()
    return out


def _unpack_set(name: str, rows: dict[str, bytes]) -> TrainingSet:
    meta = json.loads(rows[f"{name}.meta"])
    controls = None
    if "controls" in meta:
        controls = Controls(_array(rows[f"{name}.controls.x"]), _array(rows[f"{name}.controls.observed"]),
                            meta["controls"]["units"], [dt.date.fromisoformat(d) for d in meta["controls"]["dates"]])
    return TrainingSet(_array(rows[f"{name}.x"]), _array(rows[f"{name}.y"]), _array(rows[f"{name}.observed"]),
                       meta["units"], [dt.date.fromisoformat(d) for d in meta["dates"]], int(meta["snapshots"]),
                       list(meta["findings"]), int(meta["outside_bag"]), controls)


def _unpack(rows: dict[str, bytes]) -> Kept:
    party = json.loads(rows["partijen.meta"])
    start = None
    if "typologie.meta" in rows:  # an analysis before the kept solution has none: its fit starts at the prior
        meta = json.loads(rows["typologie.meta"])
        start = FitStart(tuple(meta["features"]), tuple(meta["typologies"]), _array(rows["typologie.gewichten"]),
                         _array(rows["typologie.intercepten"]))
    return Kept(_unpack_set("adressen", rows), _unpack_set("bewijs", rows),
                PartyTraining(int(party["confirmed"]), list(party["codes"]), _array(rows["partijen.fired"])), start)


def save(store: Store, header: dict[str, Any], units: TrainingSet, evidence: TrainingSet,
         parties: PartyTraining, typology: TypologyModel | None = None) -> None:
    """Keep the training rows and what they were computed from in this store, for the next delivery; with the
    typology model's solution (full precision), where the next delivery's fit starts."""
    rows = {**_pack_set("adressen", units), **_pack_set("bewijs", evidence),
            "partijen.fired": _npy(parties.fired),
            "partijen.meta": json.dumps({"confirmed": parties.confirmed, "codes": parties.codes}).encode()}
    if typology is not None:
        rows |= {"typologie.gewichten": _npy(typology.weights), "typologie.intercepten": _npy(typology.intercepts),
                 "typologie.meta": json.dumps({"features": typology.features,
                                               "typologies": typology.typologies}).encode()}
    store.execute(f"CREATE OR REPLACE TABLE {TABLE} (model VARCHAR)")
    store.execute(f"INSERT INTO {TABLE} VALUES (?)", [json.dumps(header, ensure_ascii=False)])
    store.write_arrow(ROWS, pa.table({"naam": list(rows), "waarde": pa.array(list(rows.values()), pa.binary())}))


def trained_header(store: Store, indicators: list[Indicator], kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """What this delivery's rows were computed from: what the next delivery compares itself with. Rows that
    continue `kept` ones (the header they came with) hold every check up to today's peildatum, but their older
    part dates from when they were last computed in full (`volledig_berekend_op`, which MAX_AGE_DAYS limits)."""
    today = _peildatum(store)
    n, digest = checks(store, today)
    computed = (kept or {}).get("volledig_berekend_op", (kept or {}).get("peildatum", today.isoformat()))
    return {"code": code_fingerprint(), "catalogus": catalogue_fingerprint(indicators), "peildatum": today.isoformat(),
            "volledig_berekend_op": computed, "controles": n, "controles_hash": digest}
