"""Load an intake bundle into the store: validate, quarantine, report.

The whole load is one transaction: a refused file or a crash leaves the store
as it was. Loading the same bundle twice leaves identical tables, because each
load replaces every source's tables with what this bundle holds.

Files are read as partners send them (see `csvfile.py`): CRLF or LF line endings, a UTF-8 BOM, a
malformed line anywhere (quarantined with its row number, the rest loads), a last line cut off (quarantined
and warned about in the report); a file that is not UTF-8 is refused naming its first offending line.
When the manifest declares a file's `rijen` or `sha256`, a file that does not match refuses the bundle.

A delivery that continues an earlier analysis (`previous`) takes over a source's tables instead of reading
its file again when nothing that decides them changed: each load records per source a fingerprint (table
`bron_vingerafdruk`) of the file's bytes, its header, the SQL that validates and types it (which holds the
peildatum where a rule uses it), the fingerprints of the sources its references are checked against, and
the code and DuckDB version that read it, with a checksum of the tables it wrote. Only when the fingerprint is
the same and the earlier tables still have that checksum (retention or erasure did not touch them) are they
copied; everything else is read from the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import json
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pandzicht.adapters.report import REPORT_SUFFIX
from pandzicht.contract.manifest import Manifest, SourceEntry, check_checksum, check_rows, file_sha256, read_manifest
from pandzicht.contract.protected import protected_columns
from pandzicht.contract.sources import CONTRACT_VERSION, LOAD_ORDER, SOURCES, Column, Kind, Source
from pandzicht.contract.validate import (
    BAD_FIELD_COUNT,
    CUT_LAST_LINE,
    DUPLICATE,
    UNREADABLE_LINE,
    cleaned,
    quote_ident,
    reason_expr,
    typed_expr,
    value_expr,
)
from pandzicht.errors import ContractError
from pandzicht.intake import cell_forms, csvfile, placeholder_kvk, workbook
from pandzicht.intake.csvfile import CUT, MISSING_COLUMNS, TOO_MANY_COLUMNS, UNQUOTED_VALUE, FileScan
from pandzicht.intake.placeholder_kvk import EXTRACT, clear_placeholders, depends_on_extract
from pandzicht.intake.placeholder_kvk import warning as placeholder_warning
from pandzicht.intake.workbook import Sheet
from pandzicht.link import previous as prev
from pandzicht.store.engine import Store, quarantine_table, raw_table

Progress = Callable[[str, int, int], None]

FINGERPRINT_TABLE = "bron_vingerafdruk"

_REJECT_REASONS = {MISSING_COLUMNS: BAD_FIELD_COUNT, TOO_MANY_COLUMNS: BAD_FIELD_COUNT, CUT: CUT_LAST_LINE}
_ENCODING_REJECTS = ("INVALID ENCODING", "INVALID UNICODE")
_BATCH = 65_536
# Contract kinds whose values are identifiers: as numbers they lose their leading zeros.
_IDENTIFIERS = (Kind.BAG_ID, Kind.KVK, Kind.POSTCODE)


@dataclass(frozen=True)
class SourceFile:
    source: Source
    path: Path
    header: list[str]
    entry: SourceEntry | None = None
    scan: FileScan | None = None  # CSV only
    delimiter: str = ","  # CSV only: `;` for a file saved with Dutch regional settings (`csvfile.delimiter_of`)
    renamed: dict[str, str] = field(default_factory=dict)  # the file's spelling of a contract column -> the contract's
    origin: Path | None = None  # a workbook or gzip file the partner sent; `path` is then the CSV read from it
    sheet: Sheet | None = None
    unnamed: tuple[str, ...] = ()  # CSV only: names given to columns without one in the header (`name_unnamed`)
    apart: dict[str, str] = field(default_factory=dict)  # an extra column's name in the file -> its own (`apart_names`)

    @property
    def name(self) -> str:
        """The file as the partner named it, for every message."""
        return (self.origin or self.path).name

    @property
    def file_header(self) -> list[str]:
        """The column names as the file spells them (`header` holds the contract's spelling)."""
        back = {v: k for k, v in (*self.renamed.items(), *self.apart.items())}
        return [back.get(h, h) for h in self.header]

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix.lower() == ".parquet"


READABLE = (".csv", ".parquet")
WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
GZIP = ".gz"  # `melding.csv.gz`: a CSV file compressed, as a large extract is often sent (`_gunzip`)
NOT_DATA = {"manifest.json"}


def _source_name(path: Path) -> tuple[str, str]:
    """The source a file's name names and how it is stored: `MELDING.CSV` is (melding, .csv), `melding.csv.gz`
    (melding, .gz)."""
    name, suffix = path.stem.lower(), path.suffix.lower()
    if suffix == GZIP and name.endswith(".csv"):
        return name[: -len(".csv")], GZIP
    return name, suffix


def _gunzip(src: Path, dest: Path) -> None:
    """Write the CSV file inside a gzip file to `dest`. Why: a partner's large extract (energy, BRP) often comes as
    `energie_verbruik.csv.gz`; it was not read (only named as a file that belongs to no source, with a misspelling
    suggested) and the analysis ran without the source. Unpacked, it is read as the CSV it holds, every rule and row
    number the same."""
    import gzip
    import shutil
    import zlib

    try:
        with gzip.open(src, "rb") as fh, dest.open("wb") as out:
            shutil.copyfileobj(fh, out, csvfile.CHUNK)
    except (OSError, EOFError, zlib.error):
        raise ContractError(f"{src.name}: geen leesbaar gzip-bestand (beschadigd of onvolledig overgekomen); lever "
                            "het opnieuw aan, of lever het CSV-bestand zelf") from None


def discover(bundle: Path) -> dict[str, Path]:
    """The contract sources present in a bundle folder, CSV (also gzipped: `melding.csv.gz`) or Parquet, or else an
    Excel workbook (its first sheet is read: `workbook.py`), their names in any capitals (a Windows export may write
    `MELDING.CSV`). A source delivered twice, or only as a workbook of a format that is not read (.xls, .ods),
    refuses the bundle with one line naming the files: read either way, something the partner sent would be lost
    unseen."""
    found: dict[str, Path] = {}
    workbooks: dict[str, Path] = {}
    for path in sorted(p for p in bundle.iterdir() if p.is_file()):
        name, suffix = _source_name(path)
        if name not in SOURCES:
            continue
        if suffix in WORKBOOKS:
            workbooks.setdefault(name, path)
        elif suffix in (*READABLE, GZIP):
            if name in found:
                raise ContractError(f"{bundle}: {name} staat er twee keer in ({found[name].name} en {path.name}); "
                                    "lever er één")
            found[name] = path
    for name, path in workbooks.items():
        if name not in found:
            if path.suffix.lower() not in workbook.READABLE:
                raise ContractError(f"{path.name}: een werkmap in dit formaat wordt niet gelezen; sla het blad op "
                                    "als .xlsx of als 'CSV UTF-8 (door komma's gescheiden)', of lever Parquet")
            found[name] = path  # its first sheet is read (`check_files`)
    return found


def _in_subfolders(bundle: Path) -> list[Path]:
    """Files one folder down whose name is a source's (`export/melding.csv`): not read, only named."""
    return sorted(p for p in bundle.glob("*/*") if p.is_file() and not p.parent.name.startswith(".")
                  and _source_name(p)[0] in SOURCES and _source_name(p)[1] in (*READABLE, GZIP, *WORKBOOKS))


def unread_files(bundle: Path) -> list[str]:
    """Files in the bundle folder that belong to no source and so were not read, each with the source its name
    resembles where one does (`meldingen.csv (bedoeld: melding?)`): a misspelt file name must not cost its rows
    unnoticed."""
    read = {p.name for p in discover(bundle).values()}
    out = []
    for path in sorted(p for p in bundle.iterdir() if p.is_file()):
        if path.name in read or path.name.lower() in NOT_DATA or path.name.startswith(".") \
                or path.name.endswith(REPORT_SUFFIX):  # an adapter's report beside the file it made
            continue
        if path.stem.lower() in SOURCES and path.suffix.lower() in WORKBOOKS:
            continue  # a workbook beside its source's CSV or Parquet: the file read is that one
        close = difflib.get_close_matches(path.stem.lower(), list(SOURCES), n=1, cutoff=0.75)
        out.append(path.name + (f" (bedoeld: {close[0]}?)" if close else ""))
    # A source in a subfolder (an archive unpacked with its own folder) would otherwise be reported as not delivered
    # only, which sends the data steward to ask the partner for a file that is there.
    out += [f"{p.relative_to(bundle)} (in een submap: alleen bestanden in de bundelmap zelf worden gelezen)"
            for p in _in_subfolders(bundle)]
    return out


def read_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The column names of a CSV or Parquet file, without reading the rows."""
    if path.suffix.lower() == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except Exception:
            raise ContractError(f"{path.name}: geen leesbaar Parquet-bestand") from None
    return csvfile.read_header(path, delimiter)


def check_files(bundle: Path, manifest: Manifest, digests: bool = False, scratch: Path | None = None
                ) -> list[SourceFile]:
    """Refuse the bundle before anything is loaded: legal basis, what the manifest declares of a file,
    protected columns, required columns. `digests`: compute every CSV file's SHA-256 in its scan."""
    files = discover(bundle)
    if "bag_verblijfsobject" not in files:
        below = [p for p in _in_subfolders(bundle) if _source_name(p)[0] == "bag_verblijfsobject"]
        where = f" (wel in een submap: {below[0].relative_to(bundle)}; zet de bestanden in de bundelmap zelf)" \
            if below else ""
        raise ContractError(f"{bundle}: bag_verblijfsobject.csv ontbreekt; die bron is verplicht{where}")
    for name, entry in manifest.sources.items():
        if name in SOURCES and entry.declares and name not in files:
            raise ContractError(
                f"{name}: manifest.json beschrijft dit bestand ('rijen' of 'sha256'), maar {name}.csv ontbreekt "
                "in de bundel"
            )
    checked = []
    for name in LOAD_ORDER:
        if name not in files:
            continue
        source, path = SOURCES[name], files[name]
        entry = manifest.sources.get(name)
        if source.personal_data and (entry is None or not entry.grondslag):
            raise ContractError(
                f"{path.name}: geweigerd, geen 'grondslag' (wettelijke grondslag) voor deze bron in manifest.json"
                f"{_entry_hint(manifest, name)}"
            )
        scan, delimiter, origin, sheet = None, ",", None, None
        if path.suffix.lower() in WORKBOOKS:
            if scratch is None:
                raise ContractError(f"{path.name}: een werkmap wordt alleen bij het laden gelezen")
            if entry is not None and entry.sha256 is not None:
                check_checksum(entry, path.name, file_sha256(path))
            origin, path = path, scratch / f"{name}.csv"
            sheet = workbook.to_csv(origin, path, source)
            scan = csvfile.scan_file(path, sha256=True)
        elif _source_name(path)[1] == GZIP:
            if scratch is None:
                raise ContractError(f"{path.name}: een gecomprimeerd bestand wordt alleen bij het laden gelezen")
            if entry is not None and entry.sha256 is not None:
                check_checksum(entry, path.name, file_sha256(path))
            origin, path = path, scratch / f"{name}.csv"
            _gunzip(origin, path)
            scan = csvfile.scan_file(path, sha256=True)
            delimiter = csvfile.delimiter_of(path)
        elif path.suffix.lower() == ".parquet":
            if entry is not None and entry.sha256 is not None:
                check_checksum(entry, path.name, file_sha256(path))
        else:
            scan = csvfile.scan_file(path, sha256=digests or (entry is not None and entry.sha256 is not None))
            if entry is not None and entry.sha256 is not None:
                check_checksum(entry, path.name, scan.sha256 or "")
            delimiter = csvfile.delimiter_of(path)
        header, unnamed = read_header(path, delimiter), ()
        if path.suffix.lower() != ".parquet":
            header, unnamed = name_unnamed(header)
        elif "" in header:
            # DuckDB reads such a column under a name of its own choosing; before, the file was refused as damaged
            raise ContractError(f"{path.name}: kolom {header.index('') + 1} heeft geen naam; geef elke kolom in het "
                                "Parquet-bestand een naam")
        header, renamed = contract_spelling(source, header)
        shown = (origin or path).name
        refused = protected_columns(header)
        if refused:
            raise ContractError(
                f"{shown}: kolom '{refused[0]}' is een beschermd kenmerk en wordt geweigerd "
                "(pandzicht gebruikt geen nationaliteit, herkomst, religie, geslacht, gezondheid of strafblad)"
            )
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise ContractError(f"{shown}: kolom '{dupes[0]}' komt meer dan eens voor in de kopregel")
        for col in source.columns:
            if col.required and col.name not in header:
                row = "rij" if origin is not None and origin.suffix.lower() in WORKBOOKS else "regel"
                below = "" if path.suffix.lower() == ".parquet" else _header_below_hint(path, col.name, row)
                if not below and sheet is not None and sheet.others_with_data:
                    # a workbook that opens on a sheet of notes ('Toelichting') before the data
                    n = sheet.others_with_data
                    below = (f"; gelezen is het eerste blad ('{sheet.name}'), de werkmap heeft nog {n} "
                             f"{'blad' if n == 1 else 'bladen'} met gegevens: zet de gegevens op het eerste blad")
                raise ContractError(f"{shown}: verplichte kolom '{col.name}' ontbreekt{_separator_hint(header)}"
                                    f"{_quote_hint(header)}{below}")
        header, apart = apart_names(source, header)
        checked.append(SourceFile(source, path, header, entry, scan, delimiter, renamed, origin, sheet, unnamed, apart))
    return checked


def _entry_hint(manifest: Manifest, name: str) -> str:
    """Where the manifest does describe the source, under another spelling of its name (`Melding`, `melding.csv`):
    the refusal then says so. Why: the grondslag is in the file the supplier sees, and "geen 'grondslag'" alone sends
    them looking for a field that is there. The entry is not taken under that spelling: a manifest is written by
    hand once per delivery, and which of two spellings holds the legal basis must not be a guess."""
    others = [key for key in manifest.sources if key != name
              and re.sub(r"\.(csv|parquet|xlsx|xlsm)$", "", key.strip().lower()) == name]
    if not others:
        return ""
    return f"; manifest.json beschrijft wel '{others[0]}': schrijf de naam van de bron als '{name}'"


_OTHER_SEPARATORS = (("\t", "tabs"), ("|", "verticale strepen"))


def _separator_hint(header: list[str]) -> str:
    """Why every column looks absent when the header is one column holding tabs or bars: a tab-separated export
    saved as .csv reads as one column, and "verplichte kolom ontbreekt" alone sends the data steward looking for a
    column that is there."""
    if len(header) == 1:
        for sep, name in _OTHER_SEPARATORS:
            if sep in header[0]:
                return (f"; de kopregel is één kolom met {name} ertussen: lever het bestand gescheiden door komma's "
                        "(in Excel: 'CSV UTF-8 (door komma's gescheiden)')")
    return ""


HEADER_SEARCH_LINES = 20


def _header_below_hint(path: Path, column: str, row: str = "regel") -> str:
    """Where the header is when it is not on the first line: a title above it (`Overzicht meldingen 2024`, as a
    report or a workbook's first rows hold), or Excel's `sep=;` line. Why: "verplichte kolom ontbreekt" alone sends
    the data steward looking for a column that is there, a few lines down. Only a hint: the header must be the
    first line (row 1), as every row number in the quarantine counts from it."""
    key = _spelling_key(column)
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for n, line in enumerate(fh, start=1):
            if n > HEADER_SEARCH_LINES:
                break
            if n == 1:
                continue
            for delimiter in (",", ";"):
                try:
                    names = next(csv.reader([line.strip("\r\n")], delimiter=delimiter), [])
                except csv.Error:
                    continue
                if key in {_spelling_key(h) for h in names}:
                    return (f"; de kopregel lijkt op {row} {n} te staan: de kopregel moet de eerste {row} zijn "
                            f"(verwijder de {'rijen' if row == 'rij' else 'regels'} erboven)")
    return ""


def _quote_hint(header: list[str]) -> str:
    """Why a required column looks absent when the header's names are wrapped in single quotes (`'melding_id'`),
    as some database tools and scripts export: the contract quotes with double quotes, so the names are read with
    their quotes on. A single-quoted file is not read as such: an apostrophe that begins a value (`'s-Gravenland`)
    would then open a quote, so which text is a value would be a guess."""
    if any(len(h) > 2 and h.startswith("'") and h.endswith("'") for h in header):
        return ("; de kolomnamen staan tussen enkele aanhalingstekens ('...'): lever het bestand met dubbele "
                "aanhalingstekens (\"...\") of zonder, zoals het contract vraagt")
    return ""


UNNAMED = "naamloos_{}"


def name_unnamed(header: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The header with each empty column name replaced by `naamloos_<column number>`, and those names.

    Why: an export or a spreadsheet often ends every line in a separator (`a,b,c,`), which gives a column without
    a name. The contract allows extra columns, so such a column is kept and ignored like any other, not refused
    as a file DuckDB cannot read (it takes no empty column name) or as a name found twice (`a,b,c,,`)."""
    out, unnamed = list(header), []
    for i, h in enumerate(header):
        if h == "":
            name = UNNAMED.format(i + 1)
            while name in out:
                name += "_"
            out[i] = name
            unnamed.append(name)
    return out, tuple(unnamed)


# Column names the loader itself gives its tables beside the file's columns (`_stage`, `_checked`, `_rejects`, the
# quarantine table), and the prefix of each cell's cleaned text (`validate.clean_name`).
LOADER_NAMES = ("_rij", "_fout", "_regel", "_reden", "rij", "reden")
LOADER_PREFIX = "_v_"


def apart_names(source: Source, header: list[str]) -> tuple[list[str], dict[str, str]]:
    """The header with each extra column whose name the loader's tables cannot hold beside the others given a name
    of its own (`reden` -> `reden_2`), and which were so named.

    Why: DuckDB tells column names apart without regard to capitals, so an extra column `Rij` or `REDEN` collided
    with the quarantine table's own (the analysis stopped with an internal error), `Opmerking` beside `opmerking`
    or `TEKST` beside `tekst` made the file unreadable, and `_v_periode` took the place of the cleaned `periode`
    (every row quarantined). Such a name is a partner's export habit, not a contract error: the column is kept
    and ignored like every extra column. Contract columns keep their names."""
    contract = {c.name for c in source.columns}
    taken = {h.lower() for h in header if h in contract} | set(LOADER_NAMES)
    everything = {h.lower() for h in header}
    out, apart = [], {}
    for h in header:
        key = h.lower()
        if h not in contract and (key in taken or key.startswith(LOADER_PREFIX)):
            n = 2
            while f"{key}_{n}" in taken or f"{key}_{n}" in everything:
                n += 1
            apart[h] = f"{h}_{n}"
            h, key = apart[h], f"{key}_{n}"
        taken.add(key)
        out.append(h)
    return out, apart


def _spelling_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", _visible(name).strip().lower())


def _visible(name: str) -> str:
    """The name without invisible format characters (a second byte order mark when a tool put one before the one
    a file had, a zero-width space copied along with a name from a web page or a mail). Why: `\ufeffmelding_id`
    looks like `melding_id` everywhere a data steward can look, yet the file was refused with "verplichte kolom
    'melding_id' ontbreekt"."""
    return "".join(c for c in name if unicodedata.category(c) != "Cf")


def _shown(name: str) -> str:
    """A column name for a message, its invisible characters and line breaks written out (`melding_id<U+200B>`)."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cf", "Cc") else c for c in name)


def contract_spelling(source: Source, header: list[str]) -> tuple[list[str], dict[str, str]]:
    """The header with each name that differs from a contract column only in capitals, spaces, hyphens,
    underscores or invisible characters (`Verblijfsobject ID`, `DATUM_AANVANG`, `huurprijs-eur`) spelled as the
    contract spells it; and which were so renamed. Why: a partner's export or a spreadsheet's header often writes
    names that way, and a required column must not be called missing when it is there. A name the file also has in
    the contract's own spelling, or two names that would become one, stay as they are (the duplicate check then
    speaks)."""
    wanted = {_spelling_key(c.name): c.name for c in source.columns}
    keys = [_spelling_key(h) for h in header]
    out, renamed = [], {}
    for h, key in zip(header, keys, strict=True):
        name = wanted.get(key)
        if name is not None and name != h and name not in header and keys.count(key) == 1:
            out.append(name)
            renamed[h] = name
        else:
            out.append(h)
    return out, renamed


def _stage(store: Store, f: SourceFile) -> list[str]:
    """Read the file as text into `_stage` (record number `_rij`, as a spreadsheet shows it) and its
    malformed lines into `_rejects`; return the warnings for the load report."""
    if f.is_parquet:
        return _stage_parquet(store, f)
    assert f.scan is not None
    if not (f.scan.duckdb_can_read and _stage_duckdb(store, f)):
        _stage_python(store, f)
    cut = _mark_cut(store, f.scan)
    if cut is None:
        return []
    declared = f.entry is not None and f.entry.rijen is not None
    return [
        f"rij {cut}, de laatste regel, is afgebroken: het bestand is waarschijnlijk niet volledig overgekomen"
        + ("" if declared else "; met 'rijen' en 'sha256' in manifest.json wordt zo'n bestand geweigerd")
    ]


def _stage_duckdb(store: Store, f: SourceFile) -> bool:
    """DuckDB's fast reader. False (and nothing staged) when its rejects show it lost the line structure:
    a quote that ran on over following lines, which it quarantines as one record with them."""
    path = str(f.path).replace("'", "''")
    store.execute("DROP TABLE IF EXISTS _rej_err")
    store.execute("DROP TABLE IF EXISTS _rej_scan")
    names = ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in f.header)
    try:
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _raw AS SELECT CAST(row_number() OVER () + 1 AS BIGINT) AS _rij, * "
            f"FROM read_csv('{path}', header = true, delim = {_lit(f.delimiter)}, quote = '\"', escape = '\"', "
            f"columns = {{{names}}}, "
            "auto_detect = false, store_rejects = true, rejects_table = '_rej_err', rejects_scan = '_rej_scan', "
            "encoding = 'utf-8')"
        )
    except duckdb.Error:
        # The scan keeps DuckDB away from what stops its reader; should it still stop, the transaction is
        # lost, so the bundle is refused with the file named rather than half loaded.
        raise ContractError(
            f"{f.path.name}: kon het bestand niet als CSV lezen; controleer regeleinden, komma's en aanhalingstekens"
        ) from None
    rejects = store.rows("SELECT line, min(error_type), min(csv_line) FROM _rej_err GROUP BY line ORDER BY line")
    if any(code in _ENCODING_REJECTS for _, code, _ in rejects):
        raise csvfile.encoding_error(f.path)
    lines = [(line, code, (text or "").strip("\r\n")) for line, code, text in rejects]
    # An open quote can also swallow the following lines with no text shown for the reject (a file whose last line
    # has no line break), or with the text of another line: a reject DuckDB cannot show where it is is as much a
    # lost line structure as one that spans lines
    if any(code == "LINE SIZE OVER MAXIMUM" or not text or "\n" in text or "\r" in text for _, code, text in lines) \
            or (lines and not _rejects_in_place(store, f.path)):
        store.execute("DROP TABLE _raw")
        return False
    _salvage_rejects(store, f.header, lines, f.delimiter)
    if not lines:  # the usual file: a record's row is its index + the header, as `_raw` numbered it
        _drop_stage(store)
        store.execute("ALTER TABLE _raw RENAME TO _stage")
        return True
    # A good record's row: its index + header + the malformed lines before it. `_gaps`: per number of good
    # records before a malformed line, how many malformed lines came after no more good records than that.
    store.execute(
        "CREATE OR REPLACE TEMP TABLE _gaps AS SELECT good_before, sum(count(*)) OVER (ORDER BY good_before) AS n "
        "FROM (SELECT _rij - 1 - row_number() OVER (ORDER BY _rij) AS good_before FROM _rejects) GROUP BY 1"
    )
    # a view, not another copy of the file: the rules read it once (`_drop_staged` removes both)
    store.execute(
        "CREATE OR REPLACE TEMP VIEW _stage AS SELECT CAST(r._rij + coalesce(g.n, 0) AS BIGINT) AS _rij, "
        "r.* EXCLUDE (_rij) FROM _raw r ASOF LEFT JOIN _gaps g ON r._rij - 1 > g.good_before"
    )
    return True


def _rejects_in_place(store: Store, path: Path) -> bool:
    """Whether DuckDB's reader kept track of where its rejects are: one start per rejected line, inside the file.

    Found by the reader property test: after a quote left open in a file without a final line break, DuckDB
    reported the row before it as the malformed one (its text, under the next row's number, and a second start for
    that number past the end of the file) and read on to the end, so the rows after it were neither staged nor
    rejected. (Its byte positions are not exact enough to compare texts: past its buffer size they are one off.)"""
    size = path.stat().st_size
    return all(starts == 1 and (end or 0) <= size for starts, end in store.rows(
        "SELECT count(DISTINCT line_byte_position), max(byte_position) FROM _rej_err GROUP BY line"))


def _drop_stage(store: Store) -> None:
    """`_stage`, a table or a view over `_raw` (DuckDB drops each only by its own kind)."""
    kind = "VIEW" if store.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = '_stage'") else "TABLE"
    store.execute(f"DROP {kind} IF EXISTS _stage")


def _drop_staged(store: Store) -> None:
    """The staged file and the tables its check used."""
    _drop_stage(store)
    for tmp in ("_raw", "_checked", "_rejects", "_gaps"):
        store.execute(f"DROP TABLE IF EXISTS {tmp}")


def _stage_python(store: Store, f: SourceFile) -> None:
    """The careful reader (`csvfile.records`), for what DuckDB's cannot read line by line."""
    columns = ", ".join(f"{quote_ident(h)} VARCHAR" for h in f.header)
    _drop_stage(store)
    store.execute(f"CREATE TEMP TABLE _stage (_rij BIGINT, {columns})")
    schema = pa.schema([("_rij", pa.int64()), *[(h, pa.string()) for h in f.header]])
    batch: list[list] = [[] for _ in range(len(f.header) + 1)]
    rejects: list[tuple[int, str, str]] = []

    def flush() -> None:
        if batch[0]:
            store.write_arrow("_stage", pa.table(batch, schema=schema), append=True)
            for col in batch:
                col.clear()

    for rec in csvfile.records(f.path, len(f.header), f.delimiter):
        if rec.fields is None:
            rejects.append((rec.rij, rec.code or UNQUOTED_VALUE, rec.text or ""))
            continue
        batch[0].append(rec.rij)
        for col, value in zip(batch[1:], rec.fields, strict=True):
            col.append(value if value != "" else None)
        if len(batch[0]) >= _BATCH:
            flush()
    flush()
    _salvage_rejects(store, f.header, rejects, f.delimiter)


def _mark_cut(store: Store, scan: FileScan) -> int | None:
    """The row of a last line cut off mid-record, marked as such in `_rejects`: the file does not end in a
    line break, and its last record has too few fields or a quote still open (an odd number of quotes)."""
    if scan.ends_with_newline:
        return None
    last = store.rows("SELECT _rij, _fout, _regel FROM _rejects ORDER BY _rij DESC LIMIT 1")
    if not last:
        return None
    rij, code, text = last[0]
    if not (code == MISSING_COLUMNS or (code == UNQUOTED_VALUE and (text or "").count('"') % 2 == 1)):
        return None
    good = store.scalar("SELECT max(_rij) FROM _stage")
    if good is not None and good > rij:
        return None
    store.execute("UPDATE _rejects SET _fout = ? WHERE _rij = ?", [CUT, rij])
    return rij


def _stage_parquet(store: Store, f: SourceFile) -> list[str]:
    """A Parquet file's columns as the contract's text: native dates, months, whole numbers stored as
    floats and lists read as the CSV would write them; row `_rij` is the row's index + 2, as if the file
    had a header row like a CSV."""
    schema = pq.read_schema(f.path)
    kinds = {c.name: c.kind for c in f.source.columns}
    path = str(f.path).replace("'", "''")
    casts = ", ".join(
        f"{_parquet_text(quote_ident(fh), schema.field(fh).type, kinds.get(h))} AS {quote_ident(h)}"
        for fh, h in zip(f.file_header, f.header, strict=True)
    )
    # DuckDB's own row number, unless the file has a column of that name (then DuckDB refuses to add it, and the sound
    # file was refused as damaged): then the scan's order, which DuckDB keeps for one file read in one statement.
    own = not any(n.lower() == "file_row_number" for n in schema.names)
    row = "file_row_number" if own else "row_number() OVER () - 1"
    _drop_stage(store)
    try:
        store.execute(
            f"CREATE TEMP TABLE _stage AS SELECT CAST({row} + 2 AS BIGINT) AS _rij, {casts} "
            f"FROM read_parquet('{path}'{', file_row_number = true' if own else ''})"
        )
    except duckdb.Error:
        message = f"{f.path.name}: het Parquet-bestand kon niet gelezen worden (beschadigd of onvolledig)"
        raise ContractError(message) from None
    _salvage_rejects(store, f.header, [])
    numeric = [h for fh, h in zip(f.file_header, f.header, strict=True)
               if pa.types.is_integer(schema.field(fh).type) or pa.types.is_floating(schema.field(fh).type)]
    return [f"kolom '{h}' is in het Parquet-bestand een getal; identificaties zijn tekst (voorloopnullen gaan "
            "verloren)" for h in numeric if kinds.get(h) in _IDENTIFIERS]


def _parquet_text(col: str, t: pa.DataType, kind: Kind | None) -> str:
    """The SQL that reads a Parquet column as the text a CSV would hold."""
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return f"array_to_string(list_transform({col}, lambda x: CAST(x AS VARCHAR)), ';')"
    moment = pa.types.is_timestamp(t) or pa.types.is_date(t)
    if moment and pa.types.is_timestamp(t) and t.tz is not None:
        col = f"timezone('Europe/Amsterdam', {col})"  # a moment with a zone: its Dutch calendar day
    if kind == Kind.MONTH and moment:
        return f"strftime({col}, '%Y-%m')"
    if kind == Kind.DATE and moment:
        return f"CAST(CAST({col} AS DATE) AS VARCHAR)"
    if kind == Kind.INT and (pa.types.is_floating(t) or pa.types.is_decimal(t)):
        # 12.0 is the whole number 12 (pandas writes an integer column with gaps as floats); 12.5 stays 12.5
        return (f"CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e18 THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({col} AS VARCHAR) END")
    return f"CAST({col} AS VARCHAR)"


def _salvage_rejects(store: Store, header: list[str], rejects: list[tuple[int, str, str]],
                     delimiter: str = ",") -> None:
    """Table `_rejects`: each malformed line with its row number, error, the line itself, and whatever
    fields it does have under their column names, so the data steward sees what was there."""
    data: dict[str, list] = {"_rij": [], "_fout": [], "_regel": [], **{h: [] for h in header}}
    for line, error, text in rejects:
        fields = csvfile.salvage_fields(text, delimiter)
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
    warnings = _stage(store, f)
    read = store.scalar("SELECT (SELECT count(*) FROM _stage) + (SELECT count(*) FROM _rejects)")
    cut = store.scalar(f"SELECT count(*) FROM _rejects WHERE _fout = {_lit(CUT)}") > 0
    check_rows(f.entry, f.name, read, cut)
    present = set(f.header)
    # Optional contract columns absent from the file are unknown (NULL) in every row.
    absent = "".join(f", CAST(NULL AS VARCHAR) AS {quote_ident(c.name)}" for c in source.columns
                     if c.name not in present)
    # Each cell is trimmed once into a _v_ column; the rules and the typed projection read those.
    reason = reason_expr(source, peildatum, loaded, cleaned)
    store.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS SELECT {reason} AS _reden, * "
                  f"FROM ({_cleaned_cells(source, f.delimiter, f'SELECT *{absent} FROM _stage')})")
    if source.key:
        _mark_duplicates(store, source.key)
    if f.delimiter == ";":
        warnings = [*warnings, *_points_as_thousands(store, source, present)]
    warnings = [*warnings, *_midnight_note(store, source, present), *cell_forms.notes(store, source, present)]
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
        f"ELSE {_lit(UNREADABLE_LINE)} END, _regel, {file_cols} FROM _rejects"
    )
    # Ordered by row so that two loads of one bundle give identical tables.
    store.execute(f"CREATE OR REPLACE TABLE {quarantine} AS SELECT * FROM {quarantine} ORDER BY rij")
    if not f.is_parquet:  # a Parquet file's numeric identifier columns are named by `_stage_parquet`
        _refuse_reordered_header(store, f, quarantine)
        warnings = [*warnings, *_identifiers_as_numbers(store, source, present, quarantine)]
    fillers = clear_placeholders(store, source.name, loaded)
    if fillers:
        warnings = [*warnings, placeholder_warning(fillers)]
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
    if fillers:
        entry["kvk_vulwaarden"] = fillers
    if f.origin is not None and f.sheet is not None:
        entry["werkmap"] = {"bestand": f.origin.name, "blad": f.sheet.name}
        note = f"gelezen uit het eerste blad ('{f.sheet.name}') van de werkmap {f.origin.name}"
        if f.sheet.others_with_data:
            note += (f"; de werkmap heeft nog {f.sheet.others_with_data} "
                     f"{'blad' if f.sheet.others_with_data == 1 else 'bladen'} met gegevens, die niet zijn gelezen")
        warnings = [note, *warnings]
        warnings += [f"kolom '{c}': {n} {'cel is' if n == 1 else 'cellen zijn'} in de werkmap een datum, maar de "
                     "kolom heeft geen datums (Excel maakt van '1-2' of '3/4' een datum); gelezen als die datum. Zet "
                     "de kolom in Excel op 'Tekst' en typ de waarden opnieuw, of lever uit de bron"
                     for c, n in f.sheet.dates_in_other_columns.items()]
    if f.unnamed:
        warnings = [*warnings, f"{len(f.unnamed)} {'kolom heeft' if len(f.unnamed) == 1 else 'kolommen hebben'} geen "
                    f"naam in de kopregel (vaak een scheidingsteken aan het eind van elke regel); bewaard als "
                    f"{', '.join(repr(n) for n in f.unnamed)} en niet gebruikt"]
    if f.apart:
        warnings = [*warnings, *(f"kolom '{a}' bewaard als '{b}' en niet gebruikt: de naam valt (in hoofd- of kleine "
                                 "letters) samen met die van een andere kolom, of met een naam die pandzicht zelf "
                                 "gebruikt" for a, b in f.apart.items())]
    if f.renamed:
        entry["hernoemde_kolommen"] = dict(f.renamed)
        warnings = [*warnings, *(f"kolom '{_shown(a)}' gelezen als '{b}', de schrijfwijze van het contract"
                                 for a, b in f.renamed.items())]
    if f.delimiter != ",":
        entry["scheidingsteken"] = f.delimiter
        warnings = [SEMICOLON_NOTE, *warnings]
    if warnings:
        entry["waarschuwingen"] = warnings
    _drop_staged(store)
    return entry


SEMICOLON_NOTE = ("gelezen met puntkomma's als scheidingsteken, komma's als decimaalteken en datums als "
                  "dag-maand-jaar, zoals Excel met Nederlandse instellingen een CSV-bestand opslaat; het contract "
                  "vraagt komma's, decimale punten en JJJJ-MM-DD")


def _cleaned_cells(source: Source, delimiter: str, rows: str) -> str:
    """A query over `rows` that adds every contract column's cleaned text as its `_v_` column.

    Each rewrite of `_cell_steps` is one nested projection that reads the `_v_` column the one before wrote
    (`SELECT * REPLACE`). Why: a rewrite names its input several times (`CASE WHEN <v> IN (...) THEN NULL ELSE <v>
    END`), and composed as text the expressions of a BAG id grew to hundreds of copies of the trimmed cell,
    each evaluated per row (intake of a 200,000-unit delivery took three times as long); over a column name
    every step costs what it costs alone."""
    steps = {c.name: _cell_steps(c, delimiter) for c in source.columns}
    query = "SELECT *, " + ", ".join(f"{value_expr(c.name)} AS {cleaned(c.name)}" for c in source.columns) \
        + f" FROM ({rows})"
    for level in range(max((len(s) for s in steps.values()), default=0)):
        rewrites = ", ".join(f"{s[level](cleaned(name))} AS {cleaned(name)}" for name, s in steps.items()
                             if len(s) > level)
        query = f"SELECT * REPLACE ({rewrites}) FROM ({query})"
    return query


def _cell_steps(col: Column, delimiter: str) -> list[Callable[[str], str]]:
    """The rewrites of a trimmed cell, in order, each from the SQL of its input to the SQL of its output.

    A semicolon-separated file is what Excel with Dutch settings saves, and it
    writes its numbers and dates the Dutch way: a decimal comma (`12,5` is read as `12.5`) and day-month-year
    (`1-2-2015` and `01-02-2015` are read as `2015-02-01`). In any file a date cell loses a midnight time after it
    (`_without_midnight`). Only those exact forms are rewritten: `1.234,5` (with
    a thousands separator) or `31-02-2020` (no such day) stay as they are and are quarantined, never guessed."""
    steps: list[Callable[[str], str]] = []
    if cell_forms.reads_empty_words(col):
        steps.append(lambda v: cell_forms.without_empty_words(col, v))
    if col.kind == Kind.DATE:
        if cell_forms.has_open_end(col):
            steps.append(lambda v: cell_forms.without_open_end(col, v))
        steps.append(_without_midnight)
        if delimiter == ";":
            steps.append(lambda v: f"CASE WHEN regexp_full_match({v}, '[0-9]{{1,2}}-[0-9]{{1,2}}-[0-9]{{4}}') THEN "
                                   f"coalesce(strftime(try_strptime({v}, '%d-%m-%Y'), '%Y-%m-%d'), {v}) ELSE {v} END")
    elif col.kind == Kind.INT:
        steps.append(lambda v: _whole(v, "," if delimiter == ";" else "."))
    elif col.kind == Kind.BAG_ID:
        steps += [lambda v: cell_forms.without_bag_uri(col, v), lambda v: cell_forms.ungrouped(col, v)]
    elif col.kind == Kind.KVK:
        steps.append(lambda v: cell_forms.ungrouped(col, v))
    elif col.kind == Kind.MONTH:
        steps.append(lambda v: cell_forms.month_of_date(col, v))
    elif col.kind == Kind.POSTCODE:
        steps.append(lambda v: cell_forms.postcode_as_contract(col, v))
    elif col.kind == Kind.FLOAT and delimiter == ";":
        steps.append(lambda v: f"CASE WHEN regexp_full_match({v}, '[+-]?[0-9]+,[0-9]+') THEN replace({v}, ',', '.') "
                               f"ELSE {v} END")
    return steps


def _whole(value: str, decimal: str) -> str:
    """A whole number written with one or two zero decimals (`850.00`, or `850,00` in a semicolon file) as that
    number. Why: a database's numeric(10,2) and Excel's currency format write a rent or a price so, and the row was
    quarantined (`geen geheel getal`, a whole contract lost for its rent) although a Parquet float `850.0` was
    already read as 850. Three zeros (`1.000`) may be a thousands separator and other decimals are no whole number:
    both stay as they are and are quarantined, never guessed."""
    pattern = "[+-]?[0-9]{1,18}" + ("," if decimal == "," else "[.]") + "0{1,2}"
    return (f"CASE WHEN regexp_full_match({value}, '{pattern}') THEN split_part({value}, '{decimal}', 1) "
            f"ELSE {value} END")


# A date followed by the time 00:00 (`2024-01-01 00:00:00`, `2024-01-01T00:00:00Z`, Excel's Dutch `1-2-2015 0:00`)
_MIDNIGHT = "[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,4}[ T]0?0:00(:00([.]0+)?)?Z?"


def _without_midnight(value: str) -> str:
    """A date cell without a midnight time after it. Why: a database or Excel export writes a date column as a
    moment (`2024-01-01 00:00:00`), and every row of such a file was quarantined as `geen geldige datum` (all of
    BRP at once). A date with the time 00:00 is that date, as a workbook's midnight date cell already is
    (`workbook.cell_text`) and a Parquet timestamp's day; any other time stays in the cell and is quarantined, not
    rounded. The report says per column how many (`_midnight_note`)."""
    return (f"CASE WHEN length({value}) > 10 AND regexp_full_match({value}, '{_MIDNIGHT}') "
            f"THEN split_part(replace({value}, 'T', ' '), ' ', 1) ELSE {value} END")


def _midnight_note(store: Store, source: Source, present: set[str]) -> list[str]:
    """A warning per date column in which dates were read without their time 00:00 (one scan of the rows)."""
    columns = [c.name for c in source.columns if c.kind == Kind.DATE and c.name in present]
    if not columns:
        return []
    counts = store.rows("SELECT " + ", ".join(f"count_if(length({value_expr(c)}) > 10 AND regexp_full_match("
                                              f"{value_expr(c)}, '{_MIDNIGHT}'))" for c in columns)
                        + " FROM _checked")[0]
    return [f"kolom '{c}': {n} {'datum' if n == 1 else 'datums'} met de tijd 00:00 erbij (zoals 2024-01-01 00:00:00) "
            "gelezen als alleen de datum; het contract vraagt JJJJ-MM-DD" for c, n in zip(columns, counts, strict=True)
            if n]


def _refuse_reordered_header(store: Store, f: SourceFile, quarantine: str) -> None:
    """Refuse a file that holds a second header with the same columns in another order.

    Why: two exports written one after the other into one file (a second query, another month) repeat the header,
    and when the second export orders its columns differently every row after it is read under the first header:
    surnames as given names, an end date as a start date. Only the repeated header itself was quarantined (for
    whatever field it broke first), so the rest was misread without a word. Which rows belong to which header
    cannot be told for certain (a line break inside a cell, a partial copy), so the file is refused, not repaired.
    A header row breaks a typed column of every source, so it is in the quarantine: only those rows are looked at.
    A header repeated in the same order is left as it was: the rows after it are read right."""
    keys = [_spelling_key(h) for h in f.file_header]
    names = ", ".join(_lit(k) for k in sorted(set(keys)))
    first = quote_ident(f.header[0])
    columns = ", ".join(quote_ident(h) for h in f.header)
    for rij, *values in store.rows(
            f"SELECT rij, {columns} FROM {quarantine} WHERE _regel IS NULL AND "
            f"regexp_replace(lower({first}), '[\\s_\\-]+', '', 'g') IN ({names}) ORDER BY rij LIMIT 1000"):
        found = [_spelling_key(v or "") for v in values]
        if found != keys and sorted(found) == sorted(keys):
            raise ContractError(
                f"{f.name}: rij {rij} is een tweede kopregel met de kolommen in een andere volgorde (twee exports "
                "achter elkaar?); de rijen eronder zouden onder de verkeerde kolommen worden gelezen: lever één "
                "export met één kopregel"
            )


# What an identifier looks like after a spreadsheet stored it as a number: its leading zeros gone, or written as
# 5,99E+14 (every row with it is quarantined; the file-level warning says why, once).
_AS_NUMBER = {Kind.BAG_ID: "[0-9]{1,15}", Kind.KVK: "[0-9]{1,7}"}
_SCIENTIFIC = "[0-9][.,][0-9]+[eE][+]?[0-9]+"


_THOUSANDS = "[+-]?[0-9]{1,3}([.][0-9]{3})+"


def _points_as_thousands(store: Store, source: Source, present: set[str]) -> list[str]:
    """A warning per number column of a semicolon file whose loaded values look like a thousands separator: `3.456`
    (a point and three digits, and nothing else).

    Why: such a file is what Excel with Dutch settings saves, and with a number format that groups thousands it
    writes 3456 kWh as `3.456`. A decimal point is allowed there too (`129.6`), so the value is read as 3.456, which
    silently turned a home with the use of a cannabis farm into one that uses nothing. Which was meant cannot be told
    from the cell, so nothing is changed; the data steward is told how many values and in which column."""
    out = []
    for col in source.columns:
        if col.kind != Kind.FLOAT or col.name not in present:
            continue
        n = store.scalar(f"SELECT count(*) FROM _checked WHERE _reden IS NULL AND "
                         f"regexp_full_match({cleaned(col.name)}, '{_THOUSANDS}')")
        if n:
            out.append(f"kolom '{col.name}': {n} {'waarde' if n == 1 else 'waarden'} met een punt en drie cijfers "
                       "(zoals 3.456) gelezen met de punt als decimaalteken (3,456); in een bestand met puntkomma's "
                       "kan dat ook een duizendtalpunt zijn (3456). Klopt dat niet, lever de getallen dan zonder "
                       "duizendtalpunt (in Excel: getalnotatie zonder scheidingsteken voor duizendtallen)")
    return out


def _identifiers_as_numbers(store: Store, source: Source, present: set[str], quarantine: str) -> list[str]:
    """A warning per identifier column whose quarantined values look like numbers a spreadsheet made of them.

    Read from the source's quarantine table (the rows it holds, not every row of the file: 24 million energy rows
    at a million homes) and only its rows that were read as rows (`_regel` is the text of a line that was not)."""
    out = []
    for col in source.columns:
        pattern = _AS_NUMBER.get(col.kind)
        if pattern is None or col.name not in present:
            continue
        v = value_expr(col.name)
        n = store.scalar(f"SELECT count(*) FROM {quarantine} WHERE _regel IS NULL AND "
                         f"(regexp_full_match({v}, '{pattern}') OR regexp_full_match({v}, '{_SCIENTIFIC}'))")
        if n:
            out.append(f"kolom '{col.name}': {n} {'waarde lijkt' if n == 1 else 'waarden lijken'} een getal zonder "
                       "voorloopnullen of in wetenschappelijke notatie (zo slaat Excel een id op als het bestand in "
                       "Excel is geopend en bewaard); die rijen staan in quarantaine. Lever het bestand opnieuw uit "
                       "de bron, of zet de kolom in Excel op 'Tekst' voor het opslaan")
    return out


def _mark_duplicates(store: Store, key: tuple[str, ...]) -> None:
    """The first valid occurrence of a key is kept; later valid ones are quarantined as duplicates. Most files
    have none, so the rows are numbered per key only when a grouping finds a key twice.

    Distinct 64-bit hashes of the keys prove distinct keys, and counting those is a third cheaper than grouping
    the text keys (20.7M energy rows: 4.3 against 6.3 s); only when two hashes coincide (a duplicate, or a
    collision) does the grouping on the keys themselves decide."""
    keys = ", ".join(cleaned(k) for k in key)
    if store.scalar(f"SELECT count(DISTINCT hash({keys})) = count(*) FROM _checked WHERE _reden IS NULL"):
        return
    if not store.scalar(f"SELECT EXISTS (SELECT 1 FROM _checked WHERE _reden IS NULL GROUP BY {keys} "
                        "HAVING count(*) > 1)"):
        return
    dup = _lit(f"{'+'.join(key)}: {DUPLICATE}")
    store.execute(f"""
        UPDATE _checked SET _reden = {dup} WHERE _rij IN (
            SELECT _rij FROM (SELECT _rij, row_number() OVER (PARTITION BY {keys} ORDER BY _rij) AS n
                              FROM _checked WHERE _reden IS NULL) WHERE n > 1)""")


@cache
def _code_fingerprint() -> str:
    """What decides how a file becomes tables besides the file: this module, the CSV reader, the contract and
    its validation rules, and DuckDB's version."""
    from pandzicht.contract import sources, validate

    digest = hashlib.sha256(duckdb.__version__.encode())
    for module in (__file__, cell_forms.__file__, csvfile.__file__, sources.__file__, validate.__file__,
                   placeholder_kvk.__file__, workbook.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def _fingerprint(f: SourceFile, peildatum: dt.date, loaded: dict[str, str], prints: dict[str, str]) -> str:
    """Everything that decides a source's raw and quarantine tables: the file's bytes and header, the SQL that
    validates it (with the peildatum where a rule reads it, and the tables its references are checked in), the
    fingerprints of those referenced sources, and the code."""
    digest = f.scan.sha256 if f.scan is not None and f.scan.sha256 else file_sha256(f.path)
    refs = sorted({c.references[0] for c in f.source.columns if c.references and c.references[0] in loaded}
                  | ({EXTRACT} if depends_on_extract(f.source.name, loaded) else set()))
    declared = f.entry is not None and f.entry.rijen is not None  # words a warning differently
    parts = [_code_fingerprint(), f.source.name, f.path.suffix, digest, json.dumps(f.header), str(declared),
             reason_expr(f.source, peildatum, loaded, cleaned), *(f"{r}={prints[r]}" for r in refs)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _checksum(store: Store, table: str) -> str:
    """Row count and an order-free hash of every row of a table."""
    n, total = store.rows(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {table} t")[0]
    return f"{n}:{total}"


def _take_over(store: Store, f: SourceFile, previous: Path, fingerprint: str) -> tuple[dict, str, str] | None:
    """Copy a source's tables from the previous store when it read a file with the same fingerprint and its
    tables are as that load left them; returns that load's report entry and the checksums of the copied tables
    (the ones just verified: the copy holds the same rows), or None (read the file)."""
    name = f.source.name
    raw, quarantine = raw_table(name), quarantine_table(name)
    with prev.attached(store, previous) as alias:
        if not all(prev.has_table(store, t) for t in (FINGERPRINT_TABLE, raw, quarantine)):
            return None
        found = store.rows(f"SELECT rapport, inhoud_ruw, inhoud_quarantaine FROM {alias}.{FINGERPRINT_TABLE} "
                           "WHERE bron = ? AND vingerafdruk = ?", [name, fingerprint])
        if not found:
            return None
        entry_json, raw_sum, quarantine_sum = found[0]
        if (_checksum(store, f"{alias}.{raw}"), _checksum(store, f"{alias}.{quarantine}")) != (raw_sum, quarantine_sum):
            return None  # changed since that load (retention, erasure): read the file
        entry = json.loads(entry_json)
        check_rows(f.entry, f.name, entry["gelezen"], CUT_LAST_LINE in entry.get("redenen", {}))
        for table, order in ((raw, "_rij"), (quarantine, "rij")):
            store.execute(f"DROP TABLE IF EXISTS {table}")
            store.execute(f"CREATE TABLE {table} AS SELECT * FROM {alias}.{table} ORDER BY {order}")
    return entry, raw_sum, quarantine_sum


def _write_fingerprints(store: Store, rows: list[tuple[str, str, str, str, str, bool]]) -> None:
    store.execute(f"CREATE OR REPLACE TABLE {FINGERPRINT_TABLE} (bron VARCHAR, vingerafdruk VARCHAR, "
                  "rapport VARCHAR, inhoud_ruw VARCHAR, inhoud_quarantaine VARCHAR, overgenomen BOOLEAN)")
    for row in rows:
        store.execute(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (?, ?, ?, ?, ?, ?)", list(row))


def taken_over(store: Store) -> list[str]:
    """The sources this store's load took over from the previous delivery's store (in load order)."""
    if not store.has_table(FINGERPRINT_TABLE):
        return []
    return [r[0] for r in store.rows(f"SELECT bron FROM {FINGERPRINT_TABLE} WHERE overgenomen")
            if r[0] in LOAD_ORDER]


def _refuse_empty_bag(f: SourceFile, entry: dict) -> None:
    """Refuse a bundle whose BAG file loads no unit, naming why its rows were quarantined.

    Why: every other source refers to the BAG units, so without one all their rows went to quarantine as
    `onbekend in bag_verblijfsobject` (a cause that is not theirs), and `analyse` published an empty shortlist in
    place of the previous one, with exit code 0. A BAG file of which no row loads is as good as none, and the
    bundle without it is refused. The file's warnings are added: they often say why every row broke."""
    if entry["geladen"]:
        return
    if not entry["gelezen"]:
        cause = "het bestand heeft alleen een kopregel"
    else:
        reason, n = max(entry["redenen"].items(), key=lambda kv: (kv[1], kv[0]))
        cause = (f"alle {entry['gelezen']} {'rij gaat' if entry['gelezen'] == 1 else 'rijen gaan'} in quarantaine "
                 f"(de meeste om '{reason}', {n} {'rij' if n == 1 else 'rijen'})")
    notes = "".join(f"; {w}" for w in entry.get("waarschuwingen", []))  # often the why (a number column, Excel)
    raise ContractError(f"{f.name}: geen enkel verblijfsobject geladen, {cause}; zonder adressen valt er niets te "
                        f"analyseren: verbeter het bestand en lever opnieuw{notes}")


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
    bundle: Path, db: Path | Store, progress: Progress | None = None, timings: dict[str, float] | None = None,
    previous: Path | None = None,
) -> dict:
    """Validate and load every source of a bundle; return the load report (laadrapport.json).

    `timings`, when given, receives the seconds each source took (for `pandzicht bench load`). `previous`, the
    store of the earlier delivery this one continues: a source whose fingerprint is the same there is copied
    from it, not read again (`taken_over` lists them)."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    scratch = tempfile.TemporaryDirectory(prefix="pandzicht-werkmap-")  # a workbook's sheet as CSV, while loading
    try:
        return _load_bundle(bundle, manifest, db, progress, timings, previous, Path(scratch.name))
    finally:
        scratch.cleanup()


def _load_bundle(bundle: Path, manifest: Manifest, db: Path | Store, progress: Progress | None,
                 timings: dict[str, float] | None, previous: Path | None, scratch: Path) -> dict:
    files = check_files(bundle, manifest, digests=True, scratch=scratch)  # the fingerprints read them
    store = db if isinstance(db, Store) else Store(db)
    report: dict = {"contract": CONTRACT_VERSION, "peildatum": manifest.peildatum.isoformat(), "bronnen": {}}
    try:
        with store.transaction():
            loaded: dict[str, str] = {}
            prints: dict[str, str] = {}
            recorded = []
            for i, f in enumerate(files):
                if progress:
                    progress(f.source.name, i, len(files))
                t0 = time.perf_counter()
                name = f.source.name
                prints[name] = _fingerprint(f, manifest.peildatum, loaded, prints)
                taken = _take_over(store, f, previous, prints[name]) if previous is not None else None
                if taken is not None:
                    report["bronnen"][name], raw_sum, quarantine_sum = taken
                else:
                    report["bronnen"][name] = _load_source(store, f, manifest.peildatum, loaded)
                    raw_sum = _checksum(store, raw_table(name))
                    quarantine_sum = _checksum(store, quarantine_table(name))
                if name == "bag_verblijfsobject":
                    _refuse_empty_bag(f, report["bronnen"][name])
                recorded.append((name, prints[name], json.dumps(report["bronnen"][name], sort_keys=True),
                                 raw_sum, quarantine_sum, taken is not None))
                if timings is not None:
                    timings[name] = time.perf_counter() - t0
                loaded[name] = raw_table(name)
            _write_fingerprints(store, recorded)
            present = {f.source.name for f in files}
            for name in SOURCES:
                if name not in present:
                    store.execute(f"DROP TABLE IF EXISTS {raw_table(name)}")
                    store.execute(f"DROP TABLE IF EXISTS {quarantine_table(name)}")
            report["ontbrekend"] = [n for n in LOAD_ORDER if n not in present]
            unread = unread_files(bundle)
            if unread:
                report["niet_gelezen"] = unread
            _write_meta(store, manifest, bundle, report)
        if progress:
            progress("klaar", len(files), len(files))
    finally:
        if not isinstance(db, Store):
            store.close()
    return report
