"""Small bundles for the intake tests: the BAG file and one source written byte for byte as a partner would."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb

from pandzicht.contract.sources import SOURCES

from bundles import PEILDATUM, valid_row, write_csv

MELDING = SOURCES["melding"]
HEADER = MELDING.column_names


def melding_line(i: int, tekst: str = "") -> str:
    """One valid melding row as CSV text (key `k{i}`, free text in `tekst`), without its line ending. A cell
    holding a CR or an LF is quoted (csv.writer quotes the characters of its own line ending only)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([{**valid_row(MELDING, i), "tekst": tekst}[h] for h in HEADER])
    return buf.getvalue()[:-2]


def header_line() -> str:
    return ",".join(HEADER)


def bundle_with(folder: Path, files: dict[str, bytes], declare: dict[str, dict] | None = None) -> Path:
    """A bundle with two BAG units, the given source files (raw bytes) and a manifest for all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    bag = SOURCES["bag_verblijfsobject"]
    write_csv(folder / "bag_verblijfsobject.csv", bag.column_names, [valid_row(bag, i) for i in range(2)])
    for name, data in files.items():
        (folder / name).write_bytes(data)
    sources = {Path(n).stem: {"leverancier": "test", "grondslag": "RIEC-convenant art. 5"} for n in files}
    for name, extra in (declare or {}).items():
        sources.setdefault(name, {"leverancier": "test", "grondslag": "RIEC-convenant art. 5"}).update(extra)
    manifest = {"contract": "pandzicht-intake/1", "region": "test", "peildatum": PEILDATUM, "sources": sources}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
