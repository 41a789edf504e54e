"""One small analysed demo world per session for the privacy tests; each test works on its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pandzicht.pipeline import analyse
from pandzicht.synth import generate


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("privacywereld")
    bundle, out = base / "bundel", base / "uitvoer"
    generate(bundle, 400, 7, "base")
    analyse(bundle, out)
    return {"bundle": bundle, "out": out, "db": (out / "pandzicht.duckdb").resolve()}


@pytest.fixture
def store_copy(small_world: dict[str, Path], tmp_path: Path) -> Path:
    """A writable copy of the analysis store (the published one stays as analyse left it)."""
    target = tmp_path / "pandzicht.duckdb"
    shutil.copyfile(small_world["db"], target)
    return target
