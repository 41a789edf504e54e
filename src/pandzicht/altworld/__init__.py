"""An independent second world generator (issue 11), written from the contract and the domain notes only.

It exists to measure how pandzicht generalises to data whose mechanics nobody tuned to; never choose
settings on it. See docs/onafhankelijke_wereld.md.
"""

from pandzicht.altworld.deliveries import generate_deliveries
from pandzicht.altworld.world import GENERATOR, generate

__all__ = ["GENERATOR", "generate", "generate_deliveries"]
