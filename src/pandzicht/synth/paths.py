"""Where the real public reference data lives (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path


class RealDataMissing(FileNotFoundError):
    """The shared real data folder is absent; the demo world cannot be built without it."""


def real_data_dir() -> Path:
    """The folder with the real public data: $PANDZICHT_REAL_DATA, else <repo>/../shared/data/real."""
    env = os.environ.get("PANDZICHT_REAL_DATA")
    candidates: list[Path] = []
    if env:
        candidates.append(Path(env))
    else:
        here = Path(__file__).resolve()
        for parent in here.parents:
            if (parent / "pyproject.toml").exists():
                candidates.append(parent.parent / "shared" / "data" / "real")
                break
        cwd = Path.cwd().resolve()
        for parent in (cwd, *cwd.parents):
            if (parent / "pyproject.toml").exists():
                candidates.append(parent.parent / "shared" / "data" / "real")
                break
    for c in candidates:
        if (c / "rotterdam-buurten" / "buurten.geojson").exists():
            return c
    raise RealDataMissing(
        "real reference data not found (looked in: "
        + ", ".join(str(c) for c in candidates)
        + "); set PANDZICHT_REAL_DATA to the folder holding rotterdam-buurten/, namen/, postcodes-pc4/"
    )
