"""Homes in criminal use: which, since when, and how each typology shows (or hides) in the registries.

Each typology has several ways of operating ("modus") with their own traces, and many are quiet on purpose:
a cannabis farm in a corporation flat of a long-standing tenant in debt looks ordinary in every register; a
drug store-room kept by a tenant of twenty years shows only visitors; a safehouse let through a straw man
shows an empty home with a cash contract. Past uses (ended before the peildatum) leave contracts, police
registrations and outcomes behind but are not in the truth.
"""

from __future__ import annotations

import numpy as np

from pandzicht.altworld.actors import Cast, honest_agent, private_landlord
from pandzicht.altworld.model import PEIL, Company, Crime, World
from pandzicht.altworld.names import Person
from pandzicht.altworld.occupancy import household, let, ordinary, own
from pandzicht.altworld.params import TYPOLOGY_MIX

MODI = {
    "safehouse": (("agent_let", 0.55), ("sublet", 0.25), ("owner_bv", 0.2)),
    "drugsopslag": (("agent_let", 0.45), ("debt_tenant", 0.55)),
    "hennepkwekerij": (("debt_tenant", 0.55), ("agent_let", 0.25), ("owner", 0.2)),
    "prostitutie": (("agent_let", 0.6), ("landlord_let", 0.4)),
    "woonfraude": (("elsewhere", 0.7), ("ghosts", 0.3)),
    "overbewoning": (("many_registered", 0.6), ("few_registered", 0.4)),
}
ENERGY = {"safehouse": "low", "drugsopslag": "very_low", "prostitutie": "raised", "overbewoning": "raised",
          "woonfraude": "normal"}


def _pick(w: World, options: tuple[tuple[str, float], ...]) -> str:
    names, probs = zip(*options, strict=True)
    return str(w.rng.choice(names, p=probs))


def _eligible(w: World, i: int, typology: str) -> bool:
    u = w.units[i]
    if "leeg" in u.flags or ("student" in u.flags and typology != "prostitutie"):
        return False
    if typology == "overbewoning":
        return 40 <= u.m2 <= 120
    return True


def choose(w: World) -> None:
    """Pick the current and past criminal homes, their typology, modus and period."""
    rng = w.rng
    homes = w.residential()
    order = [homes[k] for k in rng.permutation(len(homes))]
    types, probs = zip(*TYPOLOGY_MIX.items(), strict=True)
    n_now = max(4, round(len(homes) * w.p.crime_rate))
    n_past = max(2, round(len(homes) * w.p.past_crime_rate))
    pos = 0
    for k in range(n_now + n_past):
        t = str(types[k % len(types)]) if k < len(types) else str(rng.choice(types, p=probs))
        while not _eligible(w, order[pos], t):
            pos += 1
        i = order[pos]
        pos += 1
        modus = _pick(w, MODI[t])
        if k < n_now:
            crime = Crime(t, PEIL - 30 - int(rng.exponential(300)), None, modus)
            crime.start = max(crime.start, PEIL - 6 * 365)
            w.crimes[i] = crime
        else:
            start = w.days_ago(8, 40)
            w.past_crimes[i] = Crime(t, start, min(PEIL - 45, start + int(rng.integers(60, 420))), modus)
        crime = w.crimes.get(i) or w.past_crimes[i]
        crime.energy = energy_kind(w, t, modus)


def energy_kind(w: World, typology: str, modus: str) -> str:
    """How the use shows in metered power: a farm draws a lot or bypasses the meter, a store-room is empty."""
    kind = ENERGY.get(typology, "normal")
    if typology == "hennepkwekerij":
        kind = _pick(w, (("high", 0.5), ("bypass", 0.3), ("normal", 0.2)))
    if typology == "drugsopslag" and modus == "debt_tenant":
        kind = "normal"
    return kind


def _tenant(w: World, c: Cast, bv_share: float) -> Person | Company:
    x = w.rng.random()
    if x < bv_share:
        t: Person | Company = c.tenant_bvs[int(w.rng.integers(len(c.tenant_bvs)))]
        w.malafide.append((t, "huurder_bv"))
    elif x < bv_share + 0.5:
        t = c.straw_men[int(w.rng.integers(len(c.straw_men)))]
        w.malafide.append((t, "katvanger"))
    else:
        t = w.person(20, 45, brp=w.rng.random() < 0.4)
    return t


def _left(w: World, c: Cast, i: int, until: int) -> None:
    """The ordinary household that lived there before the criminal use; their tenancy ends when they leave."""
    start = until - int(w.rng.integers(300, 10 * 365))
    members = household(w, i, start, int(w.rng.choice([1, 2, 3])))
    for who in members:
        _end_registration(w, who, i, until)
    if w.owners[i]:
        let(w, c, i, members[0], start, until - 1, w.owners[i][0][0] not in c.corporations)


def _end_registration(w: World, who: Person, i: int, day: int) -> None:
    for k in range(len(w.registrations) - 1, -1, -1):
        p, u, s, e = w.registrations[k]
        if p is who and u == i and e is None:
            w.registrations[k] = (p, u, s, max(s, day))
            return


def _criminal_let(w: World, c: Cast, i: int, crime: Crime, end: int | None, bad_agent: float, bv_share: float,
                  with_agent: float = 1.0) -> Person | Company:
    rng = w.rng
    tenant = _tenant(w, c, bv_share)
    k = let(w, c, i, tenant, crime.start, end, True, agent_share=0.0,
            pay=str(rng.choice(["contant", "derde", "overboeking"], p=[0.4, 0.25, 0.35])))
    if rng.random() < with_agent:
        k.agent = c.bad_agents[int(rng.integers(len(c.bad_agents)))] if rng.random() < bad_agent \
            else honest_agent(w, c)
        c.portfolio[k.agent.kvk] = c.portfolio.get(k.agent.kvk, 0) + 1
    k.rent = int((k.rent or 900) * rng.uniform(1.1, 1.6))
    crime.actors += [tenant, *([k.agent] if k.agent else [])]
    return tenant


def _private(w: World, c: Cast, i: int, bad_share: float) -> None:
    landlord = (c.bad_landlords[int(w.rng.integers(len(c.bad_landlords)))] if w.rng.random() < bad_share
                else private_landlord(w, c))
    own(w, c, i, "private", landlord)


def settle(w: World, c: Cast, i: int, crime: Crime) -> None:
    """Owner, occupancy and contracts of a home in criminal use during [start, end)."""
    rng, t, m, end = w.rng, crime.typology, crime.modus, crime.end
    if m in ("debt_tenant", "sublet", "elsewhere", "ghosts") or (t == "hennepkwekerij" and m == "owner"):
        kind = "self" if m == "owner" else "corp" if rng.random() < 0.7 else "private"
        own(w, c, i, kind)
        ordinary(w, c, i)
        crime.actors += (w.household.get(i) or [])[:1]
        if t == "woonfraude":
            _fraud(w, c, i, crime)
        return
    if m == "owner_bv":
        _private(w, c, i, 1.0)
        _left(w, c, i, crime.start)
        w.household[i], w.residents[i] = [], 2
        crime.actors.append(w.owners[i][0][0])
        return
    _private(w, c, i, 0.45 if t in ("overbewoning", "prostitutie") else 0.3)
    _left(w, c, i, crime.start)
    if t == "overbewoning":
        _crowd(w, c, i, crime)
        return
    tenant = _criminal_let(w, c, i, crime, end, bad_agent=0.75 if t != "hennepkwekerij" else 0.5,
                           bv_share=0.3 if t != "hennepkwekerij" else 0.1,
                           with_agent=0.0 if m == "landlord_let" else 1.0)
    w.household[i], w.residents[i] = [], int(rng.integers(1, 4))
    if t == "prostitutie" and rng.random() < 0.55:
        day = crime.start
        while day < (end or PEIL):
            woman = w.person(19, 35, brp=True)
            stay = int(rng.integers(30, 130))
            w.register(woman, i, day, day + stay if day + stay < (end or PEIL) else end)
            day += stay + int(rng.integers(0, 30))
        return
    registered = 0.4 if t == "safehouse" else 0.2 if t == "drugsopslag" else 0.5
    if isinstance(tenant, Person) and rng.random() < registered:
        w.register(tenant, i, crime.start + int(rng.integers(0, 40)), end)
        w.household[i] = [tenant]


def _fraud(w: World, c: Cast, i: int, crime: Crime) -> None:
    """The contract tenant registers elsewhere and others live there; or people registered who never lived there."""
    rng = w.rng
    members = w.household.get(i) or []
    if crime.modus == "elsewhere" and members:
        homes = w.residential()
        elsewhere = homes[int(rng.integers(len(homes)))]
        for who in members:
            _end_registration(w, who, i, crime.start)
            w.register(who, elsewhere, crime.start, None)
        w.household[i] = []
        if rng.random() < 0.5:
            day = crime.start + 20
            for _ in range(int(rng.integers(2, 5))):
                lodger = w.person(20, 50)
                stay = int(rng.integers(40, 300))
                w.register(lodger, i, min(day, PEIL - 5), day + stay if day + stay < PEIL - 5 else None)
                day += int(rng.integers(20, 120))
        w.residents[i] = int(rng.integers(2, 5))
    else:
        for _ in range(int(rng.integers(3, 7))):
            ghost = w.person(19, 60)
            start = crime.start + int(rng.integers(0, max(1, PEIL - crime.start - 5)))
            w.register(ghost, i, start, None if rng.random() < 0.7 else min(PEIL - 1, start + 90))


def crowd_tenant(w: World, c: Cast, rng: np.random.Generator) -> Person | Company:
    """The tenant on paper of an overcrowded home: a young staffing-like BV (malafide) or a person."""
    if rng.random() < 0.35:
        tenant = c.tenant_bvs[int(rng.integers(len(c.tenant_bvs)))]
        w.malafide.append((tenant, "huurder_bv"))
        return tenant
    return w.person(22, 50)


def _crowd(w: World, c: Cast, i: int, crime: Crime) -> None:
    """Workers packed into a home; registered in full, or only two or three of them."""
    rng, u = w.rng, w.units[i]
    beds = max(5, round(u.m2 / rng.uniform(5, 9)))
    tenant = crowd_tenant(w, c, rng)
    k = let(w, c, i, tenant, crime.start, crime.end, True, agent_share=0.0,
            pay=str(rng.choice(["contant", "overboeking", "derde"], p=[0.45, 0.35, 0.2])))
    if rng.random() < 0.3:
        k.agent = c.bad_agents[int(rng.integers(len(c.bad_agents)))] if rng.random() < 0.6 else honest_agent(w, c)
    k.rent = int(beds * rng.uniform(300, 450))
    registered = beds if crime.modus == "many_registered" else int(rng.integers(2, 4))
    members: list[Person] = []
    for _ in range(registered):
        day = crime.start + int(rng.integers(0, 60))
        while True:
            who = tenant if isinstance(tenant, Person) and not members else w.person(20, 55)
            stay = int(rng.exponential(240)) + 20
            last = day + stay >= (crime.end or PEIL)
            w.register(who, i, min(day, PEIL - 1), None if last and crime.end is None else min(day + stay,
                       crime.end or PEIL - 1))
            if last:
                members.append(who)
                break
            day += stay + int(rng.integers(0, 20))
    w.household[i], w.residents[i] = members, beds
    crime.actors += [tenant, *([k.agent] if k.agent else [])]


def settle_past(w: World, c: Cast, i: int, crime: Crime) -> None:
    """A criminal use that ended before the peildatum, then an ordinary household moved in."""
    settle(w, c, i, crime)
    if crime.modus in ("debt_tenant", "sublet", "elsewhere", "ghosts", "owner"):
        return
    for k in w.registered_at(i):
        p, u, s, e = w.registrations[k]
        if e is None:
            w.registrations[k] = (p, u, s, max(s, crime.end or PEIL - 1))
    ordinary(w, c, i, after=(crime.end or PEIL) + int(w.rng.integers(20, 120)))
