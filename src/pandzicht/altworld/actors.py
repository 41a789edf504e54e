"""The organisations and the people behind them: corporations, rental agents, landlords, straw men, tenant BVs.

Malafide agents run mixed portfolios (mostly ordinary lets, a minority criminal) and their directors ran
letting firms that were dissolved before (phoenix); honest agents sometimes have a dissolved firm too. Tenant
BVs are young and directed by straw men; one malafide landlord hides behind a holding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pandzicht.altworld.model import PEIL, Company, World
from pandzicht.altworld.names import Person, company_name

ABROAD = ("Calle del Mar 14, 29601 Marbella, Spanje", "Avenida Central 220, Alicante, Spanje",
          "Kurfürstendamm 88, Berlin, Duitsland", "Rue Royale 41, 1000 Brussel, België",
          "Sheikh Zayed Road 1021, Dubai, VAE", "Rua Augusta 77, Lisboa, Portugal")


@dataclass
class Cast:
    corporations: list[Company] = field(default_factory=list)
    agents: list[Company] = field(default_factory=list)  # honest
    bad_agents: list[Company] = field(default_factory=list)
    landlords: list[Person | Company] = field(default_factory=list)  # private, honest
    bad_landlords: list[Person | Company] = field(default_factory=list)
    straw_men: list[Person] = field(default_factory=list)
    tenant_bvs: list[Company] = field(default_factory=list)
    staffing: list[Company] = field(default_factory=list)  # honest companies renting homes for their workers
    portfolio: dict[str, int] = field(default_factory=dict)  # agent kvk -> lets so far
    corr: dict[str, str] = field(default_factory=dict)  # owner ware -> correspondence address


def _officer(w: World, c: Company, who: Person, rol: str = "bestuurder", start: int | None = None) -> None:
    c.officers.append((who, rol, start if start is not None else c.start, c.end))


def _letting_firm(w: World, sbi: str, start: int, end: int | None, director: Person) -> Company:
    c = w.company(company_name(w.rng, sbi, "BV"), "BV", sbi, start, end)
    c.adres = f"Postbus {int(w.rng.integers(100, 9999))}, Dordrecht"
    _officer(w, c, director)
    return c


def cast(w: World) -> Cast:
    """Create every organisation and the people who direct them; scale with the world."""
    rng, n = w.rng, len(w.units)
    c = Cast()
    for naam in ("Stichting Woonkracht Drechtsteden", "Stichting Waardwonen", "Woningstichting De Merwede"):
        corp = w.company(naam, "Stichting", "6820", PEIL - int(rng.integers(30, 60)) * 365)
        _officer(w, corp, w.person(45, 65), "bestuurder", PEIL - int(rng.integers(1, 9)) * 365)
        c.corporations.append(corp)
    for _ in range(max(5, n // 350)):
        start = PEIL - int(rng.integers(2, 25) * 365)
        director = w.person(30, 70)
        agent = _letting_firm(w, "6831", start, None, director)
        agent.contract_kvk = float(rng.uniform(0.3, 0.95))
        if rng.random() < 0.2:
            _letting_firm(w, "6831", start - 6 * 365, start - 200, director)
        c.agents.append(agent)
    for _ in range(int(rng.integers(2, 4))):
        director = w.person(32, 60)
        start = PEIL - int(rng.integers(1, 6) * 365)
        agent = _letting_firm(w, "6831", start, None, director)
        agent.contract_kvk = float(rng.uniform(0.2, 0.6))
        for k in range(int(rng.integers(1, 3))):  # phoenix: earlier firms, dissolved
            s = start - (k + 1) * int(rng.integers(500, 1100))
            _letting_firm(w, str(rng.choice(["6831", "6820"])), s, s + int(rng.integers(300, 900)), director)
        if rng.random() < 0.5:  # a second officer, the director's associate
            _officer(w, agent, w.person(25, 55), "gevolmachtigde", start + 100)
        c.bad_agents.append(agent)
        w.malafide.append((agent, "bemiddelaar"))
    # malafide landlords: a person abroad, and a BV behind a holding
    abroad = w.person(40, 70, brp=False)
    c.corr[abroad.ware] = ABROAD[int(rng.integers(len(ABROAD)))]
    holder = w.person(35, 65)
    holding = w.company(f"{holder.geslachtsnaam} Holding B.V.", "BV", "7022",
                        PEIL - int(rng.integers(4, 12)) * 365)
    _officer(w, holding, holder)
    bv = w.company(company_name(rng, "6820", "BV"), "BV", "6820", PEIL - int(rng.integers(2, 5)) * 365)
    bv.contract_kvk = 0.5
    _officer(w, bv, holder)
    bv.adres = "Postbus 3021, Zwijndrecht"
    c.bad_landlords += [abroad, bv]
    w.malafide += [(abroad, "verhuurder"), (bv, "verhuurder")]
    for _ in range(3 + n // 1200):
        c.straw_men.append(w.person(19, 26, brp=rng.random() < 0.6))
    for _ in range(2 + n // 4000):
        owner = c.straw_men[int(rng.integers(len(c.straw_men)))]
        bv = w.company(company_name(rng, str(rng.choice(["7022", "4321", "7830"])), "BV"), "BV", "7022",
                       PEIL - int(rng.integers(60, 540)))
        bv.contract_kvk = 0.8
        bv.adres = f"Kantorenpark {int(rng.integers(1, 40))}, Rotterdam"
        _officer(w, bv, owner)
        c.tenant_bvs.append(bv)
    for _ in range(1 + n // 5000):
        staff = w.company(company_name(rng, "7830", "BV"), "BV", "7830", PEIL - int(rng.integers(5, 20)) * 365)
        _officer(w, staff, w.person(35, 60))
        staff.adres = "Industrieweg 4, Gorinchem"
        c.staffing.append(staff)
    return c


def private_landlord(w: World, c: Cast) -> Person | Company:
    """An honest private landlord: an existing one (the bigger the likelier) or a new one."""
    rng = w.rng
    if c.landlords and rng.random() < 0.6:
        return c.landlords[int(rng.integers(len(c.landlords)))]
    if rng.random() < 0.6:
        landlord: Person | Company = w.person(35, 80)
        if rng.random() < 0.08:  # an expat landlord, innocent
            c.corr[landlord.ware] = ABROAD[int(rng.integers(len(ABROAD)))]
    else:
        landlord = w.company(company_name(rng, "6820", "BV"), "BV", "6820", PEIL - int(rng.integers(1, 30)) * 365)
        landlord.adres = f"Postbus {int(rng.integers(100, 9999))}, Dordrecht"
        landlord.contract_kvk = float(rng.uniform(0.4, 0.95))
        _officer(w, landlord, w.person(35, 75))
    c.landlords.append(landlord)
    return landlord


def honest_agent(w: World, c: Cast) -> Company:
    sizes = [1 + c.portfolio.get(a.kvk, 0) for a in c.agents]
    total = sum(sizes)
    return c.agents[int(w.rng.choice(len(c.agents), p=[s / total for s in sizes]))]


def any_agent(w: World, c: Cast, bad_share: float) -> Company:
    """An agent for an ordinary private let; malafide agents take `bad_share` of them (a mixed portfolio)."""
    if w.rng.random() < bad_share:
        return c.bad_agents[int(w.rng.integers(len(c.bad_agents)))]
    return honest_agent(w, c)


def home_businesses(w: World, units: list[int]) -> None:
    """Companies registered at a home (innocent: hairdresser, IT, bakery) and at shops and offices."""
    rng = w.rng
    for i in units:
        sbi = str(rng.choice(["9602", "6201", "1071", "4321", "7022"]))
        form = "Eenmanszaak" if rng.random() < 0.7 else "VOF"
        co = w.company(company_name(rng, sbi, form), form, sbi, PEIL - int(rng.integers(200, 6000)))
        co.unit = i
        head = w.household.get(i) or [w.person(25, 65)]
        _officer(w, co, head[0], "eigenaar")
    for i, u in enumerate(w.units):
        if u.kind in ("winkel", "kantoor", "bedrijf") and rng.random() < 0.7:
            for _ in range(1 if u.kind != "kantoor" or rng.random() < 0.8 else int(rng.integers(3, 9))):
                sbi = str(rng.choice(["4711", "9602", "7022", "6201", "4321"]))
                co = w.company(company_name(rng, sbi, "BV"), "BV", sbi, PEIL - int(rng.integers(100, 9000)))
                co.unit = i
                if rng.random() < 0.08:
                    co.end = min(PEIL - 10, co.start + int(rng.integers(300, 3000)))
                _officer(w, co, w.person(25, 70))
