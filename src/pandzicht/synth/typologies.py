"""Criminal and fraudulent use of homes: which units, since when, and how it changes occupancy.

Active cases (at peildatum) only end up in truth/; past cases were discovered
and leave outcomes (handhaving), police registrations and earlier signals.
Rates are per home and deliberately low (well under 1%), as in reality.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.synth.households import YEAR, day

# share of homes in active use at peildatum, per typology (~0.8% in total)
ACTIVE_RATE = {
    "safehouse": 0.0012,
    "drugsopslag": 0.0009,
    "hennepkwekerij": 0.0024,
    "prostitutie": 0.0007,
    "woonfraude": 0.0018,
    "overbewoning": 0.0012,
}
PAST_FACTOR = 1.5  # past (discovered) cases per active case
MIN_ACTIVE = 2  # at least this many per typology so small worlds can be evaluated

CORP, PRIVATE, INVESTOR, OWNER_OCC, COMMERCIAL = range(5)

# owner-class preference per typology: [corporation, private landlord, investor BV, owner-occupier]
_OWNER_W = {
    "safehouse": [1.0, 3.0, 3.0, 0.0],
    "drugsopslag": [1.0, 3.0, 3.0, 0.0],
    "hennepkwekerij": [2.0, 1.5, 1.5, 0.15],
    "prostitutie": [0.5, 3.0, 3.0, 0.0],
    "woonfraude": [3.0, 1.0, 0.7, 0.0],
    "overbewoning": [0.2, 4.0, 3.0, 0.0],
}
# does the criminal use replace the household with an unregistered (straw-man or company) tenancy?
REPLACES_HOUSEHOLD = {"safehouse", "drugsopslag", "prostitutie", "overbewoning"}


@dataclass
class Crime:
    """Active and past criminal use, plus the extra occupancy it causes."""

    active: pd.DataFrame  # unit, typologie, actief_vanaf, seg, bypass, longterm
    past: pd.DataFrame  # unit, typologie, seg, crime_from, discovered
    segments: pd.DataFrame  # the occupancy segments after the crime edits


def _pick(rng: np.random.Generator, weights: np.ndarray, k: int, taken: np.ndarray) -> np.ndarray:
    w = np.where(taken, 0.0, weights)
    k = min(k, int((w > 0).sum()))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    return rng.choice(len(w), size=k, replace=False, p=w / w.sum())


def _new_segments(seg: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return seg
    add = pd.DataFrame(rows)
    base = int(seg["seg"].max()) + 1
    add["seg"] = np.arange(base, base + len(add))
    add["hh"] = np.where(add["hh"] < 0, add["seg"], add["hh"])
    for c in seg.columns:
        if c not in add:
            add[c] = seg[c].iloc[0] if len(seg) else None
    return pd.concat([seg, add[seg.columns]], ignore_index=True)


def assign_crime(
    rng: np.random.Generator,
    units: pd.DataFrame,
    seg: pd.DataFrame,
    owner_class: np.ndarray,
    peil: int,
    rate_factor: dict[str, float] | None = None,
) -> Crime:
    """Choose units for every typology, set when the use started, and edit the occupancy to match.

    rate_factor multiplies ACTIVE_RATE per typology (for active and past cases alike; a dialect's mix)."""
    factor = rate_factor or {}
    seg = seg.copy()
    a = {
        c: seg[c].to_numpy(dtype=object if c == "kind" else None).copy()
        for c in ("start", "end", "kind", "registered", "crime", "crime_from", "discovered", "unit", "size", "hh")
    }
    n_homes = int(units["gebruiksdoel"].str.contains("woonfunctie").sum())
    cur = seg[(seg["end"] < 0) & (seg["kind"] == "household")]
    cur_unit = cur["unit"].to_numpy()
    cur_seg = cur.index.to_numpy()
    cur_start = cur["start"].to_numpy()
    oc = owner_class[cur_unit]
    area = units["oppervlakte_m2"].to_numpy()[cur_unit]
    central = units["_character"].to_numpy()[cur_unit] == "central"
    taken = np.zeros(len(cur), dtype=bool)
    new_rows: list[dict] = []
    active_rows: list[dict] = []
    for typ in TYPOLOGIES:
        k = max(MIN_ACTIVE, round(ACTIVE_RATE[typ] * factor.get(typ, 1.0) * n_homes * rng.uniform(0.85, 1.15)))
        w = np.array(_OWNER_W[typ] + [0.0])[np.minimum(oc, 4)] * np.where(central, 1.4, 1.0)
        if typ == "overbewoning":
            w = w * ((area >= 40) & (area <= 130))
        if typ == "hennepkwekerij":
            # the long-term corporation tenant ('60% lived there >= 5 years') is the typical grower
            w = w * np.where(peil - cur_start > 5 * YEAR, 2.5, 1.0)
        pick = _pick(rng, w, k, taken)
        taken[pick] = True
        for i in pick.tolist():
            s = int(cur_seg[i])
            start = int(cur_start[i])
            longterm = typ in ("hennepkwekerij", "woonfraude") and (
                peil - start > 3 * YEAR and rng.random() < (0.7 if typ == "hennepkwekerij" else 0.9)
            )
            span = rng.uniform(0.1, 2.5 if longterm else 1.8) * YEAR
            since = int(max(peil - span, start + 30))
            if since >= peil - 20:
                since = peil - 21
            bypass = typ == "hennepkwekerij" and rng.random() < 0.3
            row = {
                "unit": int(cur_unit[i]),
                "typologie": typ,
                "actief_vanaf": since,
                "bypass": bypass,
                "longterm": longterm,
                "seg": s,
            }
            if typ in REPLACES_HOUSEHOLD or (typ == "hennepkwekerij" and not longterm):
                # the former household left; the criminal tenancy starts shortly before the use
                cut = int(max(since - rng.integers(0, 60), start + 15))
                a["end"][s] = cut
                registered = typ == "overbewoning" or (typ in ("safehouse", "hennepkwekerij") and rng.random() < 0.3)
                size = int(rng.integers(4, 9)) if typ == "overbewoning" else 1
                new_rows.append(
                    {
                        "unit": int(cur_unit[i]),
                        "start": cut,
                        "end": -1,
                        "size": size,
                        "kind": "crime",
                        "registered": registered,
                        "crime": TYPOLOGIES.index(typ),
                        "crime_from": since,
                        "discovered": -1,
                        "hh": -1,
                    }
                )
                row["seg"] = -(len(new_rows))  # resolved below
                if typ in ("prostitutie", "overbewoning"):
                    new_rows.extend(_churn(rng, int(cur_unit[i]), cut, peil, typ))
            else:
                a["crime"][s], a["crime_from"][s] = TYPOLOGIES.index(typ), since
                if typ == "woonfraude":
                    new_rows.extend(_woonfraude_edits(rng, a, s, since, peil, cur_unit))
            active_rows.append(row)

    # past cases: an ended segment was criminal use, discovered when it ended
    for c, v in a.items():
        seg[c] = v
    ended = seg[(seg["end"] > day("2017-01-01")) & (seg["end"] < peil - 45) & (seg["kind"] == "household")]
    ended = ended[~np.isin(ended["unit"].to_numpy(), cur_unit[taken])]
    past_rows: list[dict] = []
    e_taken = np.zeros(len(ended), dtype=bool)
    e_oc = owner_class[ended["unit"].to_numpy()]
    for typ in TYPOLOGIES:
        rate = ACTIVE_RATE[typ] * factor.get(typ, 1.0)
        k = max(MIN_ACTIVE, round(rate * n_homes * PAST_FACTOR * rng.uniform(0.8, 1.2)))
        w = np.array(_OWNER_W[typ] + [0.0])[np.minimum(e_oc, 4)]
        pick = _pick(rng, w, k, e_taken)
        e_taken[pick] = True
        for i in pick.tolist():
            s = int(ended.index[i])
            st, en = int(a["start"][s]), int(a["end"][s])
            since = int(max(st, en - rng.uniform(0.3, 2.0) * YEAR))
            ref = s
            replaces = typ in REPLACES_HOUSEHOLD or (typ == "hennepkwekerij" and rng.random() < 0.4)
            if typ == "woonfraude":
                a["crime"][s], a["crime_from"][s], a["discovered"][s] = TYPOLOGIES.index(typ), since, en
                # as an active case: the tenant registered elsewhere while the contract ran on, until found out
                new_rows.extend(_woonfraude_edits(rng, a, s, since, en, cur_unit, closed=True))
            elif replaces:
                # as an active case: the household left shortly before the use, a criminal tenancy (a straw man,
                # a young BV, a crowd of registered workers) ran from then until found out
                new_rows.append(_past_tenancy(rng, a, s, since, en, typ))
                ref = -len(new_rows)
                if typ in ("prostitutie", "overbewoning"):
                    new_rows.extend(_churn(rng, int(a["unit"][s]), since, en, typ, closed=True))
            else:
                a["crime"][s], a["crime_from"][s], a["discovered"][s] = TYPOLOGIES.index(typ), since, en
            past_rows.append(
                {"unit": int(a["unit"][s]), "typologie": typ, "seg": ref, "crime_from": since, "discovered": en}
            )
    for c, v in a.items():
        seg[c] = v

    base = int(seg["seg"].max()) + 1
    seg = _new_segments(seg, new_rows)
    active = pd.DataFrame(active_rows, columns=["unit", "typologie", "actief_vanaf", "bypass", "longterm", "seg"])
    # crime segments created above got ids base + their position in new_rows
    active["seg"] = [base + (-s - 1) if s < 0 else s for s in active["seg"].tolist()]
    past = pd.DataFrame(past_rows, columns=["unit", "typologie", "seg", "crime_from", "discovered"])
    past["seg"] = [base + (-s - 1) if s < 0 else s for s in past["seg"].tolist()]
    return Crime(active=active, past=past, segments=seg.reset_index(drop=True))


def _past_tenancy(
    rng: np.random.Generator, a: dict[str, np.ndarray], s: int, since: int, found: int, typ: str
) -> dict:
    """A discovered case that replaced the household: the household's segment ends shortly before the use and
    a criminal tenancy runs from then until it was found out, shaped as an active case of the typology is.

    Before, the household's whole segment became the criminal use, from the day it moved in and with its own
    size, so the checks of a demo world taught what no active case looks like (an overcrowded home with the
    household's two people; a straw-man tenancy of eight years)."""
    st = int(a["start"][s])
    cut = int(max(since - rng.integers(0, 60), st))
    if cut - st < 30:
        # the household would have stayed under 30 days: it leaves no stay at all (its segment shrinks to
        # nothing, unregistered) and the criminal tenancy starts when the household moved in
        a["registered"][s] = False
        a["kind"][s] = "vertrokken"
        cut = st
    a["end"][s] = cut
    registered = typ == "overbewoning" or (typ in ("safehouse", "hennepkwekerij") and rng.random() < 0.3)
    return {
        "unit": int(a["unit"][s]),
        "start": cut,
        "end": found,
        "size": int(rng.integers(4, 9)) if typ == "overbewoning" else 1,
        "kind": "crime",
        "registered": registered,
        "crime": TYPOLOGIES.index(typ),
        "crime_from": since,
        "discovered": found,
        "hh": -1,
    }


def _churn(rng: np.random.Generator, unit: int, since: int, until: int, typ: str, closed: bool = False) -> list[dict]:
    """Short, changing registrations (prostitution) or overlapping migrant households (overcrowding)."""
    rows = []
    n = int(rng.integers(2, 7)) if typ == "prostitutie" else int(rng.integers(1, 4))
    if typ == "prostitutie" and rng.random() < 0.3:
        return rows
    for _ in range(n):
        a = int(rng.integers(since, max(since + 1, until - 25)))
        length = int(rng.uniform(25, 130)) if typ == "prostitutie" else int(rng.uniform(60, 500))
        e = a + length
        end = -1 if (e >= until and not closed) else min(e, until)
        size = 1 if typ == "prostitutie" else int(rng.integers(1, 4))
        rows.append(
            {
                "unit": unit,
                "start": a,
                "end": end,
                "size": size,
                "kind": "churn_" + typ,
                "registered": True,
                "crime": TYPOLOGIES.index(typ),
                "crime_from": since,
                "discovered": -1,
                "hh": -1,
            }
        )
    return rows


def _woonfraude_edits(
    rng: np.random.Generator, a: dict[str, np.ndarray], s: int, since: int, peil: int, homes: np.ndarray,
    closed: bool = False,
) -> list[dict]:
    """The contract tenant moves in elsewhere (registered there); subtenants register briefly or not at all.

    `closed`: a past case, found out at `peil` (the day its contract ended): the registration elsewhere, the
    subtenants and the short registrations end then too. Before, a past case left no trace in the BRP at all (its
    tenant stayed registered at the home), so the checks of a demo world taught nothing of what woonfraude looks
    like in the data, which a real region's past checks do."""
    rows = []
    unit = int(a["unit"][s])
    end = peil if closed else -1
    # the tenant household stays on the contract but is registered at another home from 'since'
    a["end"][s] = since
    a["kind"][s] = "woonfraude_tenant"
    other = int(homes[rng.integers(0, len(homes))])
    if other == unit:
        other = int(homes[(rng.integers(0, len(homes)) + 1) % len(homes)])
    rows.append(
        {
            "unit": other,
            "start": since,
            "end": end,
            "size": int(a["size"][s]),
            "kind": "household",
            "registered": True,
            "crime": -1,
            "crime_from": -1,
            "discovered": -1,
            "hh": int(a["hh"][s]),
        }
    )
    # the unregistered occupation of the unit by subtenants (the contract still runs)
    rows.append(
        {
            "unit": unit,
            "start": since,
            "end": end,
            "size": int(rng.integers(1, 4)),
            "kind": "woonfraude_sub",
            "registered": False,
            "crime": TYPOLOGIES.index("woonfraude"),
            "crime_from": since,
            "discovered": -1,
            "hh": -1,
        }
    )
    if rng.random() < 0.6:
        for _ in range(int(rng.integers(1, 4))):
            a = int(rng.integers(since, max(since + 1, peil - 20)))
            e = a + int(rng.uniform(30, 240))
            rows.append(
                {
                    "unit": unit,
                    "start": a,
                    "end": (peil if closed else -1) if e >= peil else e,
                    "size": 1,
                    "kind": "churn_woonfraude",
                    "registered": True,
                    "crime": TYPOLOGIES.index("woonfraude"),
                    "crime_from": since,
                    "discovered": -1,
                    "hh": -1,
                }
            )
    return rows
