"""A source delivered as a spreadsheet workbook (.xlsx, .xlsm), read as the CSV text the contract describes.

Partners often send what their spreadsheet holds, not an exported CSV. The first sheet is written to a CSV file
in a scratch folder and loaded like any other file, so every rule, quarantine and row number is the same: row 1
is the header, an empty row keeps its number. Cells keep what they are: a number stored as a number loses the
leading zeros of an identifier (the load report names such columns, `load._identifiers_as_numbers`), a date
cell is written `YYYY-MM-DD` (or `YYYY-MM` for a month column), a date with a time of day stays with its time
and is quarantined where the contract wants a date. Nothing is guessed. A date cell in a column that holds no
dates (Excel makes a date of `1-2` or `3/4` typed into a cell: a huisnummertoevoeging, an aandeel) is written as
the date it now is, and counted per column for a warning: the text that was typed cannot be had back.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pandzicht.contract.sources import Kind, Source
from pandzicht.errors import ContractError

READABLE = (".xlsx", ".xlsm")  # what openpyxl reads; .xls and .ods are refused with what to do


@dataclass(frozen=True)
class Sheet:
    """What was read from a workbook: the sheet's name and how many other sheets hold anything."""

    name: str
    others_with_data: int
    dates_in_other_columns: dict[str, int] = field(default_factory=dict)  # contract column -> date cells in it


def to_csv(src: Path, dest: Path, source: Source) -> Sheet:
    """Write the first sheet of workbook `src` to `dest` as contract CSV text (UTF-8, commas)."""
    from openpyxl import load_workbook

    from pandzicht.intake.load import contract_spelling  # the same spelling rule as a CSV header's

    try:
        book = load_workbook(src, read_only=True, data_only=True)
    except Exception:
        raise ContractError(f"{src.name}: geen leesbare werkmap (beschadigd, beveiligd of geen .xlsx)") from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise ContractError(f"{src.name}: de werkmap heeft geen blad")
        rows = sheets[0].iter_rows(values_only=True)
        first = next(rows, None) or ()
        header = [("" if c is None else str(c)).strip() for c in first]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise ContractError(f"{src.name}: het eerste blad heeft geen kopregel")
        names, _ = contract_spelling(source, header)
        kinds = [next((c.kind for c in source.columns if c.name == n), None) for n in names]
        width = len(header)
        dated: dict[str, int] = {}
        with dest.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            for row in rows:
                cells = list(row)
                while len(cells) > width and cells[-1] is None:
                    cells.pop()
                if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    fh.write("\n")  # an empty row keeps its number, as in a CSV file
                    continue
                cells += [None] * (width - len(cells))
                out.writerow([cell_text(c, kinds[i] if i < width else None) for i, c in enumerate(cells)])
                for i, c in enumerate(cells[:width]):
                    if isinstance(c, dt.date) and kinds[i] is not None and kinds[i] not in (Kind.DATE, Kind.MONTH):
                        dated[names[i]] = dated.get(names[i], 0) + 1
        others = sum(1 for ws in sheets[1:] if any(any(c is not None for c in r)
                                                   for r in ws.iter_rows(values_only=True)))
        return Sheet(sheets[0].title, others, dated)
    finally:
        book.close()


def cell_text(value: object, kind: Kind | None) -> str:
    """A cell as the contract's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if kind == Kind.MONTH:
            return f"{value.year:04d}-{value.month:02d}"
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}" if kind == Kind.MONTH else value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    return str(value)
