"""The state of one independent world while it is built: units, people, companies and what happened where.

Dates are kept as ordinals (days) and written as ISO dates only at the end, so arithmetic stays simple.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pandzicht.altworld.geo import Unit
from pandzicht.altworld.names import Person, draw_name
from pandzicht.altworld.params import PEILDATUM, Params

PEIL = dt.date.fromisoformat(PEILDATUM).toordinal()
DAY0 = dt.date(1900, 1, 1).toordinal()


def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


@dataclass(slots=True)
class Company:
    """One company as the KvK registers it; `aliases` are how contracts and deeds write it."""

    ware: str
    kvk: str
    naam: str
    rechtsvorm: str
    sbi: str
    start: int
    end: int | None = None
    unit: int | None = None  # index of its registered unit, else `adres` is text
    adres: str = ""
    officers: list[tuple[Person, str, int, int | None]] = field(default_factory=list)
    contract_kvk: float = 0.9  # chance a contract that names it carries its KvK number


@dataclass(slots=True)
class Contract:
    unit: int
    bron: str
    landlord: Person | Company
    tenant: Person | Company
    start: int
    end: int | None
    rent: int | None
    pay: str
    agent: Company | None = None


@dataclass(slots=True)
class Crime:
    """A home in criminal use from `start` to `end` (None: still at the peildatum)."""

    typology: str
    start: int
    end: int | None
    modus: str
    energy: str = "normal"  # normal, high, bypass, low, very_low
    actors: list[Person | Company] = field(default_factory=list)


@dataclass
class World:
    rng: np.random.Generator
    p: Params
    units: list[Unit]
    persons: list[Person] = field(default_factory=list)
    registrations: list[tuple[Person, int, int, int | None]] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    owners: dict[int, list[tuple[Person | Company, str, int, int | None, str]]] = field(default_factory=dict)
    contracts: list[Contract] = field(default_factory=list)
    crimes: dict[int, Crime] = field(default_factory=dict)
    past_crimes: dict[int, Crime] = field(default_factory=dict)
    household: dict[int, list[Person]] = field(default_factory=dict)  # registered at the peildatum
    residents: dict[int, int] = field(default_factory=dict)  # people really living there (for energy)
    malafide: list[tuple[Person | Company, str]] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    involved: list[tuple[str, Person, str]] = field(default_factory=list)  # (incident_id, person, rol)
    tips: list[dict] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    focus: set[str] = field(default_factory=set)  # wijken with routine checks
    _kvk: int = 0
    _homes: tuple[int, ...] = ()  # residential(), kept for as many units as `_homes_n`
    _homes_n: int = -1
    _kvks: set[str] = field(default_factory=set)  # the companies' numbers (`company` looked at every company)
    _at: dict[int, list[int]] = field(default_factory=dict)  # registered_at(), for the first `_at_n` registrations
    _at_n: int = 0

    def person(self, age_lo: int, age_hi: int, brp: bool = True) -> Person:
        given, prefix, surname = draw_name(self.rng)
        born = PEIL - int(self.rng.integers(age_lo * 365, age_hi * 365 + 1))
        n = len(self.persons)
        token = f"bsn-{int(self.rng.integers(10**9)):09d}-{n:06d}" if brp else None
        p = Person(f"P{n:06d}", given, prefix, surname, iso(born), token)
        self.persons.append(p)
        return p

    def relative(self, of: Person, age_lo: int, age_hi: int) -> Person:
        """A household member: usually the same surname."""
        p = self.person(age_lo, age_hi)
        if self.rng.random() < 0.75:
            p.voorvoegsel, p.geslachtsnaam = of.voorvoegsel, of.geslachtsnaam
        return p

    def company(self, naam: str, form: str, sbi: str, start: int, end: int | None = None) -> Company:
        self._kvk += int(self.rng.integers(1, 5000))
        c = Company(f"C{len(self.companies):05d}", f"{5_000_000 + self._kvk * 7 % 94_000_000:08d}", naam, form, sbi,
                    start, end)
        while c.kvk in self._kvks:
            c.kvk = f"{(int(c.kvk) + 1) % 100_000_000:08d}"
        self._kvks.add(c.kvk)
        self.companies.append(c)
        return c

    def register(self, who: Person, unit: int, start: int, end: int | None) -> None:
        if who.token is None:
            who.token = f"bsn-{int(self.rng.integers(10**9)):09d}-{int(who.ware[1:]):06d}"
        self.registrations.append((who, unit, start, end))

    def registered_at(self, unit: int) -> list[int]:
        """The positions of the registrations at a unit, in order. Kept up to date by looking only at those
        added since (a look at every registration per call made building a world quadratic)."""
        for k in range(self._at_n, len(self.registrations)):
            self._at.setdefault(self.registrations[k][1], []).append(k)
        self._at_n = len(self.registrations)
        return self._at.get(unit, [])

    def dropped_from(self, k: int) -> None:
        """Registrations from position k on were dropped or moved: registered_at() looks at them afresh."""
        if self._at_n > k:
            self._at, self._at_n = {}, 0

    def days_ago(self, lo_months: float, hi_months: float) -> int:
        return PEIL - int(self.rng.uniform(lo_months * 30.4, hi_months * 30.4))

    def residential(self) -> tuple[int, ...]:
        """The homes (residential units that are not care homes), in unit order. Computed once: a world's units
        are fixed when it is built, and a previous address is drawn from this for every person (recomputing it
        each time made building a world quadratic in its size)."""
        if self._homes_n != len(self.units):
            self._homes_n = len(self.units)
            self._homes = tuple(i for i, u in enumerate(self.units) if u.residential and u.kind != "zorg")
        return self._homes
