"""Address texts the text alone leaves open, linked through the people on the record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from pandzicht.link.address_context import (
    CONTEXT_CONFIDENCE,
    CONTEXT_METHOD,
    CORRECTION_METHOD,
    fits_text,
    link_through_people,
)
from pandzicht.link.address_match import AddressIndex, Unit, match_address
from pandzicht.link.address_parse import parse_address
from pandzicht.link.address_reuse import LINK_COLUMNS, REPLACED
from pandzicht.store.engine import Store

U = {
    "r1": Unit("r1", "reindersplein", 1, None, None, "3015WC", "rotterdam"),
    "r16b": Unit("r16b", "reindersplein", 16, "B", None, "3015WC", "rotterdam"),
    "z47": Unit("z47", "zwartsluiskade", 47, None, None, "3077EZ", "rotterdam"),
    "r6b": Unit("r6b", "reindersplein", 6, "B", None, "3015WC", "rotterdam"),
}
INDEX = AddressIndex(U.values())
D = dt.date(2024, 3, 1)


@pytest.fixture()
def store(tmp_path):
    """A store with the tables the step reads: address links, resolved entities, BRP, contracts, police."""
    with Store(tmp_path / "s.duckdb") as s:
        s.execute("CREATE TABLE adres_koppeling (bron VARCHAR, record_sleutel VARCHAR, adres_tekst VARCHAR, "
                  "verblijfsobject_id VARCHAR, zekerheid DOUBLE, methode VARCHAR)")
        s.execute("CREATE TABLE entiteit (bron VARCHAR, record_sleutel VARCHAR, entiteit_id VARCHAR, zekerheid DOUBLE)")
        s.execute("CREATE TABLE raw_brp_inschrijving (persoon_id VARCHAR, verblijfsobject_id VARCHAR, "
                  "datum_aanvang DATE, datum_einde DATE)")
        s.execute("CREATE TABLE raw_huurcontract (contract_id VARCHAR, datum_aanvang DATE)")
        s.execute("CREATE TABLE raw_politie_incident (incident_id VARCHAR, datum DATE)")
        s.execute("CREATE TABLE raw_politie_betrokkene (betrokkene_id VARCHAR, incident_id VARCHAR, rol VARCHAR)")
        yield s


def _person(s: Store, entity: str, source: str, key: str, *registrations: tuple[str, dt.date, dt.date | None]):
    """A resolved person: one mention on a record and BRP registrations of the same entity."""
    s.execute("INSERT INTO entiteit VALUES (?, ?, ?, 1.0)", [source, key, entity])
    s.execute("INSERT INTO entiteit VALUES ('brp_inschrijving', ?, ?, 1.0)", [f"PS-{entity}", entity])
    for vbo, start, end in registrations:
        s.execute("INSERT INTO raw_brp_inschrijving VALUES (?, ?, ?, ?)", [f"PS-{entity}", vbo, start, end])


def _contract(s: Store, cid: str, text: str, linked: str | None = None) -> None:
    s.execute("INSERT INTO raw_huurcontract VALUES (?, ?)", [cid, D])
    s.execute("INSERT INTO adres_koppeling VALUES ('huurcontract', ?, ?, ?, ?, 'postcode')",
              [cid, text, linked, 1.0 if linked else 0.0])


def _incident(s: Store, iid: str, text: str) -> None:
    s.execute("INSERT INTO raw_politie_incident VALUES (?, ?)", [iid, D])
    s.execute("INSERT INTO adres_koppeling VALUES ('politie_incident', ?, ?, NULL, 0.0, 'geen_huisnummer')",
              [iid, text])


def _links(s: Store) -> dict[str, tuple]:
    return {k: (v, z, m) for k, v, z, m in s.rows(
        "SELECT record_sleutel, verblijfsobject_id, zekerheid, methode FROM adres_koppeling")}


def test_a_postcode_only_contract_links_to_where_its_tenant_registered(store):
    _contract(store, "HC1", "3015 WC")
    _person(store, "E1", "huurcontract", "HC1:huurder", ("r1", D + dt.timedelta(days=10), None))
    assert link_through_people(store, INDEX) == 1
    assert _links(store)["HC1"] == ("r1", CONTEXT_CONFIDENCE, CONTEXT_METHOD)
    # what the text alone gave is kept for the next delivery (`address_reuse.py`), and only for replaced links
    assert store.rows(f"SELECT {LINK_COLUMNS} FROM {REPLACED}") == [
        ("huurcontract", "HC1", "3015 WC", None, 0.0, "postcode")]


def test_registrations_that_do_not_fit_the_text_or_the_date_leave_it_empty(store):
    _contract(store, "HC2", "3015 WC")  # registered in another postcode
    _person(store, "E2", "huurcontract", "HC2:huurder", ("z47", D, None))
    _contract(store, "HC3", "3015 WC")  # registration ended two years before the contract
    _person(store, "E3", "huurcontract", "HC3:huurder", ("r1", dt.date(2015, 1, 1), dt.date(2022, 1, 1)))
    _contract(store, "HC4", "Reindersplein 7")  # the number is two digits away from 16B
    _person(store, "E4", "huurcontract", "HC4:huurder", ("r16b", D, None))
    _contract(store, "HC5", "Reindersplein 16")  # the letter lost: 16B fits
    _person(store, "E5", "huurcontract", "HC5:huurder", ("r16b", D, None))
    assert link_through_people(store, INDEX) == 1
    links = _links(store)
    assert [links[k][0] for k in ("HC2", "HC3", "HC4", "HC5")] == [None, None, None, "r16b"]


def test_witnesses_are_left_out_and_two_fitting_homes_stay_empty(store):
    _incident(store, "PL1", "Reindersplein")
    store.execute("INSERT INTO raw_politie_betrokkene VALUES ('B1', 'PL1', 'getuige'), ('B2', 'PL1', 'verdachte')")
    _person(store, "W", "politie_betrokkene", "B1", ("r16b", dt.date(2020, 1, 1), None))
    _person(store, "S", "politie_betrokkene", "B2", ("r1", dt.date(2020, 1, 1), None))
    _incident(store, "PL2", "3015WC")
    store.execute("INSERT INTO raw_politie_betrokkene VALUES ('B3', 'PL2', 'verdachte'), ('B4', 'PL2', 'aangever')")
    _person(store, "A", "politie_betrokkene", "B3", ("r1", dt.date(2020, 1, 1), None))
    _person(store, "B", "politie_betrokkene", "B4", ("r16b", dt.date(2020, 1, 1), None))
    assert link_through_people(store, INDEX) == 1
    links = _links(store)
    assert links["PL1"][0] == "r1" and links["PL2"][0] is None


def test_a_text_link_stays_unless_the_tenant_was_registered_one_keystroke_away(store):
    _contract(store, "HC6", "Zwartsluiskade 47", linked="z47")  # registered at a unit that does not fit
    _person(store, "E6", "huurcontract", "HC6:huurder", ("r1", D, None))
    _contract(store, "HC7", "Reindersplein 6B, 3015 WC", linked="r6b")  # a lost digit: registered at 16B
    _person(store, "E7", "huurcontract", "HC7:huurder", ("r16b", D, None))
    _contract(store, "HC8", "Reindersplein 6B, 3015 WC", linked="r6b")  # registered at both: the text stands
    _person(store, "E8", "huurcontract", "HC8:huurder", ("r16b", D - dt.timedelta(days=20), D), ("r6b", D, None))
    _incident(store, "PL3", "Reindersplein 6B")  # a suspect living one keystroke away may be a neighbour
    store.execute("UPDATE adres_koppeling SET verblijfsobject_id = 'r6b', zekerheid = 1.0, methode = 'straat' "
                  "WHERE record_sleutel = 'PL3'")
    store.execute("INSERT INTO raw_politie_betrokkene VALUES ('B5', 'PL3', 'verdachte')")
    _person(store, "S3", "politie_betrokkene", "B5", ("r16b", dt.date(2020, 1, 1), None))
    assert link_through_people(store, INDEX) == 1
    links = _links(store)
    assert links["HC6"] == ("z47", 1.0, "postcode")
    assert links["HC7"] == ("r16b", CONTEXT_CONFIDENCE, CORRECTION_METHOD)
    assert links["HC8"][0] == "r6b" and links["PL3"][0] == "r6b"
    assert store.rows(f"SELECT record_sleutel, verblijfsobject_id, methode FROM {REPLACED}") == [
        ("HC7", "r6b", "postcode")]
    assert link_through_people(store, INDEX) == 0  # a rerun changes nothing
    assert store.scalar(f"SELECT count(*) FROM {REPLACED}") == 1
    assert _links(store) == links


_streets = st.sampled_from(["reindersplein", "zwartsluiskade", "kastanjelaan", "bergsmasingel", "noapad"])
_postcodes = st.tuples(st.integers(1000, 9999), st.text("ABCDEFGHJKLMNPRSTVWXZ", min_size=2, max_size=2))


@settings(max_examples=200, deadline=None)
@given(street=_streets, nr=st.integers(1, 999), letter=st.sampled_from([None, "A", "B"]), pc=_postcodes,
       form=st.sampled_from(["{s} {n}{l}, {pc} Rotterdam", "{pc}", "{s}", "{pc} {n}{l}", "{s} {n}{l}"]))
def test_a_unit_fits_every_text_written_from_it(street, nr, letter, pc, form):
    postcode = f"{pc[0]}{pc[1]}"
    unit = Unit("u", street, nr, letter, None, postcode, "rotterdam")
    index = AddressIndex([unit])
    text = form.format(s=street.capitalize(), n=nr, l=letter or "", pc=f"{pc[0]} {pc[1]}")
    assert fits_text(text, parse_address(text, index.places), unit, index), text


@settings(max_examples=200, deadline=None)
@given(nr=st.integers(1, 999), pc=_postcodes, shift=st.integers(11, 8000))
def test_a_text_never_fits_a_unit_two_postcode_keystrokes_away(nr, pc, shift):
    """Two keystrokes off is another neighbourhood, not a typo."""
    here, there = f"{pc[0]}{pc[1]}", f"{(pc[0] - 1000 + shift) % 9000 + 1000}{pc[1]}"
    assume(OSA.distance(here, there) >= 2)
    unit = Unit("u", "kastanjelaan", nr, None, None, there, "rotterdam")
    index = AddressIndex([unit])
    text = f"{pc[0]} {pc[1]}"
    assert not fits_text(text, parse_address(text, index.places), unit, index)


@pytest.mark.xdist_group("link_noisy_analysed")  # shares its analysed world with test_address_match
def test_links_through_people_on_a_generated_world_are_right(world_noisy_analysed):
    """On a noisy generated world the step fills empty links and corrects contract links, and every link it
    makes is checked against truth."""
    bundle, store_path = world_noisy_analysed
    with Store(store_path) as s:
        s.execute(f"CREATE TEMP TABLE waar AS SELECT * FROM read_csv('{bundle / 'truth' / 'adres_tekst.csv'}', "
                  "all_varchar = true)")
        made = dict(s.rows(f"""
            SELECT k.methode, count(*) FILTER (WHERE k.verblijfsobject_id <> w.verblijfsobject_id) || '/' || count(*)
            FROM adres_koppeling k JOIN waar w USING (bron, record_sleutel)
            WHERE k.methode IN ('{CONTEXT_METHOD}', '{CORRECTION_METHOD}') GROUP BY 1
        """))
        filled = s.rows(f"SELECT adres_tekst FROM adres_koppeling WHERE methode = '{CONTEXT_METHOD}'")
        corrected = s.rows(f"SELECT adres_tekst, verblijfsobject_id FROM adres_koppeling "
                           f"WHERE methode = '{CORRECTION_METHOD}'")
        index = AddressIndex.from_store(s)
    wrong_filled, n_filled = map(int, made[CONTEXT_METHOD].split("/"))
    wrong_corrected, n_corrected = map(int, made.get(CORRECTION_METHOD, "0/0").split("/"))
    assert n_filled >= 5 and wrong_filled <= max(1, n_filled // 20), made
    assert wrong_corrected <= max(1, n_corrected // 20), made
    # filled links are ones the text alone left empty; corrected ones the text alone sent elsewhere
    assert all(match_address(t, index).verblijfsobject_id is None for (t,) in filled)
    assert all(match_address(t, index).verblijfsobject_id != v for t, v in corrected)
