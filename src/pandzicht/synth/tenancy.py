"""Tenancies: corporation contracts and the private-landlord register (Wet goed verhuurderschap).

A contract follows an occupancy segment. Criminal tenancies are rented by
straw men or young BVs, mostly through agents (the two malafide ones broker
most of them, plus many ordinary contracts), with cash or third-party rent;
innocent contracts sometimes have those features too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.synth.companies import Parties
from pandzicht.synth.households import day
from pandzicht.synth.typologies import CORP, INVESTOR, PRIVATE

REGISTER_BRON = "Gemeente Rotterdam - registratie verhuurders"
PAY = np.array(["incasso", "overboeking", "contant", "derde"], dtype=object)


def corporation_bron(name: str) -> str:
    """The supplying organisation as a corporation writes it (short name, no 'Stichting')."""
    return name.removeprefix("Stichting ").strip()


def build_contracts(
    rng: np.random.Generator,
    units: pd.DataFrame,
    seg: pd.DataFrame,
    owner_class: np.ndarray,
    kadaster: pd.DataFrame,
    parties: Parties,
    companies: pd.DataFrame,
    heads: pd.Series,
    straw_men: np.ndarray,
    peil: int,
) -> pd.DataFrame:
    """One row per contract: parties as pid/cid (-1 = none), dates, rent and payment method."""
    oc = owner_class[seg["unit"].to_numpy()]
    kind = seg["kind"].to_numpy()
    # a woonfraude tenant's registration ends when the fraud starts; the contract runs on (until found out)
    found = seg["discovered"].to_numpy()
    end = np.where(kind == "woonfraude_tenant", np.where(found > 0, found, -1), seg["end"].to_numpy())
    rentable = np.isin(oc, [CORP, PRIVATE, INVESTOR]) & np.isin(
        kind, ["household", "student", "crime", "woonfraude_tenant"]
    )
    in_window = np.where(oc == CORP, (end < 0) | (end > day("2016-01-01")), (end < 0) | (end > day("2019-01-01")))
    s = seg[rentable & in_window].copy()
    n = len(s)
    unit = s["unit"].to_numpy()
    cls = owner_class[unit]
    first_owner = kadaster.drop_duplicates("unit").set_index("unit")
    own_pid = first_owner["pid"].reindex(unit).to_numpy()
    own_cid = first_owner["cid"].reindex(unit).to_numpy()
    crime = s["crime"].to_numpy()
    skind = s["kind"].to_numpy()
    straw_tenancy = skind == "crime"
    is_crime = crime >= 0

    # tenant: household head, or for criminal tenancies a straw man / young BV / employment agency
    tenant_pid = heads.reindex(s["hh"].to_numpy()).fillna(-1).to_numpy().astype(np.int64)
    tenant_cid = np.full(n, -1, dtype=np.int64)
    typ = np.where(is_crime, crime, 0)
    ov = straw_tenancy & (typ == TYPOLOGIES.index("overbewoning"))
    r = rng.random(n)
    use_uitzend = ov & (r < 0.45)
    tenant_cid[use_uitzend] = rng.choice(np.array(parties.uitzend_bvs), size=use_uitzend.sum())
    bv_share = np.array([0.3, 0.35, 0.3, 0.45, 0.0, 0.0])[typ]
    use_bv = straw_tenancy & ~ov & (r < bv_share) & (len(parties.tenant_bvs) > 0)
    tenant_cid[use_bv] = rng.choice(np.array(parties.tenant_bvs), size=use_bv.sum())
    unregistered = straw_tenancy & ~s["registered"].to_numpy() & ~use_bv & ~use_uitzend
    if unregistered.any():
        # each straw man fronts several units
        k = max(1, int(unregistered.sum() / 2.2))
        men = straw_men[:k] if len(straw_men) >= k else straw_men
        tenant_pid[unregistered] = rng.choice(men, size=unregistered.sum())
    tenant_pid[use_bv | use_uitzend] = -1

    # landlord
    ll_pid = np.where(cls == CORP, -1, own_pid)
    ll_cid = np.where(cls == CORP, own_cid, np.where(own_cid >= 0, own_cid, -1))
    ll_pid = np.where(ll_cid >= 0, -1, ll_pid)

    # agent: private lettings, criminal ones mostly via an agent, often a malafide one
    agent = np.full(n, -1, dtype=np.int64)
    private = cls != CORP
    p_agent = np.where(straw_tenancy, 0.9, np.where(is_crime, 0.5, 0.4))
    via = private & (rng.random(n) < p_agent)
    p_mal = np.where(straw_tenancy, 0.75, np.where(is_crime, 0.35, 0.07))
    mal = via & (rng.random(n) < p_mal)
    agent[via] = rng.choice(np.array(parties.agents), size=via.sum(), p=parties.agent_weight)
    agent[mal] = rng.choice(np.array(parties.malafide_agents), size=mal.sum())

    # rent and payment
    m2 = units["oppervlakte_m2"].to_numpy()[unit]
    student = skind == "student"
    rent = np.where(cls == CORP, np.minimum(380 + 6.2 * m2, 880), 260 + m2 * rng.uniform(13, 22, n))
    rent = np.where(student, rng.uniform(330, 620, n), rent)
    rent = np.where(straw_tenancy, rent * rng.uniform(1.0, 1.5, n), rent)
    rent = (np.round(rent * rng.lognormal(0, 0.06, n) / 5) * 5).astype(np.int64)
    p_innocent_corp = np.array([0.80, 0.19, 0.003, 0.007])
    p_innocent_priv = np.array([0.45, 0.52, 0.015, 0.015])
    p_crime = np.array([0.06, 0.26, 0.43, 0.25])
    p_longterm = np.array([0.62, 0.28, 0.03, 0.07])
    u = rng.random(n)
    cum = np.where(
        straw_tenancy[:, None],
        np.cumsum(p_crime),
        np.where(
            is_crime[:, None],
            np.cumsum(p_longterm),
            np.where((cls == CORP)[:, None], np.cumsum(p_innocent_corp), np.cumsum(p_innocent_priv)),
        ),
    )
    pay = PAY[(u[:, None] > cum).sum(axis=1).clip(0, 3)]
    name_of = companies.set_index("cid")["naam"]
    bron = np.where(
        cls == CORP, [corporation_bron(x) for x in name_of.reindex(np.maximum(own_cid, 0)).tolist()], REGISTER_BRON
    )
    c_end = end[rentable & in_window]
    out = pd.DataFrame(
        {
            "seg": s["seg"].to_numpy(),
            "unit": unit,
            "bron": bron,
            "ll_pid": ll_pid,
            "ll_cid": ll_cid,
            "agent_cid": agent,
            "tenant_pid": tenant_pid,
            "tenant_cid": tenant_cid,
            "start": s["start"].to_numpy(),
            "end": c_end,
            "rent": rent,
            "pay": pay,
            "crime": crime,
        }
    )
    out = out[(out["tenant_pid"] >= 0) | (out["tenant_cid"] >= 0)]
    out = out[(out["ll_pid"] >= 0) | (out["ll_cid"] >= 0)]
    out = out.sort_values(["start", "unit"], kind="stable").reset_index(drop=True)
    return out


def let_to_employers(
    rng: np.random.Generator,
    contracts: pd.DataFrame,
    owner_class: np.ndarray,
    employers: list[int],
    weight: np.ndarray,
    share: float,
    peil: int,
) -> pd.DataFrame:
    """A `share` of the running private lettings to households goes to an employer for its staff: the contract
    names the company (paid by transfer), the household lives and is registered there as before."""
    out = contracts.copy()
    running = (out["end"].to_numpy() < 0) | (out["end"].to_numpy() > peil)
    private = owner_class[out["unit"].to_numpy()] != CORP
    innocent = (out["crime"].to_numpy() < 0) & (out["tenant_pid"].to_numpy() >= 0) & (out["tenant_cid"].to_numpy() < 0)
    pick = np.flatnonzero(running & private & innocent)
    pick = pick[rng.random(len(pick)) < share]
    out.loc[pick, "tenant_cid"] = rng.choice(np.array(employers), size=len(pick), p=weight)
    out.loc[pick, "tenant_pid"] = -1
    out.loc[pick, "pay"] = "overboeking"
    return out
