"""Companies and their officers (KvK): corporations, rental agents, investors, letting and tenant BVs, shops.

Includes the two malafide agents, the phoenix pattern (a director whose
letting BVs are dissolved and who returns as director of new ones), young
tenant BVs fronted by straw men, and plenty of ordinary companies so none of
that stands out by mere existence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pandzicht.synth.households import YEAR, day

CORPORATIONS = (
    ("Stichting Woonkracht Maasstad", 0.34),
    ("Havensteden Wonen", 0.22),
    ("Stichting Maaskant Woondiensten", 0.16),
    ("Woonvast Rotterdam-Zuid", 0.12),
    ("Stichting Rijnmond Thuis", 0.10),
    ("Stichting Studentenhuisvesting Kralingen", 0.06),
)
_AGENT_A = (
    "Maas",
    "Kuip",
    "Zuid",
    "Erasmus",
    "Skyline",
    "Havenstad",
    "Euromast",
    "Delfshaven",
    "Coolsingel",
    "Kralingen",
    "Blaak",
    "Noordereiland",
    "Witte Huis",
    "Hofplein",
    "Boompjes",
    "Rijnhaven",
    "Maasboulevard",
    "Lijnbaan",
)
_AGENT_B = (
    "Vastgoed",
    "Wonen",
    "Rentals",
    "Housing",
    "Woonbemiddeling",
    "Makelaardij",
    "Verhuur",
    "Property Services",
    "Expat Homes",
    "Living",
    "Huurservice",
    "Real Estate",
)
_TENANT_B = ("Trading", "Services", "Logistics", "Invest", "Group", "Holding", "Consultancy")
_UITZEND_A = ("Flex", "Euro", "Maas", "Westland", "Port")
_UITZEND_B = ("Personeel", "Uitzendgroep", "Staffing", "Workforce")
_INVEST_B = (
    "Vastgoed",
    "Beleggingen",
    "Property",
    "Holding",
    "Onroerend Goed",
    "Investments",
    "Capital",
    "Real Estate",
)
_SHOP = (
    ("4711", "Supermarkt"),
    ("5610", "Eethuis"),
    ("9602", "Kapsalon"),
    ("4771", "Mode"),
    ("4719", "Bazaar"),
    ("4776", "Bloemen"),
    ("5630", "Café"),
    ("4762", "Tabak & Lectuur"),
    ("9603", "Uitvaartzorg"),
    ("4773", "Apotheek"),
)
_OFFICE = (
    ("6201", "Software"),
    ("6920", "Administratiekantoor"),
    ("7022", "Advies"),
    ("7111", "Architecten"),
    ("6622", "Assurantiën"),
    ("7311", "Reclame"),
    ("8690", "Praktijk"),
)
_HOME = (
    ("7410", "Ontwerp"),
    ("8559", "Bijles"),
    ("9602", "Haarstudio"),
    ("4391", "Klusbedrijf"),
    ("7022", "Consultancy"),
    ("4932", "Taxi"),
    ("5320", "Koeriersdienst"),
    ("9313", "Personal Training"),
    ("7420", "Fotografie"),
)
_ELSEWHERE = (
    "Herengracht {n}, 1017 BZ Amsterdam",
    "Laan van Nieuw Oost-Indië {n}, 2593 BT Den Haag",
    "Stationsplein {n}, 3511 ED Utrecht",
    "Markt {n}, 5611 EB Eindhoven",
    "Koopmansweg {n}, 2665 KN Bleiswijk",
    "Industrieweg {n}, 3044 AS Schiedam",
    "Postbus {n}, 3000 AA Rotterdam",
    "Boomgaardstraat {n}, 2000 Antwerpen, België",
)


@dataclass
class Registry:
    """Companies (one id space: cid) and officer appointments, accumulated by the builders below."""

    rows: list[dict] = field(default_factory=list)
    officers: list[dict] = field(default_factory=list)

    def add(
        self,
        naam: str,
        rechtsvorm: str,
        sbi: str,
        start: int,
        end: int = -1,
        unit: int = -1,
        adres: str | None = None,
        kind: str = "other",
    ) -> int:
        cid = len(self.rows)
        self.rows.append(
            {
                "cid": cid,
                "naam": naam,
                "rechtsvorm": rechtsvorm,
                "sbi_code": sbi,
                "start": start,
                "end": end,
                "unit": unit,
                "adres_tekst": adres,
                "kind": kind,
            }
        )
        return cid

    def officer(self, cid: int, pid: int, rol: str, start: int, end: int = -1, officer_cid: int = -1) -> None:
        self.officers.append(
            {"cid": cid, "pid": pid, "officer_cid": officer_cid, "rol": rol, "start": start, "end": end}
        )

    def frame(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return pd.DataFrame(self.rows), pd.DataFrame(self.officers)


def kvk_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 8-digit KvK numbers (Rotterdam-style 24xxxxxx for older, 5-9xxxxxxx for newer registrations)."""
    nums = rng.choice(np.arange(24_000_000, 99_999_999, 7, dtype=np.int64), size=n, replace=False)
    return np.array([f"{x:08d}" for x in nums.tolist()], dtype=object)


def _date(rng: np.random.Generator, lo: str | int, hi: str | int) -> int:
    a = day(lo) if isinstance(lo, str) else lo
    b = day(hi) if isinstance(hi, str) else hi
    return int(rng.integers(a, max(a + 1, b)))


def _legal(name: str, rechtsvorm: str) -> str:
    return f"{name} B.V." if rechtsvorm == "BV" else name


@dataclass
class Parties:
    """Handles to the special parties other modules need."""

    corporations: list[int]
    corp_share: np.ndarray
    agents: list[int]  # legitimate rental agents
    agent_weight: np.ndarray
    malafide_agents: list[int]
    investors: list[int]
    investor_weight: np.ndarray
    tenant_bvs: list[int]
    uitzend_bvs: list[int]
    phoenix_bvs: list[int]
    malafide_people: list[int] = field(default_factory=list)  # pids of directors behind the scheme


def build_companies(
    rng: np.random.Generator,
    reg: Registry,
    n_homes: int,
    peil: int,
    surname_of: np.ndarray,
    officer_pool: np.ndarray,
    young_pool: np.ndarray,
    n_tenant_bvs: int,
    homes_per_agent: int = 1500,
    min_agents: int = 4,
    large_agents: bool = True,
    agent_shape: float = 1.1,
) -> Parties:
    """Create every company that owns, lets, brokers or rents homes, with officers and phoenix histories.

    The agent market: one legitimate agent per `homes_per_agent` homes (at least `min_agents`), sizes from a
    Pareto(`agent_shape`) tail, and with `large_agents` two large agencies that broker most contracts."""
    corps = [
        reg.add(n, "Stichting", "6820", _date(rng, "1990-01-01", "2002-01-01"), kind="corporation", adres=None)
        for n, _ in CORPORATIONS
    ]
    share = np.array([s for _, s in CORPORATIONS])
    for c in corps:
        for _ in range(2):
            reg.officer(c, int(rng.choice(officer_pool)), "bestuurder", _date(rng, "2012-01-01", "2023-01-01"))

    def agent_name() -> str:
        return f"{rng.choice(_AGENT_A)} {rng.choice(_AGENT_B)}"

    used: set[str] = set()

    def unique(make) -> str:
        for _ in range(50):
            n = make()
            if n not in used:
                used.add(n)
                return n
        n = f"{make()} {len(used)}"
        used.add(n)
        return n

    n_agents = max(min_agents, n_homes // homes_per_agent)
    agents = []
    for _ in range(n_agents):
        rv = "BV" if rng.random() < 0.8 else "Eenmanszaak"
        c = reg.add(_legal(unique(agent_name), rv), rv, "6831", _date(rng, "1998-01-01", "2021-01-01"), kind="agent")
        reg.officer(c, int(rng.choice(officer_pool)), "bestuurder" if rv == "BV" else "eigenaar", reg.rows[c]["start"])
        agents.append(c)
    agent_w = rng.pareto(agent_shape, n_agents) + 0.2
    if large_agents:
        agent_w[:2] = agent_w.max() * 2.5  # two large, legitimate agencies with big portfolios
    agent_w /= agent_w.sum()

    # the malafide agents: young-ish BVs whose directors ran letting BVs that were dissolved (phoenix)
    malafide, people, phoenix = [], [], []
    for _ in range(2):
        boss = int(rng.choice(officer_pool))
        people.append(boss)
        t = _date(rng, "2011-01-01", "2013-01-01")
        for _ in range(int(rng.integers(2, 4))):
            life = int(rng.uniform(1.0, 3.0) * YEAR)
            old = reg.add(
                _legal(unique(agent_name), "BV"),
                "BV",
                str(rng.choice(["6820", "6831"])),
                t,
                t + life,
                adres=str(rng.choice(_ELSEWHERE)).format(n=int(rng.integers(1, 400))),
                kind="phoenix",
            )
            reg.officer(old, boss, "bestuurder", t, t + life)
            phoenix.append(old)
            t = t + life + int(rng.integers(10, 200))
        start = min(t, peil - int(2.5 * YEAR))
        c = reg.add(_legal(unique(agent_name), "BV"), "BV", "6831", start, kind="malafide_agent")
        reg.officer(c, boss, "bestuurder", start)
        if rng.random() < 0.7:
            helper = int(rng.choice(officer_pool))
            people.append(helper)
            reg.officer(c, helper, "gevolmachtigde", start + int(rng.integers(30, 400)))
        malafide.append(c)

    # investor BVs, some held by a holding BV (layering)
    n_inv = max(6, n_homes // 400)
    investors = []
    for _ in range(n_inv):
        sn = surname_of[int(rng.integers(0, len(surname_of)))]
        c = reg.add(
            _legal(f"{sn} {rng.choice(_INVEST_B)}", "BV"),
            "BV",
            "6820",
            _date(rng, "1995-01-01", "2022-06-01"),
            kind="investor",
        )
        if rng.random() < 0.25:
            h = reg.add(
                _legal(f"{sn} Holding", "BV"),
                "BV",
                "6420",
                _date(rng, "1995-01-01", reg.rows[c]["start"]),
                adres=str(rng.choice(_ELSEWHERE)).format(n=int(rng.integers(1, 400))),
                kind="holding",
            )
            reg.officer(h, int(rng.choice(officer_pool)), "bestuurder", reg.rows[h]["start"])
            reg.officer(c, -1, "bestuurder", reg.rows[c]["start"], officer_cid=h)
        else:
            reg.officer(c, int(rng.choice(officer_pool)), "bestuurder", reg.rows[c]["start"])
        investors.append(c)
    inv_w = rng.pareto(1.3, n_inv) + 0.3
    inv_w /= inv_w.sum()

    # young tenant BVs fronted by straw men; a phoenix director hops from one to the next
    tenant_bvs = []
    hopper = int(rng.choice(officer_pool))
    people.append(hopper)
    for i in range(n_tenant_bvs):
        start = _date(rng, peil - int(3 * YEAR), peil - 60)
        name = unique(lambda: f"{rng.choice(_AGENT_A)} {rng.choice(_TENANT_B)}")
        c = reg.add(
            _legal(name, "BV"), "BV", str(rng.choice(["4690", "7022", "6820", "4941", "8299"])), start, kind="tenant_bv"
        )
        if i % 3 == 0:
            prev_end = start - int(rng.integers(20, 200))
            old = reg.add(
                _legal(unique(lambda: f"{rng.choice(_AGENT_A)} Trading"), "BV"),
                "BV",
                "6820",
                prev_end - int(rng.uniform(0.8, 2.5) * YEAR),
                prev_end,
                kind="phoenix",
            )
            reg.officer(old, hopper, "bestuurder", reg.rows[old]["start"], prev_end)
            phoenix.append(old)
            reg.officer(c, hopper, "bestuurder", start)
        else:
            reg.officer(c, int(rng.choice(young_pool)), "bestuurder", start)
        tenant_bvs.append(c)

    # labour-migrant employment agencies renting homes for their workers (overcrowding)
    uitzend = []
    for _ in range(max(2, n_homes // 3000)):
        c = reg.add(
            _legal(
                f"{rng.choice(_UITZEND_A)} {rng.choice(_UITZEND_B)}",
                "BV",
            ),
            "BV",
            "7820",
            _date(rng, "2008-01-01", "2022-01-01"),
            kind="uitzend",
            adres=str(rng.choice(_ELSEWHERE)).format(n=int(rng.integers(1, 400))),
        )
        reg.officer(c, int(rng.choice(officer_pool)), "bestuurder", reg.rows[c]["start"])
        uitzend.append(c)

    return Parties(
        corps, share / share.sum(), agents, agent_w, malafide, investors, inv_w, tenant_bvs, uitzend, phoenix, people
    )


_EMPLOYER_A = ("Delta", "Rijnmond", "Haven", "Agro", "Kas", "Noordzee", "Logistiek", "Tuinbouw")
_CARE_A = ("Rijnmond", "Maasoever", "De Waterweg", "Zuidplas", "Het Baken")
_EMPLOYER_B = (("7820", "Uitzendbureau", "BV"), ("7820", "Personeelsdiensten", "BV"),
               ("7820", "Arbeidsbemiddeling", "BV"), ("8710", "Zorggroep", "Stichting"))


def add_employers(
    rng: np.random.Generator, reg: Registry, n_homes: int, peil: int, officer_pool: np.ndarray
) -> tuple[list[int], np.ndarray]:
    """Established employers that house their own staff (dialect `werkgever_huur`): employment agencies and care
    organisations registered 5-20 years before the peildatum, head office outside the region. They look like the
    rogue agencies of `build_companies` on paper (a company renting many homes), and are innocent.

    Returns the companies and their weights (a Pareto tail: one or two rent most of the homes)."""
    used = {r["naam"] for r in reg.rows}
    employers = []
    for _ in range(max(3, n_homes // 2500)):
        sbi, word, rv = _EMPLOYER_B[int(rng.integers(0, len(_EMPLOYER_B)))]
        name = _legal(f"{word} {rng.choice(_CARE_A)}" if rv == "Stichting" else f"{rng.choice(_EMPLOYER_A)} {word}", rv)
        while name in used:
            name = _legal(f"{rng.choice(_EMPLOYER_A)} {word} {int(rng.integers(2, 99))}", rv)
        used.add(name)
        start = _date(rng, peil - int(20 * YEAR), peil - int(5 * YEAR))
        c = reg.add(name, rv, sbi, start, kind="werkgever",
                    adres=str(rng.choice(_ELSEWHERE[:-1])).format(n=int(rng.integers(1, 400))))
        reg.officer(c, int(rng.choice(officer_pool)), "bestuurder", start)
        employers.append(c)
    weight = rng.pareto(1.2, len(employers)) + 0.2
    return employers, weight / weight.sum()


def add_local_businesses(
    rng: np.random.Generator,
    reg: Registry,
    units: pd.DataFrame,
    peil: int,
    resident_of_unit: dict[int, int],
    surname_of_pid: dict[int, str],
    officer_pool: np.ndarray,
) -> None:
    """Shops, offices and home businesses (with dissolved predecessors): ordinary KvK noise around homes."""
    doel = units["gebruiksdoel"].to_numpy()
    street = units["openbare_ruimte"].to_numpy()
    for u in np.flatnonzero(doel == "winkelfunctie").tolist():
        if rng.random() < 0.1:
            continue  # empty shop
        sbi, word = _SHOP[int(rng.integers(0, len(_SHOP)))]
        rv = "Eenmanszaak" if rng.random() < 0.6 else ("VOF" if rng.random() < 0.4 else "BV")
        start = _date(rng, "1995-01-01", peil - 30)
        if rng.random() < 0.3:  # a dissolved predecessor at the same shop
            reg.add(
                _legal(f"{word} {street[u]}", "BV" if rv == "BV" else rv),
                rv,
                sbi,
                start - int(rng.uniform(2, 8) * YEAR),
                start - int(rng.integers(10, 200)),
                unit=u,
            )
        c = reg.add(_legal(f"{word} {street[u].split()[-1]}", rv), rv, sbi, start, unit=u, kind="shop")
        reg.officer(
            c,
            int(rng.choice(officer_pool)),
            "eigenaar" if rv == "Eenmanszaak" else ("vennoot" if rv == "VOF" else "bestuurder"),
            start,
        )
    for u in np.flatnonzero(doel == "kantoorfunctie").tolist():
        for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
            sbi, word = _OFFICE[int(rng.integers(0, len(_OFFICE)))]
            rv = "BV" if rng.random() < 0.7 else "Eenmanszaak"
            c = reg.add(
                _legal(f"{word} {rng.choice(_AGENT_A)}", rv),
                rv,
                sbi,
                _date(rng, "1995-01-01", peil - 30),
                unit=u,
                kind="office",
            )
            reg.officer(
                c, int(rng.choice(officer_pool)), "bestuurder" if rv == "BV" else "eigenaar", reg.rows[c]["start"]
            )
    # a few office units act as registered office for many companies (company formation agents)
    offices = np.flatnonzero(doel == "kantoorfunctie")
    if len(offices):
        for u in rng.choice(offices, size=min(len(offices), max(1, len(units) // 8000)), replace=False).tolist():
            for _ in range(int(rng.integers(8, 30))):
                reg.add(
                    _legal(f"{rng.choice(_AGENT_A)} {rng.choice(_INVEST_B)} {int(rng.integers(1, 99))}", "BV"),
                    "BV",
                    str(rng.choice(["6420", "7022", "4690", "6820"])),
                    _date(rng, "2005-01-01", peil - 30),
                    unit=u,
                    kind="office",
                )
    # home businesses: eenmanszaak of a resident, registered at home
    homes = list(resident_of_unit)
    k = int(len(homes) * 0.04)
    for u in rng.choice(np.array(homes), size=min(k, len(homes)), replace=False).tolist():
        sbi, word = _HOME[int(rng.integers(0, len(_HOME)))]
        pid = resident_of_unit[u]
        c = reg.add(
            f"{word} {surname_of_pid[pid]}",
            "Eenmanszaak",
            sbi,
            _date(rng, "2005-01-01", peil - 30),
            unit=u,
            kind="homebiz",
        )
        reg.officer(c, pid, "eigenaar", reg.rows[c]["start"])
        if rng.random() < 0.2:
            reg.rows[c]["end"] = _date(rng, reg.rows[c]["start"] + 200, peil - 1)
