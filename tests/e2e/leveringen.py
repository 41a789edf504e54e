"""A second delivery of a demo world for the delivery tests: later peildatum, and records that test stable ids.

`next_delivery` copies a bundle and changes it the way a partner's next export would, plus the cases that
broke the old naming of entities:
- records with keys smaller than any before, duplicating an owner (an entity id derived from its
  smallest record key would change);
- a few records removed;
- two companies merged (the second's contracts now carry the first's KvK number, its own registration gone);
- one company split (half of its contracts carry a new KvK number).
It returns what it did, so the tests can check each case against the analysis.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(rows)


def entities(out: Path) -> dict[str, str]:
    """'bron/record_sleutel' -> entiteit_id from an analysis' entiteiten.csv."""
    _, rows = read(out / "entiteiten.csv")
    return {f"{r['bron']}/{r['record_sleutel']}": r["entiteit_id"] for r in rows}


def next_delivery(bundle: Path, target: Path, first: Path, months: int = 3) -> dict:
    """Copy `bundle` to `target` as the next delivery; `first` is the analysis of `bundle` (to pick cases)."""
    shutil.copytree(bundle, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    peildatum = dt.date.fromisoformat(manifest["peildatum"]) + dt.timedelta(days=31 * months)
    manifest["peildatum"] = peildatum.isoformat()
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ids = entities(first)
    by_id: dict[str, list[str]] = {}
    for key, eid in ids.items():
        by_id.setdefault(eid, []).append(key)

    # 1. owners whose smallest record is a Kadaster record get a duplicate under a key sorting before it
    fields, kad = read(target / "kadaster_eigendom.csv")
    smallest = {min(keys) for keys in by_id.values()}
    dup_rows = [r for r in kad if f"kadaster_eigendom/{r['eigendom_id']}" in smallest and r["eigenaar_geboortedatum"]
                and r["eigenaar_type"] == "natuurlijk_persoon"][:15]
    added = []
    for i, r in enumerate(dup_rows):
        new = dict(r, eigendom_id=f"KAA{i:09d}")
        added.append((f"kadaster_eigendom/{new['eigendom_id']}", ids[f"kadaster_eigendom/{r['eigendom_id']}"]))
        kad.insert(0, new)
    # 2. a few records removed (not among those above)
    used = {r["eigendom_id"] for r in dup_rows}
    removed = [r for r in kad[-40:] if r["eigendom_id"] not in used][:10]
    removed_keys = {r["eigendom_id"] for r in removed}
    kad = [r for r in kad if r["eigendom_id"] not in removed_keys]
    write(target / "kadaster_eigendom.csv", fields, kad)

    # 3. merge and 4. split, on landlords known by KvK number in the contracts
    hfields, contracts = read(target / "huurcontract.csv")
    vfields, vestigingen = read(target / "kvk_vestiging.csv")
    registered = {r["kvk_nummer"] for r in vestigingen}
    per_kvk = Counter(r["verhuurder_kvk"] for r in contracts if r["verhuurder_kvk"] in registered)
    by_size = sorted(per_kvk, key=lambda k: (per_kvk[k], k))
    keep_kvk, gone_kvk, split_kvk, new_kvk = by_size[0], by_size[1], by_size[-1], "99887766"
    merged_old = (ids[f"kvk_vestiging/{keep_kvk}"], ids[f"kvk_vestiging/{gone_kvk}"])
    split_old = ids[f"kvk_vestiging/{split_kvk}"]
    moved = []
    n_split = 0
    for r in contracts:
        for role in ("verhuurder", "bemiddelaar", "huurder"):
            if r[f"{role}_kvk"] == gone_kvk:
                r[f"{role}_kvk"] = keep_kvk
                moved.append(f"huurcontract/{r['contract_id']}:{role}")
        if r["verhuurder_kvk"] == split_kvk:
            n_split += 1
            if n_split % 2 == 0:
                r["verhuurder_kvk"] = new_kvk
    write(target / "huurcontract.csv", hfields, contracts)
    write(target / "kvk_vestiging.csv", vfields, [r for r in vestigingen if r["kvk_nummer"] != gone_kvk])
    fields, kad = read(target / "kadaster_eigendom.csv")
    for r in kad:
        if r["eigenaar_kvk"] == gone_kvk:
            r["eigenaar_kvk"] = keep_kvk
            moved.append(f"kadaster_eigendom/{r['eigendom_id']}")
    write(target / "kadaster_eigendom.csv", fields, kad)
    return {"added": added, "removed": [f"kadaster_eigendom/{k}" for k in sorted(removed_keys)],
            "merged_old": merged_old, "merged_records": moved, "split_old": split_old,
            "peildatum": peildatum.isoformat()}


def halve(bundle: Path, target: Path, source: str) -> None:
    """Copy `bundle` with half of `source`'s rows and a later peildatum: a broken export."""
    shutil.copytree(bundle, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["peildatum"] = (dt.date.fromisoformat(manifest["peildatum"]) + dt.timedelta(days=31)).isoformat()
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    fields, rows = read(target / f"{source}.csv")
    write(target / f"{source}.csv", fields, rows[: len(rows) // 2])
