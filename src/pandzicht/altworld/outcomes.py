"""Outcomes of past checks: biased towards where the municipality looked, with many `niets_gevonden`.

Checks follow tips (at the door the tip named, right or wrong), police registrations and two focus
neighbourhoods that get routine checks; a check finds a use that is going on with a typology-dependent
chance, and now and then calls a large family or a student house overcrowded.
"""

from __future__ import annotations

from pandzicht.altworld.model import PEIL, World, iso

FOUND = {"hennepkwekerij": 0.8, "drugsopslag": 0.55, "safehouse": 0.4, "prostitutie": 0.5, "woonfraude": 0.55,
         "overbewoning": 0.7}
FOLLOW_UP = {"hennepkwekerij": ("sluiting_13b", "huurontbinding"), "drugsopslag": ("sluiting_13b",),
             "safehouse": ("huurontbinding", "bibob"), "prostitutie": ("last_onder_dwangsom", "vergunning_ingetrokken"),
             "woonfraude": ("waarschuwing", "huurontbinding"), "overbewoning": ("bestuurlijke_boete",
                                                                               "last_onder_dwangsom")}


def _using(w: World, i: int, day: int) -> str | None:
    for crimes in (w.crimes, w.past_crimes):
        c = crimes.get(i)
        if c and c.start <= day <= (c.end or PEIL):
            return c.typology
    return None


def _check(w: World, i: int, day: int, found: str | None = None) -> None:
    rng = w.rng
    day = min(day, PEIL - 1)
    use = found or _using(w, i, day)
    finding = use if use and (found or rng.random() < FOUND[use]) else "niets_gevonden"
    flags = w.units[i].flags
    if finding == "niets_gevonden" and (flags & {"grootgezin", "studentenhuis"}) and rng.random() < 0.1:
        finding = "overbewoning"
    vo = w.units[i].vo
    w.outcomes.append({"verblijfsobject_id": vo, "datum": iso(day),
                       "instrument": str(rng.choice(["controle", "huisbezoek"])), "bevinding": finding})
    if finding != "niets_gevonden" and rng.random() < 0.6:
        later = min(PEIL - 1, day + int(rng.integers(20, 120)))
        w.outcomes.append({"verblijfsobject_id": vo, "datum": iso(later),
                           "instrument": str(rng.choice(FOLLOW_UP.get(finding, ("waarschuwing",)))),
                           "bevinding": finding})


def outcomes(w: World) -> None:
    rng, rate = w.rng, w.p.check_rate
    wijken = sorted({w.units[i].wijk for i in w.residential()})
    focus = {wijken[int(k)] for k in rng.choice(len(wijken), size=min(2, len(wijken)), replace=False)}
    w.focus = focus
    for i in w.residential():
        chance = 0.05 if w.units[i].wijk in focus else 0.006
        if rng.random() < chance * rate:
            _check(w, i, w.days_ago(1, 48))
    for t in w.tips:
        if rng.random() < 0.15 * rate:
            _check(w, t["unit"], t["day"] + int(rng.integers(14, 120)))
    for inc in w.incidents:
        if inc["cat"] not in ("overlast", "woninginbraak", "overig") and rng.random() < 0.4 * rate:
            _check(w, inc["unit"], inc["day"] + int(rng.integers(7, 60)))
    for i, c in w.past_crimes.items():
        if rng.random() < 0.65:
            _check(w, i, (c.end or PEIL) - int(rng.integers(0, 20)), found=c.typology)
    w.outcomes.sort(key=lambda r: (r["datum"], r["verblijfsobject_id"], r["instrument"]))
