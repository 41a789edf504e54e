"""Occupancy over time: households living in units, moves between units, births (the BRP side).

Each home gets a timeline of occupancy segments going back from the peildatum
to a horizon; a share of households that leave one unit reappear in another
(a move), so people have registration histories, not single rows.
Dates are int days since 1970-01-01; -1 means open/unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pandzicht.synth.geography import STUDENT
from pandzicht.synth.names import NamePools, sample_given, sample_groups, sample_surnames

DAY = 1
YEAR = 365.25


def day(s: str) -> int:
    """'2024-06-30' -> days since epoch."""
    return int(np.datetime64(s, "D").astype(np.int64))


@dataclass
class People:
    """Everyone in the world: residents (in households) and outsiders (landlords abroad, officers, ...)."""

    persons: pd.DataFrame  # pid, hh (-1 for outsiders), dob, female, group, voornamen, voorvoegsel, geslachtsnaam
    segments: pd.DataFrame  # seg, unit, start, end, hh, size, kind, registered, crime, crime_from, discovered


def build_segments(rng: np.random.Generator, units: pd.DataFrame, peil: int, horizon: int) -> pd.DataFrame:
    """Backward occupancy timelines per home: current household, previous ones until the horizon."""
    res = np.flatnonzero(units["gebruiksdoel"].str.contains("woonfunctie").to_numpy())
    student = units["_btype"].to_numpy()[res] == STUDENT
    area = units["oppervlakte_m2"].to_numpy()[res]
    built = ((units["bouwjaar"].to_numpy()[res] - 1970) * YEAR).astype(np.int64) + rng.integers(0, 200, len(res))
    n = len(res)
    # current status: vacant (for sale / renovation) ends the last segment some months before peildatum
    vacant = (~student) & (rng.random(n) < 0.025)
    t_end = np.where(vacant, peil - rng.integers(30, 400, n), peil)
    open_end = ~vacant
    rows_unit, rows_start, rows_end = [], [], []
    active = np.ones(n, dtype=bool)
    first = True
    while active.any():
        idx = np.flatnonzero(active)
        k = len(idx)
        if first:
            # current tenure: long-tailed (many long-term tenants); students short
            dur = np.where(student[idx], rng.uniform(0.2, 2.5, k), rng.lognormal(np.log(7.5), 0.95, k)) * YEAR
        else:
            dur = np.where(student[idx], rng.uniform(0.4, 2.5, k), rng.lognormal(np.log(6.0), 0.8, k)) * YEAR
        dur = np.clip(dur, 60, 45 * YEAR).astype(np.int64)
        # nobody lived there before the building existed
        start = np.minimum(np.maximum(t_end[idx] - dur, built[idx]), t_end[idx] - 30)
        rows_unit.append(res[idx])
        rows_start.append(start)
        rows_end.append(np.where(first & open_end[idx], -1, t_end[idx]))
        gap = rng.integers(0, 120, k)
        t_end[idx] = start - gap
        active[idx] = (t_end[idx] > horizon) & (start > built[idx] + 60)
        first = False
    seg = pd.DataFrame(
        {
            "unit": np.concatenate(rows_unit),
            "start": np.concatenate(rows_start),
            "end": np.concatenate(rows_end),
        }
    )
    seg = seg.sort_values(["unit", "start"], kind="stable").reset_index(drop=True)
    seg["seg"] = np.arange(len(seg))
    u_area = units["oppervlakte_m2"].to_numpy()[seg["unit"].to_numpy()]
    u_student = units["_btype"].to_numpy()[seg["unit"].to_numpy()] == STUDENT
    size = rng.choice([1, 2, 3, 4, 5, 6, 7, 8], size=len(seg), p=[0.39, 0.30, 0.12, 0.11, 0.05, 0.018, 0.008, 0.004])
    small = u_area < 55
    size = np.where(small, np.minimum(size, rng.choice([1, 2], len(seg), p=[0.7, 0.3])), size)
    size = np.where(u_student, 1, size)
    seg["size"] = size
    seg["kind"] = np.where(u_student, "student", "household")
    seg["registered"] = True
    seg["crime"] = -1
    seg["crime_from"] = -1
    seg["discovered"] = -1
    seg["hh"] = seg["seg"]
    del area
    return seg


def link_moves(rng: np.random.Generator, seg: pd.DataFrame, horizon: int, share: float = 0.45) -> pd.DataFrame:
    """Let households that leave one unit start a later segment elsewhere (a move, same people)."""
    ended = seg.index[(seg["end"] > horizon) & (seg["kind"] == "household")].to_numpy()
    started = seg.index[(seg["start"] > horizon) & (seg["kind"] == "household")].to_numpy()
    ended = ended[rng.random(len(ended)) < share]
    started = started[rng.random(len(started)) < share]
    k = min(len(ended), len(started))
    ended = rng.permutation(ended)[:k]
    started = rng.permutation(started)[:k]
    e = ended[np.argsort(seg["end"].to_numpy()[ended], kind="stable")]
    s = started[np.argsort(seg["start"].to_numpy()[started], kind="stable")]
    unit = seg["unit"].to_numpy()
    ok = (unit[e] != unit[s]) & (seg["start"].to_numpy()[e] < seg["start"].to_numpy()[s] - 30)
    e, s = e[ok], s[ok]
    parent = np.arange(len(seg))
    parent[s] = e
    end = seg["end"].to_numpy().copy()
    end[e] = np.minimum(end[e], seg["start"].to_numpy()[s])
    # a segment may be the target of a move and the source of the next: resolve chains by pointer jumping
    for _ in range(64):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    seg = seg.copy()
    seg["hh"] = parent
    seg["end"] = end
    seg["size"] = seg["size"].to_numpy()[parent]
    return seg


def make_people(rng: np.random.Generator, pools: NamePools, seg: pd.DataFrame, peil: int) -> pd.DataFrame:
    """Members of every household: names shared within a family, birth dates fitting the composition."""
    hh_ids = np.unique(seg["hh"].to_numpy())
    first_seg = seg.groupby("hh", sort=True)["start"].min().reindex(hh_ids).to_numpy()
    kind = seg.set_index("seg").loc[hh_ids, "kind"].to_numpy()
    size = seg.set_index("seg").loc[hh_ids, "size"].to_numpy()
    n_h = len(hh_ids)
    groups = sample_groups(rng, n_h)
    sur_pre, sur_nam = sample_surnames(rng, pools, groups)
    student = kind == "student"
    head_age = np.where(
        student,
        rng.uniform(18, 24, n_h),
        np.where(size >= 3, rng.uniform(24, 48, n_h), np.clip(rng.gamma(6, 6.5, n_h), 19, 92)),
    )
    couple = (size >= 2) & (rng.random(n_h) < np.where(size == 2, 0.72, 0.82))
    head_female = rng.random(n_h) < 0.5

    p_hh = np.repeat(np.arange(n_h), size)
    role = np.arange(len(p_hh)) - np.repeat(np.cumsum(size) - size, size)
    n_p = len(p_hh)
    is_partner = (role == 1) & couple[p_hh]
    is_child = (role >= 1) & ~is_partner
    age_at_start = head_age[p_hh].copy()
    age_at_start[is_partner] += rng.normal(-1.5, 3.5, is_partner.sum())
    max_child = np.minimum(head_age[p_hh] - 19, 17)
    age_at_start[is_child] = rng.uniform(-6, np.maximum(max_child[is_child], 0.5))
    dob = (first_seg[p_hh] - age_at_start * YEAR).astype(np.int64)
    dob = np.where(dob > peil - 20, peil - rng.integers(20, 3000, n_p), dob)
    too_old = dob < peil - 99 * YEAR  # long tenures of the elderly: keep everyone under ~100
    dob = np.where(too_old, (peil - rng.uniform(80, 98, n_p) * YEAR).astype(np.int64), dob)
    female = np.where(role == 0, head_female[p_hh], rng.random(n_p) < 0.5)
    female[is_partner] = ~head_female[p_hh][is_partner] | (rng.random(is_partner.sum()) < 0.04)
    grp = groups[p_hh].copy()
    pre = sur_pre[p_hh].copy()
    nam = sur_nam[p_hh].copy()
    own_name = is_partner & (rng.random(n_p) < 0.55)
    if own_name.any():
        same_group = np.where(rng.random(own_name.sum()) < 0.85, grp[own_name], sample_groups(rng, own_name.sum()))
        grp[own_name] = same_group
        pre[own_name], nam[own_name] = sample_surnames(rng, pools, same_group)
    given = sample_given(rng, pools, grp, female)
    return pd.DataFrame(
        {
            "pid": np.arange(n_p),
            "hh": hh_ids[p_hh],
            "role": role,
            "dob": dob,
            "female": female,
            "group": grp,
            "voornamen": given,
            "voorvoegsel": pre,
            "geslachtsnaam": nam,
        }
    )


def make_outsiders(
    rng: np.random.Generator,
    pools: NamePools,
    n: int,
    first_pid: int,
    peil: int,
    age: tuple[float, float] = (30, 72),
    groups: np.ndarray | None = None,
) -> pd.DataFrame:
    """People who are not registered in the region (landlords abroad, officers elsewhere, ...)."""
    g = sample_groups(rng, n) if groups is None else groups
    female = rng.random(n) < 0.35
    pre, nam = sample_surnames(rng, pools, g)
    return pd.DataFrame(
        {
            "pid": np.arange(first_pid, first_pid + n),
            "hh": -1,
            "role": 0,
            "dob": (peil - rng.uniform(*age, n) * YEAR).astype(np.int64),
            "female": female,
            "group": g,
            "voornamen": sample_given(rng, pools, g, female),
            "voorvoegsel": pre,
            "geslachtsnaam": nam,
        }
    )


def registrations(seg: pd.DataFrame, persons: pd.DataFrame, peil: int) -> pd.DataFrame:
    """BRP registration periods: each registered segment x the household's members (born by then)."""
    s = seg[seg["registered"]]
    members = persons[persons["hh"] >= 0][["pid", "hh", "dob"]]
    r = s[["seg", "unit", "start", "end", "hh"]].merge(members, on="hh", how="inner")
    r = r[(r["dob"] < r["end"]) | (r["end"] < 0)]
    r = r[r["dob"] < peil]
    r["start"] = np.maximum(r["start"].to_numpy(), r["dob"].to_numpy())
    r = r[(r["end"] < 0) | (r["end"] > r["start"])]
    return r.sort_values(["unit", "start", "pid"], kind="stable").reset_index(drop=True)
