"""Reader for GBA-V persoonslijst extracts: ``;``-separated, LO-GBA element numbers as header.

Layout (as in RvIG's GBA-V test set): the header names elements ``CC.GG.EE``
(category, group, element) plus a ``CC.H`` marker column per category. A row
whose first cell holds an id starts a persoonslijst; following rows with an
empty first cell (or the same id again) continue it and carry further records of the same categories
(for category 08 the first record is the current address, later ones are the
historic category 58, newest first).

A file re-saved with ``,``, tab or ``|`` reads the same: the header of element
numbers names its separator.

The reader is given the elements it may read and keeps only those: any other
element, protected ones included, never enters memory beyond the csv row.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pandzicht.errors import PandzichtError

ELEMENT_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
MARKER_RE = re.compile(r"^\d{2}\.H$")


@dataclass
class Record:
    """One category record: the allowed elements that had a value, and its line in the file."""

    line: int
    values: dict[str, str]


@dataclass
class Persoonslijst:
    """All rows of one person, reduced to the allowed elements."""

    pl_id: str
    line: int
    rows: list[Record] = field(default_factory=list)

    def first(self, element: str) -> str | None:
        """The value of an element on the person's first row (the current record)."""
        return self.rows[0].values.get(element) if self.rows else None

    def records(self, category: str) -> list[Record]:
        """The rows that hold a record of one category, in file order."""
        prefix = category + "."
        out = []
        for row in self.rows:
            vals = {k: v for k, v in row.values.items() if k.startswith(prefix)}
            if any(v for k, v in vals.items() if not k.endswith(".H")):
                out.append(Record(row.line, vals))
        return out


def parse_header(cells: list[str], name: str) -> list[str]:
    """Check a header row; returns the element of every column ('' for the id and trailing empty columns)."""
    if not cells:
        raise PandzichtError(f"{name}: regel 1: lege kopregel (verwacht LO-GBA-elementnummers CC.GG.EE)")
    out = []
    for i, raw in enumerate(cells):
        cell = raw.strip().lstrip("\ufeff")
        if i == 0 and (ELEMENT_RE.match(cell) or MARKER_RE.match(cell)):
            # Without the id column a row cannot say whether it starts a persoonslijst, and the first
            # element (often the A-nummer) would be taken for an id.
            raise PandzichtError(
                f"{name}: regel 1, kolom 1: de kopregel begint met element {cell} in plaats van de kolom met "
                "de persoonslijst-id (lege kop); zonder die kolom is niet te zien waar een persoonslijst begint"
            )
        if i == 0:
            out.append("")  # the persoonslijst id column
            continue
        if cell == "" and not any(c.strip() for c in cells[i:]):
            out.append("")  # trailing empty columns: GBA-V ends every line with ';', a re-save may add more
            continue
        if not (ELEMENT_RE.match(cell) or MARKER_RE.match(cell)):
            raise PandzichtError(
                f"{name}: regel 1, kolom {i + 1}: ongeldige elementkop '{raw}' (verwacht CC.GG.EE, bijv. 08.11.80)"
            )
        out.append(cell)
    return out


DELIMITERS = (";", ",", "\t", "|")
ENCODING_LABELS = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252 (geen UTF-8)"}


@contextmanager
def open_bytes(path: Path) -> Iterator[IO[bytes]]:
    """The export's bytes, also when it comes gzipped or as a zip holding that one file."""
    path = Path(path)
    with path.open("rb") as fh:
        magic = fh.read(4)
    try:
        if magic[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as gz:
                yield gz
        elif magic == b"PK\x03\x04":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise PandzichtError(
                        f"{path}: zip met {len(members)} bestanden; verwacht precies één GBA-V-bestand (regel -)"
                    )
                with zf.open(members[0]) as member:
                    yield member
        else:
            with path.open("rb") as plain:
                yield plain
    except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile, zlib.error):
        raise PandzichtError(f"{path}: ingepakt bestand is beschadigd of afgebroken (download onvolledig?)") from None


@contextmanager
def open_text(path: Path, encoding: str, errors: str = "strict") -> Iterator[IO[str]]:
    """The export as text (csv needs ``newline=''``), unpacked when it is gzipped or zipped."""
    with open_bytes(path) as raw, io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="") as text:
        yield text


def detect_encoding(path: Path) -> str:
    """The text encoding of a GBA-V export: UTF-8, UTF-16 (with BOM) or Windows-1252.

    Registry and spreadsheet exports on Windows are often Windows-1252. A file in which no line with
    non-ASCII bytes is valid UTF-8 is read as Windows-1252 (é, ë, ü are the same bytes as in Latin-1);
    a file mixing UTF-8 lines and other lines is refused at its first line that is not UTF-8.
    """
    utf8_lines = 0
    first_bad: int | None = None
    with open_bytes(path) as fh:
        if fh.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
    with open_bytes(path) as fh:
        for number, line in enumerate(fh, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                first_bad = first_bad or number
    if first_bad is None:
        return "utf-8-sig"
    if utf8_lines:
        raise PandzichtError(
            f"{path}: regel {first_bad}: bestand is geen UTF-8 (andere regels wel: tekensets gemengd)"
        )
    return "cp1252"


def sniff_delimiter(path: Path, encoding: str = "utf-8-sig") -> str:
    """The separator of the file: the one that splits the header into the most element numbers.

    GBA-V writes ';', but a file re-saved by a spreadsheet or database tool may use ',' or a tab; the
    header of element numbers says which unambiguously. Without any element number ';' is kept, so the
    header check names the real problem.
    """
    with open_text(path, encoding, errors="replace") as fh:
        first = fh.readline()

    def elements(delimiter: str) -> int:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        return sum(1 for c in cells if ELEMENT_RE.match(c.strip().lstrip("\ufeff")))

    return max(DELIMITERS, key=elements)


def read_header(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    """The elements named in the header row, read as CSV so quoted headers ("01.01.20") read like bare ones."""
    path = Path(path)
    with open_text(path, encoding) as fh:
        cells = next(csv.reader(fh, delimiter=sniff_delimiter(path, encoding)), [])
    return [el for el in parse_header(cells, str(path)) if el]


def read_persoonslijsten(path: Path, allowed: Iterable[str], required: Iterable[str] = (),
                         encoding: str | None = None, notes: Counter[str] | None = None) -> Iterator[Persoonslijst]:
    """Yield every persoonslijst with only the ``allowed`` elements; ``required`` elements must be in the header.

    ``encoding`` defaults to what `detect_encoding` finds. A header row repeated further down (exports
    joined into one file) is passed over and counted in ``notes``.
    """
    path = Path(path)
    encoding = encoding or detect_encoding(path)
    allowed = set(allowed)
    name = str(path)
    reader = None
    try:
        with open_text(path, encoding) as fh:
            reader = csv.reader(fh, delimiter=sniff_delimiter(path, encoding))
            header = parse_header(next(reader, []), name)
            for element in required:
                if element not in header:
                    raise PandzichtError(f"{name}: regel 1: element {element} ontbreekt in de kopregel")
            keep = [(i, el) for i, el in enumerate(header) if el in allowed]
            current: Persoonslijst | None = None
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if cells and [c.strip().lstrip("\ufeff") for c in cells[1:]] == header[1:]:
                    if notes is not None:
                        notes["kopregel herhaald in het bestand (aaneengevoegde exports?), overgeslagen"] += 1
                    continue
                if len(cells) != len(header):
                    raise PandzichtError(
                        f"{name}: regel {line}: {len(cells)} velden, de kopregel heeft er {len(header)}"
                    )
                values = {el: cells[i].strip() for i, el in keep if cells[i].strip()}
                pl_id = cells[0].strip()
                # Some exports repeat the id on every row of a persoonslijst: the same id continues it.
                if pl_id and (current is None or pl_id != current.pl_id):
                    if current is not None:
                        yield current
                    current = Persoonslijst(pl_id, line)
                elif current is None:
                    raise PandzichtError(
                        f"{name}: regel {line}, kolom 1: vervolgregel zonder persoonslijst (id ontbreekt)"
                    )
                current.rows.append(Record(line, values))
            if current is not None:
                yield current
    except UnicodeDecodeError:
        line = reader.line_num + 1 if reader is not None else 1
        raise PandzichtError(f"{name}: regel {line}: bestand is geen UTF-8") from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 1
        raise PandzichtError(f"{name}: regel {line}: ongeldige CSV ({exc})") from None
