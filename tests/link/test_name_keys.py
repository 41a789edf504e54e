"""The derived name and date keys the probabilistic resolver blocks and compares on."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.link.names import (
    company_core,
    date_swap_key,
    first_given_name,
    is_company_name,
    parse_person,
    person_from_parts,
    surname_phonetic,
)

SURNAMES = ["Vries", "Bakker", "Yılmaz", "Öztürk", "Jansen", "Muhlandiz", "Haar", "Smit"]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
def test_swapped_birth_dates_share_a_key(day):
    key = date_swap_key(day)
    if day.day <= 12:
        swapped = dt.date(day.year, day.day, day.month)
        assert date_swap_key(swapped) == key
    assert key.startswith(f"{day.year:04d}-")


@given(st.dates(), st.dates())
def test_swap_key_only_joins_equal_or_swapped_dates(a, b):
    if date_swap_key(a) == date_swap_key(b):
        assert a == b or (a.year == b.year and (a.month, a.day) == (b.day, b.month))


def test_missing_birth_date_has_no_key():
    assert date_swap_key(None) is None


@given(st.sampled_from(SURNAMES), st.sampled_from([str.lower, str.upper, str.title]))
def test_sound_key_ignores_case_and_diacritics(surname, case):
    assert surname_phonetic(case(surname)) == surname_phonetic(surname)
    assert surname_phonetic(surname) == surname_phonetic(surname.replace("ı", "i").replace("Ö", "O").replace("ü", "u"))


@pytest.mark.parametrize(("a", "b"), [("Jansen", "Janssen"), ("Bakker", "Baker"), ("Muhlandiz", "Muhlanddiz")])
def test_sound_key_meets_common_misspellings(a, b):
    assert surname_phonetic(a) == surname_phonetic(b)


@given(st.lists(st.sampled_from(["jan", "pieter", "fatima", "a", "j"]), min_size=0, max_size=3))
def test_first_given_name_is_never_an_initial(words):
    first = first_given_name(" ".join(words))
    if first is not None:
        assert len(first) > 1 and first == words[0]
    else:
        assert not words or len(words[0]) == 1


@given(
    st.sampled_from(["Woonkracht Maasstad", "Kade Vastgoed", "Maas Verhuur"]),
    st.sampled_from(["", "Stichting ", "STICHTING ", "Stichtng ", "stichting ", "St. ", "Stg. ", "ST "]),
    st.sampled_from(["", " B.V.", " BV", " bv"]),
)
def test_company_core_drops_legal_form_and_foundation(core, lead, form):
    assert company_core(f"{lead}{core}{form}") == company_core(core)


@pytest.mark.parametrize(("name", "company"), [
    ("Stichtng Woonkracht Maasstad", True), ("Kade Vastgoedd", True), ("Jan de Vries", False),
    ("Amin Muhlandiz", False), ("Lize Snouck Hurgronje", False),
])
def test_company_detection_survives_a_typo(name, company):
    assert is_company_name(name) is company


@pytest.mark.parametrize("written", [
    "Lize Snouck Hurgronje", "Snouck Hurgronje, Lize", "L. Snouck Hurgronje", "Snouck Hurgronje, L.",
])
def test_double_surname_meets_on_its_last_word(written):
    register = person_from_parts("Lize", "", "Snouck Hurgronje")
    assert parse_person(written).laatste_achternaam == register.laatste_achternaam == "hurgronje"
