"""A continued delivery keeps an unchanged text's address link unless a BAG unit it could mean changed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pandzicht.link.address_match import STREET_CUTOFF, AddressIndex
from pandzicht.link.address_reuse import REPLACED, previous_links
from pandzicht.store.engine import Store

BAG = ["verblijfsobject_id", "openbare_ruimte", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode",
       "woonplaats"]
UNITS = [
    ("0599010000000001", "Zwartsluiskade", 12, None, None, "3011AB", "Rotterdam"),
    ("0599010000000002", "Zwartsluiskade", 14, None, None, "3011AB", "Rotterdam"),
    ("0599010000000003", "Ochtenkade", 3, None, None, "3022CD", "Rotterdam"),
    ("0599010000000004", "Marithof", 7, None, None, "3033EF", "Rotterdam"),
]
LINKS = [
    ("melding", "M1", "Zwartsluiskade 12, Rotterdam", "0599010000000001", 1.0, "straat"),
    ("melding", "M2", "Ochtenkade 3 3022CD Rotterdam", "0599010000000003", 1.0, "postcode_straat"),
    ("melding", "M3", "Marithof 7, Rotterdam", "0599010000000004", 1.0, "straat"),
    ("melding", "M4", "Marithof 9, Rotterdam", "0599010000000004", 0.81, "tekst+inschrijving"),
]


def _bag(units: list[tuple]) -> pa.Table:
    return pa.table({c: [u[i] for u in units] for i, c in enumerate(BAG)})


COLS = ["bron", "record_sleutel", "adres_tekst", "verblijfsobject_id", "zekerheid", "methode"]


def _previous(path: Path, replaced: list[tuple] | None = None) -> Path:
    with Store(path) as store:
        store.write_arrow("raw_bag_verblijfsobject", _bag(UNITS))
        store.write_arrow("adres_koppeling", pa.table({c: [r[i] for r in LINKS] for i, c in enumerate(COLS)}))
        if replaced is not None:
            store.write_arrow(REPLACED, pa.table({c: pa.array([r[i] for r in replaced], pa.float64() if c == "zekerheid"
                                                              else pa.string()) for i, c in enumerate(COLS)}))
    return path


def _kept(current_units: list[tuple], previous: Path) -> dict:
    with Store(None) as store:
        store.write_arrow("raw_bag_verblijfsobject", _bag(current_units))
        index = AddressIndex.from_store(store)
        return previous_links(store, previous, index.places, STREET_CUTOFF)


def test_an_unchanged_bag_keeps_every_text_link_but_not_those_made_through_people(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kept = _kept(UNITS, _previous(tmp_path / "vorige.duckdb"))
    assert {k[1] for k in kept} == {"M1", "M2", "M3"}  # M4 came from a registration: matched again
    assert kept[("melding", "M1", "Zwartsluiskade 12, Rotterdam")] == ("0599010000000001", 1.0, "straat")


def test_a_changed_unit_sends_the_texts_that_could_mean_it_back_to_matching(tmp_path) -> None:  # type: ignore[no-untyped-def]
    previous = _previous(tmp_path / "vorige.duckdb")
    # a new unit 12A on the same street: 'Zwartsluiskade 12' is no longer unambiguous
    added = [*UNITS, ("0599010000000005", "Zwartsluiskade", 12, "A", None, "3011AB", "Rotterdam")]
    assert {k[1] for k in _kept(added, previous)} == {"M2", "M3"}
    # a unit that changed its postcode: the text with that postcode and the link to it are both redone
    moved = [UNITS[0], UNITS[1], ("0599010000000003", "Ochtenkade", 3, None, None, "3022CE", "Rotterdam"), UNITS[3]]
    assert {k[1] for k in _kept(moved, previous)} == {"M1", "M3"}
    # a removed unit: links to it are redone
    assert {k[1] for k in _kept(UNITS[:3], previous)} == {"M1", "M2"}


def test_the_text_result_behind_a_link_made_through_people_is_kept_and_rechecked_like_any(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # M4's link came from a registration; what the text alone gave (nothing, from the street) was kept beside it
    text_only = ("melding", "M4", "Marithof 9, Rotterdam", None, 0.4, "straat")
    previous = _previous(tmp_path / "vorige.duckdb", [text_only])
    kept = _kept(UNITS, previous)
    assert {k[1] for k in kept} == {"M1", "M2", "M3", "M4"}
    assert kept[("melding", "M4", "Marithof 9, Rotterdam")] == (None, 0.4, "straat")  # not the registration's link
    # a new unit on its street could be what the text means: matched again, as M3 is
    added = [*UNITS, ("0599010000000006", "Marithof", 9, None, None, "3033EF", "Rotterdam")]
    assert {k[1] for k in _kept(added, previous)} == {"M1", "M2"}
