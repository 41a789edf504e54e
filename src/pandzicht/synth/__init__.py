"""The demo world generator: a synthetic but recognisable RIEC Rotterdam intake bundle with ground truth.

Public API: ``generate(out, units, seed, variant="base", progress=None) -> dict`` (see ``world.py``).
"""

from pandzicht.synth.world import VARIANTS, generate

__all__ = ["VARIANTS", "generate"]
