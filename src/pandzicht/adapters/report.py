"""Shared output helpers for the adapters: contract CSV writing and the adapter report.

Every adapter writes its rows in the column order the contract declares and a
JSON report next to it, so a data steward can see what was converted, what was
left out and why, without reading code.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pandzicht.contract.sources import SOURCES
from pandzicht.errors import PandzichtError


class Skips:
    """Counts rows left out of the output, per reason, with a few example keys."""

    def __init__(self, examples: int = 5) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}
        self._max = examples

    def add(self, reason: str, key: str = "") -> None:
        self.counts[reason] += 1
        ex = self.examples.setdefault(reason, [])
        if key and len(ex) < self._max:
            ex.append(key)

    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {r: {"aantal": n, "voorbeelden": self.examples.get(r, [])} for r, n in sorted(self.counts.items())}


def contract_columns(source: str) -> list[str]:
    """The output columns of a source, read from the contract declaration."""
    return SOURCES[source].column_names


def write_contract_csv(path: Path, source: str, rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows as contract CSV (UTF-8, comma, RFC 4180); None becomes an empty cell. Returns the row count."""
    columns = contract_columns(source)
    n = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
            n += 1
    return n


REPORT_SUFFIX = ".adapterrapport.json"  # the intake knows these files as no source (`intake.load.unread_files`)


def write_report(out_dir: Path, source: str, report: dict[str, Any]) -> Path:
    """Write the adapter report as `<source>.adapterrapport.json` next to the output."""
    path = Path(out_dir) / f"{source}{REPORT_SUFFIX}"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def require_input(src: Path) -> Path:
    """Refuse a missing input path with one clear line instead of a traceback."""
    src = Path(src)
    if not src.exists():
        raise PandzichtError(f"{src}: bestand of map bestaat niet")
    return src
