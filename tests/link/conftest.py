"""Session-wide generated worlds shared by the linking tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from link_worlds import prepared_world


@pytest.fixture(scope="session")
def world_base(tmp_path_factory) -> tuple[Path, Path]:
    return prepared_world(tmp_path_factory.mktemp("base"), 3000, 5, "base")


@pytest.fixture(scope="session")
def world_noisy(tmp_path_factory) -> tuple[Path, Path]:
    return prepared_world(tmp_path_factory.mktemp("noisy"), 3000, 5, "noisy")


@pytest.fixture(scope="session")
def world_noisy_analysed(tmp_path_factory) -> tuple[Path, Path]:
    """A noisy world through the whole analysis (address links through people need resolved parties)."""
    from pandzicht.pipeline import analyse
    from pandzicht.synth.world import generate

    root = tmp_path_factory.mktemp("noisy_analysed")
    generate(root / "bundel", 3000, 5, "noisy")
    analyse(root / "bundel", root / "uitvoer")
    return root / "bundel", root / "uitvoer" / "pandzicht.duckdb"
