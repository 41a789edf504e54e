"""Reshaping an intake bundle the way other partners' deliveries differ from the demo world.

Each function changes a copied bundle in place (files on disk), so the analysis reads it exactly as it
would read a partner's folder. The checks at the bottom assert what every analysed bundle must show,
whatever its shape: a row for every dwelling, the load report adding up, the absent or empty sources named.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Kind
from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.pipeline import AnalysisResult, analyse
from pandzicht.store.engine import Store

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO.parent / "shared" / "tools" / "check-outputs"
OPTIONAL = [n for n in LOAD_ORDER if not SOURCES[n].required and n != "kortverblijf_advertentie"]
ADDRESS_SOURCES = ("huurcontract", "politie_incident", "melding")

Row = dict[str, str]


def copy_bundle(src: Path, dst: Path) -> Path:
    """The bundle's manifest and source files (not truth/: the analysis never reads it)."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.iterdir():
        if path.is_file():
            shutil.copy2(path, dst / path.name)
    return dst


def read(bundle: Path, source: str) -> tuple[list[str], list[Row]]:
    """The well-formed rows of a source as dicts (a row with the wrong number of fields is left out)."""
    header, rows = read_raw(bundle, source)
    return header, [dict(zip(header, r, strict=True)) for r in rows if len(r) == len(header)]


def read_raw(bundle: Path, source: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows as lists, broken rows included, so a rewrite keeps the world's deliberate errors."""
    with (bundle / f"{source}.csv").open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_raw(bundle: Path, source: str, header: list[str], rows: list[list[str]], *, crlf: bool = False,
              bom: bool = False, delimiter: str = ",") -> None:
    with (bundle / f"{source}.csv").open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if crlf else "\n", delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    redeclare(bundle, source, len(rows))


def redeclare(bundle: Path, source: str, rows: int) -> None:
    """A partner who exports a file anew declares it anew: where the manifest gives the file's `rijen` and
    `sha256` (the independent generator's bundles do), they are set to the rewritten file's."""
    manifest = read_manifest(bundle)
    entry = manifest["sources"].get(source)
    if not entry or not ({"rijen", "sha256"} & set(entry)):
        return
    if "rijen" in entry:
        entry["rijen"] = rows
    if "sha256" in entry:
        entry["sha256"] = hashlib.sha256((bundle / f"{source}.csv").read_bytes()).hexdigest()
    write_manifest(bundle, manifest)


def present(bundle: Path) -> list[str]:
    return [n for n in LOAD_ORDER if (bundle / f"{n}.csv").exists()]


def edit_rows(bundle: Path, source: str, fn: Callable[[Row], Row | None], add: list[str] | None = None) -> None:
    """Rewrite a source row by row (a row mapped to None is dropped; `add` columns are appended to the
    header). A row with the wrong number of fields passes through untouched: it must stay broken."""
    if not (bundle / f"{source}.csv").exists():
        return
    header, rows = read_raw(bundle, source)
    out_header = header + (add or [])
    out = []
    for r in rows:
        if len(r) != len(header):
            out.append(r)
        elif (row := fn(dict(zip(header, r, strict=True)))) is not None:
            out.append([row.get(h, "") for h in out_header])
    write_raw(bundle, source, out_header, out)


def drop(bundle: Path, source: str) -> None:
    """The source is not delivered at all (file and manifest entry gone)."""
    (bundle / f"{source}.csv").unlink(missing_ok=True)
    manifest = read_manifest(bundle)
    manifest["sources"].pop(source, None)
    write_manifest(bundle, manifest)


def header_only(bundle: Path, source: str) -> None:
    """The source is delivered as an export with its header and no rows."""
    header, _ = read_raw(bundle, source)
    write_raw(bundle, source, header, [])


def read_manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(bundle: Path, manifest: dict) -> None:
    (bundle / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def address_text(unit: Row) -> str:
    """A BAG address written as a partner would: `Straat 12A-2, 3011AB Rotterdam`."""
    number = unit["huisnummer"] + unit["huisletter"] + (f"-{unit['huisnummertoevoeging']}"
                                                      if unit["huisnummertoevoeging"] else "")
    return f"{unit['openbare_ruimte']} {number}, {unit['postcode']} {unit['woonplaats']}"


def addresses_as_text(bundle: Path) -> None:
    """Every contract, incident and signal names its address only as text (the BAG id is left out)."""
    units = {u["verblijfsobject_id"]: u for u in read(bundle, "bag_verblijfsobject")[1]}

    def text_only(r: Row) -> Row:
        if not r["adres_tekst"] and r["verblijfsobject_id"] in units:
            r["adres_tekst"] = address_text(units[r["verblijfsobject_id"]])
        r["verblijfsobject_id"] = ""
        return r

    for source in ADDRESS_SOURCES:
        edit_rows(bundle, source, text_only)


def addresses_with_bag_id(bundle: Path, truth: Path) -> None:
    """Every contract, incident and signal carries the BAG id of its true unit (the text stays as well)."""
    true_unit = {(r["bron"], r["record_sleutel"]): r["verblijfsobject_id"]
                 for r in csv.DictReader((truth / "adres_tekst.csv").open(newline="", encoding="utf-8"))}
    for source in ADDRESS_SOURCES:
        key = SOURCES[source].key[0]

        def with_id(r: Row, source: str = source, key: str = key) -> Row:
            r["verblijfsobject_id"] = r["verblijfsobject_id"] or true_unit.get((source, r[key]), "")
            return r

        edit_rows(bundle, source, with_id)


def strip_shared_kvk(bundle: Path) -> None:
    """No two company profiles share a KvK number: only the KvK register itself keeps them."""
    for source, cols in (("huurcontract", ("verhuurder_kvk", "bemiddelaar_kvk", "huurder_kvk")),
                         ("kadaster_eigendom", ("eigenaar_kvk",))):
        def strip(r: Row, cols: tuple[str, ...] = cols) -> Row:
            return {**r, **dict.fromkeys(cols, "")}

        edit_rows(bundle, source, strip)


def shift_years(bundle: Path, years: int) -> None:
    """Every date and month of the bundle moved by whole years (29 February lands on the 28th), manifest too."""

    def day(text: str) -> str:
        d = dt.date.fromisoformat(text)
        try:
            return d.replace(year=d.year + years).isoformat()
        except ValueError:
            return d.replace(year=d.year + years, day=28).isoformat()

    def shift(kind: Kind, text: str) -> str:
        try:
            if kind == Kind.DATE:
                return day(text)
            if kind == Kind.MONTH:
                return day(text + "-01")[:7]
        except ValueError:
            pass  # the world's deliberately broken values stay broken
        return text

    for source in present(bundle):
        kinds = {c.name: c.kind for c in SOURCES[source].columns if c.kind in (Kind.DATE, Kind.MONTH)}
        edit_rows(bundle, source, lambda r, kinds=kinds: {k: shift(kinds[k], v) if k in kinds and v else v
                                                         for k, v in r.items()})
    manifest = read_manifest(bundle)
    manifest["peildatum"] = day(manifest["peildatum"])
    for entry in manifest["sources"].values():
        if entry.get("geleverd"):
            entry["geleverd"] = day(entry["geleverd"])
    write_manifest(bundle, manifest)


def delimiter(path: Path) -> str:
    """`;` for a file whose header line is separated by semicolons (Excel with Dutch settings), else `,`."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = fh.readline()
    return ";" if ";" in header and "," not in header else ","


def records(path: Path) -> int:
    """Data records of a CSV file, as a CSV reader counts them (a quoted newline stays in its record)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return max(sum(1 for _ in csv.reader(fh, delimiter=delimiter(path))) - 1, 0)


def dwellings(bundle: Path) -> set[str]:
    """Every BAG row naming `woonfunctie`, read as the output contract's checker reads it (a quarantined unit
    still has its row in adressen.csv)."""
    path = bundle / "bag_verblijfsobject.csv"
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=delimiter(path))
        # a header spelled as an export writes it (`VERBLIJFSOBJECT ID`) names the same columns
        col = {"".join(ch for ch in h.lower() if ch.isalnum()): i for i, h in enumerate(next(reader))}
        unit, use = col["verblijfsobjectid"], col["gebruiksdoel"]
        return {r[unit] for r in reader if len(r) > max(unit, use) and "woonfunctie" in r[use]}


def output_rows(out: Path, name: str) -> list[Row]:
    with (out / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def run_checker(bundle: Path, out: Path) -> str:
    """The shared output checker's verdict ('ok' or its problems)."""
    done = subprocess.run([sys.executable, str(CHECKER), str(bundle), str(out)], capture_output=True, text=True)
    return (done.stdout + done.stderr).strip() if done.returncode else "ok"


@dataclass
class Analysed:
    """A reshaped bundle and what `analyse` made of it."""

    bundle: Path
    out: Path
    result: AnalysisResult

    @property
    def report(self) -> dict:
        return json.loads((self.out / "laadrapport.json").read_text(encoding="utf-8"))

    @property
    def fallbacks(self) -> list[str]:
        return [f["stap"] for f in self.report["analyse"]["terugvallen"]]

    def rows(self, name: str) -> list[Row]:
        return output_rows(self.out, name)

    def query(self, sql: str) -> list[tuple]:
        with Store(self.out / "pandzicht.duckdb") as store:
            return store.rows(sql)


def analyse_shape(world: Path, root: Path, reshape: Callable[[Path], object]) -> Analysed:
    bundle = copy_bundle(world, root / "bundel")
    reshape(bundle)
    out = root / "uitvoer"
    return Analysed(bundle, out, analyse(bundle, out))


def assert_sound(a: Analysed, checker_bundle: Path | None = None, count_records: bool = True) -> None:
    """What every analysed bundle must show, whatever its shape.

    The shared checker passes; every dwelling has a row; each delivered file's records are all counted
    (read = loaded + quarantined); the sources not delivered are named; and an indicator is computed only when
    every source it needs has loaded rows, otherwise it is listed as without source."""
    verdict = run_checker(checker_bundle or a.bundle, a.out)
    assert verdict == "ok", verdict
    assert {r["verblijfsobject_id"] for r in a.rows("adressen.csv")} == dwellings(a.bundle)
    report = a.report
    delivered = present(a.bundle)
    assert set(report["bronnen"]) == set(delivered)
    assert report["ontbrekend"] == [n for n in LOAD_ORDER if n not in delivered]
    for name, entry in report["bronnen"].items():
        assert entry["gelezen"] == entry["geladen"] + entry["quarantaine"], name
        if count_records:
            assert entry["gelezen"] == records(a.bundle / f"{name}.csv"), name
    empty = {n for n in LOAD_ORDER if n not in delivered or report["bronnen"][n]["geladen"] == 0}
    ran, skipped = set(a.result.indicators["berekend"]), set(a.result.indicators["ontbrekende_bron"])
    assert set(report["analyse"]["indicatoren_zonder_bron"]) == skipped
    catalogue = load_catalogue()
    assert ran | skipped == {i.code for i in catalogue} and not ran & skipped
    for ind in catalogue:
        lacking = [b for b in ind.bronnen if b in empty]
        assert not (lacking and ind.code in ran), f"{ind.code} computed without rows in {lacking}"
    assert {r["bron"] for r in a.rows("entiteiten.csv")} <= set(delivered) - empty
