"""Monthly metered electricity and gas per unit (grid operator).

Use follows surface, household size, season and building year; cannabis farms
draw flat high power or tap the grid (metered far too low); storage units are
almost dead; and innocent units look odd too: heat pumps, electric cars, home
businesses, empty homes, large families.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from pandzicht.synth.geography import GALERIJ, PORTIEK, STUDENT, UPPER

_HDD = np.array([0.17, 0.15, 0.12, 0.08, 0.04, 0.02, 0.015, 0.015, 0.03, 0.08, 0.12, 0.16])


def months(peil: int, n: int = 24) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n calendar months up to the peildatum: labels 'YYYY-MM', month-of-year (1..12), mid-month day."""
    last = np.datetime64(int(peil), "D").astype("datetime64[M]")
    m = np.arange(last - (n - 1), last + 1)
    labels = np.datetime_as_string(m, unit="M").astype(object)
    moy = (m.astype(np.int64) % 12) + 1
    mid = m.astype("datetime64[D]").astype(np.int64) + 14
    return labels, moy, mid


def _count(
    unit: np.ndarray, start: np.ndarray, end: np.ndarray, mid: np.ndarray, n: int, weight: np.ndarray | None = None
) -> np.ndarray:
    out = np.zeros((n, len(mid)))
    for j, d in enumerate(mid.tolist()):
        m = (start <= d) & ((end < 0) | (end > d))
        out[:, j] = np.bincount(unit[m], weights=None if weight is None else weight[m], minlength=n)
    return out


def build_energy(
    rng: np.random.Generator,
    units: pd.DataFrame,
    seg: pd.DataFrame,
    regs: pd.DataFrame,
    active: pd.DataFrame,
    past: pd.DataFrame,
    homebiz_units: np.ndarray,
    peil: int,
) -> pd.DataFrame:
    """One row per unit per month: elektriciteit_kwh, gas_m3 (NULL when the unit has no gas connection)."""
    n = len(units)
    labels, moy, mid = months(peil)
    t = len(mid)
    persons = _count(regs["unit"].to_numpy(), regs["start"].to_numpy(), regs["end"].to_numpy(), mid, n)
    unreg = seg[~seg["registered"]]
    hidden = _count(
        unreg["unit"].to_numpy(),
        unreg["start"].to_numpy(),
        unreg["end"].to_numpy(),
        mid,
        n,
        unreg["size"].to_numpy().astype(float),
    )
    m2 = units["oppervlakte_m2"].to_numpy().astype(float)
    byear = units["bouwjaar"].to_numpy()
    bt = units["_btype"].to_numpy()
    doel = units["gebruiksdoel"].to_numpy()
    home = np.array(["woonfunctie" in d for d in doel])
    season = 1 + 0.18 * np.cos(2 * np.pi * (moy - 1) / 12)
    level = rng.lognormal(0, 0.18, n)[:, None]
    ppl = persons + hidden
    kwh = (40 + 85 * ppl**0.7 + 0.6 * m2[:, None]) * season[None, :] * level
    kwh = np.where(ppl > 0, kwh, rng.uniform(6, 28, (n, t)))  # empty: standby only
    heat_pump = home & (rng.random(n) < np.where(byear >= 2015, 0.35, 0.025))
    ev = home & (rng.random(n) < 0.05)
    kwh = kwh + heat_pump[:, None] * (2400 * _HDD[moy - 1])[None, :] * (m2[:, None] / 100) * (ppl > 0)
    kwh = kwh + ev[:, None] * rng.uniform(120, 260, n)[:, None] * (ppl > 0)
    biz = np.zeros(n, dtype=bool)
    biz[homebiz_units] = True
    kwh = kwh * np.where(biz, 1.25, 1.0)[:, None]
    shop = doel == "winkelfunctie"
    office = doel == "kantoorfunctie"
    kwh[shop] = (rng.uniform(5, 25, shop.sum()) * m2[shop])[:, None] * season[None, :]
    kwh[office] = (rng.uniform(1.2, 3.5, office.sum()) * m2[office])[:, None] * season[None, :]

    # gas: heating by building year and form, cooking and hot water by persons; none for district heating
    k = np.select([byear < 1945, byear < 1975, byear < 1995, byear < 2015], [17.0, 13.0, 10.0, 7.0], 3.0)
    k = k * np.where(np.isin(bt, [PORTIEK, GALERIJ, UPPER, STUDENT]), 0.7, 1.0)
    gas = (k * m2)[:, None] * _HDD[moy - 1][None, :] * level + (8 + 12 * ppl) * (ppl > 0)
    gas = np.where(ppl > 0, gas, gas * 0.25)
    no_gas = heat_pump | (byear >= 2018) | (np.isin(bt, [GALERIJ, PORTIEK, STUDENT]) & (rng.random(n) < 0.12))

    # criminal use: a past case used the home as an active one does, until it was found out
    for row in active.itertuples(index=False):
        _criminal_use(rng, kwh, gas, int(row.unit), mid >= row.actief_vanaf, row.typologie, bool(row.bypass))
    for row in past.itertuples(index=False):
        on = (mid >= row.crime_from) & (mid < row.discovered)
        if on.any():
            bypass = row.typologie == "hennepkwekerij" and rng.random() < 0.3
            _criminal_use(rng, kwh, gas, int(row.unit), on, row.typologie, bypass)
    kwh = np.round(np.maximum(kwh * rng.lognormal(0, 0.06, (n, t)), 0), 1)
    gas = np.round(np.maximum(gas * rng.lognormal(0, 0.06, (n, t)), 0), 1)
    gas[no_gas] = np.nan
    idx_u = np.repeat(np.arange(n, dtype=np.int32), t)
    idx_m = np.tile(np.arange(t, dtype=np.int32), n)
    return pa.table(
        {
            "verblijfsobject_id": pa.DictionaryArray.from_arrays(
                idx_u, pa.array(units["verblijfsobject_id"].to_numpy(dtype=object), pa.string())
            ),
            "periode": pa.DictionaryArray.from_arrays(idx_m, pa.array(labels, pa.string())),
            "elektriciteit_kwh": pa.array(kwh.ravel()),
            "gas_m3": pa.array(gas.ravel(), from_pandas=True),
        }
    )


def _criminal_use(
    rng: np.random.Generator, kwh: np.ndarray, gas: np.ndarray, u: int, on: np.ndarray, typ: str, bypass: bool
) -> None:
    """What a typology does to a home's meters in the months `on` (in place).

    Past cases once changed only electricity of a farm or a store, so the checks of a demo world could not
    teach what a safehouse's or a store's gas looks like, which a real region's past checks can."""
    if typ == "hennepkwekerij":
        if bypass:
            kwh[u, on] *= rng.uniform(0.2, 0.45)
        else:
            kwh[u, on] = rng.uniform(2200, 7000) * rng.lognormal(0, 0.03, on.sum())
    elif typ == "drugsopslag":
        kwh[u, on] = rng.uniform(12, 55, on.sum())
        gas[u, on] *= 0.2
    elif typ == "safehouse":
        kwh[u, on] *= rng.uniform(0.45, 0.95)
    elif typ == "prostitutie":
        kwh[u, on] *= rng.uniform(1.1, 1.5)
