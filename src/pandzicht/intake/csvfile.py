"""Reading a partner's CSV file as it arrives: line endings, a BOM, malformed lines, a cut last line, encoding.

DuckDB reads a well-formed file fast, and `load.py` lets it whenever it can. What it cannot do is decided
here, from one pass over the file's bytes (`scan_file`):

- a file that mixes line endings (CRLF rows with a bare LF inside a cell, as Excel writes a cell with a
  line break) stops DuckDB's reader with an error, and an error aborts the load's transaction, so such a
  file is never handed to DuckDB;
- an empty line before the end is skipped by DuckDB without counting it, which would shift the row numbers
  of everything after it.

Those files, and a file in which DuckDB's rejects show a quote that ran on over following lines (it then
quarantines them all as one), are read by `records` instead: record by record with Python's csv reader.
On a quote problem only the record's first line is quarantined and reading resumes on the next line, so a
stray quote costs one line; a record whose quotes balance but whose fields do not add up is quarantined
whole, as DuckDB does.

Row numbers are what a spreadsheet shows: the header is row 1, every following record or empty line is
one row, and a line break inside a quoted field does not start a new row. Without such line breaks the
row number is the line number.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pandzicht.errors import ContractError

CHUNK = 1 << 24
BOM = codecs.BOM_UTF8
# A quoted field may hold line breaks, but a record that runs over more lines than this is a quote left
# open, not a cell: reading gives up on it there, so one stray quote cannot swallow a file.
MAX_RECORD_LINES = 100
# Python's csv reader refuses a field over 128 KiB unless told otherwise. A well-formed row with a long cell (a
# police report's omschrijving, a pasted e-mail) was then quarantined as an unreadable line, and a line break in
# that cell split it into two quarantined rows, so a declared `rijen` no longer matched. DuckDB's reader takes
# lines up to 2 MiB and hands longer ones to this reader; this limit only guards memory against a runaway field.
MAX_FIELD = 1 << 26

# Why a record was not read; the first three are also the names DuckDB's rejects table uses.
MISSING_COLUMNS = "MISSING COLUMNS"
TOO_MANY_COLUMNS = "TOO MANY COLUMNS"
UNQUOTED_VALUE = "UNQUOTED VALUE"  # a quote problem: left open, or text after a closing quote
CUT = "CUT"  # the last line of a file that stops in the middle of a record


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes tells before it is parsed."""

    newline: str | None  # "\n", "\r\n" or "\r" when the file uses one kind throughout; None without any
    mixed_newlines: bool
    blank_line: bool  # an empty line with data after it
    ends_with_newline: bool
    bom: bool
    size: int
    sha256: str | None  # only when asked for

    @property
    def duckdb_can_read(self) -> bool:
        """DuckDB's reader neither stops on the line endings nor skips a line without counting it."""
        return not self.mixed_newlines and not self.blank_line


def scan_file(path: Path, sha256: bool = False) -> FileScan:
    """One pass over the bytes: line endings, empty lines, the last byte, a BOM and, when asked, the checksum."""
    digest = hashlib.sha256() if sha256 else None
    lf = cr = crlf = 0
    blanks: list[int] = []  # where an empty line was seen first
    content_end = 0  # the position after the last byte that is not a line break
    size = 0
    tail = b""
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if digest:
                digest.update(chunk)
            head += chunk[: 3 - len(head)]
            n_lf, n_cr = chunk.count(b"\n"), chunk.count(b"\r")
            lf, cr = lf + n_lf, cr + n_cr
            crlf += (chunk.count(b"\r\n") if n_lf and n_cr else 0) + int(tail.endswith(b"\r") and chunk[:1] == b"\n")
            if not blanks:
                # Within the chunk, only the empty line of its own kind of line ending is looked for: a file
                # that mixes kinds is read carefully anyway. Across the boundary, any kind.
                pattern = b"\n\n" if not n_cr else b"\r\r" if not n_lf else b"\n\r\n"
                seam = tail[-2:] + chunk[:2]
                blanks = [size - len(tail[-2:]) + at for at in (seam.find(b"\n\n"), seam.find(b"\r\r"),
                                                                seam.find(b"\n\r\n")) if at >= 0]
                if (at := chunk.find(pattern)) >= 0:
                    blanks.append(size + at)
            stripped = len(chunk.rstrip(b"\r\n"))
            if stripped:
                content_end = size + stripped
            size += len(chunk)
            tail = (tail + chunk[-3:])[-3:]
    if lf == 0 and cr == 0:
        newline, mixed = None, False
    elif cr == 0:
        newline, mixed = "\n", False
    elif lf == 0:
        newline, mixed = "\r", False
    elif lf == cr == crlf:
        newline, mixed = "\r\n", False
    else:
        newline, mixed = None, True
    return FileScan(
        newline=newline,
        mixed_newlines=mixed,
        blank_line=bool(blanks) and min(blanks) < content_end,
        ends_with_newline=size > 0 and tail[-1:] in (b"\n", b"\r"),
        bom=head == BOM,
        size=size,
        sha256=digest.hexdigest() if digest else None,
    )


def first_line(path: Path, limit: int = 1 << 20) -> bytes:
    """The bytes of the file's first record (the header), without its line ending and without a BOM (or two).

    A record ends at the first line break outside quotes: a header cell with a line break in it (a column name
    wrapped with Alt+Enter in Excel, `"Adres<LF>tekst"`) is part of the header, as DuckDB's reader takes it. Before,
    the header was cut at that break, and the file refused for a missing column that is there."""
    with path.open("rb") as fh:
        data = b""
        while len(data) < limit:
            piece = fh.read(1 << 16)
            if not piece:
                break
            data += piece
            if _record_end(data) is not None:
                break
    while data.startswith(BOM):  # a tool that adds a BOM to a file that has one writes two
        data = data[len(BOM):]
    end = _record_end(data)
    return data[:end] if end is not None else data


def _record_end(data: bytes) -> int | None:
    """Where the first record of `data` ends: the first line break after an even number of quotes, or None."""
    quotes, at = 0, 0
    for _ in range(MAX_RECORD_LINES):
        ends = [p for p in (data.find(b"\n", at), data.find(b"\r", at)) if p >= 0]
        if not ends:
            return None
        end = min(ends)
        quotes += data.count(b'"', at, end)
        if quotes % 2 == 0:
            return end
        at = end + 1
    return None


def _header_text(path: Path) -> str:
    line = first_line(path)
    if b"\x00" in line:
        raise _nul_in_header(path, line)
    if line.count(b'"') % 2:
        # Read on, the open quote would take the rows for part of the header: DuckDB's reader then loaded none of
        # them without a word, and the careful reader stopped with an internal error.
        raise ContractError(f"{path.name}: de kopregel heeft een aanhalingsteken (\") dat niet wordt gesloten; "
                            "herstel de kopregel en lever het bestand opnieuw aan")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise encoding_error(path) from None


UTF16_REFUSAL = "het bestand is UTF-16, niet UTF-8; sla het op als CSV UTF-8 en lever het opnieuw aan"


def _nul_in_header(path: Path, line: bytes) -> ContractError:
    """The refusal of a header line holding NUL bytes. Why: NUL is valid UTF-8, so a UTF-16 file written without a
    byte order mark (as some database tools export) decoded "fine" and was refused with "verplichte kolom ...
    ontbreekt" for a column that is there, and a NUL in one name stopped the load with an internal error."""
    if line.count(b"\x00") * 3 >= len(line):  # every other byte: text in UTF-16
        return ContractError(f"{path.name}: {UTF16_REFUSAL}")
    return ContractError(f"{path.name}: de kopregel bevat een NUL-teken (het bestand is beschadigd of geen tekst); "
                         "lever het opnieuw aan")


def delimiter_of(path: Path) -> str:
    """`,` as the contract asks, or `;` when the header line is separated by semicolons and not by commas.

    Why: a spreadsheet saved as CSV with Dutch regional settings (Excel's default in the Netherlands) separates
    fields by semicolons and writes decimals with a comma. Read with commas, such a file is one column wide and
    every required column looks absent, which tells the data steward nothing about the cause."""
    text = _header_text(path)
    try:
        by_comma = next(csv.reader([text]), [])
        by_semicolon = next(csv.reader([text], delimiter=";"), [])
    except csv.Error:
        return ","
    return ";" if len(by_comma) <= 1 < len(by_semicolon) else ","


def read_header(path: Path, delimiter: str | None = None) -> list[str]:
    """The column names on the first line (separated by `delimiter`, else by what `delimiter_of` finds). Only
    that line is decoded: an encoding problem further down is reported with its own line number when the rows
    are read."""
    text = _header_text(path)
    header = next(csv.reader([text], delimiter=delimiter or delimiter_of(path)), None)
    if not header:
        raise ContractError(f"{path.name}: geen kopregel")
    return [h.strip() for h in header]


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(line number, byte value) of the first byte that is not UTF-8, or None. Lines end at CRLF, LF or CR."""
    decode = codecs.utf_8_decode
    line = 1
    carry = b""
    prev_cr = False
    with path.open("rb") as fh:
        start = fh.read(len(BOM))
        carry = b"" if start == BOM else start
        while True:
            chunk = fh.read(CHUNK)
            data = carry + chunk
            final = not chunk
            try:
                _, used = decode(data, "strict", final)
            except UnicodeDecodeError as exc:
                before = data[: exc.start]
                return line + _line_breaks(before, prev_cr), data[exc.start]
            done = data[:used]
            line += _line_breaks(done, prev_cr)
            if done:
                prev_cr = done.endswith(b"\r")
            carry = data[used:]
            if final:
                return None


def _line_breaks(data: bytes, prev_cr: bool) -> int:
    """Line breaks in data (CRLF counts once), given whether the bytes before it ended in CR."""
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return n - (prev_cr and data.startswith(b"\n"))


def encoding_error(path: Path) -> ContractError:
    """The refusal of a file that is not UTF-8, naming its first offending line. Nothing is re-encoded: a
    guess at the encoding would put wrong letters into names without anyone noticing."""
    found = first_bad_utf8(path)
    with path.open("rb") as fh:
        start = fh.read(2)
    if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return ContractError(f"{path.name}: {UTF16_REFUSAL}")
    where = f"regel {found[0]} (byte 0x{found[1]:02X})" if found else "het bestand"
    return ContractError(
        f"{path.name}: {where} is geen UTF-8 (waarschijnlijk Latin-1 of Windows-1252); pandzicht zet de tekenset "
        "niet zelf om: sla het bestand op als CSV UTF-8 en lever het opnieuw aan"
    )


@dataclass(frozen=True)
class Record:
    """One row of a file: its fields, or, for a line that could not be read, why and the line itself."""

    rij: int
    fields: list[str] | None
    code: str | None = None
    text: str | None = None


class _Lines:
    """The file's lines for csv.reader, with the lines of the record being read kept so that after a bad
    record all but its first line can be read again."""

    def __init__(self, fh) -> None:
        self._fh = fh
        self._again: list[str] = []  # a stack: the next line to give is last
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.taken) >= MAX_RECORD_LINES:
            raise _RecordTooLong
        line = self._again.pop() if self._again else next(self._fh)
        self.taken.append(line)
        return line

    def begin(self) -> None:
        self.taken = []

    def again_after_first(self) -> None:
        self._again.extend(reversed(self.taken[1:]))


class _RecordTooLong(Exception):
    pass


def records(path: Path, width: int, delimiter: str = ",") -> Iterator[Record]:
    """Every record after the header, in file order, with its row number.

    A record that parses into `width` fields is a row, even when a quoted field holds line breaks. A quote
    problem (a quote left open, text after a closing quote) quarantines the record's first line only, and
    reading goes on with the next line; a record with too few or too many fields is quarantined whole.
    Raises the encoding refusal on bytes that are not UTF-8.
    """
    _allow_long_fields()
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            yield from _records(_Lines(fh), width, delimiter)
    except UnicodeDecodeError:
        raise encoding_error(path) from None


def _allow_long_fields() -> None:
    """Raise the csv module's field size limit (a setting of the process) to `MAX_FIELD`, never lower it."""
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)


def _records(lines: _Lines, width: int, delimiter: str = ",") -> Iterator[Record]:
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    header = next(lines, None)  # the header record, read as `read_header` reads it: up to quotes that balance
    if header is None:
        return
    quotes, taken = header.count('"'), 1
    while quotes % 2 and taken < MAX_RECORD_LINES and (more := next(lines, None)) is not None:
        quotes, taken = quotes + more.count('"'), taken + 1
    rij = 1
    while True:
        lines.begin()
        code = None
        try:
            fields = next(reader)
        except StopIteration:
            if not lines.taken:
                return
            fields, code = None, UNQUOTED_VALUE  # cannot happen with strict=True; kept for safety
        except (csv.Error, _RecordTooLong):
            fields, code = None, UNQUOTED_VALUE
        rij += 1
        if fields == [] and len(lines.taken) == 1:
            continue  # an empty line: a row of its own, holding nothing
        if fields is not None and len(fields) == width:
            yield Record(rij, fields)
            continue
        if fields is not None:
            # Quotes balanced, fields miscounted: the record is quarantined whole, even over several lines
            # (a line of it read on its own could pass for a row it never was).
            code = MISSING_COLUMNS if len(fields) < width else TOO_MANY_COLUMNS
            yield Record(rij, None, code, "".join(lines.taken).rstrip("\r\n"))
            continue
        # A quote problem: only the first line is given up; the lines after it are read again.
        lines.again_after_first()
        yield Record(rij, None, code, lines.taken[0].rstrip("\r\n"))


def salvage_fields(text: str, delimiter: str = ",") -> list[str]:
    """Whatever fields a malformed line does have, for the data steward to see; never raises."""
    _allow_long_fields()
    try:
        return next(csv.reader([text.replace("\r", " ").replace("\n", " ")], delimiter=delimiter), [])
    except csv.Error:
        return []
