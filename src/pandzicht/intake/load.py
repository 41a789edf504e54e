"""Load an intake bundle into the store: validate, quarantine, report.

The whole load is one transaction: a refused file or a crash leaves the store
as it was. Loading the same bundle twice leaves identical tables, because each
load replaces every source's tables with what this bundle holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pandzicht.contract.manifest import Manifest, read_manifest
from pandzicht.contract.protected import protected_columns
from pandzicht.contract.sources import CONTRACT_VERSION, LOAD_ORDER, SOURCES, Source
from pandzicht.contract.validate import (
    BAD_FIELD_COUNT,
    DUPLICATE,
    cleaned,
    quote_ident,
    reason_expr,
    typed_expr,
    value_expr,
)
from pandzicht.errors import ContractError
from pandzicht.store.engine import Store, quarantine_table, raw_table

Progress = Callable[[str, int, int], None]

_REJECT_REASONS = {
    "MISSING COLUMNS": BAD_FIELD_COUNT,
    "TOO MANY COLUMNS": BAD_FIELD_COUNT,
    "INVALID UNICODE": "rij: geen geldige UTF-8",
}
_UNREADABLE = "rij: onleesbare CSV-regel"


@dataclass(frozen=True)
class SourceFile:
    source: Source
    path: Path
    header: list[str]

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix == ".parquet"


def discover(bundle: Path) -> dict[str, Path]:
    """The contract sources present in a bundle folder, CSV or Parquet."""
    found: dict[str, Path] = {}
    for name in SOURCES:
        for suffix in (".csv", ".parquet"):
            path = bundle / f"{name}{suffix}"
            if path.is_file():
                if name in found:
                    raise ContractError(f"{bundle}: {name} staat er zowel als CSV als Parquet in; lever er één")
                found[name] = path
    return found


def read_header(path: Path) -> list[str]:
    """The column names of a CSV or Parquet file, without reading the rows."""
    if path.suffix == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except Exception:
            raise ContractError(f"{path.name}: geen leesbaar Parquet-bestand") from None
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise ContractError(f"{path.name}: kopregel is geen UTF-8") from None
    if not header:
        raise ContractError(f"{path.name}: geen kopregel")
    return [h.strip() for h in header]


def check_files(bundle: Path, manifest: Manifest) -> list[SourceFile]:
    """Refuse the bundle before anything is loaded: legal basis, protected columns, required columns."""
    files = discover(bundle)
    if "bag_verblijfsobject" not in files:
        raise ContractError(f"{bundle}: bag_verblijfsobject.csv ontbreekt; die bron is verplicht")
    checked = []
    for name in LOAD_ORDER:
        if name not in files:
            continue
        source, path = SOURCES[name], files[name]
        entry = manifest.sources.get(name)
        if source.personal_data and (entry is None or not entry.grondslag):
            raise ContractError(
                f"{path.name}: geweigerd, geen 'grondslag' (wettelijke grondslag) voor deze bron in manifest.json"
            )
        header = read_header(path)
        refused = protected_columns(header)
        if refused:
            raise ContractError(
                f"{path.name}: kolom '{refused[0]}' is een beschermd kenmerk en wordt geweigerd "
                "(pandzicht gebruikt geen nationaliteit, herkomst, religie, geslacht, gezondheid of strafblad)"
            )
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise ContractError(f"{path.name}: kolom '{dupes[0]}' komt meer dan eens voor in de kopregel")
        for col in source.columns:
            if col.required and col.name not in header:
                raise ContractError(f"{path.name}: verplichte kolom '{col.name}' ontbreekt")
        checked.append(SourceFile(source, path, header))
    return checked


def _stage(store: Store, f: SourceFile) -> None:
    """Read the file as text into `_stage` (record number `_rij`, as a spreadsheet shows it) and its
    malformed lines into `_rejects`."""
    path = str(f.path).replace("'", "''")
    if f.is_parquet:
        casts = ", ".join(f"CAST({quote_ident(h)} AS VARCHAR) AS {quote_ident(h)}" for h in f.header)
        store.execute(
            f"CREATE OR REPLACE TEMP TABLE _stage AS SELECT CAST(file_row_number + 2 AS BIGINT) AS _rij, {casts} "
            f"FROM read_parquet('{path}', file_row_number = true)"
        )
        _salvage_rejects(store, f.header, none=True)
        return
    store.execute("DROP TABLE IF EXISTS _rej_err")
    store.execute("DROP TABLE IF EXISTS _rej_scan")
    names = ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in f.header)
    store.execute(
        "CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS _n, * FROM read_csv("
        f"'{path}', header = true, delim = ',', quote = '\"', escape = '\"', columns = {{{names}}}, "
        "auto_detect = false, store_rejects = true, rejects_table = '_rej_err', rejects_scan = '_rej_scan', "
        "encoding = 'utf-8')"
    )
    _salvage_rejects(store, f.header)
    # A good record's line: its index + header + the malformed lines before it.
    store.execute(
        "CREATE OR REPLACE TEMP TABLE _gaps AS "
        "SELECT _rij - 1 - row_number() OVER (ORDER BY _rij) AS good_before FROM _rejects"
    )
    store.execute(
        "CREATE OR REPLACE TEMP TABLE _stage AS SELECT CAST(_n + 1 + (SELECT count(*) FROM _gaps "
        "WHERE good_before < _n) AS BIGINT) AS _rij, * EXCLUDE (_n) FROM _raw"
    )
    store.execute("DROP TABLE _raw")


def _salvage_rejects(store: Store, header: list[str], none: bool = False) -> None:
    """Table `_rejects`: each malformed line with its line number, error, the line itself, and whatever
    fields it does have under their column names, so the data steward sees what was there."""
    rejects = [] if none else store.rows(
        "SELECT line, min(error_type), min(csv_line) FROM _rej_err GROUP BY line ORDER BY line"
    )
    data: dict[str, list] = {"_rij": [], "_fout": [], "_regel": [], **{h: [] for h in header}}
    for line, error, text in rejects:
        fields = next(csv.reader([text or ""]), [])
        data["_rij"].append(line)
        data["_fout"].append(error)
        data["_regel"].append(text)
        for i, h in enumerate(header):
            data[h].append(fields[i] if i < len(fields) else None)
    schema = pa.schema([("_rij", pa.int64()), ("_fout", pa.string()), ("_regel", pa.string()),
                        *[(h, pa.string()) for h in header]])
    store.write_arrow("_rejects", pa.table(data, schema=schema))


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load_source(store: Store, f: SourceFile, peildatum: dt.date, loaded: dict[str, str]) -> dict:
    source = f.source
    _stage(store, f)
    present = set(f.header)
    # Optional contract columns absent from the file are unknown (NULL) in every row.
    for col in source.columns:
        if col.name not in present:
            store.execute(f"ALTER TABLE _stage ADD COLUMN {quote_ident(col.name)} VARCHAR")
    # Each cell is trimmed once into a _v_ column; the rules and the typed projection read those.
    clean = ", ".join(f"{value_expr(c.name)} AS {cleaned(c.name)}" for c in source.columns)
    store.execute(f"CREATE OR REPLACE TEMP TABLE _clean AS SELECT *, {clean} FROM _stage")
    reason = reason_expr(source, peildatum, loaded, cleaned)
    if source.key:
        # the first valid occurrence of a key is kept; later valid ones are duplicates
        keys = ", ".join(cleaned(k) for k in source.key)
        dup = _lit(f"{'+'.join(source.key)}: {DUPLICATE}")
        store.execute(
            f"CREATE OR REPLACE TEMP TABLE _checked AS SELECT CASE WHEN _r IS NULL AND row_number() OVER "
            f"(PARTITION BY _r IS NULL, {keys} ORDER BY _rij) > 1 THEN {dup} ELSE _r END AS _reden, * EXCLUDE (_r) "
            f"FROM (SELECT {reason} AS _r, * FROM _clean)"
        )
    else:
        store.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS SELECT {reason} AS _reden, * FROM _clean")
    contract = {c.name for c in source.columns}
    extras = [h for h in f.header if h not in contract]
    typed = ", ".join(f"{typed_expr(c, cleaned)} AS {quote_ident(c.name)}" for c in source.columns)
    extra_sql = "".join(f", {quote_ident(h)}" for h in extras)
    raw, quarantine = raw_table(source.name), quarantine_table(source.name)
    store.execute(f"DROP TABLE IF EXISTS {raw}")
    store.execute(
        f"CREATE TABLE {raw} AS SELECT _rij, {typed}{extra_sql} FROM _checked WHERE _reden IS NULL ORDER BY _rij"
    )
    text_cols = ", ".join(quote_ident(h) for h in [*source.column_names, *extras])
    store.execute(f"DROP TABLE IF EXISTS {quarantine}")
    store.execute(
        f"CREATE TABLE {quarantine} AS SELECT _rij AS rij, _reden AS reden, CAST(NULL AS VARCHAR) AS _regel, "
        f"{text_cols} FROM _checked WHERE _reden IS NOT NULL"
    )
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in _REJECT_REASONS.items())
    file_cols = ", ".join(quote_ident(h) for h in f.header)
    store.execute(
        f"INSERT INTO {quarantine} (rij, reden, _regel, {file_cols}) SELECT _rij, CASE _fout {cases} "
        f"ELSE {_lit(_UNREADABLE)} END, _regel, {file_cols} FROM _rejects"
    )
    # Ordered by row so that two loads of one bundle give identical tables.
    store.execute(f"CREATE OR REPLACE TABLE {quarantine} AS SELECT * FROM {quarantine} ORDER BY rij")
    loaded_n = store.scalar(f"SELECT count(*) FROM {raw}")
    reasons = dict(store.rows(f"SELECT reden, count(*) FROM {quarantine} GROUP BY reden ORDER BY 2 DESC, 1"))
    quarantined = sum(reasons.values())
    entry: dict = {
        "gelezen": loaded_n + quarantined,
        "geladen": loaded_n,
        "quarantaine": quarantined,
        "redenen": reasons,
    }
    missing_cols = [c.name for c in source.columns if c.name not in present]
    if missing_cols:
        entry["ontbrekende_kolommen"] = missing_cols
    if extras:
        entry["extra_kolommen"] = extras
    for tmp in ("_stage", "_clean", "_checked", "_rejects", "_gaps"):
        store.execute(f"DROP TABLE IF EXISTS {tmp}")
    return entry


def _write_meta(store: Store, manifest: Manifest, bundle: Path, report: dict) -> None:
    store.execute(
        "CREATE OR REPLACE TABLE bundel_meta (contract VARCHAR, regio VARCHAR, peildatum DATE, bundel VARCHAR)"
    )
    store.execute(
        "INSERT INTO bundel_meta VALUES (?, ?, ?, ?)",
        [manifest.contract, manifest.region, manifest.peildatum, bundle.name],
    )
    store.execute(
        "CREATE OR REPLACE TABLE bundel_bron (bron VARCHAR, leverancier VARCHAR, grondslag VARCHAR, geleverd VARCHAR)"
    )
    for name, e in sorted(manifest.sources.items()):
        store.execute("INSERT INTO bundel_bron VALUES (?, ?, ?, ?)", [name, e.leverancier, e.grondslag, e.geleverd])
    store.execute("CREATE OR REPLACE TABLE laadrapport (rapport VARCHAR)")
    store.execute("INSERT INTO laadrapport VALUES (?)", [json.dumps(report, ensure_ascii=False, sort_keys=True)])


def load_bundle(
    bundle: Path, db: Path | Store, progress: Progress | None = None, timings: dict[str, float] | None = None
) -> dict:
    """Validate and load every source of a bundle; return the load report (laadrapport.json).

    `timings`, when given, receives the seconds each source took (for `pandzicht bench load`)."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    files = check_files(bundle, manifest)
    store = db if isinstance(db, Store) else Store(db)
    report: dict = {"contract": CONTRACT_VERSION, "peildatum": manifest.peildatum.isoformat(), "bronnen": {}}
    try:
        with store.transaction():
            loaded: dict[str, str] = {}
            for i, f in enumerate(files):
                if progress:
                    progress(f.source.name, i, len(files))
                t0 = time.perf_counter()
                report["bronnen"][f.source.name] = _load_source(store, f, manifest.peildatum, loaded)
                if timings is not None:
                    timings[f.source.name] = time.perf_counter() - t0
                loaded[f.source.name] = raw_table(f.source.name)
            present = {f.source.name for f in files}
            for name in SOURCES:
                if name not in present:
                    store.execute(f"DROP TABLE IF EXISTS {raw_table(name)}")
                    store.execute(f"DROP TABLE IF EXISTS {quarantine_table(name)}")
            report["ontbrekend"] = [n for n in LOAD_ORDER if n not in present]
            _write_meta(store, manifest, bundle, report)
        if progress:
            progress("klaar", len(files), len(files))
    finally:
        if not isinstance(db, Store):
            store.close()
    return report
