"""Outcomes back into the next scoring run: the loop from insight to action and back.

Confirmed outcomes recorded in cases become rows of the contract's `handhaving_uitkomst`
source; `append_to_bundle` writes them into a copy of an intake bundle so the
next `pandzicht analyse` learns from them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

from sqlalchemy import select

from pandzicht.cases.db import make_engine
from pandzicht.cases.models import Outcome
from pandzicht.contract.sources import SOURCES
from pandzicht.errors import PandzichtError

COLUMNS = [c.name for c in SOURCES["handhaving_uitkomst"].columns]


def outcomes_as_labels(db_url: str) -> list[dict]:
    """Every confirmed outcome as a `handhaving_uitkomst` row (verblijfsobject_id, datum, instrument, bevinding).

    A partner's outcome that no case director has confirmed yet is left out: a label trains the model, so
    it must be vouched for by the case's owner."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as con:
            rows = con.execute(select(Outcome.verblijfsobject_id, Outcome.datum, Outcome.instrument, Outcome.bevinding)
                               .where(Outcome.bevestigd_door.is_not(None))
                               .order_by(Outcome.datum, Outcome.verblijfsobject_id, Outcome.id)).all()
    finally:
        engine.dispose()
    return [{"verblijfsobject_id": r[0], "datum": r[1].isoformat(), "instrument": r[2], "bevinding": r[3]}
            for r in rows]


def append_to_bundle(bundle: Path, db_url: str, out: Path) -> dict[str, int]:
    """Copy BUNDLE to OUT and append the outcomes to its handhaving_uitkomst.csv.

    Rows already in the file are not added twice; outcomes dated after the
    bundle's peildatum are left out (the intake would refuse them) and counted."""
    bundle, out = Path(bundle), Path(out)
    if not (bundle / "manifest.json").is_file():
        raise PandzichtError(f"{bundle}: geen manifest.json; is dit een intakebundel?")
    if out.exists():
        raise PandzichtError(f"{out} bestaat al; kies een nieuwe map voor de kopie")
    if (bundle / "handhaving_uitkomst.parquet").exists():
        raise PandzichtError("de bundel levert handhaving_uitkomst als Parquet; voeg uitkomsten toe aan die bron")
    shutil.copytree(bundle, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    peildatum = dt.date.fromisoformat(manifest["peildatum"])
    target = out / "handhaving_uitkomst.csv"
    existing: set[tuple[str, ...]] = set()
    header = COLUMNS
    if target.exists():
        with target.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or COLUMNS)
            existing = {tuple(r.get(c, "") or "" for c in COLUMNS) for r in reader}
    written = duplicate = later = 0
    new_file = not target.exists()
    needs_newline = not new_file and target.stat().st_size > 0 and not target.read_bytes().endswith(b"\n")
    with target.open("a", encoding="utf-8", newline="") as fh:
        if needs_newline:
            fh.write("\n")
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", restval="", lineterminator="\n")
        if new_file:
            writer.writeheader()
        for row in outcomes_as_labels(db_url):
            if dt.date.fromisoformat(row["datum"]) > peildatum:
                later += 1
                continue
            key = tuple(row[c] for c in COLUMNS)
            if key in existing:
                duplicate += 1
                continue
            existing.add(key)
            writer.writerow(row)
            written += 1
    sources = manifest.setdefault("sources", {})
    if "handhaving_uitkomst" not in sources:
        sources["handhaving_uitkomst"] = {"leverancier": "pandzicht casustafel", "grondslag": "RIEC-convenant",
                                          "geleverd": dt.date.today().isoformat()}
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    return {"geschreven": written, "dubbel": duplicate, "na_peildatum": later}
