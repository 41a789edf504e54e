"""Who owns which unit (Kadaster): corporations, private landlords, investor BVs, owner-occupiers.

Corporations own whole buildings, private landlords have long-tailed
portfolios (a few own dozens), owner-occupiers are the registered household,
and some owners live abroad.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pandzicht.synth.companies import Parties
from pandzicht.synth.geography import DETACHED, GALERIJ, PORTIEK, STUDENT, TERRACED
from pandzicht.synth.households import YEAR
from pandzicht.synth.typologies import COMMERCIAL, CORP, INVESTOR, OWNER_OCC, PRIVATE

_P_CORP = {"central": 0.48, "postwar": 0.62, "suburban": 0.22, "industrial": 0.3}
_ABROAD = (
    "Avenida del Mar {n}, 29602 Marbella, Spanje",
    "Carrer de Mallorca {n}, 08036 Barcelona, Spanje",
    "Marina Walk, Tower {n}, Dubai, Verenigde Arabische Emiraten",
    "ul. Marszalkowska {n}, 00-026 Warszawa, Polen",
    "Bagdat Cd. {n}, 34728 Istanbul, Turkije",
    "Rue de la Loi {n}, 1040 Brussel, België",
    "Rua Augusta {n}, 1100-048 Lissabon, Portugal",
    "Boulevard Mohammed V {n}, Tanger, Marokko",
    "Kaiserstrasse {n}, 60311 Frankfurt, Duitsland",
    "Kralendijk {n}, Bonaire",
)
_DOMESTIC = (
    "Stationsweg {n}, 2312 AV Leiden",
    "Dorpsstraat {n}, 2921 BB Krimpen aan den IJssel",
    "Kerkstraat {n}, 2981 AA Ridderkerk",
    "Hoofdweg {n}, 3067 GH Rotterdam",
    "Noordeinde {n}, 2611 KH Delft",
    "Postbus {n}, 3000 AB Rotterdam",
    "Westersingel {n}, 4611 GC Bergen op Zoom",
    "Burgemeester Knappertlaan {n}, 3117 BC Schiedam",
)
# house price index against 2024 (rough Rotterdam curve)
_YEARS = np.array([1990, 1995, 2000, 2008, 2013, 2016, 2019, 2022, 2024])
_INDEX = np.array([0.16, 0.22, 0.38, 0.55, 0.45, 0.52, 0.72, 1.0, 0.98])

MAX_PRIVATE_PORTFOLIO = 1500  # homes, for one private landlord


def capped_shares(weights: np.ndarray, homes: int, most: int) -> np.ndarray:
    """Portfolio shares from weights, no share above `most` of `homes` (where that is possible at all).

    Capping one share raises the others, so it is repeated until none exceeds the cap. Shares under the
    cap keep their proportions; below `homes / most` landlords no cap can hold and the weights stand."""
    share = weights / weights.sum()
    cap = most / max(homes, 1)
    if cap * len(share) < 1:
        return share
    while share.max() > cap * (1 + 1e-9):
        over = share >= cap
        rest = share[~over].sum()
        share = np.where(over, cap, share * (1 - cap * over.sum()) / rest if rest > 0 else share)
    return share


def assign_owner_class(rng: np.random.Generator, units: pd.DataFrame) -> np.ndarray:
    """Owner class per unit: corporations own whole buildings; the rest splits per unit."""
    n = len(units)
    b = units["_building"].to_numpy()
    bt = units["_btype"].to_numpy()
    char = units["_character"].to_numpy()
    n_b = int(b.max()) + 1
    p_corp = np.array([_P_CORP[c] for c in char])
    p_corp = np.where(np.isin(bt, [GALERIJ, PORTIEK]), np.minimum(p_corp * 1.35, 0.9), p_corp)
    p_corp = np.where(np.isin(bt, [TERRACED, DETACHED]), p_corp * 0.55, p_corp)
    p_corp = np.where(bt == STUDENT, 0.92, p_corp)
    corp_b = np.zeros(n_b, dtype=bool)
    first = np.r_[True, b[1:] != b[:-1]]
    corp_b[b[first]] = rng.random(first.sum()) < p_corp[first]
    corp = corp_b[b]
    single = np.isin(bt, [TERRACED, DETACHED])
    p_own = np.where(single, 0.72, 0.42)
    r = rng.random(n)
    cls = np.where(r < p_own, OWNER_OCC, np.where(r < p_own + (1 - p_own) * 0.72, PRIVATE, INVESTOR))
    cls = np.where(corp, CORP, cls)
    home = units["gebruiksdoel"].str.contains("woonfunctie").to_numpy()
    return np.where(home, cls, COMMERCIAL).astype(np.int64)


def price(rng: np.random.Generator, m2: np.ndarray, when: np.ndarray, buurt_factor: np.ndarray) -> np.ndarray:
    """Realistic purchase price: EUR/m2 of the buurt, indexed to the year of purchase, rounded like deeds."""
    year = 1970 + when / YEAR
    idx = np.interp(year, _YEARS, _INDEX)
    p = 4300 * buurt_factor * idx * m2 * rng.lognormal(0, 0.12, len(m2))
    return (np.round(p / 500) * 500).astype(np.int64)


def build_kadaster(
    rng: np.random.Generator,
    units: pd.DataFrame,
    owner_class: np.ndarray,
    parties: Parties,
    current_head: np.ndarray,
    current_partner: np.ndarray,
    current_start: np.ndarray,
    landlord_residents: np.ndarray,
    landlord_outsiders: np.ndarray,
    rogue_units: np.ndarray,
    peil: int,
) -> pd.DataFrame:
    """One row per owner share, with owner party (pid or cid), date, price and correspondence address."""
    n = len(units)
    bf = rng.lognormal(0, 0.25, int(units["_buurt"].max()) + 1)
    bf_u = bf[units["_buurt"].to_numpy()] * np.where(units["_character"].to_numpy() == "central", 1.25, 1.0)
    m2 = units["oppervlakte_m2"].to_numpy()
    byear = units["bouwjaar"].to_numpy()
    pid = np.full(n, -1, dtype=np.int64)
    cid = np.full(n, -1, dtype=np.int64)
    when = np.zeros(n, dtype=np.int64)
    kosten = np.full(n, -1, dtype=np.int64)
    corr = np.full(n, None, dtype=object)

    build_day = ((byear - 1970) * YEAR).astype(np.int64)
    # corporations: per building one corporation, owned since construction or an old transfer
    b = units["_building"].to_numpy()
    corp_of_b = rng.choice(len(parties.corporations), size=int(b.max()) + 1, p=parties.corp_share)
    stud = units["_btype"].to_numpy() == STUDENT
    corp_idx = np.where(stud, len(parties.corporations) - 1, np.minimum(corp_of_b[b], len(parties.corporations) - 2))
    m = owner_class == CORP
    cid[m] = np.array(parties.corporations)[corp_idx[m]]
    when[m] = np.maximum(build_day[m], rng.integers(int(25 * YEAR), int(33 * YEAR), m.sum()))

    # private landlords: long-tailed portfolios; rogue landlords hold the overcrowded units
    m = owner_class == PRIVATE
    pool = np.concatenate([landlord_residents, landlord_outsiders])
    n_ll = max(3, int(m.sum() / 2.4))
    ll = rng.choice(pool, size=min(n_ll, len(pool)), replace=False)
    w = rng.pareto(1.2, len(ll)) + 0.4
    # A Pareto tail over 80k landlords (1M units) once gave one person 27k homes; the largest private
    # landlords in the region own hundreds to a few thousand. Capped at MAX_PRIVATE_PORTFOLIO homes
    # (never binding below ~100k units, so small worlds are unchanged).
    pid[m] = rng.choice(ll, size=m.sum(), p=capped_shares(w, int(m.sum()), MAX_PRIVATE_PORTFOLIO))
    rogue = rng.choice(ll, size=min(2, len(ll)), replace=False)
    rm = np.zeros(n, dtype=bool)
    rm[rogue_units] = True
    rm &= m
    pid[rm] = rng.choice(rogue, size=rm.sum())
    when[m] = rng.integers(int(25 * YEAR), peil - 30, m.sum())
    outsider = np.isin(pid, landlord_outsiders) & m
    abroad = outsider & (rng.random(n) < 0.3)
    corr[outsider] = [str(rng.choice(_DOMESTIC)).format(n=int(rng.integers(1, 300))) for _ in range(outsider.sum())]
    corr[abroad] = [str(rng.choice(_ABROAD)).format(n=int(rng.integers(1, 300))) for _ in range(abroad.sum())]

    m = owner_class == INVESTOR
    cid[m] = rng.choice(np.array(parties.investors), size=m.sum(), p=parties.investor_weight)
    when[m] = rng.integers(int(35 * YEAR), peil - 30, m.sum())

    m = owner_class == COMMERCIAL
    cid[m] = rng.choice(np.array(parties.investors), size=m.sum(), p=parties.investor_weight)
    when[m] = rng.integers(int(25 * YEAR), peil - 30, m.sum())

    m = owner_class == OWNER_OCC
    has_head = m & (current_head >= 0)
    pid[has_head] = current_head[has_head]
    when[has_head] = current_start[has_head]
    no_head = m & (current_head < 0)  # empty, for sale: owned by a former occupant or an outsider
    pid[no_head] = rng.choice(landlord_outsiders, size=no_head.sum())
    when[no_head] = rng.integers(int(30 * YEAR), peil - 400, no_head.sum())

    sale = owner_class != CORP
    kosten[sale] = price(rng, m2[sale], when[sale], bf_u[sale])
    bulk = (owner_class == INVESTOR) & (rng.random(n) < 0.08)
    kosten[bulk] = -1
    when = np.minimum(when, peil - 1)

    df = pd.DataFrame(
        {"unit": np.arange(n), "pid": pid, "cid": cid, "aandeel": "1/1", "when": when, "koopsom": kosten, "corr": corr}
    )
    couple = has_head & (current_partner >= 0)
    if couple.any():
        df.loc[couple, "aandeel"] = "1/2"
        extra = df[couple].copy()
        extra["pid"] = current_partner[couple]
        df = pd.concat([df, extra], ignore_index=True)
    return df.sort_values(["unit", "pid"], kind="stable").reset_index(drop=True)
