"""The knobs of the independent world, per variant. Chosen from the domain notes, never from pandzicht's results.

`quiet` is a region that shares little (fewer tips and police records, a grid operator covering fewer homes);
`noisy` is a region with sloppy clerks (more spelling noise, more addresses as text only) and more innocent
homes that look odd (students, large families, heat pumps, home businesses).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PEILDATUM = "2025-03-31"
TYPOLOGY_MIX = {  # share of the homes in criminal use at the peildatum
    "woonfraude": 0.28, "overbewoning": 0.24, "hennepkwekerij": 0.19, "safehouse": 0.11, "drugsopslag": 0.10,
    "prostitutie": 0.08,
}


@dataclass(frozen=True)
class Params:
    crime_rate: float = 0.011  # homes in criminal use at the peildatum
    past_crime_rate: float = 0.007  # homes whose criminal use ended in the three years before
    tip_rate: float = 1.0  # multiplier on every tip
    police_rate: float = 1.0  # multiplier on every police registration
    energy_coverage: float = 0.9  # share of homes the grid operator delivers
    name_noise: float = 0.06  # chance of a typo in a name mention
    text_only: float = 0.45  # chance a police/tip/register address is text only (no BAG id)
    sloppy_address: float = 0.25  # chance of abbreviations and typos in an address text
    lookalike: float = 1.0  # multiplier on innocent homes that look odd
    wrong_door: float = 0.12  # chance a tip about a home names the door next to it
    check_rate: float = 1.0  # multiplier on enforcement checks


VARIANTS = {
    "base": Params(),
    "quiet": replace(Params(), tip_rate=0.4, police_rate=0.45, energy_coverage=0.55),
    "noisy": replace(Params(), name_noise=0.2, text_only=0.8, sloppy_address=0.6, lookalike=2.2, wrong_door=0.2),
}


def params(variant: str) -> Params:
    if variant not in VARIANTS:
        raise ValueError(f"variant '{variant}' unknown; choose {', '.join(VARIANTS)}")
    return VARIANTS[variant]
