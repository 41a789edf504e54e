"""The Dutch address parser recovers what a clerk typed, however it was typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.link.address_parse import normalise_street, parse_address

PLACES = frozenset({"rotterdam", "schiedam", "capelle aan den ijssel", "vlaardingen"})
STREETS = ["Kastanjelaan", "Van Oldenbarneveltstraat", "Weena", "2e Middellandstraat", "Goudsesingel",
           "Nieuwe Binnenweg", "Burgemeester Meineszplein", "West-Kruiskade", "Maasboulevard", "Zwaanshals"]
ABBREV = {"straat": "str.", "laan": "ln", "singel": "sngl", "plein": "pl"}


@st.composite
def typed_address(draw):
    street = draw(st.sampled_from(STREETS))
    number = draw(st.integers(min_value=1, max_value=999))
    letter = draw(st.sampled_from([None, "A", "B", "c"]))
    addition = None if letter else draw(st.sampled_from([None, "1", "2", "bis", "hs"]))
    postcode = draw(st.sampled_from([None, "3011AB", "3014 GH", "3021kl"]))
    place = draw(st.sampled_from([None, "Rotterdam", "rotterdam", "Capelle aan den IJssel"]))
    shown = street
    if draw(st.booleans()):
        for full, short in ABBREV.items():
            if shown.endswith(full):
                shown = shown[: -len(full)] + short
    if draw(st.booleans()):
        shown = shown.lower()
    sep = draw(st.sampled_from(["", "-", " "]))
    if addition and addition.isdigit() and not sep:
        sep = "-"  # '12' + '1' without a separator is 121: ambiguous for anyone
    nr = f"{number}{sep}{letter}" if letter else (f"{number}{sep}{addition}" if addition else str(number))
    parts = [f"{shown} {nr}"]
    if postcode:
        parts.append(postcode)
    if place:
        parts.append(place)
    joiner = draw(st.sampled_from([", ", " "]))
    return joiner.join(parts), street, number, letter, addition, postcode, place


@settings(max_examples=400)
@given(typed_address())
def test_parser_recovers_parts(case):
    text, street, number, letter, addition, postcode, place = case
    p = parse_address(text, PLACES)
    assert p.huisnummer == number, text
    assert p.huisletter == (letter.upper() if letter else None), text
    assert p.toevoeging == addition, text
    assert p.postcode == (postcode.replace(" ", "").upper() if postcode else None), text
    assert p.straat == normalise_street(street), text
    assert p.woonplaats == (place.lower() if place else None), text


@given(st.text(max_size=60))
def test_parser_never_fails(text):
    p = parse_address(text, PLACES)
    assert p.huisnummer is None or p.huisnummer >= 0


@pytest.mark.parametrize(("text", "street", "number", "letter", "addition", "postcode"), [
    ("Kastanjelaan 12-B, 3011 AB Rotterdam", "kastanjelaan", 12, "B", None, "3011AB"),
    ("kastanjeln 12b", "kastanjelaan", 12, "B", None, None),
    ("Kastanjelaan 12bis", "kastanjelaan", 12, None, "bis", None),
    ("3011ab 12", None, 12, None, None, "3011AB"),
    ("12 Kastanjelaan", "kastanjelaan", 12, None, None, None),
    ("Van Oldenbarneveltstr. 3-1", "vanoldenbarneveltstraat", 3, None, "1", None),
    ("2e Middellandstraat 12", "2emiddellandstraat", 12, None, None, None),
    ("3011AB", None, None, None, None, "3011AB"),
    # a postcode a typo broke is kept as written, and its digits are not the house number
    ("timmermankade 47, 3083s rotterdam", "timmermankade", 47, None, None, "3083S"),
    ("Broeklandlaan 61, 3194 NAH Hoogvliet Rotterdam", "broeklandlaan", 61, None, None, None),
    ("melissantplein 51, 306x6t rotterdam", "melissantplein", 51, None, None, "306X6T"),
    # only the addition is left of the number: no house number rather than the addition as one
    ("Baarloweg -1", "baarloweg", None, None, None, None),
    # 'te' before the place is not an addition (it made '70 te' read as 70 with addition 'te', then linked to 7)
    ("merwedeplein 70 te Rotterdam", "merwedeplein", 70, None, None, None),
    ("lindenhof 7 8 te Rotterdam", "lindenhof", 7, None, "8", None),
    ("Kastanjelaan 12-B te Rotterdam", "kastanjelaan", 12, "B", None, None),
    ("Kastanjelaan 12 hs te Schiedam", "kastanjelaan", 12, None, "hs", None),
    ("Huis te Landelaan 12", "huistelandelaan", 12, None, None, None),
    ("admiraalhf. 7", "admiraalhof", 7, None, None, None),
    ("Oranjedrf. 26, 3315NB", "oranjedorp", 26, None, None, "3315NB"),
    # 'hs' between two numbers: the first is the house number (it read as number 1 of street '45 hs')
    ("3011 AB 45 hs 1", None, 45, None, "1", "3011AB"),
    ("Jasmijnlaan 5 hs 1", "jasmijnlaan", 5, None, "1", None),
    # a postcode whose letters read 'TE' or 'HS' is still a postcode
    ("1000 TE 1", None, 1, None, None, "1000TE"),
    ("Kastanjelaan 12, 3011 HS Rotterdam", "kastanjelaan", 12, None, None, "3011HS"),
    ("3011 HS 12", None, 12, None, None, "3011HS"),
])
def test_known_forms(text, street, number, letter, addition, postcode):
    p = parse_address(text, PLACES)
    if " te " in text and "Landelaan" not in text:  # the place after 'te' is read as the place
        assert p.woonplaats == text.rsplit(" te ", 1)[1].lower()
    assert (p.straat, p.huisnummer, p.huisletter, p.toevoeging, p.postcode) == (street, number, letter, addition,
                                                                               postcode)


@pytest.mark.parametrize(("a", "b"), [
    ("Van Oldenbarneveltstraat", "van oldenbarneveltstr."), ("Goudsesingel", "Goudse sngl"),
    ("West-Kruiskade", "west kruiskade"), ("Café-laan", "cafe ln"),
])
def test_street_normalisation_meets(a, b):
    assert normalise_street(a) == normalise_street(b)


def test_a_lost_suffix_is_marked_not_dropped():
    assert parse_address("doornspijkkd 22-, 3016io rotterdam", PLACES).achtervoegsel_onleesbaar
    assert not parse_address("doornspijkkd 22-A, 3016io rotterdam", PLACES).achtervoegsel_onleesbaar
    assert not parse_address("doornspijkkd 22, 3016 IO rotterdam", PLACES).achtervoegsel_onleesbaar


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ 9-'.,éëÉıøßÆłœﬁ\u0301\u00a0Ǆ²") | st.characters(), max_size=30))
def test_fold_of_ascii_is_lowering_and_of_any_text_the_full_fold(text: str) -> None:
    """`fold` only lowers ASCII text (nothing there decomposes or combines): the same result as the full fold,
    which every text, ASCII or not, still equals."""
    import unicodedata

    from pandzicht.link.address_parse import _NO_DECOMPOSITION, fold

    full = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    assert fold(text) == "".join(ch for ch in full if not unicodedata.combining(ch)).lower()
