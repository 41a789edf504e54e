"""Writing the bundle: CSV per source (pyarrow, fast), a few deliberately broken rows, the manifest."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from pandzicht.contract.sources import CONTRACT_VERSION, SOURCES, Kind

_OPTS = pacsv.WriteOptions(quoting_style="needed")


def date_str(days: np.ndarray, nullable: bool = True) -> np.ndarray:
    """Days since epoch -> 'YYYY-MM-DD' (object array). nullable: -1 means open/unknown (end dates)."""
    d = np.asarray(days, dtype=np.int64)
    out = np.datetime_as_string(d.astype("datetime64[D]")).astype(object)
    if nullable:
        out[d == -1] = None
    return out


def write_csv(df: pd.DataFrame | pa.Table, path: Path) -> int:
    """Write a frame as CSV (UTF-8, header, RFC 4180 quoting); empty strings become empty cells."""
    if isinstance(df, pa.Table):
        with open(path, "wb") as fh:
            pacsv.write_csv(df, fh, _OPTS)
        return df.num_rows
    cols = {}
    for c in df.columns:
        s = df[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
            arr = pa.compute.if_else(pa.compute.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        else:
            arr = (
                pa.array(s.to_numpy(), from_pandas=True)
                if not isinstance(s.dtype, pd.Int64Dtype)
                else pa.array(s.astype("float64").to_numpy(), from_pandas=True).cast(pa.int64())
            )
        cols[c] = arr
    table = pa.table(cols)
    with open(path, "wb") as fh:
        pacsv.write_csv(table, fh, _OPTS)
    return len(df)


def _bad_value(kind: Kind) -> str:
    return {Kind.DATE: "2023-02-30", Kind.MONTH: "2023-13"}.get(kind, "")


def broken_rows(
    source: str, template: dict[str, str], n: int, fresh_key: Callable[[int], dict[str, str]]
) -> list[tuple[str, str, str]]:
    """n rows that break the contract in one way each: (csv line, record key, reason)."""
    src = SOURCES[source]
    reasons: list[str] = ["veldaantal"]
    if any(c.kind in (Kind.DATE, Kind.MONTH) for c in src.columns):
        reasons.append("ongeldige_datum")
    if any(c.kind in (Kind.ENUM, Kind.ENUM_LIST) for c in src.columns):
        reasons.append("onbekende_waarde")
    if any(c.non_negative and c.kind in (Kind.INT, Kind.FLOAT) for c in src.columns):
        reasons.append("negatief_bedrag")
    if any(c.references == ("bag_verblijfsobject", "verblijfsobject_id") for c in src.columns):
        reasons.append("onbekend_bag_id")
    out = []
    for i in range(n):
        reason = reasons[(i + len(source)) % len(reasons)]
        row = dict(template)
        key = fresh_key(i)
        row.update(key)
        if reason == "ongeldige_datum":
            dcols = [c for c in src.columns if c.kind in (Kind.DATE, Kind.MONTH)]
            c = next((c for c in dcols if c.required), dcols[0])
            row[c.name] = "31-12-2022" if c.kind == Kind.DATE and i % 2 else _bad_value(c.kind)
        elif reason == "onbekende_waarde":
            c = next(c for c in src.columns if c.kind in (Kind.ENUM, Kind.ENUM_LIST) and c.name in row)
            row[c.name] = "onbekend_type"
        elif reason == "negatief_bedrag":
            c = next(c for c in src.columns if c.non_negative and c.kind in (Kind.INT, Kind.FLOAT))
            row[c.name] = "-650" if c.kind == Kind.INT else "-12.5"
        elif reason == "onbekend_bag_id":
            row["verblijfsobject_id"] = f"059901999{9000000 + i:07d}"
        values = [row.get(c, "") or "" for c in src.column_names]
        extra = [row.get(c, "") or "" for c in template if c not in src.column_names]
        values = values + extra
        if reason == "veldaantal":
            values = values[:-2]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(values)
        rec = next(iter(key.values())) if key else ""
        out.append((buf.getvalue(), rec, reason))
    return out


def append_lines(path: Path, lines: list[str]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        for line in lines:
            fh.write(line)


MANIFEST_SOURCES = {
    "bag_verblijfsobject": (
        "Gemeente Rotterdam (BAG-beheer) / Kadaster LV BAG",
        "Wet basisregistratie adressen en gebouwen art. 37 (openbaar)",
    ),
    "brp_inschrijving": ("Gemeente Rotterdam - Burgerzaken", "Wet BRP art. 3.2 jo. RIEC-convenant art. 5"),
    "kadaster_eigendom": ("Kadaster", "Kadasterwet art. 107 (openbare registers) jo. RIEC-convenant art. 5"),
    "kvk_vestiging": ("Kamer van Koophandel", "Handelsregisterwet 2007 art. 21 (openbaar)"),
    "kvk_functionaris": ("Kamer van Koophandel", "Handelsregisterwet 2007 art. 21 jo. RIEC-convenant art. 5"),
    "huurcontract": (
        "Woningcorporaties regio Rotterdam; Gemeente Rotterdam - registratie verhuurders",
        "Wet goed verhuurderschap art. 2 jo. RIEC-convenant art. 5",
    ),
    "energie_verbruik": ("Stedin Netbeheer B.V.", "RIEC-convenant art. 5 jo. AVG art. 6 lid 1 sub e"),
    "politie_incident": ("Politie Eenheid Rotterdam", "Wet politiegegevens art. 20"),
    "politie_betrokkene": ("Politie Eenheid Rotterdam", "Wet politiegegevens art. 20"),
    "melding": ("Gemeente Rotterdam - Meldpunt Ondermijning", "RIEC-convenant art. 5"),
    "handhaving_uitkomst": (
        "Gemeente Rotterdam - Directie Veiligheid",
        "Gemeentewet art. 174a; Opiumwet art. 13b; RIEC-convenant art. 5",
    ),
}


def write_manifest(out: Path, region: str, peildatum: str, delivered: dict[str, str]) -> dict:
    """manifest.json naming every delivered source with supplier, legal basis and delivery date."""
    man = {
        "contract": CONTRACT_VERSION,
        "region": region,
        "peildatum": peildatum,
        "sources": {
            s: {"leverancier": MANIFEST_SOURCES[s][0], "grondslag": MANIFEST_SOURCES[s][1], "geleverd": delivered[s]}
            for s in delivered
        },
    }
    (out / "manifest.json").write_text(json.dumps(man, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return man
