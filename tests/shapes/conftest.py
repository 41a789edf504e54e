"""One small world per generator and test session, reshaped by each test; and its analysis as the reference.

Every shape is cut from a world of our demo generator and from one of the independent generator (`altworld/`,
docs/onafhankelijke_wereld.md): its data are shaped by code nobody tuned pandzicht to, so a crash that the demo
world's habits hide shows up there."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_shapes import CHECKER

UNITS, SEED = 400, 7


@pytest.fixture(scope="session", params=["demo", "onafhankelijk"])
def world(request, tmp_path_factory) -> Path:
    """The world every shape is cut from (truth/ beside the sources, as generated)."""
    from pandzicht import altworld, synth

    generate = synth.generate if request.param == "demo" else altworld.generate
    bundle = tmp_path_factory.mktemp(f"vorm_{request.param}") / "bundel"
    generate(bundle, UNITS, SEED, "base")
    return bundle


@pytest.fixture(scope="session")
def world_analysed(world: Path, tmp_path_factory) -> Path:
    """The unchanged world analysed once: the outputs a reshaping that loses nothing must reproduce."""
    from pandzicht.pipeline import analyse

    out = tmp_path_factory.mktemp("vorm_uitvoer") / "uitvoer"
    analyse(world, out)
    return out


@pytest.fixture(scope="session")
def checker() -> Path:
    if not CHECKER.exists():
        pytest.skip(f"shared output checker not found at {CHECKER}")
    return CHECKER
