"""Ordinary life: who owns each home, who lives and is registered there, and the tenancy contracts.

Innocent homes that look odd are made here on purpose: student rooms with high turnover, large families,
care homes, empty homes for sale or renovation, expat and staffing companies renting homes nobody is
registered in, elderly tenants paying cash, parents paying their student's rent.
"""

from __future__ import annotations

import datetime as dt

from pandzicht.altworld.actors import Cast, any_agent, private_landlord
from pandzicht.altworld.model import PEIL, Company, Contract, World
from pandzicht.altworld.names import Person

OWNERSHIP = {"eengezins": (0.25, 0.6), "portiek": (0.6, 0.15), "galerij": (0.65, 0.1), "boven": (0.3, 0.35),
             "studio": (0.7, 0.02), "winkelwoning": (0.1, 0.4)}  # (corporation, owner-occupied); rest private


def assign_flags(w: World) -> None:
    """Innocent oddities, drawn before any crime so crime may also land in an odd home."""
    rng, m = w.rng, w.p.lookalike
    for i in w.residential():
        u = w.units[i]
        for flag, rate in (("warmtepomp", 0.07 * m), ("auto", 0.05 * m), ("thuisbedrijf", 0.03 * m),
                           ("leeg", 0.02 * m), ("grootgezin", 0.012 * m), ("studentenhuis", 0.01 * m),
                           ("medisch", 0.01 * m), ("contant", 0.04 * m)):
            if rng.random() < rate:
                u.flags.add(flag)
        if u.kind == "studio":
            u.flags.add("student")
        if "studentenhuis" in u.flags and u.kind != "eengezins":
            u.flags.discard("studentenhuis")
        if "grootgezin" in u.flags and u.m2 > 130:
            u.flags.discard("grootgezin")


def own(w: World, c: Cast, i: int, kind: str, owner: Person | Company | None = None) -> None:
    """Kadaster ownership of unit i: corporation, the occupant (filled in later), or a private landlord."""
    rng, u = w.rng, w.units[i]
    bought = PEIL - int(rng.integers(100, 40 * 365))
    price = int(u.m2 * rng.uniform(2200, 4200) * (0.6 + 0.4 * (bought - PEIL + 40 * 365) / (40 * 365)))
    if kind == "corp":
        corp = c.corporations[int(u.wijk[-1]) % len(c.corporations)]
        w.owners[i] = [(corp, "1/1", bought, None, "")]
    elif kind == "private":
        landlord = owner or private_landlord(w, c)
        w.owners[i] = [(landlord, "1/1", bought, price, c.corr.get(landlord.ware, ""))]
    else:
        w.owners[i] = []  # owner-occupied: filled in with the household


def ownership_kind(w: World, i: int) -> str:
    corp, self_ = OWNERSHIP.get(w.units[i].kind, (0.3, 0.4))
    x = w.rng.random()
    return "corp" if x < corp else "self" if x < corp + self_ else "private"


def household(w: World, i: int, moved_in: int, size: int | None = None) -> list[Person]:
    """A household registered at unit i from `moved_in`; children born later registered from birth."""
    rng, u = w.rng, w.units[i]
    if size is None:
        size = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.36, 0.31, 0.13, 0.12, 0.06, 0.02]))
        if u.m2 < 40:
            size = 1
    head = w.person(max(19, (PEIL - moved_in) // 365 + 19), max(30, (PEIL - moved_in) // 365 + 70))
    members = [head]
    w.register(head, i, moved_in, None)
    if size >= 2:
        partner = w.relative(head, 20, 75)
        members.append(partner)
        w.register(partner, i, moved_in, None)
    for _ in range(size - len(members)):
        child = w.relative(head, 0, 22)
        members.append(child)
        start = max(moved_in, _birth(child))
        w.register(child, i, min(start, PEIL), None)
    return members


def _birth(p: Person) -> int:
    return dt.date.fromisoformat(p.geboortedatum).toordinal()


def previous_address(w: World, who: Person, until: int) -> None:
    """Where a person was registered before: another home in the region."""
    homes = w.residential()
    j = homes[int(w.rng.integers(len(homes)))]
    start = max(_birth(who), until - int(w.rng.integers(300, 9 * 365)))
    if start < until:
        w.register(who, j, start, until)


def rent(w: World, i: int, private: bool) -> int:
    m2 = w.units[i].m2
    return int(round((m2 * (w.rng.uniform(14, 24) if private else w.rng.uniform(7, 11)) + 150) / 5) * 5)


def let(w: World, c: Cast, i: int, tenant: Person | Company, start: int, end: int | None, private: bool,
        agent_share: float = 0.45, bad_agent_share: float = 0.15, pay: str | None = None) -> Contract:
    """A tenancy contract for unit i; a private let is in the landlord register, a corporation let in its own."""
    rng = w.rng
    landlord = w.owners[i][0][0]
    agent = any_agent(w, c, bad_agent_share) if private and rng.random() < agent_share else None
    if agent is not None:
        c.portfolio[agent.kvk] = c.portfolio.get(agent.kvk, 0) + 1
    if pay is None:
        probs = [0.25, 0.62, 0.07, 0.06] if private else [0.82, 0.15, 0.02, 0.01]
        pay = str(rng.choice(["incasso", "overboeking", "contant", "derde"], p=probs))
        if "contant" in w.units[i].flags:
            pay = "contant"
    bron = (f"Gemeente {w.units[i].plaats} - register goed verhuurderschap" if private
            else getattr(landlord, "naam", "corporatie"))
    k = Contract(i, bron, landlord, tenant, start, end, rent(w, i, private), pay, agent)
    w.contracts.append(k)
    return k


def ordinary(w: World, c: Cast, i: int, after: int | None = None) -> None:
    """An ordinary home: household, history and, when rented, its contract. `after`: moved in after that day."""
    rng, u = w.rng, w.units[i]
    owner_kind = "corp" if w.owners[i] and w.owners[i][0][0] in c.corporations else (
        "private" if w.owners[i] else "self")
    lo = after if after is not None else PEIL - 30 * 365
    moved_in = min(PEIL - 20, max(lo, PEIL - 20 - int(rng.exponential(9 * 365)) % (30 * 365)))
    if "leeg" in u.flags and after is None:
        w.household[i], w.residents[i] = [], 0
        if rng.random() < 0.5:  # the last household left a while ago
            gone = w.person(30, 85)
            w.register(gone, i, PEIL - int(rng.integers(3, 20)) * 365, PEIL - int(rng.integers(30, 300)))
        return
    if "student" in u.flags or "studentenhuis" in u.flags:
        size = 1 if "student" in u.flags else int(rng.integers(4, 8))
        members, first = [], PEIL
        for _ in range(size):
            s = w.person(18, 25)
            start = min(PEIL - 10, max(lo, PEIL - int(rng.exponential(1.4 * 365))))
            w.register(s, i, start, None)
            members.append(s)
            first = min(first, start)
            t = start
            for _ in range(int(rng.integers(1, 4))):  # earlier students, gone out of the region
                prev = w.person(19, 27)
                s0 = t - int(rng.integers(150, 700))
                w.register(prev, i, s0, t - int(rng.integers(0, 20)))
                t = s0
        w.household[i], w.residents[i] = members, size
        if owner_kind != "self":
            let(w, c, i, members[0], first, None, owner_kind == "private", pay="derde" if rng.random() < 0.3 else None)
        return
    fresh = len(w.registrations)  # the household are new people: their registrations all lie from here on
    members = household(w, i, moved_in, int(rng.integers(7, 11)) if "grootgezin" in u.flags else None)
    if rng.random() < 0.35:
        previous_address(w, members[0], moved_in)
    w.household[i], w.residents[i] = members, len(members)
    if owner_kind == "self":
        shares = "1/1" if len(members) == 1 or rng.random() < 0.4 else "1/2"
        bought = moved_in - int(rng.integers(0, 60))
        price = int(u.m2 * rng.uniform(2200, 4200))
        for who in members[: 1 if shares == "1/1" else 2]:
            w.owners[i].append((who, shares, bought, price, ""))
        return
    if owner_kind == "private" and rng.random() < 0.012 * w.p.lookalike and c.staffing:
        # an honest staffing company rents the home for its workers; none of them registers
        for who in members:  # (filtering every registration here made building a world quadratic)
            w.registrations[fresh:] = [r for r in w.registrations[fresh:] if r[0] is not who]
        w.dropped_from(fresh)
        w.household[i] = []
        let(w, c, i, c.staffing[int(rng.integers(len(c.staffing)))], moved_in, None, True, pay="overboeking")
        return
    let(w, c, i, members[0], moved_in, None, owner_kind == "private")
    if rng.random() < 0.3:  # an earlier contract with an earlier tenant
        before = w.person(25, 90)
        start = moved_in - int(rng.integers(400, 8 * 365))
        w.register(before, i, start, moved_in - int(rng.integers(10, 120)))
        let(w, c, i, before, start, moved_in - 1, owner_kind == "private")


def care_home(w: World, c: Cast, i: int) -> None:
    """A care home: many registrations, changing over time; owned by a corporation."""
    rng = w.rng
    w.owners[i] = [(c.corporations[0], "1/1", PEIL - int(rng.integers(5, 40)) * 365, None, "")]
    members = []
    for _ in range(int(w.units[i].m2 / rng.uniform(18, 30))):
        p = w.person(70, 98)
        w.register(p, i, PEIL - int(rng.exponential(3 * 365)) - 5, None)
        members.append(p)
        gone = w.person(75, 99)
        w.register(gone, i, PEIL - int(rng.integers(4, 12)) * 365, PEIL - int(rng.integers(10, 3 * 365)))
    w.household[i], w.residents[i] = members, len(members)
