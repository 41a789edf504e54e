"""A made-up Drechtsteden region: three municipalities, their neighbourhoods, streets, buildings and units.

The other generators sit in Rotterdam polygons; this one uses plain synthetic geometry elsewhere, so nothing
that was tuned to Rotterdam's neighbourhood sizes or address habits carries over by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pandzicht.altworld.names import typo

# (gemeente code, woonplaats, first postcode number, RD origin x, y)
MUNICIPALITIES = (
    ("0505", "Dordrecht", 3311, 105_000.0, 424_000.0),
    ("0642", "Zwijndrecht", 3331, 100_500.0, 424_500.0),
    ("0590", "Papendrecht", 3351, 108_500.0, 427_000.0),
)
STREET_STEMS = (
    "Merwede", "Wantij", "Krispijn", "Vogel", "Lijster", "Spreeuwen", "Reiger", "Oranje", "Nassau", "Bosch",
    "Singel", "Haven", "Kerk", "Molen", "Dijk", "Polder", "Eiken", "Beuken", "Linden", "Kastanje", "Rozen",
    "Tulpen", "Jasmijn", "Dahlia", "Rembrandt", "Vermeer", "Hals", "Steen", "Ruisdael", "Bilderdijk", "Vondel",
    "Tollens", "Da Costa", "Beets", "Staten", "Admiraal", "De Ruyter", "Tromp", "Piet Hein", "Hugo de Groot",
)
STREET_TAILS = ("straat", "laan", "weg", "plein", "kade", "singel", "hof", "dreef")
ABBREV = {"straat": "str.", "laan": "ln.", "weg": "wg.", "plein": "pl.", "kade": "kd.", "singel": "sngl.",
          "hof": "hf.", "dreef": "drf."}


@dataclass(slots=True)
class Unit:
    """One BAG verblijfsobject and what the world knows about its building (slots: a world holds millions)."""

    vo: str
    na: str
    street: str
    nr: int
    letter: str
    toev: str
    postcode: str
    plaats: str
    gm: str
    wijk: str
    buurt: str
    doel: str
    m2: int
    pand: str
    bouwjaar: int
    x: float
    y: float
    kind: str  # eengezins, portiek, galerij, boven, studio, zorg, winkel, kantoor, bedrijf
    flags: set[str] = field(default_factory=set)

    @property
    def residential(self) -> bool:
        return "woonfunctie" in self.doel


BUILDINGS = (  # kind, weight, units per building (lo, hi), m2 (lo, hi), doel
    ("eengezins", 0.34, (1, 1), (75, 150), "woonfunctie"),
    ("portiek", 0.22, (6, 16), (45, 85), "woonfunctie"),
    ("galerij", 0.16, (20, 60), (50, 95), "woonfunctie"),
    ("boven", 0.09, (2, 3), (45, 90), "woonfunctie"),
    ("studio", 0.05, (8, 30), (16, 28), "woonfunctie"),
    ("winkelwoning", 0.05, (2, 2), (40, 110), "woonfunctie;winkelfunctie"),
    ("zorg", 0.01, (1, 1), (300, 900), "woonfunctie;gezondheidszorgfunctie"),
    ("winkel", 0.04, (1, 1), (60, 400), "winkelfunctie"),
    ("kantoor", 0.03, (1, 4), (80, 900), "kantoorfunctie"),
    ("bedrijf", 0.01, (1, 1), (200, 2500), "industriefunctie"),
)


def _bag(gm: str, kind: str, serial: int) -> str:
    return f"{gm}{kind}{serial:010d}"


def build_units(rng: np.random.Generator, n: int) -> list[Unit]:
    """Exactly `n` units in buildings along streets, grouped in neighbourhoods of three municipalities."""
    units: list[Unit] = []
    weights = np.array([b[1] for b in BUILDINGS])
    serial, pand_serial = 100_000, 50_000
    next_nr: dict[tuple[str, str], int] = {}
    while len(units) < n:
        m = MUNICIPALITIES[int(rng.choice(3, p=[0.6, 0.22, 0.18]))]
        gm, plaats, pc0, x0, y0 = m
        wijk_i = int(rng.integers(1, 7))
        buurt_i = int(rng.integers(1, 5))
        wijk, buurt = f"WK{gm}{wijk_i:02d}", f"BU{gm}{wijk_i:02d}{buurt_i:02d}"
        street = STREET_STEMS[int(rng.integers(len(STREET_STEMS)))] + STREET_TAILS[int(rng.integers(8))]
        if (plaats, street) in next_nr and rng.random() < 0.7:
            continue
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        postcode = f"{pc0 + wijk_i - 1}{letters[int(rng.integers(len(letters)))]}{letters[int(rng.integers(20))]}"
        sx, sy = x0 + wijk_i * 700 + rng.normal(0, 250), y0 + buurt_i * 400 + rng.normal(0, 200)
        year_base = int(rng.choice([1910, 1935, 1958, 1968, 1978, 1992, 2005, 2018]))
        nr = next_nr.get((plaats, street), 1)
        for _ in range(int(rng.integers(2, 9))):
            kind, _, per, area, doel = BUILDINGS[int(rng.choice(len(BUILDINGS), p=weights / weights.sum()))]
            pand_serial += 1
            pand = _bag(gm, "10", pand_serial)
            count = int(rng.integers(per[0], per[1] + 1))
            year = year_base + int(rng.integers(0, 6))
            for j in range(count):
                if len(units) >= n:
                    break
                letter, toev, number = "", "", nr
                if kind in ("portiek", "galerij", "studio", "kantoor") and count > 1:
                    toev = str(j + 1) if kind != "portiek" else ("" if j == 0 else f"{j}")
                    if kind == "galerij":
                        number, toev = nr + j, ""
                elif kind in ("boven", "winkelwoning") and j > 0:
                    letter = "ABC"[j - 1]
                serial += 1
                units.append(Unit(
                    vo=_bag(gm, "01", serial), na=_bag(gm, "20", serial), street=street, nr=number,
                    letter=letter, toev=toev, postcode=postcode, plaats=plaats, gm=f"GM{gm}", wijk=wijk,
                    buurt=buurt, doel="winkelfunctie" if kind == "winkelwoning" and j == 0 else doel,
                    m2=int(rng.integers(area[0], area[1] + 1)), pand=pand, bouwjaar=year,
                    x=round(sx + nr * 6.0 + rng.normal(0, 2), 2), y=round(sy + rng.normal(0, 3), 2), kind=kind))
            nr = (nr + count + 1) if kind == "galerij" else nr + 2
        next_nr[(plaats, street)] = nr
    return units


def address_text(u: Unit, rng: np.random.Generator, sloppy: float) -> str:
    """The unit's address as someone typed it: the styles people use, more of the odd ones when `sloppy`."""
    street = u.street
    if rng.random() < sloppy:
        for tail, short in ABBREV.items():
            if street.endswith(tail):
                street = street[: -len(tail)] + short
                break
    sep = str(rng.choice(["", " ", "-"]))
    house = f"{u.nr}{sep}{u.letter}" if u.letter else str(u.nr)
    if u.toev:
        house += str(rng.choice([f"-{u.toev}", f" {u.toev}", f" hs {u.toev}" if u.toev == "1" else f"-{u.toev}"]))
    pc = u.postcode if rng.random() < 0.5 else f"{u.postcode[:4]} {u.postcode[4:]}"
    style = int(rng.integers(5))
    if style == 0:
        text = f"{street} {house}, {pc} {u.plaats}"
    elif style == 1:
        text = f"{street} {house} {u.plaats.upper()}"
    elif style == 2:
        text = f"{street} {house}"
    elif style == 3:
        text = f"{pc} {house}"
    else:
        text = f"{street.lower()} {house.lower()} te {u.plaats}"
    if rng.random() < sloppy * 0.3:
        text = typo(text, rng)
    return text


def neighbour(units: list[Unit], i: int, rng: np.random.Generator) -> int:
    """A unit next door (same street, close number) for a tip or report that names the wrong door."""
    u = units[i]
    near = [j for j in range(max(0, i - 6), min(len(units), i + 7))
            if j != i and units[j].street == u.street and units[j].residential]
    return int(rng.choice(near)) if near else i
