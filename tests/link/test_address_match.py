"""Free-text addresses to BAG units: typos undone where one reading fits, empty where readings compete."""

from __future__ import annotations

import pytest

from pandzicht.evaluation.linking import address_accuracy
from pandzicht.link.address_match import AddressIndex, Unit, match_address
from pandzicht.store.engine import Store


def _unit(vbo: str, straat: str, nr: int, letter: str | None = None, toev: str | None = None,
          pc: str = "3011AB", place: str = "rotterdam") -> Unit:
    return Unit(vbo, straat, nr, letter, toev, pc, place)


INDEX = AddressIndex([
    _unit("reinders16b", "reindersplein", 16, "B", pc="3015WC"),
    _unit("reinders1", "reindersplein", 1, pc="3015WC"),
    _unit("zwart147", "zwartsluiskade", 147, pc="3077EZ"),
    _unit("zwart47", "zwartsluiskade", 47, pc="3077EZ"),
    _unit("staal40", "staalkade", 40, pc="3062NJ"),
    _unit("lies49", "liesstraat", 49, pc="3067IQ"),
    _unit("abel36", "abelpad", 36, pc="3192AB", place="hoogvliet rotterdam"),
    _unit("kade4", "driessenlaan", 4, pc="3081NP"),
    _unit("kade4a", "driessenlaan", 4, "A", pc="3081NP"),
    _unit("doorn22", "doornspijkkade", 22, pc="3016IO"),
    _unit("doorn22a", "doornspijkkade", 22, "A", pc="3016IO"),
    _unit("suze11-1", "suzestraat", 11, None, "1", pc="3071PY"),
    _unit("suze11", "suzestraat", 11, pc="3071PY"),
    _unit("hiem1", "hiemstrakade", 1, pc="3072EE"),
    _unit("hiem10", "hiemstrakade", 10, pc="3016AD"),
])


@pytest.mark.parametrize(("text", "vbo"), [
    ("Reindersplein 1B6, 3015WC Rotterdam", "reinders16b"),  # '16B' with two characters swapped
    ("Zwartsluiskade1 47, 3077 EZ Rotterdam", "zwart147"),  # a slipped space, though 47 exists too
    ("staalkade 04, 3062nj rotterdam", "staal40"),  # a leading zero is a swap
    ("liesstraat 499, 3067iq rotterdam", "lies49"),  # a digit typed twice
    ("Abelpad 36 Rotterdam", "abel36"),  # Rotterdam written for Hoogvliet Rotterdam
    ("driessenlaan 4-aa, 3081 np rotterdam", "kade4a"),  # a letter typed twice
    ("Suzestraat 111, 3071 PY Rotterdam", "suze11-1"),  # an addition glued on, before any typo reading
])
def test_one_typo_away_links_when_one_reading_fits(text, vbo):
    m = match_address(text, INDEX)
    assert m.verblijfsobject_id == vbo, m


@pytest.mark.parametrize("text", [
    "doornspijkkd 22-, 3016io rotterdam",  # the suffix was lost: 22 or 22A, don't guess
    "Baarloweg -1",  # the number was lost
    "Reindersplein 1, 3015WC",  # exists as written: no re-reading
    # 10 was typed as 1, and Hiemstrakade 1 lies in another postcode: no reading may drop the postcode that
    # contradicts it (swapped to '0316AD' it is no postcode, and the street alone linked the wrong home)
    "Hiemstrakade 1, 3016AD Rotterdam",
])
def test_competing_or_missing_readings_stay_empty_or_as_written(text):
    m = match_address(text, INDEX)
    if text.startswith("Reindersplein"):
        assert m.verblijfsobject_id == "reinders1"
    else:
        assert m.verblijfsobject_id is None, m


@pytest.mark.xdist_group("link_noisy_analysed")  # the analysed noisy world is built once, with test_address_context
@pytest.mark.parametrize("world", ["world_base", "world_noisy_analysed"])
def test_address_linking_meets_the_targets(world, request, tmp_path):
    """The issue's targets on generated worlds, for the links an analysis writes: at least 97% to the right unit,
    at most 0.5% to a wrong one. On the clean world the text alone meets them (the check is on the text links);
    on the noisy one the links through the tenants' registrations count too (`address_context`): there the text
    alone linked 860 of 887 right (96.96%) in the demo world of session 31, the analysis 98.1%."""
    bundle, db = request.getfixturevalue(world)
    out = tmp_path / "adreskoppeling.csv"
    with Store(db) as store:
        store.execute(f"COPY (SELECT bron, record_sleutel, verblijfsobject_id FROM adres_koppeling) TO '{out}' "
                      "(HEADER)")
    acc = address_accuracy(out, bundle / "truth" / "adres_tekst.csv")
    assert acc["records"] > 500
    assert acc["goed"] >= 0.97, acc
    assert acc["fout"] <= 0.005, acc
