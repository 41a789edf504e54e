"""Names of people and companies, and the many ways registries write them.

Every source spells a party its own way (initials, surname first, capitals, typos); the linker has to cope
with that, so the generator renders one true name through a per-source style instead of copying it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GIVEN = (
    "Johannes", "Pieter", "Cornelis", "Hendrik", "Willem", "Jan", "Gerrit", "Dirk", "Adrianus", "Jacobus",
    "Mohamed", "Ahmet", "Youssef", "Mehmet", "Bilal", "Daan", "Sem", "Lucas", "Finn", "Milan", "Tomasz",
    "Piotr", "Andrei", "Kevin", "Ricardo", "Stefan", "Ruben", "Thijs", "Bram", "Niels", "Wei", "Rajesh",
    "Maria", "Johanna", "Anna", "Cornelia", "Wilhelmina", "Elisabeth", "Fatima", "Ayse", "Sanne", "Lotte",
    "Emma", "Julia", "Sophie", "Noor", "Yasmina", "Agnieszka", "Ioana", "Priscilla", "Linda", "Ingrid",
    "Esther", "Kim", "Naima", "Mirjam", "Charlotte", "Femke", "Anouk", "Lieke", "Mei", "Shanti",
)
# (voorvoegsel, geslachtsnaam); one pool for everybody, so no role or typology follows a name's origin.
SURNAMES = (
    ("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("van der", "Berg"), ("", "Bakker"), ("", "Visser"),
    ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
    ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
    ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"),
    ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"), ("van der", "Veen"),
    ("van den", "Broek"), ("de", "Bruijn"), ("de", "Jong"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"),
    ("", "Yilmaz"), ("", "Kaya"), ("El", "Amrani"), ("", "Bouzid"), ("", "Kowalski"), ("", "Nowak"),
    ("", "Popescu"), ("", "Nguyen"), ("", "Pereira"), ("", "Martina"), ("", "Rozenberg"), ("ter", "Horst"),
    ("'t", "Hart"), ("van 't", "Hof"), ("", "Verbeek"), ("", "Koster"), ("", "Prins"), ("", "Huisman"),
    ("van", "Wijk"), ("", "Postma"), ("", "Kuiper"), ("", "Veenstra"), ("", "Sahin"), ("", "Ouali"),
)


@dataclass(slots=True)
class Person:
    """One real person; `ware` is the truth key, `token` the pseudonymised BSN when the BRP knows them.
    Slots: a world of a million units holds millions of people."""

    ware: str
    voornamen: str
    voorvoegsel: str
    geslachtsnaam: str
    geboortedatum: str
    token: str | None = None

    @property
    def full(self) -> str:
        return " ".join(x for x in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if x)


def draw_name(rng: np.random.Generator) -> tuple[str, str, str]:
    """Given names (one to three) and a surname with its prefix."""
    n = int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
    given = " ".join(str(g) for g in rng.choice(GIVEN, size=n, replace=False))
    prefix, surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    return given, prefix, surname


def typo(text: str, rng: np.random.Generator) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = letters[int(rng.integers(1, len(letters) - 1))]
    kind = int(rng.integers(3))
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:] if i > 0 else text


def render_person(p: Person, rng: np.random.Generator, noise: float) -> str:
    """The person's name as one clerk would type it: style drawn per mention, typos with probability `noise`."""
    given = p.voornamen.split()
    initials = ".".join(g[0] for g in given) + "."
    surname = " ".join(x for x in (p.voorvoegsel, p.geslachtsnaam) if x)
    style = int(rng.choice(6, p=[0.34, 0.22, 0.16, 0.12, 0.08, 0.08]))
    if style == 0:
        text = f"{given[0]} {surname}"
    elif style == 1:
        text = p.full
    elif style == 2:
        text = f"{initials} {surname}"
    elif style == 3:
        text = f"{p.geslachtsnaam}, {' '.join(given)}" + (f" {p.voorvoegsel}" if p.voorvoegsel else "")
    elif style == 4:
        text = f"{p.geslachtsnaam}, {initials}" + (f" {p.voorvoegsel}" if p.voorvoegsel else "")
    else:
        text = f"{given[0]} {surname}".upper()
    if rng.random() < noise:
        text = typo(text, rng)
    return text


def birth_noise(date: str, rng: np.random.Generator, missing: float, swap: float) -> str:
    """A birth date as a secondary source holds it: sometimes missing, sometimes day and month swapped."""
    if rng.random() < missing:
        return ""
    y, m, d = date.split("-")
    if rng.random() < swap and int(d) <= 12 and d != m:
        return f"{y}-{d}-{m}"
    return date


COMPANY_STEMS = (
    "Drechtstad", "Merwede", "Oude Maas", "Zwijndrecht", "Noord", "Waal", "Rivierenland", "Delta", "Lindt",
    "Kiltunnel", "Haven", "Stadswerf", "Biesbosch", "Wantij", "Sterrenburg", "Crabbehof", "Krispijn", "Reeland",
    "Alblas", "Baanhoek", "Staart", "Dubbeldam", "Molenvliet", "Oranje", "Blauwe Zee", "Vogelbuurt",
)
COMPANY_TAILS = {
    "6831": ("Vastgoed Bemiddeling", "Verhuurmakelaars", "Wonen & Verhuur", "Housing", "Rental Services"),
    "6820": ("Vastgoed", "Beleggingen", "Onroerend Goed", "Property", "Woningbeheer"),
    "7022": ("Consultancy", "Advies", "Trading", "Projecten"),
    "4321": ("Installatietechniek", "Elektro", "Montage"),
    "9602": ("Kapsalon", "Beauty", "Nagelstudio"),
    "6201": ("IT Solutions", "Software", "Webdesign"),
    "1071": ("Bakkerij", "Banket"),
    "4711": ("Supermarkt", "Toko", "Minimarkt"),
    "7830": ("Uitzendbureau", "Personeelsdiensten", "Flex Staffing"),
}


def company_name(rng: np.random.Generator, sbi: str, form: str) -> str:
    stem = COMPANY_STEMS[int(rng.integers(len(COMPANY_STEMS)))]
    tail = COMPANY_TAILS[sbi][int(rng.integers(len(COMPANY_TAILS[sbi])))]
    suffix = {"BV": " B.V.", "VOF": " V.O.F.", "Stichting": "", "Eenmanszaak": ""}[form]
    return f"{'Stichting ' if form == 'Stichting' else ''}{stem} {tail}{suffix}"


def company_alias(name: str, rng: np.random.Generator, noise: float) -> str:
    """How a contract or deed writes a company registered under `name`: no legal form, short, capitals, typos."""
    base = name.replace(" B.V.", "").replace(" V.O.F.", "")
    words = base.split()
    style = int(rng.choice(5, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
    if style == 0:
        text = name
    elif style == 1:
        text = base
    elif style == 2:
        text = base + " BV" if name.endswith("B.V.") else base
    elif style == 3:
        text = "".join(w[0] for w in words if w[0].isalpha()).upper() + " " + words[-1] if len(words) > 2 else base
    else:
        text = base.upper()
    if rng.random() < noise:
        text = typo(text, rng)
    return text
