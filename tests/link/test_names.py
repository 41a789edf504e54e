"""Dutch names: every way a clerk writes one name parses to the same surname key and initials."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.link.names import is_company_name, normalise_company, parse_person, person_from_parts

GIVEN = ["Jan", "Pieter", "Fatima", "Mohamed", "Anna", "Sevgi", "Kees", "Élodie", "Wim"]
PREFIXES = ["", "de", "van", "van der", "van den", "ter", "in 't"]
SURNAMES = ["Vries", "Berg", "Bakker", "Yılmaz", "Amrani", "Jong", "Smit", "Öztürk", "Haar"]


def _case(text: str, how: int) -> str:
    return [text, text.lower(), text.title(), text.upper()][how]


@st.composite
def written_name(draw):
    given = draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=3))
    prefix = draw(st.sampled_from(PREFIXES))
    surname = draw(st.sampled_from(SURNAMES))
    prefix_case = draw(st.integers(0, 2))
    shown_prefix = _case(prefix, prefix_case)
    use_initials = draw(st.booleans())
    g = "".join(f"{x[0]}." for x in given) if use_initials else " ".join(given)
    form = draw(st.integers(0, 2))
    if form == 0:
        text = " ".join(x for x in (g, shown_prefix, surname) if x)
    elif form == 1:
        text = f"{surname}, {g}" + (f" {shown_prefix}" if shown_prefix else "")
    else:
        text = " ".join(x for x in (shown_prefix, surname) if x) + f", {g}"
    return text, given, prefix, surname


@settings(max_examples=400)
@given(written_name())
def test_written_forms_meet_the_register(case):
    text, given, prefix, surname = case
    parsed = parse_person(text)
    register = person_from_parts(" ".join(given), prefix, surname)
    assert parsed.achternaam_sleutel == register.achternaam_sleutel, text
    assert parsed.initialen == register.initialen, text


@given(st.text(max_size=40))
def test_parser_never_fails(text):
    parse_person(text)


@pytest.mark.parametrize(("a", "b"), [
    ("Kade Vastgoed B.V.", "kade vastgoed bv"), ("Maas Verhuur BV", "MAAS VERHUUR B.V."),
    ("Stichting Woonstad", "stichting woonstad"),
])
def test_company_names_meet(a, b):
    assert normalise_company(a) == normalise_company(b)


@pytest.mark.parametrize(("name", "company"), [
    ("Kade Vastgoed B.V.", True), ("Woonstichting De Maas", True), ("Jan de Vries", False), ("Fatima El Amrani", False),
])
def test_company_detection(name, company):
    assert is_company_name(name) is company
