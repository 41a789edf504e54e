"""Property tests: the SQL validator agrees with a plain-Python reading of the contract."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.contract.sources import Column, Kind
from pandzicht.contract.validate import DATE_MAX, DATE_MIN, WHITESPACE, column_checks

PEIL = dt.date(2024, 6, 30)
_con = duckdb.connect()


def sql_reason(col: Column, value: str | None) -> str | None:
    checks = column_checks(col, PEIL)
    whens = " ".join(f"WHEN {c} THEN '{r}'" for c, r in checks)
    sql = f"SELECT CASE {whens} ELSE NULL END FROM (SELECT ?::VARCHAR AS {col.name})"
    return _con.execute(sql, [value]).fetchone()[0]


def py_date_ok(v: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        return False
    try:
        day = dt.date.fromisoformat(v)
    except ValueError:
        return False
    return DATE_MIN <= day.isoformat() <= DATE_MAX


DATE = Column("d", Kind.DATE)
BAG = Column("b", Kind.BAG_ID)
PC = Column("p", Kind.POSTCODE)
AMOUNT = Column("a", Kind.INT, non_negative=True)


@given(st.dates(min_value=dt.date.fromisoformat(DATE_MIN), max_value=dt.date.fromisoformat(DATE_MAX)))
def test_every_real_date_is_accepted(d):
    assert sql_reason(DATE, d.isoformat()) is None


@settings(max_examples=300)
@given(st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True) | st.text(max_size=12))
def test_dates_agree_with_python(v):
    expected = None if (not v.strip(WHITESPACE) or py_date_ok(v.strip(WHITESPACE))) else "d: geen geldige datum"
    assert sql_reason(DATE, v) == expected


@given(st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_sixteen_digit_ids_are_accepted(v):
    assert sql_reason(BAG, v) is None


@settings(max_examples=300)
@given(st.text(alphabet="0123456789 aA-", max_size=20))
def test_bag_ids_agree_with_python(v):
    ok = not v.strip(WHITESPACE) or re.fullmatch(r"[0-9]{16}", v.strip(WHITESPACE))
    assert (sql_reason(BAG, v) is None) == bool(ok)


@settings(max_examples=300)
@given(st.from_regex(r"[0-9]{4} ?[A-Za-z]{2}", fullmatch=True) | st.text(max_size=8))
def test_postcodes_agree_with_python(v):
    ok = not v.strip(WHITESPACE) or re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", v.strip(WHITESPACE))
    assert (sql_reason(PC, v) is None) == bool(ok)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_amounts_negative_refused(n):
    assert sql_reason(AMOUNT, str(n)) == (None if n >= 0 else "a: negatief")


@pytest.mark.parametrize("v", ["12.5", "1e3", "abc", "12 000"])
def test_amounts_must_be_whole(v):
    assert sql_reason(AMOUNT, v) == "a: geen geheel getal"


# fragments, so that combining marks and a non-breaking space next to text occur at either end
_CELL_TEXT = st.lists(st.sampled_from([*WHITESPACE, "a", "Z", "0", "é", "\u00a0b", "x\u0301", "\u0301", ",", '"']),
                      max_size=6).map("".join)


@given(st.one_of(st.none(), _CELL_TEXT))
@settings(max_examples=400, deadline=None)
def test_a_cleaned_cell_is_the_cell_stripped_of_white_space_or_unknown(value: str | None) -> None:
    """`value_expr` trims only cells that start or end with white space (for speed); it must give what
    stripping every cell gives, an empty cell being unknown."""
    from pandzicht.contract.validate import value_expr

    got = _con.execute(f"SELECT {value_expr('c')} FROM (SELECT ?::VARCHAR AS c)", [value]).fetchone()[0]
    expected = None if value is None else (value.strip(WHITESPACE) or None)
    assert got == expected
