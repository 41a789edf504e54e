"""GBA dates (LO-GBA ``YYYYMMDD``, ``00`` for an unknown part) to contract dates.

The contract has no way to say "some day in 1985", so a partly unknown date
becomes empty (unknown) rather than a guessed day; the status tells the adapter
what to count in its report.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple


class DateStatus(StrEnum):
    FULL = "volledig"
    PARTIAL = "deels_onbekend"  # year known, month and/or day 00
    UNKNOWN = "onbekend"  # 00000000
    EMPTY = "leeg"
    INVALID = "ongeldig"  # not 8 digits, or not a calendar date


class GbaDate(NamedTuple):
    iso: str | None
    status: DateStatus


def parse_gba_date(value: str | None) -> GbaDate:
    """Map a GBA date to ``YYYY-MM-DD``; unknown or partly unknown dates map to None with their status."""
    text = (value or "").strip()
    if not text:
        return GbaDate(None, DateStatus.EMPTY)
    if len(text) != 8 or not text.isdigit():
        return GbaDate(None, DateStatus.INVALID)
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if year == 0:
        return GbaDate(None, DateStatus.UNKNOWN if month == 0 and day == 0 else DateStatus.INVALID)
    if month == 0 and day != 0:
        return GbaDate(None, DateStatus.INVALID)
    if month == 0 or day == 0:
        return GbaDate(None, DateStatus.PARTIAL if month <= 12 else DateStatus.INVALID)
    try:
        return GbaDate(dt.date(year, month, day).isoformat(), DateStatus.FULL)
    except ValueError:
        return GbaDate(None, DateStatus.INVALID)
