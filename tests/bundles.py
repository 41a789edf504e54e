"""Hand-built intake bundles for contract tests: one valid row per source, and mutations that break one rule."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Column, Kind, Source

PEILDATUM = "2024-06-30"
UNIT = "0599010000000001"
KVK = "12345678"
INCIDENT = "I1"

VALID = {
    Kind.TEXT: "x", Kind.BAG_ID: UNIT, Kind.KVK: KVK, Kind.POSTCODE: "3011AB", Kind.INT: "5", Kind.FLOAT: "1.5",
    Kind.DATE: "2020-01-01", Kind.MONTH: "2024-01", Kind.GEMEENTE: "GM0599", Kind.WIJK: "WK059901",
    Kind.BUURT: "BU05990110", Kind.SHARE: "1/2", Kind.TEXT_LIST: "a;b",
}
BAD = {
    Kind.BAG_ID: "059901", Kind.KVK: "1234", Kind.POSTCODE: "3011 A", Kind.INT: "12.5", Kind.FLOAT: "abc",
    Kind.DATE: "2021-02-30", Kind.MONTH: "2024-13", Kind.GEMEENTE: "0599", Kind.WIJK: "WK59", Kind.BUURT: "BU0599",
    Kind.SHARE: "3/2",
}


def value(col: Column, i: int, source: Source) -> str:
    """A valid value for a column; key columns differ per row i."""
    if col.kind == Kind.ENUM or col.kind == Kind.ENUM_LIST:
        return col.values[0]
    if col.name == "incident_id":
        return INCIDENT if source.name != "politie_incident" or i == 0 else f"I{i + 1}"
    if col.name in source.key and col.kind == Kind.TEXT:
        return f"k{i}"
    if col.name in source.key and col.kind == Kind.BAG_ID and source.name == "bag_verblijfsobject":
        return f"{int(UNIT) + i:016d}"
    if col.name in source.key and col.kind == Kind.KVK and source.name == "kvk_vestiging":
        return f"{int(KVK) + i:08d}"
    if col.kind == Kind.MONTH and "periode" in source.key:
        return f"2024-{i % 12 + 1:02d}"
    return VALID[col.kind]


def valid_row(source: Source, i: int = 0) -> dict[str, str]:
    return {c.name: value(c, i, source) for c in source.columns}


def write_csv(path: Path, header: list[str], rows: list[list[str]] | list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)


def write_manifest(bundle: Path, sources: list[str], grondslag: bool = True) -> None:
    entry = {"leverancier": "test", "geleverd": "2024-07-01"}
    if grondslag:
        entry["grondslag"] = "RIEC-convenant art. 5"
    manifest = {
        "contract": "pandzicht-intake/1", "region": "test", "peildatum": PEILDATUM,
        "sources": {s: dict(entry) for s in sources},
    }
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def minimal_bundle(bundle: Path, extra: dict[str, list[dict[str, str]]] | None = None, n_valid: int = 2) -> Path:
    """A bundle with `n_valid` valid rows in every source, plus any `extra` rows per source."""
    bundle.mkdir(parents=True, exist_ok=True)
    extra = extra or {}
    for name in LOAD_ORDER:
        source = SOURCES[name]
        rows = [valid_row(source, i) for i in range(n_valid)] + extra.get(name, [])
        write_csv(bundle / f"{name}.csv", source.column_names, rows)
    write_manifest(bundle, list(LOAD_ORDER))
    return bundle


def dutch_excel(kind: Kind | None, value: str) -> str:
    """A contract value as Excel with Dutch settings writes it: `12,5` for 12.5, `1-2-2015` for 2015-02-01 (a value
    that is no valid date stays as it is, as Excel leaves text)."""
    if kind == Kind.FLOAT:
        return value.replace(".", ",")
    if kind == Kind.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day}-{day.month}-{day.year}"
    return value
