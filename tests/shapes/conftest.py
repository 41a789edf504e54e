"""One small demo world per test session, reshaped by each test; and its analysis as the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_shapes import CHECKER

UNITS, SEED = 400, 7


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Path:
    """The demo world every shape is cut from (truth/ beside the sources, as generated)."""
    from pandzicht.synth import generate

    bundle = tmp_path_factory.mktemp("vorm") / "bundel"
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
