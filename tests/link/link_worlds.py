"""Small generated worlds, loaded and with party mentions collected, for the linking tests."""

from __future__ import annotations

from pathlib import Path

from pandzicht.intake.load import load_bundle
from pandzicht.link.address_match import link_addresses
from pandzicht.link.mentions import collect_mentions
from pandzicht.store.engine import Store
from pandzicht.synth.world import generate


def prepared_world(root: Path, units: int, seed: int, variant: str) -> tuple[Path, Path]:
    """Generate and load a world; returns (bundle dir, store file) with `partij_vermelding` built."""
    bundle = root / f"w{units}_{seed}_{variant}"
    generate(bundle, units, seed, variant)
    db = root / f"w{units}_{seed}_{variant}.duckdb"
    with Store(db) as store:
        load_bundle(bundle, store)
        link_addresses(store)
        collect_mentions(store)
    return bundle, db
