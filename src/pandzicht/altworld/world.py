"""`generate`: one independent world, from units to truth, deterministic per (units, seed, variant)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np

from pandzicht.altworld import actors, bundle, crime, occupancy, outcomes, signals
from pandzicht.altworld.geo import build_units
from pandzicht.altworld.model import World
from pandzicht.altworld.params import PEILDATUM, params

GENERATOR = "onafhankelijk"
VARIANT_STREAM = {"base": 0, "noisy": 1, "quiet": 2}  # each variant its own random stream


def build(units: int, seed: int, variant: str = "base") -> World:
    """The world in memory (no files): units, people, companies, uses, signals and outcomes."""
    return build_with_cast(units, seed, variant)[0]


def build_with_cast(units: int, seed: int, variant: str = "base") -> tuple[World, actors.Cast]:
    """The world and its cast of organisations; the deliveries mode evolves both after the first peildatum."""
    p = params(variant)
    rng = np.random.default_rng([seed, units, VARIANT_STREAM[variant], 11])
    w = World(rng, p, build_units(rng, units))
    cast = actors.cast(w)
    occupancy.assign_flags(w)
    crime.choose(w)
    for i in [*w.residential(), *(i for i, u in enumerate(w.units) if u.kind == "zorg")]:
        if w.units[i].kind == "zorg":
            occupancy.care_home(w, cast, i)
        elif i in w.crimes:
            crime.settle(w, cast, i, w.crimes[i])
        elif i in w.past_crimes:
            crime.settle_past(w, cast, i, w.past_crimes[i])
        else:
            occupancy.own(w, cast, i, occupancy.ownership_kind(w, i))
            occupancy.ordinary(w, cast, i)
    actors.home_businesses(w, [i for i in w.residential() if "thuisbedrijf" in w.units[i].flags])
    signals.police(w)
    signals.tips(w)
    outcomes.outcomes(w)
    return w, cast


def generate(out: Path, units: int, seed: int, variant: str = "base") -> dict:
    """Write a contract-valid bundle with truth/ to `out` (replacing what was there); returns a summary."""
    if units < 50:
        raise ValueError("at least 50 units")
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    w = build(units, seed, variant)
    energy = signals.energy(w)
    meta = {"generator": GENERATOR, "eenheden": units, "seed": seed, "variant": variant, "peildatum": PEILDATUM,
            "typologie": dict(sorted(Counter(c.typology for c in w.crimes.values()).items())),
            "modus": dict(sorted(Counter(f"{c.typology}/{c.modus}" for c in w.crimes.values()).items())),
            "eerder_crimineel": len(w.past_crimes),
            "malafide_bemiddelaars": sum(1 for _, r in w.malafide if r == "bemiddelaar"),
            "opvallend_onschuldig": dict(sorted(Counter(f for u in w.units for f in u.flags).items()))}
    rows = bundle.write(w, out, energy, meta)
    return {"rows": rows, **meta}
