"""Dialects of the demo world: the same kind of region, delivered in the shape another region's partners use.

A *variant* (base / quiet / noisy) changes how much the suppliers share and how
sloppily; a *dialect* changes the shape of what they send: which sources carry
BAG ids or KvK numbers, how company and person names are written, how many
letting agents there are and how large, the mix of typologies, how much energy
data the grid operator delivers, and how many outcomes of past checks exist.
Settings are chosen on the tuning dialects and judged on the held-out ones
(`TUNING`, `HELD_OUT`), so a figure on a held-out dialect says something about
data pandzicht was not fitted to.

Each dialect is a frozen dataclass whose docstring says which real partner habit
it imitates. `Basis` is today's world: every default here reproduces it byte for
byte, so tests that measured the default world keep their figures.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from pandzicht.contract.sources import TYPOLOGIES


@dataclass(frozen=True)
class Bedrijfsnaamschrijfwijze:
    """How a source writes a company name the KvK registers as e.g. 'Maas Vastgoed B.V.'.

    Each field is the share of names given that treatment (independently, in this order)."""

    rechtsvorm_weg: float = 0.0  # 'Maas Vastgoed'
    rechtsvorm_anders: float = 0.0  # 'Maas Vastgoed BV', 'B.V. Maas Vastgoed', 'Maas Vastgoed b.v.'
    synoniem: float = 0.0  # 'Maas Vastgoedbeheer', 'Maas Woningen', 'Kuip Property'
    woordvolgorde: float = 0.0  # 'Vastgoed Maas'
    initialen: float = 0.0  # 'MV B.V.' (a trade name by its initials)

    def actief(self) -> bool:
        return any(v > 0 for v in asdict(self).values())


@dataclass(frozen=True)
class Dialect:
    """Today's demo world (the default): the partner habits every earlier figure was measured on.

    Police, Meldpunt and the landlord register give a BAG id for part of their records (the share
    depends on the variant), corporations for nearly all; contracts name companies with their KvK
    number 85% of the time and the Kadaster always does; a handful of agents of which two are large;
    the typology mix of `typologies.ACTIVE_RATE`; 24 months of energy for every unit; every
    discovered case since 2017 in the outcomes, with twice as many checks that found nothing."""

    naam: str = "basis"
    # multiplies the variant's share of records with a BAG id: incidents, tips, private contracts, corporation
    # contracts (see world._BAG_SHARE)
    bag_id_schaal: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    kvk_op_contract: float = 0.85  # share of company parties on a contract written with their KvK number
    kvk_in_kadaster: float = 1.0  # share of company owners in the Kadaster extract with their KvK number
    # how contracts write company names (the Kadaster and the KvK keep the registered name)
    bedrijfsnaam: Bedrijfsnaamschrijfwijze = field(default_factory=Bedrijfsnaamschrijfwijze)
    # name styles of persons on contracts, overriding noise.STYLES['huur'] (None: unchanged)
    persoonsnaam_huur: tuple[tuple[str, float], ...] | None = None
    woningen_per_bemiddelaar: int = 1500  # one (legitimate) letting agent per this many homes
    min_bemiddelaars: int = 4
    grote_bemiddelaars: bool = True  # two large agencies hold most agent-brokered contracts
    bemiddelaar_spreiding: float = 1.1  # Pareto shape of agent sizes (larger: more alike)
    typologie_factor: tuple[tuple[str, float], ...] = ()  # rate multipliers per typology (active and past)
    energie_dekking: float = 1.0  # share of buurten in the grid operator's delivery
    energie_maanden: int = 24  # months delivered, counted back from the peildatum (at most 24)
    energie_gaten: float = 0.0  # share of covered units without metered data (no smart meter)
    uitkomsten_aandeel: float = 1.0  # share of discovered cases whose check is in handhaving_uitkomst
    uitkomsten_vanaf: str | None = None  # outcomes recorded from this date on only
    controles_factor: float = 1.0  # volume of checks that found nothing, against the default
    # share of the running private lettings to households rented by an established employer for its staff
    werkgever_huur: float = 0.0

    def beschrijving(self) -> str:
        """The docstring as one paragraph: which partner habit the dialect imitates."""
        return " ".join((type(self).__doc__ or "").split())

    def typologie_schaal(self) -> dict[str, float]:
        f = dict(self.typologie_factor)
        unknown = set(f) - set(TYPOLOGIES)
        if unknown:
            raise ValueError(f"dialect {self.naam}: unknown typologies {sorted(unknown)}")
        return {t: float(f.get(t, 1.0)) for t in TYPOLOGIES}

    def parameters(self) -> dict:
        d = asdict(self)
        d["typologie_factor"] = dict(self.typologie_factor)
        return d


@dataclass(frozen=True)
class Basis(Dialect):
    """Today's demo world, unchanged (see `Dialect`): the reference every earlier figure was measured on."""


@dataclass(frozen=True)
class Tekstadressen(Dialect):
    """Partners whose systems are not coupled to the BAG: the police export (BVH), the Meldpunt and the
    landlord register send the address only as it was typed, never a BAG id; housing corporations send
    a BAG id for a third of their contracts (older contracts come from a previous system with text only).
    Everything else as in `basis`."""

    naam: str = "tekstadressen"
    bag_id_schaal: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.33)


@dataclass(frozen=True)
class ZonderKvk(Dialect):
    """Party data without company numbers: the landlord register is a web form where the KvK field is
    optional and nobody fills it in, and the Kadaster extract was a names-only export, so no contract
    and no ownership carries a KvK number (only the KvK's own extract does: no two company profiles
    share one). The register's clerks write company names loosely: legal form dropped or written
    otherwise, now and then a synonym ('Vastgoedbeheer' for 'Vastgoed')."""

    naam: str = "zonder_kvk"
    kvk_op_contract: float = 0.0
    kvk_in_kadaster: float = 0.0
    bedrijfsnaam: Bedrijfsnaamschrijfwijze = field(
        default_factory=lambda: Bedrijfsnaamschrijfwijze(rechtsvorm_weg=0.35, rechtsvorm_anders=0.25, synoniem=0.1)
    )


@dataclass(frozen=True)
class KleinVerhuur(Dialect):
    """A city with a fragmented private rental market and an enforcement team for it: many small letting
    agents (one per ~150 homes, none dominant) who write their own names as they like on contracts
    ('Vastgoedbeheer' for 'Vastgoed', words swapped, a trade name by its initials, legal form dropped);
    the register writes tenants and landlords surname first with initials ('Jansen, J.P.'); labour-migrant
    overcrowding and illegal prostitution are more common (×2.5 and ×1.5); the team's many checks of
    private lettings leave twice as many 'niets_gevonden' outcomes."""

    naam: str = "klein_verhuur"
    bedrijfsnaam: Bedrijfsnaamschrijfwijze = field(
        default_factory=lambda: Bedrijfsnaamschrijfwijze(
            rechtsvorm_weg=0.3, rechtsvorm_anders=0.2, synoniem=0.3, woordvolgorde=0.15, initialen=0.05
        )
    )
    persoonsnaam_huur: tuple[tuple[str, float], ...] | None = (
        ("surname_first_initials", 0.55),
        ("initials", 0.3),
        ("first_only", 0.15),
    )
    woningen_per_bemiddelaar: int = 150
    min_bemiddelaars: int = 12
    grote_bemiddelaars: bool = False
    bemiddelaar_spreiding: float = 4.0
    typologie_factor: tuple[tuple[str, float], ...] = (("overbewoning", 2.5), ("prostitutie", 1.5))
    controles_factor: float = 2.0


@dataclass(frozen=True)
class WeinigUitkomsten(Dialect):
    """A region that only started recording outcomes in 2021, and then only the closures and sanctions
    its own department handled: about a third of the cases discovered since then are in
    `handhaving_uitkomst`, with half the usual checks that found nothing, so a model has only a handful
    of labels (a small world has none for some typologies)."""

    naam: str = "weinig_uitkomsten"
    uitkomsten_aandeel: float = 0.35
    uitkomsten_vanaf: str | None = "2021-01-01"
    controles_factor: float = 0.5


@dataclass(frozen=True)
class HennepDeelnet(Dialect):
    """A region with many cannabis farms (hennepkwekerij ×2.5, drugsopslag ×1.5) whose grid operator
    delivers only its own service area (about 60% of the neighbourhoods), only the last 12 months, and
    no readings for the 10% of connections without a smart meter."""

    naam: str = "hennep_deelnet"
    typologie_factor: tuple[tuple[str, float], ...] = (("hennepkwekerij", 2.5), ("drugsopslag", 1.5))
    energie_dekking: float = 0.6
    energie_maanden: int = 12
    energie_gaten: float = 0.1


@dataclass(frozen=True)
class Werkgevers(Dialect):
    """A region of greenhouses, port logistics and care: established employment agencies and care
    organisations (registered 5-20 years, head office elsewhere) rent 4% of the private homes let to
    households for their own staff, so the landlord register names the company as tenant, paid by
    transfer, while the workers are registered there as usual. On paper they look like the rogue agencies
    behind overcrowding (a company renting many homes), which `basis` also has; they are innocent."""

    naam: str = "werkgevers"
    werkgever_huur: float = 0.04


DIALECTS: dict[str, Dialect] = {
    d.naam: d
    for d in (Basis(), Tekstadressen(), ZonderKvk(), KleinVerhuur(), WeinigUitkomsten(), HennepDeelnet(), Werkgevers())
}
DEFAULT = "basis"
# Settings (weights, thresholds, priors) are chosen on these; the others are only reported on.
TUNING: tuple[str, ...] = ("basis", "zonder_kvk")
HELD_OUT: tuple[str, ...] = tuple(n for n in DIALECTS if n not in TUNING)


def get(name: str | Dialect) -> Dialect:
    """A dialect by name (or the dialect itself)."""
    if isinstance(name, Dialect):
        return name
    if name not in DIALECTS:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}")
    return DIALECTS[name]


def rol(name: str) -> str:
    """'tuning' or 'held-out'."""
    return "tuning" if name in TUNING else "held-out"


# --- company names as a source writes them -------------------------------------------------------------------

_SYNONYMS = {
    "Vastgoed": "Vastgoedbeheer",
    "Wonen": "Woningen",
    "Rentals": "Rental",
    "Housing": "Huisvesting",
    "Woonbemiddeling": "Woningbemiddeling",
    "Makelaardij": "Makelaars",
    "Verhuur": "Verhuurbemiddeling",
    "Property Services": "Property",
    "Expat Homes": "Expat Housing",
    "Living": "Homes",
    "Huurservice": "Huurdiensten",
    "Real Estate": "Realestate",
    "Trading": "Trade",
    "Services": "Service",
    "Logistics": "Logistiek",
    "Invest": "Investments",
    "Holding": "Holdings",
    "Consultancy": "Consulting",
    "Beleggingen": "Belegging",
    "Onroerend Goed": "O.G.",
    "Personeel": "Personeelsdiensten",
    "Uitzendgroep": "Uitzendbureau",
    "Woondiensten": "Woondienst",
}
_SYN_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)) + r")\b")
_LEGAL_SUFFIX = re.compile(r"\s+(B\.V\.|BV|bv|b\.v\.)$")


def _split_legal(name: str) -> tuple[str, str, str]:
    """'Maas Vastgoed B.V.' -> ('', 'Maas Vastgoed', 'B.V.'); 'Stichting X' -> ('Stichting', 'X', '')."""
    m = _LEGAL_SUFFIX.search(name)
    if m:
        return "", name[: m.start()], m.group(1)
    if name.startswith("Stichting "):
        return "Stichting", name[len("Stichting ") :], ""
    return "", name, ""


def company_names(rng: np.random.Generator, spelling: Bedrijfsnaamschrijfwijze, names: np.ndarray) -> np.ndarray:
    """Rewrite company names (as already written by a source) the way the dialect's partners spell them."""
    names = np.asarray(names, dtype=object)
    if not spelling.actief() or len(names) == 0:
        return names
    out = names.copy()
    r = rng.random((len(names), 6))
    for i, nm in enumerate(names.tolist()):
        if nm is None:
            continue
        pre, core, legal = _split_legal(nm)
        a, b, c, d, e, f = r[i].tolist()
        if c < spelling.synoniem:
            core = _SYN_RE.sub(lambda m: _SYNONYMS[m.group(1)], core, count=1)
        words = core.split()
        if d < spelling.woordvolgorde and len(words) >= 2:
            words = words[1:] + words[:1]
            core = " ".join(words)
        if e < spelling.initialen and len(words) >= 2 and all(w[:1].isalpha() for w in words):
            core = "".join(w[0].upper() for w in words)
            legal = legal or ("B.V." if f < 0.5 else "")
        if legal or pre:
            if a < spelling.rechtsvorm_weg:
                pre, legal = "", ""
            elif b < spelling.rechtsvorm_anders:
                if legal:
                    legal = ("BV", "b.v.", "B.V. (front)")[int(f * 3) % 3]
                else:
                    pre = "St." if f < 0.5 else ""
        out[i] = f"B.V. {core}" if legal == "B.V. (front)" else " ".join(x for x in (pre, core, legal) if x)
    return out
