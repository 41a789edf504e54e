"""GBA dates: full dates map to ISO, any 00 part to empty with a status, garbage to 'ongeldig'."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pandzicht.adapters.gba_date import DateStatus, parse_gba_date


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_full_date_round_trips(day: dt.date) -> None:
    parsed = parse_gba_date(day.strftime("%Y%m%d"))
    assert parsed.iso == day.isoformat()
    assert parsed.status is DateStatus.FULL


@given(st.integers(1800, 2100), st.integers(0, 12), st.integers(0, 31))
def test_unknown_parts_never_become_a_date(year: int, month: int, day: int) -> None:
    parsed = parse_gba_date(f"{year:04d}{month:02d}{day:02d}")
    if month == 0 or day == 0:
        assert parsed.iso is None
        assert parsed.status in (DateStatus.PARTIAL, DateStatus.INVALID)
    else:
        try:
            expected = dt.date(year, month, day).isoformat()
        except ValueError:
            expected = None
        assert parsed.iso == expected


@given(st.text(max_size=12).filter(lambda s: not (len(s.strip()) == 8 and s.strip().isdigit())))
def test_non_dates_are_empty_or_invalid(text: str) -> None:
    parsed = parse_gba_date(text)
    assert parsed.iso is None
    assert parsed.status in (DateStatus.EMPTY, DateStatus.INVALID)


def test_fixed_cases() -> None:
    assert parse_gba_date("00000000") == (None, DateStatus.UNKNOWN)
    assert parse_gba_date("19850000") == (None, DateStatus.PARTIAL)
    assert parse_gba_date("19851200") == (None, DateStatus.PARTIAL)
    assert parse_gba_date("19850012") == (None, DateStatus.INVALID)
    assert parse_gba_date("20210230") == (None, DateStatus.INVALID)
    assert parse_gba_date("") == (None, DateStatus.EMPTY)
