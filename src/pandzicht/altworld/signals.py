"""Metered energy, police registrations and neighbourhood tips: the traces of use, criminal or innocent.

Innocent homes fire signals too (a heat pump or a home bakery draws power, students come home at night, a
large family fills a mailbox), and tips sometimes name the door next to the one meant.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from pandzicht.altworld.geo import Unit, neighbour
from pandzicht.altworld.model import PEIL, World, iso
from pandzicht.altworld.names import Person

MONTHS = [(2023 + (2 + k) // 12, (2 + k) % 12 + 1) for k in range(24)]  # 2023-03 .. 2025-02
TIP_SIGNS = {
    "safehouse": (1.2, ("nachtelijk_bezoek", "loopvolk", "afgeplakte_ramen")),
    "drugsopslag": (1.0, ("loopvolk", "nachtelijk_bezoek")),
    "hennepkwekerij": (0.9, ("stank", "afgeplakte_ramen", "geluid_apparatuur")),
    "prostitutie": (1.5, ("nachtelijk_bezoek", "loopvolk", "wisselende_bewoners")),
    "woonfraude": (0.7, ("veel_namen_brievenbus", "wisselende_bewoners")),
    "overbewoning": (1.4, ("overbewoning", "veel_namen_brievenbus", "wisselende_bewoners", "contante_betaling")),
}
INNOCENT_SIGNS = {
    "student": (0.05, ("nachtelijk_bezoek", "wisselende_bewoners", "geluid_apparatuur")),
    "studentenhuis": (0.12, ("nachtelijk_bezoek", "wisselende_bewoners", "veel_namen_brievenbus")),
    "grootgezin": (0.12, ("overbewoning", "veel_namen_brievenbus")),
    "thuisbedrijf": (0.08, ("loopvolk",)),
    "leeg": (0.06, ("afgeplakte_ramen",)),
    "warmtepomp": (0.03, ("geluid_apparatuur",)),
}
POLICE = {  # chance of a registration during the use, and its categories
    "safehouse": (0.3, ("wapens", "safehouse", "schietincident", "explosie", "drugshandel")),
    "drugsopslag": (0.2, ("drugshandel", "drugsopslag", "wapens")),
    "hennepkwekerij": (0.08, ("hennepkwekerij", "overlast")),
    "prostitutie": (0.25, ("mensenhandel", "prostitutie", "overlast")),
    "woonfraude": (0.06, ("overlast", "overig")),
    "overbewoning": (0.2, ("overlast", "overlast", "mensenhandel")),
}
QUIET = {"debt_tenant": 0.45, "sublet": 0.7, "owner": 0.6, "ghosts": 0.5}  # tips x this for quiet modi
REPORTER = {"stank": "buurtbewoner", "loopvolk": "pakketbezorger", "nachtelijk_bezoek": "buurtbewoner",
            "afgeplakte_ramen": "wijkagent", "veel_namen_brievenbus": "pakketbezorger", "contante_betaling": "anoniem",
            "overbewoning": "welzijnswerker", "geluid_apparatuur": "buurtbewoner",
            "wisselende_bewoners": "complexbeheerder", "overig": "buurtbewoner"}
PHRASES = {"stank": "rare zoete lucht in het trappenhuis", "loopvolk": "steeds andere mensen aan de deur",
           "nachtelijk_bezoek": "'s nachts auto's en bezoek", "afgeplakte_ramen": "ramen zijn dichtgeplakt",
           "veel_namen_brievenbus": "veel namen op de brievenbus", "contante_betaling": "huur wordt contant betaald",
           "overbewoning": "heel veel mensen in een kleine woning", "geluid_apparatuur": "zoemend geluid dag en nacht",
           "wisselende_bewoners": "bewoners wisselen steeds", "overig": "melding van buren"}


def _active(w: World, i: int, month_day: int) -> tuple[str, str] | None:
    for crimes in (w.crimes, w.past_crimes):
        c = crimes.get(i)
        if c and c.start <= month_day <= (c.end or PEIL):
            return c.typology, c.energy
    return None


def load(u: Unit, people: int) -> tuple[float, bool, float]:
    """A unit's base electricity per month, whether it heats electrically, and its yearly gas, for `people`."""
    base = 40 + 0.9 * u.m2 + 105 * people ** 0.8 if people else 25 + 0.1 * u.m2
    all_electric = "warmtepomp" in u.flags or u.bouwjaar >= 2018
    gas_year = 0.0 if all_electric else u.m2 * (17 if u.bouwjaar < 1970 else 12 if u.bouwjaar < 1995 else 8)
    gas_year *= (0.4 + 0.25 * people) if people else 0.15
    return base, all_electric, gas_year


def extra_load(u: Unit, rng: np.random.Generator) -> float:
    """Innocent extra power: an electric car, a home business, medical equipment."""
    return (180.0 if "auto" in u.flags else 0.0) + (float(rng.uniform(150, 900)) if "thuisbedrijf" in u.flags
                                                    else 0.0) + (120.0 if "medisch" in u.flags else 0.0)


def use_factors(rng: np.random.Generator) -> dict[str, float]:
    """How much a criminal use multiplies metered power, drawn once per unit."""
    return {"high": rng.uniform(2.5, 6), "bypass": rng.uniform(0.3, 0.6), "low": rng.uniform(0.35, 0.8),
            "very_low": rng.uniform(0.08, 0.3), "raised": rng.uniform(1.3, 1.9)}


def month_row(u: Unit, y: int, m: int, people: int, extra: float, use: str | None, factor: dict[str, float],
              rng: np.random.Generator) -> dict:
    """One metered month: season, heating, extras, the use's factor and meter noise."""
    base, all_electric, gas_year = load(u, people)
    season = math.cos(2 * math.pi * (m - 1) / 12)
    kwh = base * (1 + 0.16 * season) + extra
    if all_electric:
        kwh += 260 * max(0.0, season + 0.3) * (1.0 if people else 0.3)
    gas = gas_year / 12 * (1 + 0.95 * season) if gas_year else None
    if use in factor:
        kwh = base * factor[use] if use == "high" else kwh * factor[use]
    kwh *= float(rng.lognormal(0, 0.13))
    return {"verblijfsobject_id": u.vo, "periode": f"{y}-{m:02d}", "elektriciteit_kwh": round(kwh, 1),
            "gas_m3": "" if gas is None else round(max(0.0, gas * float(rng.lognormal(0, 0.15))), 1)}


def energy(w: World) -> list[dict]:
    rng, rows = w.rng, []
    days = [dt.date(y, m, 15).toordinal() for y, m in MONTHS]
    for i in w.residential():
        if rng.random() >= w.p.energy_coverage:
            continue
        u = w.units[i]
        people = w.residents.get(i, 1)
        extra = extra_load(u, rng)
        factor = use_factors(rng)
        for (y, m), day in zip(MONTHS, days, strict=True):
            if rng.random() < 0.025:
                continue  # a month the operator did not deliver
            act = _active(w, i, day)
            rows.append(month_row(u, y, m, people, extra, act[1] if act else None, factor, rng))
    return rows


def _place(w: World, i: int, rec: dict, p_id: float) -> None:
    """Where a record points: the BAG id, or the address as text only (the truth keeps the unit it names)."""
    rec["unit"], rec["text"] = i, w.rng.random() >= p_id * (1 - w.p.text_only) / 0.55


def _incident(w: World, i: int, day: int, cat: str, people: list[tuple[Person, str]]) -> None:
    rng = w.rng
    rec = {"id": f"PL{iso(day)[:4]}-{len(w.incidents) + 1:06d}", "day": day, "cat": cat,
           "omschrijving": {"overlast": "melding overlast woning", "woninginbraak": "inbraak in woning"}.get(
               cat, f"registratie {cat.replace('_', ' ')}")}
    if rng.random() < 0.03:
        i = neighbour(w.units, i, rng)
    _place(w, i, rec, 0.55)
    w.incidents.append(rec)
    for who, rol in people:
        w.involved.append((str(rec["id"]), who, rol))


def police(w: World) -> None:
    rng, rate = w.rng, w.p.police_rate
    for i in w.residential():
        members = w.household.get(i) or []
        for _ in range(int(rng.poisson(0.035 * rate))):
            cat = str(rng.choice(["overlast", "woninginbraak", "overig"], p=[0.45, 0.35, 0.2]))
            day = w.days_ago(0.2, 36)
            _incident(w, i, day, cat, [(members[0], "aangever")] if members and rng.random() < 0.8 else [])
        if rng.random() < 0.002 * rate:  # intimidation of a debtor: an explosion at an innocent door
            _incident(w, i, w.days_ago(0.2, 30), str(rng.choice(["explosie", "schietincident"])),
                      [(members[0], "betrokkene")] if members else [])
    for crimes, past in ((w.crimes, False), (w.past_crimes, True)):
        for i, c in crimes.items():
            chance, cats = POLICE[c.typology]
            suspects = [(a, "verdachte") for a in c.actors if isinstance(a, Person)][:2]
            if past and rng.random() < 0.45 * rate:
                _incident(w, i, c.end or PEIL, cats[0], suspects)
            elif not past and rng.random() < chance * rate:
                for _ in range(int(rng.integers(1, 3))):
                    day = int(rng.integers(c.start, PEIL))
                    _incident(w, i, day, str(rng.choice(cats)), suspects if rng.random() < 0.6 else [])


def _tip(w: World, i: int, day: int, cats: tuple[str, ...]) -> None:
    rng = w.rng
    chosen = sorted(set(rng.choice(cats, size=int(rng.integers(1, 3)))))
    if rng.random() < 0.1:
        chosen.append("overig")
    reporter = REPORTER[chosen[0]] if rng.random() < 0.6 else str(rng.choice(
        ["buurtbewoner", "anoniem", "wijkagent", "boa", "welzijnswerker", "complexbeheerder", "pakketbezorger"]))
    if rng.random() < w.p.wrong_door:
        i = neighbour(w.units, i, rng)
    rec = {"id": f"MLD-{len(w.tips) + 1:06d}", "day": day, "bron_type": reporter, "cats": ";".join(chosen),
           "tekst": "; ".join(PHRASES[c] for c in chosen) if rng.random() < 0.7 else ""}
    _place(w, i, rec, {"complexbeheerder": 0.85, "wijkagent": 0.6, "boa": 0.5}.get(reporter, 0.2))
    w.tips.append(rec)


def tips(w: World) -> None:
    rng, rate = w.rng, w.p.tip_rate
    for i in w.residential():
        u = w.units[i]
        for _ in range(int(rng.poisson(0.03 * rate))):
            _tip(w, i, w.days_ago(0.2, 36), ("overig", "loopvolk", "stank", "nachtelijk_bezoek", "geluid_apparatuur"))
        for flag, (p, cats) in INNOCENT_SIGNS.items():
            if flag in u.flags and rng.random() < p * rate:
                _tip(w, i, w.days_ago(0.2, 30), cats)
    quiet = QUIET
    for crimes in (w.crimes, w.past_crimes):
        for i, c in crimes.items():
            per_year, cats = TIP_SIGNS[c.typology]
            end = c.end or PEIL
            years = max(0.1, (end - c.start) / 365)
            for _ in range(int(rng.poisson(per_year * min(years, 3) * rate * quiet.get(c.modus, 1.0)))):
                _tip(w, i, int(rng.integers(c.start, end + 1)), cats)
