"""LO-GBA reader: persoonslijsten, continuation rows, element selection and header errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pandzicht.adapters.lo_gba import parse_header, read_persoonslijsten
from pandzicht.errors import PandzichtError

HEADER = ["", "01.01.20", "01.02.40", "01.04.10", "01.H", "04.05.10", "08.10.30", "08.11.80", "08.H", ""]

values = st.text(alphabet="abcdefXYZ0123456789 ", min_size=0, max_size=6).map(str.strip)
record = st.fixed_dictionaries({el: values for el in HEADER[1:-1]})
person = st.lists(record, min_size=1, max_size=4)


def _write(path: Path, people: list[list[dict[str, str]]]) -> None:
    lines = [";".join(HEADER)]
    for i, rows in enumerate(people):
        for j, rec in enumerate(rows):
            lines.append(";".join([f"Lg01_{i}" if j == 0 else "", *[rec[el] for el in HEADER[1:-1]], ""]))
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(person, min_size=1, max_size=5))
@example([[dict.fromkeys(HEADER[1:-1], ""), dict.fromkeys(HEADER[1:-1], "")]])  # an empty continuation row
def test_rows_group_into_persons_and_keep_only_allowed(tmp_path: Path, people) -> None:
    path = tmp_path / "pl.csv"
    _write(path, people)
    allowed = {"01.01.20", "08.10.30", "08.11.80", "08.H"}
    got = list(read_persoonslijsten(path, allowed))
    assert [pl.pl_id for pl in got] == [f"Lg01_{i}" for i in range(len(people))]
    for pl, written in zip(got, people, strict=True):
        # a continuation row with every field empty is a blank line (`;;;;`): it carries nothing and is skipped
        rows = [r for j, r in enumerate(written) if j == 0 or any(r.values())]
        assert len(pl.rows) == len(rows)
        for rec, src in zip(pl.rows, rows, strict=True):
            assert set(rec.values) <= allowed  # nothing outside the allowed set is ever kept
            assert rec.values == {k: v for k, v in src.items() if k in allowed and v}
        expected_08 = [r for r in rows if r["08.10.30"] or r["08.11.80"]]
        assert len(pl.records("08")) == len(expected_08)


def test_header_with_bad_element_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(";01.01.20;08.1x.80;\nLg01_1;999990001;x;\n", encoding="utf-8")
    with pytest.raises(PandzichtError) as exc:
        list(read_persoonslijsten(path, {"01.01.20"}))
    msg = str(exc.value)
    assert str(path) in msg and "regel 1" in msg and "kolom 3" in msg and "08.1x.80" in msg
    assert "\n" not in msg


def test_missing_required_element_and_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(";01.01.20;08.11.80;\nLg01_1;999990001;0599010000000001;\n;1;\n", encoding="utf-8")
    with pytest.raises(PandzichtError, match=r"regel 1: element 08\.10\.30 ontbreekt"):
        list(read_persoonslijsten(path, {"01.01.20"}, required=["08.10.30"]))
    with pytest.raises(PandzichtError, match=r"short\.csv: regel 3: 3 velden, de kopregel heeft er 4"):
        list(read_persoonslijsten(path, {"01.01.20"}))


def test_continuation_before_any_person(tmp_path: Path) -> None:
    path = tmp_path / "orphan.csv"
    path.write_text(";01.01.20;\n;999990001;\n", encoding="utf-8")
    with pytest.raises(PandzichtError, match=r"regel 2, kolom 1: vervolgregel zonder persoonslijst"):
        list(read_persoonslijsten(path, {"01.01.20"}))


@given(st.lists(st.from_regex(r"\A\d{2}\.\d{2}\.\d{2}\Z"), min_size=1, max_size=8))
def test_valid_headers_parse(elements: list[str]) -> None:
    assert parse_header(["", *elements, ""], "x.csv") == ["", *elements, ""]
