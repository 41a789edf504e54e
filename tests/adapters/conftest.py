"""Shared fixtures: where the real public fixtures live, and a test pseudonymisation key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def real_data_dir() -> Path:
    env = os.environ.get("PANDZICHT_REAL_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    base = real_data_dir()
    if not base.is_dir():
        pytest.skip(f"real public fixtures not found at {base} (set PANDZICHT_REAL_DATA)")
    return base


@pytest.fixture
def gbav_file(real_data: Path) -> Path:
    path = real_data / "brp-gbav-testset" / "20220502_Testset_persoonslijsten_proefomgeving_GBA-V.csv"
    if not path.is_file():
        pytest.skip(f"GBA-V test set not found at {path}")
    return path


@pytest.fixture
def bag_dir(real_data: Path) -> Path:
    path = real_data / "bag-xml-doesburg"
    if not path.is_dir():
        pytest.skip(f"BAG XML fixture not found at {path}")
    return path


@pytest.fixture
def listings_file(real_data: Path) -> Path:
    path = real_data / "kortverblijf-rotterdam" / "listings_summary.csv"
    if not path.is_file():
        pytest.skip(f"Inside Airbnb listings not found at {path}")
    return path


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "test-sleutel-niet-voor-productie-0123"
    monkeypatch.setenv("PANDZICHT_PSEUDONIEM_SLEUTEL", value)
    return value
