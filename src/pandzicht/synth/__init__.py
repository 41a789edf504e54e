"""The demo world generator: a synthetic but recognisable RIEC Rotterdam intake bundle with ground truth.

Public API: ``generate(out, units, seed, variant="base", progress=None, dialect="basis") -> dict`` (see
``world.py``); the dialects, and which are for tuning and which held out, in ``dialects.py``.
"""

from pandzicht.synth.dialects import DIALECTS, HELD_OUT, TUNING
from pandzicht.synth.world import VARIANTS, generate

__all__ = ["DIALECTS", "HELD_OUT", "TUNING", "VARIANTS", "generate"]
