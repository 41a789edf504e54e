"""Issue 12, finding 3: a party's kind comes from its sources, never from a name pattern alone."""

from __future__ import annotations

from pandzicht.link.mentions import collect_mentions
from pandzicht.store.engine import Store


def _kinds(store: Store) -> dict[str, str]:
    collect_mentions(store)
    return {f"{b}/{k}": s for b, k, s in store.rows("SELECT bron, record_sleutel, soort FROM partij_vermelding")}


def test_company_looking_person_names_stay_persons() -> None:
    with Store() as store:
        store.execute("""CREATE TABLE raw_brp_inschrijving AS SELECT * FROM (VALUES
            ('P1', 'Henk', NULL, 'Bouw', DATE '2020-01-01', DATE '1970-02-03', '0599010000000001'),
            ('P2', 'Cees Victor', NULL, 'Jansen', DATE '2020-01-01', DATE '1980-04-05', '0599010000000002'))
            t(persoon_id, voornamen, voorvoegsel, geslachtsnaam, datum_aanvang, geboortedatum, verblijfsobject_id)""")
        store.execute("""CREATE TABLE raw_kvk_vestiging AS SELECT * FROM (VALUES
            ('12345678', 'Kade Vastgoed B.V.', '0599010000000003'))
            t(kvk_nummer, naam, verblijfsobject_id)""")
        store.execute("""CREATE TABLE raw_huurcontract AS SELECT * FROM (VALUES
            ('C1', 'Henk Bouw', NULL, NULL, 'C.V. Jansen', NULL, NULL, NULL, '0599010000000001'),
            ('C2', 'Jan de Groot Holding', NULL, DATE '1975-01-01', 'Kade Vastgoed', NULL, 'Stichting Kade Vastgoed',
             NULL, '0599010000000003'),
            ('C3', 'Piet Beheer', NULL, NULL, 'Onbekend Vastgoed B.V.', '87654321', NULL, NULL, '0599010000000004'),
            ('C4', 'Kade Vastgoed Zuid', NULL, NULL, 'St. Kade Vastgoedd', NULL, 'KadeVastgoed', NULL,
             '0599010000000005'))
            t(contract_id, huurder_naam, huurder_kvk, huurder_geboortedatum, verhuurder_naam, verhuurder_kvk,
              bemiddelaar_naam, bemiddelaar_kvk, verblijfsobject_id)""")
        kinds = _kinds(store)
    assert kinds["brp_inschrijving/P1"] == kinds["brp_inschrijving/P2"] == "persoon"
    # no evidence and no register knows the name: a person, whatever the name looks like
    assert kinds["huurcontract/C1:huurder"] == "persoon"  # 'Henk Bouw'
    assert kinds["huurcontract/C1:verhuurder"] == "persoon"  # 'C.V. Jansen'
    assert kinds["huurcontract/C3:huurder"] == "persoon"  # 'Piet Beheer'
    # a birth date means a person, even with 'Holding' in the name
    assert kinds["huurcontract/C2:huurder"] == "persoon"
    # a company a register knows, with or without its legal form; a KvK number means a company
    assert kinds["huurcontract/C2:verhuurder"] == "bedrijf"
    assert kinds["huurcontract/C2:bemiddelaar"] == "bedrijf"
    assert kinds["huurcontract/C3:verhuurder"] == "bedrijf"
    assert kinds["kvk_vestiging/12345678"] == "bedrijf"
    # written as a register knows it but abbreviated, mistyped or run together: that company
    assert kinds["huurcontract/C4:verhuurder"] == kinds["huurcontract/C4:bemiddelaar"] == "bedrijf"
    # another word than the register's ('Zuid', five letters more): no register knows it, a person
    assert kinds["huurcontract/C4:huurder"] == "persoon"
