"""Criminal uses, signals and checks after the first peildatum, and the monthly step (the deliveries mode).

A use of typology t starts at a monthly rate per home of (t's share of the mix) x 1.1% / (t's mean duration
in months), which keeps the share of homes in criminal use about steady, and ends with 1 / (mean duration) a
month - or earlier, when a check finds it: a farm, a store-room, a safehouse or a brothel is cleared on the
day, fraud and overcrowding end within months, and a closure (13b) or a lease termination puts the
household out. Mean durations (months): woonfraude 30, overbewoning 24, hennepkwekerij 14, drugsopslag 12,
prostitutie 12, safehouse 10.

A new use takes the home its modus needs: a vacant or freshly vacated private let for a let through an agent
or straight from the landlord and for overcrowding (the tenant before leaves two to eight weeks earlier), a
long-standing tenant for a tenant in debt (60% of picks when there is one, as in the Motus cases), a
corporation tenant for a sublet, an owner-occupier for their own farm, a home for sale bought by a malafide
landlord for a safehouse without contract. One criminal let in five comes with a fresh tenant BV founded
weeks before by a straw man.

Tips, police registrations and routine checks arrive at a month's share of the rates the first delivery was
built with (per home over three years: background tips 3%, police records 3.5%; routine checks 5% over four
years in the two focus wijken, 0.6% elsewhere); tips and serious police records lead to a check two weeks to
four months later (15% and 40%).
"""

from __future__ import annotations

from pandzicht.altworld import crime as crimes
from pandzicht.altworld import signals
from pandzicht.altworld.actors import honest_agent
from pandzicht.altworld.evolve import Churn, Evolution
from pandzicht.altworld.model import Crime, iso
from pandzicht.altworld.names import Person, company_name
from pandzicht.altworld.occupancy import let
from pandzicht.altworld.outcomes import FOLLOW_UP, FOUND
from pandzicht.altworld.params import TYPOLOGY_MIX

DURATION = {"woonfraude": 30, "overbewoning": 24, "hennepkwekerij": 14, "drugsopslag": 12, "prostitutie": 12,
            "safehouse": 10}
TAKEOVER = ("agent_let", "landlord_let", "many_registered", "few_registered", "owner_bv")
QUICK = ("hennepkwekerij", "drugsopslag", "safehouse", "prostitutie")  # cleared the day a check finds them
EVICT = ("sluiting_13b", "huurontbinding")
BACKGROUND = ("overlast", "woninginbraak", "overig")
FRESH_BV = 0.2


def step(ev: Evolution, m: int, a: int, b: int, first_agent: int, first_phoenix: int) -> None:
    """Month m, the days (a, b]: the order keeps each event's causes before it."""
    for i in [i for i, cr in ev.crime_at.items() if cr.end is not None and cr.end <= a]:
        del ev.crime_at[i]
        ev.touch(i)
    ev.companies(m, a, b, first_agent, first_phoenix)
    ends(ev, a, b)
    signals_month(ev, a, b)
    checks(ev, a, b)
    ev.leave(a, b)
    ev.life(a, b)
    starts(ev, a, b)
    ev.fill(a, b)
    churn(ev, b)
    ev.close_month(b)


def use_at(ev: Evolution, i: int, day: int) -> Crime | None:
    """The criminal use going on at unit i on `day`, if any."""
    for j, cr in ev.episodes:
        if j == i and cr.start <= day and (cr.end is None or day <= cr.end):
            return cr
    return None


def end_use(ev: Evolution, i: int, cr: Crime, day: int, evicted: bool = False) -> None:
    """A use ends: a criminal let or a fraud leaves an empty home, an eviction too; invented names are struck."""
    if cr.end is not None:
        return
    cr.end = day
    ev.busy[i] = max(ev.busy.get(i, 0), day)
    ev.touch(i)
    if cr.modus in TAKEOVER or cr.modus == "elsewhere" or (evicted and i in ev.contract):
        ev.depart(i, day)
    elif cr.modus == "ghosts":
        ev.end_regs(i, day, ev.ghosts.pop(i, []))


def ends(ev: Evolution, a: int, b: int) -> None:
    """Uses that stop by themselves: the tenant moves on, the grower quits, the fraud is given up."""
    for i in sorted(ev.crime_at):
        cr = ev.crime_at[i]
        if cr.end is None and cr.start < b and ev.rng.random() < 1 / DURATION[cr.typology]:
            end_use(ev, i, cr, ev.day(max(a, cr.start), b))


def _pick(ev: Evolution, options: tuple[tuple[str, float], ...]) -> str:
    names, probs = zip(*options, strict=True)
    return str(ev.rng.choice(names, p=probs))


def starts(ev: Evolution, a: int, b: int) -> None:
    """New criminal uses this month, per typology at the steady-state rate."""
    w = ev.w
    for t, share in TYPOLOGY_MIX.items():
        for _ in range(int(ev.rng.poisson(len(ev.homes) * share * w.p.crime_rate / DURATION[t]))):
            modus = _pick(ev, crimes.MODI[t])
            i = _home_for(ev, t, modus, a, b)
            if i is not None:
                _start(ev, i, t, modus, a, b)


def _home_for(ev: Evolution, t: str, modus: str, a: int, b: int) -> int | None:
    """A home the modus can take, or None when there is none this month: drawn from the free homes that can host
    t, in home order, whose kind and mode (a vacant home's: who let or owned it before) the modus needs."""
    if modus in ("agent_let", "landlord_let", "many_registered", "few_registered"):
        options = ev.homes_where(a, b, t, lambda kind, mode, _: kind in ("vacant", "huur") and mode == "private")
    elif modus == "owner_bv":
        options = ev.homes_where(a, b, t, lambda kind, mode, _: kind == "vacant" and mode == "koop")
    elif modus == "sublet":
        options = ev.homes_where(a, b, t, lambda kind, mode, _: kind == "huur" and mode == "corp")
    elif modus == "owner":
        options = ev.homes_where(a, b, t, lambda kind, _, __: kind == "koop")
    elif modus == "ghosts":
        options = ev.homes_where(a, b, t, lambda kind, _, __: kind in ("huur", "koop"))
    else:  # debt_tenant, elsewhere
        options = ev.homes_where(a, b, t, lambda kind, _, __: kind == "huur")
        long = ev.homes_where(a, b, t, lambda kind, _, long: kind == "huur" and long)
        if modus == "debt_tenant" and ev.home_count(long, a, b) and ev.rng.random() < 0.6:
            options = long
    return ev.draw_home(options, a, b)


def _start(ev: Evolution, i: int, t: str, modus: str, a: int, b: int) -> None:
    w, c, rng = ev.w, ev.c, ev.rng
    day = ev.day(a, b)
    start = day
    if modus in TAKEOVER:
        if i in ev.vacant:
            start = max(day, ev.vacant.pop(i)[0] + 7)
        else:
            ev.depart(i, day)
            ev.vacant.pop(i)
            start = day + int(rng.integers(14, 61))
    cr = Crime(t, start, None, modus)
    cr.energy = crimes.energy_kind(w, t, modus)
    ev.episodes.append((i, cr))
    ev.crime_at[i] = cr
    ev.busy[i] = max(ev.busy.get(i, 0), start)
    ev.touch(i)
    if modus in ("agent_let", "landlord_let"):
        _let_to_criminals(ev, i, cr, a)
    elif modus in ("many_registered", "few_registered"):
        _crowd(ev, i, cr)
    elif modus == "owner_bv":
        landlord = c.bad_landlords[int(rng.integers(len(c.bad_landlords)))]
        ev.sell(i, [landlord], start, c.corr.get(landlord.ware, ""))
        w.malafide.append((landlord, "verhuurder"))
        cr.actors.append(landlord)
        ev.set_people(i, start, 2)
    elif modus == "elsewhere":
        _elsewhere(ev, i, cr, a, b)
    elif modus == "ghosts":
        cr.actors += ev.members(i)[:1]
        ev.ghosts[i] = [ev.register(w.person(19, 60), i, start + int(rng.integers(0, 60)))
                        for _ in range(int(rng.integers(3, 7)))]
    else:  # debt_tenant, sublet, owner: nothing changes in the registers
        cr.actors += ev.members(i)[:1]


def _let_to_criminals(ev: Evolution, i: int, cr: Crime, a: int) -> None:
    """A let to a straw man, a young BV or an unknown tenant, mostly through an agent, rent high and often cash."""
    w, c, rng, t = ev.w, ev.c, ev.rng, cr.typology
    if rng.random() < FRESH_BV:
        founded = ev.day(a, cr.start)
        bv = w.company(company_name(rng, str(rng.choice(["7022", "4321", "7830"])), "BV"), "BV", "7022", founded)
        bv.contract_kvk = 0.8
        bv.adres = f"Kantorenpark {int(rng.integers(1, 40))}, Rotterdam"
        ev.officer(bv, c.straw_men[int(rng.integers(len(c.straw_men)))], "bestuurder", founded)
        c.tenant_bvs.append(bv)
    tenant = crimes._criminal_let(w, c, i, cr, None, bad_agent=0.75 if t != "hennepkwekerij" else 0.5,
                                  bv_share=0.3 if t != "hennepkwekerij" else 0.1,
                                  with_agent=0.0 if cr.modus == "landlord_let" else 1.0)
    ev.contract[i] = w.contracts[-1]
    ev.touch(i)
    ev.set_people(i, cr.start, int(rng.integers(1, 4)))
    if t == "prostitutie" and rng.random() < 0.55:
        ev.churns.append(Churn(i, cr, [cr.start], [None], (19, 35), (30, 130)))
        return
    registered = 0.4 if t == "safehouse" else 0.2 if t == "drugsopslag" else 0.5
    if isinstance(tenant, Person) and rng.random() < registered:
        ev.register(tenant, i, cr.start + int(rng.integers(0, 40)))


def _crowd(ev: Evolution, i: int, cr: Crime) -> None:
    """Workers packed in at 5-9 m2 a bed, on a contract with a person or a BV; all or two or three registered."""
    w, c, rng = ev.w, ev.c, ev.rng
    beds = max(5, round(w.units[i].m2 / rng.uniform(5, 9)))
    tenant = crimes.crowd_tenant(w, c, rng)
    k = let(w, c, i, tenant, cr.start, None, True, agent_share=0.0,
            pay=str(rng.choice(["contant", "overboeking", "derde"], p=[0.45, 0.35, 0.2])))
    if rng.random() < 0.3:
        k.agent = c.bad_agents[int(rng.integers(len(c.bad_agents)))] if rng.random() < 0.6 \
            else honest_agent(w, c)
        c.portfolio[k.agent.kvk] = c.portfolio.get(k.agent.kvk, 0) + 1
    k.rent = int(beds * rng.uniform(300, 450))
    ev.contract[i] = k
    ev.touch(i)
    slots = beds if cr.modus == "many_registered" else int(rng.integers(2, 4))
    ev.churns.append(Churn(i, cr, [cr.start + int(rng.integers(0, 60)) for _ in range(slots)], [None] * slots,
                           (20, 55), (20, 480), first=tenant if isinstance(tenant, Person) else None))
    ev.set_people(i, cr.start, beds)
    cr.actors += [k.tenant, *([k.agent] if k.agent else [])]


def _elsewhere(ev: Evolution, i: int, cr: Crime, a: int, b: int) -> None:
    """The contract tenant registers at another home and lets theirs; lodgers register now and then."""
    w, rng = ev.w, ev.rng
    members = ev.members(i)
    j = ev.draw_home([("lived",)], a, b, but=i) if members else None  # any other home of kind huur or koop
    if j is not None:
        for p in members:
            ev.register(p, j, cr.start)
    if rng.random() < 0.5:
        for _ in range(int(rng.integers(1, 4))):
            ev.register(w.person(20, 50), i, cr.start + int(rng.integers(10, 90)))
    ev.set_people(i, cr.start, int(rng.integers(2, 5)))
    cr.actors += members[:1]


def churn(ev: Evolution, b: int) -> None:
    """Occupants of a brothel or an overcrowded home come and go; each bed's next one registers after a gap."""
    w, rng = ev.w, ev.rng
    for ch in ev.churns:
        if ch.crime.end is not None:
            continue
        for s in range(len(ch.change)):
            while ch.change[s] <= b:
                day = ch.change[s]
                k = ch.current[s]
                if k is not None and k in ev.open_regs.get(ch.unit, []):
                    ev.end_regs(ch.unit, day, [k])
                who, start = ch.first, day
                if who is None or s != 0:
                    who, start = w.person(*ch.ages), day + int(rng.integers(0, 21))
                ch.first = None if s == 0 else ch.first
                ch.current[s] = ev.register(who, ch.unit, start)
                ch.change[s] = start + int(rng.integers(*ch.stay))
    ev.churns = [ch for ch in ev.churns if ch.crime.end is None]


def _incident(ev: Evolution, i: int, day: int, cat: str, people: list[tuple[Person, str]]) -> None:
    signals._incident(ev.w, i, day, cat, people)
    inc = ev.w.incidents[-1]
    if cat not in BACKGROUND and ev.rng.random() < 0.4 * ev.w.p.check_rate:
        ev.pending.append((int(inc["day"]) + int(ev.rng.integers(7, 61)), int(inc["unit"])))


def _tip(ev: Evolution, i: int, day: int, cats: tuple[str, ...]) -> None:
    signals._tip(ev.w, i, day, cats)
    tip = ev.w.tips[-1]
    if ev.rng.random() < 0.15 * ev.w.p.check_rate:
        ev.pending.append((int(tip["day"]) + int(ev.rng.integers(14, 121)), int(tip["unit"])))


def signals_month(ev: Evolution, a: int, b: int) -> None:
    """This month's police registrations and tips: background, innocent lookalikes, and the uses going on."""
    w, rng, p = ev.w, ev.rng, ev.w.p
    for i in ev.homes:
        members = ev.members(i)
        for _ in range(int(rng.poisson(0.035 / 36 * p.police_rate))):
            cat = str(rng.choice(BACKGROUND, p=[0.45, 0.35, 0.2]))
            _incident(ev, i, ev.day(a, b), cat, [(members[0], "aangever")] if members and rng.random() < 0.8 else [])
        if rng.random() < 0.002 / 30 * p.police_rate:
            _incident(ev, i, ev.day(a, b), str(rng.choice(["explosie", "schietincident"])),
                      [(members[0], "betrokkene")] if members else [])
        for _ in range(int(rng.poisson(0.03 / 36 * p.tip_rate))):
            _tip(ev, i, ev.day(a, b), ("overig", "loopvolk", "stank", "nachtelijk_bezoek", "geluid_apparatuur"))
        for flag, (q, cats) in signals.INNOCENT_SIGNS.items():
            if flag in w.units[i].flags and rng.random() < q / 30 * p.tip_rate:
                _tip(ev, i, ev.day(a, b), cats)
    for i, cr in ev.episodes:
        lo, hi = max(a, cr.start), min(b, cr.end if cr.end is not None else b)
        if hi <= lo:
            continue
        chance, cats = signals.POLICE[cr.typology]
        if rng.random() < chance / 12 * p.police_rate:
            suspects = [(x, "verdachte") for x in cr.actors if isinstance(x, Person)][:2]
            _incident(ev, i, ev.day(lo, hi), str(rng.choice(cats)), suspects if rng.random() < 0.6 else [])
        per_year, signs = signals.TIP_SIGNS[cr.typology]
        for _ in range(int(rng.poisson(per_year / 12 * p.tip_rate * signals.QUIET.get(cr.modus, 1.0)))):
            _tip(ev, i, ev.day(lo, hi), signs)


def checks(ev: Evolution, a: int, b: int) -> None:
    """Checks due this month: after tips and police records, and routine ones, most in the focus wijken."""
    w, rng = ev.w, ev.rng
    due = [x for x in ev.pending if x[0] <= b]
    ev.pending = [x for x in ev.pending if x[0] > b]
    for i in ev.homes:
        chance = 0.05 if w.units[i].wijk in w.focus else 0.006
        if rng.random() < chance / 48 * w.p.check_rate:
            due.append((ev.day(a, b), i))
    for day, i in sorted(due):
        _check(ev, i, day)


def _check(ev: Evolution, i: int, day: int) -> None:
    """A check finds a use going on with the typology's chance; a found use ends, and may cost the home."""
    w, rng = ev.w, ev.rng
    cr = use_at(ev, i, day)
    use = cr.typology if cr else None
    finding = use if use and rng.random() < FOUND[use] else "niets_gevonden"
    if finding == "niets_gevonden" and (w.units[i].flags & {"grootgezin", "studentenhuis"}) and rng.random() < 0.1:
        finding = "overbewoning"
    vo = w.units[i].vo
    w.outcomes.append({"verblijfsobject_id": vo, "datum": iso(day),
                       "instrument": str(rng.choice(["controle", "huisbezoek"])), "bevinding": finding})
    follow, later = "", day
    if finding != "niets_gevonden" and rng.random() < 0.6:
        later = day + int(rng.integers(20, 120))
        follow = str(rng.choice(FOLLOW_UP.get(finding, ("waarschuwing",))))
        w.outcomes.append({"verblijfsobject_id": vo, "datum": iso(later), "instrument": follow,
                           "bevinding": finding})
    if cr is not None and finding == use and cr.end is None:
        end = day if use in QUICK else later if follow else day + int(rng.integers(30, 120))
        end_use(ev, i, cr, end, evicted=follow in EVICT)
