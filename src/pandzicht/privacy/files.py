"""Owner-only permissions for the stores and outputs: they hold BRP, police and case data.

Files 0600, directories 0700, whatever the process umask, so another account on
the same machine cannot read an analysis, its outputs or the operational store.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create PATH (and parents) if needed and make it owner-only."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create PATH empty if missing (created 0600, never briefly world-readable) and make it owner-only."""
    path = Path(path)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    path.chmod(FILE_MODE)
    return path


def restrict_tree(path: Path) -> None:
    """Owner-only for PATH and everything under it (the output folder after a run)."""
    path = Path(path)
    if path.is_file():
        path.chmod(FILE_MODE)
        return
    path.chmod(DIR_MODE)
    for root, dirs, files in os.walk(path):
        for d in dirs:
            Path(root, d).chmod(DIR_MODE)
        for f in files:
            p = Path(root, f)
            if not p.is_symlink():
                p.chmod(FILE_MODE)
