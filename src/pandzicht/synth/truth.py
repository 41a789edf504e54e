"""Ground truth of a synthetic bundle (truth/), never read by the analysis.

Holds which units are in criminal use, which parties run the scheme, which
record belongs to which real person or company, which unit a free-text
address means, and which rows were broken on purpose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pandzicht.synth.writer import write_csv


def ware_ids(pids: np.ndarray, cids: np.ndarray) -> np.ndarray:
    """One id space for persons (P0000123) and companies (C000045)."""
    pids = np.asarray(pids, dtype=np.int64)
    cids = np.asarray(cids, dtype=np.int64)
    out = np.empty(len(pids), dtype=object)
    pm = pids >= 0
    out[pm] = [f"P{p:07d}" for p in pids[pm].tolist()]
    out[~pm] = [f"C{c:06d}" for c in cids[~pm].tolist()]
    if (~pm & (cids < 0)).any():
        raise ValueError("a party mention without a person or company")
    return out


class Truth:
    """Collects truth rows while the bundle is written, then writes truth/*.csv."""

    def __init__(self) -> None:
        self._keys: list[pd.DataFrame] = []
        self._addr: list[pd.DataFrame] = []
        self._broken: list[tuple[str, str, int, str]] = []

    def parties(self, bron: str, keys: np.ndarray, pids: np.ndarray, cids: np.ndarray) -> None:
        """Party mentions of one source: record key -> true person or company."""
        self._keys.append(
            pd.DataFrame(
                {"bron": bron, "record_sleutel": np.asarray(keys, dtype=object), "ware_persoon": ware_ids(pids, cids)}
            )
        )

    def addresses(self, bron: str, keys: np.ndarray, vbos: np.ndarray) -> None:
        """Free-text address records -> the unit the text means."""
        self._addr.append(
            pd.DataFrame(
                {
                    "bron": bron,
                    "record_sleutel": np.asarray(keys, dtype=object),
                    "verblijfsobject_id": np.asarray(vbos, dtype=object),
                }
            )
        )

    def broken(self, bron: str, key: str, line: int, reason: str) -> None:
        self._broken.append((bron, key, line, reason))

    def write(self, folder: Path, typologies: pd.DataFrame, past: pd.DataFrame, malafide: pd.DataFrame) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(typologies, folder / "adres_typologie.csv")
        write_csv(past, folder / "verleden_zaken.csv")
        write_csv(malafide, folder / "malafide_partij.csv")
        write_csv(pd.concat(self._keys, ignore_index=True), folder / "persoon_sleutel.csv")
        write_csv(pd.concat(self._addr, ignore_index=True), folder / "adres_tekst.csv")
        write_csv(
            pd.DataFrame(self._broken, columns=["bron", "record_sleutel", "regel", "reden"]),
            folder / "kapotte_rijen.csv",
        )
