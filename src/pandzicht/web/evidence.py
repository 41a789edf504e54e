"""Which records on an address's timeline made an indicator fire, so the dossier can point at them.

The indicators are computed in SQL over the whole delivery (`indicators/`); this module does not recompute
them. It selects, per indicator, the kind of timeline record its definition reads (the catalogue's `meet`
text): the incidents in the categories it counts, the signals with its categories, the rental contracts,
the registrations, the ownership records. Where an indicator reads no record on the timeline (energy use,
companies registered at the address) it points at the section that shows its data instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pandzicht.cases.catalogue import SIGNAL_CATEGORY_LABELS
from pandzicht.web.analysis import Event

NOT_CRIMINAL = ("overlast", "woninginbraak", "overig")


def _signal(*codes: str) -> Callable[[Event], bool]:
    labels = [SIGNAL_CATEGORY_LABELS[c] for c in codes]
    return lambda e: e.soort == "melding" and any(label in e.titel for label in labels)


def _contract(e: Event) -> bool:
    return e.soort == "huur" and e.titel == "Huurcontract begonnen"


_PREDICATES: dict[str, Callable[[Event], bool]] = {
    "politie_incidenten": lambda e: e.soort == "incident" and not any(c in e.titel for c in NOT_CRIMINAL),
    "explosie_schieten": lambda e: e.soort == "incident" and ("explosie" in e.titel or "schiet" in e.titel),
    "meldingen_hennep": _signal("stank", "afgeplakte_ramen", "geluid_apparatuur"),
    "meldingen_bezoek": _signal("loopvolk", "nachtelijk_bezoek", "contante_betaling"),
    "meldingen_bewoning": _signal("veel_namen_brievenbus", "wisselende_bewoners", "overbewoning"),
    "contante_huur": lambda e: _contract(e) and ("betaling: contant" in e.detail or "betaling: derde" in e.detail),
    "huur_afwijkend": _contract, "bedrijf_als_huurder": _contract, "verhuurd_niemand_ingeschreven": _contract,
    "katvanger_meerdere_huren": _contract, "bemiddelaar_slechte_portefeuille": _contract,
    "eigenaar_is_bemiddelaar": _contract, "huurder_elders_ingeschreven": _contract,
    "korte_inschrijvingen": lambda e: e.soort == "inschrijving",
    "inschrijvingen_samen": lambda e: e.soort == "inschrijving",
    "overbewoning_m2": lambda e: e.soort == "inschrijving",
    "persoon_eerdere_zaak": lambda e: e.soort in ("inschrijving", "huur"),
    "verdachte_bewoner": lambda e: e.soort in ("inschrijving", "huur"),
    "eigenaar_buitenland": lambda e: e.soort == "eigendom" and "correspondentieadres" in e.detail,
    "eigenaar_veel_aankopen": lambda e: e.soort == "eigendom",
    "koopsom_afwijkend": lambda e: e.soort == "eigendom" and "koopsom" in e.detail,
}
_SECTIONS = {"energie_": ("energie", "het stroomverbruik"), "incidenten_netwerk": ("netwerk", "het netwerk")}
_WHAT = {"incident": "politieregistratie", "melding": "melding", "huur": "huurcontract",
         "inschrijving": "inschrijving", "eigendom": "eigendomsregistratie"}


@dataclass
class Evidence:
    """For one indicator: the timeline records (by position) that it reads, or a section that shows its data."""

    posities: list[int] = field(default_factory=list)
    tekst: str = ""
    anker: str = "tijdlijn"


def evidence(events: Sequence[Event], codes: Sequence[str]) -> dict[str, Evidence]:
    """Per indicator code that has any: where its records are on this dossier."""
    out: dict[str, Evidence] = {}
    for code in codes:
        section = next((v for k, v in _SECTIONS.items() if code.startswith(k)), None)
        if section:
            out[code] = Evidence([], f"zie {section[1]}", section[0])
            continue
        pred = _PREDICATES.get(code)
        if pred is None:
            continue
        hits = [i for i, e in enumerate(events) if pred(e)]
        if hits:
            kinds = sorted({_WHAT.get(events[i].soort, events[i].soort) for i in hits})
            n = len(hits)
            out[code] = Evidence(hits, f"{n} {' en '.join(kinds)}{'s' if n > 1 and len(kinds) == 1 else ''} "
                                       "in de tijdlijn")
    return out
