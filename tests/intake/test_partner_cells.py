"""Cell content as partners' own exports write it, where the contract asks another form.

Each test names what the loader did before it read cells this way."""

from __future__ import annotations

import pytest
from intake_bundles import rows

from pandzicht.contract.sources import SOURCES
from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle

from bundles import minimal_bundle, valid_row, write_csv

BAG = SOURCES["bag_verblijfsobject"]


def test_a_bag_id_in_its_uri_form_is_read_as_its_16_digits(tmp_path):
    """BAG exports name objects `NL.IMBAG.Verblijfsobject.0599010000012345`. Before, every such BAG row was
    quarantined as `geen BAG-id van 16 cijfers`, every other source's rows as `onbekend in bag_verblijfsobject`, and
    an empty shortlist was published."""
    bundle = minimal_bundle(tmp_path / "b")
    units = [valid_row(BAG, i) for i in range(2)]
    units[0] = {**units[0], "verblijfsobject_id": "NL.IMBAG.Verblijfsobject." + units[0]["verblijfsobject_id"],
                "nummeraanduiding_id": "nl.imbag.nummeraanduiding." + units[0]["nummeraanduiding_id"],
                "pand_id": "NL.IMBAG.Pand." + units[0]["pand_id"]}
    third = valid_row(BAG, 2)
    units.append({**third, "verblijfsobject_id": "NL.IMBAG.Pand." + third["verblijfsobject_id"]})
    write_csv(bundle / "bag_verblijfsobject.csv", BAG.column_names, units)
    brp = SOURCES["brp_inschrijving"]
    ids = [valid_row(BAG, i)["verblijfsobject_id"] for i in (0, 1)]
    write_csv(bundle / "brp_inschrijving.csv", brp.column_names, [
        {**valid_row(brp, 0), "verblijfsobject_id": "NL.IMBAG.Verblijfsobject." + ids[0]},
        {**valid_row(brp, 1), "verblijfsobject_id": "NL.IMBAG.Ligplaats." + ids[1]}])
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]
    assert rows(tmp_path / "s.duckdb", "SELECT verblijfsobject_id, nummeraanduiding_id, pand_id "
                                       "FROM raw_bag_verblijfsobject ORDER BY 1") == [
        tuple(valid_row(BAG, i)[c] for c in ("verblijfsobject_id", "nummeraanduiding_id", "pand_id")) for i in (0, 1)]
    # a building's URI in the unit column is no unit: quarantined, not read
    assert report["bag_verblijfsobject"]["redenen"] == {"verblijfsobject_id: geen BAG-id van 16 cijfers": 1}
    assert report["brp_inschrijving"]["geladen"] == 2
    assert ("kolom 'verblijfsobject_id': 1 BAG-id in de URI-vorm (zoals NL.IMBAG.Verblijfsobject.0599010000012345) "
            "gelezen als de 16 cijfers erin; het contract vraagt alleen de 16 cijfers"
            in report["bag_verblijfsobject"]["waarschuwingen"])
    assert any(w.startswith("kolom 'verblijfsobject_id': 2 BAG-ids in de URI-vorm")
               for w in report["brp_inschrijving"]["waarschuwingen"])


def test_a_cell_that_says_it_has_no_value_is_empty(tmp_path):
    """`NULL` (a database export), `n.v.t.`, `-`, `onbekend`: before, `n.v.t.` in `bemiddelaar_naam` was an agent
    called 'n.v.t.' (hundreds of them, in the top of partijen.csv) and `NULL` in `datum_einde` quarantined the
    registration as `geen geldige datum`."""
    source = SOURCES["huurcontract"]
    cells = [{"bemiddelaar_naam": "n.v.t.", "datum_einde": "NULL"}, {"bemiddelaar_naam": "-", "huurprijs_eur": "null"},
             {"bemiddelaar_naam": "Onbekend", "verblijfsobject_id": "N.V.T.", "datum_einde": "0000-00-00"},
             {"bemiddelaar_naam": "NULL", "datum_aanvang": "NULL"},  # a required date: missing, not a bad date
             {"verhuurder_naam": "onbekend"}]  # a required text keeps its text, as before
    bundle = minimal_bundle(tmp_path / "b", extra={"huurcontract": [
        {**valid_row(source, 10 + i), **c} for i, c in enumerate(cells)]})
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["huurcontract"]
    assert entry["redenen"] == {"datum_aanvang: ontbreekt": 1}
    assert rows(tmp_path / "s.duckdb", "SELECT contract_id, bemiddelaar_naam, verblijfsobject_id, "
                                       "CAST(datum_einde AS VARCHAR), huurprijs_eur, verhuurder_naam "
                                       "FROM raw_huurcontract WHERE _rij > 3 ORDER BY _rij") == [
        ("k10", None, valid_row(source)["verblijfsobject_id"], None, 5, "x"),
        ("k11", None, valid_row(source)["verblijfsobject_id"], "2020-01-01", None, "x"),
        ("k12", None, None, None, 5, "x"),
        ("k14", "x", valid_row(source)["verblijfsobject_id"], "2020-01-01", 5, "onbekend")]
    assert ("kolom 'bemiddelaar_naam': 4 cellen met 'NULL', 'n.v.t.', '-', 'onbekend', 'geen' of 'n/a' (of een "
            "nuldatum als 0000-00-00) gelezen als leeg, het 'onbekend' van het contract" in entry["waarschuwingen"])


def test_an_end_date_of_9999_12_31_means_the_period_has_not_ended(tmp_path):
    """Registers and data warehouses close a running period with 9999-12-31. Before, every running registration was
    quarantined as `datum_einde: geen geldige datum` (the residents of an address dropped)."""
    source = SOURCES["brp_inschrijving"]
    cells = [{"datum_einde": "9999-12-31"}, {"datum_einde": "9999-12-31 00:00:00"},
             {"datum_einde": "2021-03-01"}, {"geboortedatum": "9999-12-31"}]  # not an end: still out of range
    bundle = minimal_bundle(tmp_path / "b", extra={"brp_inschrijving": [
        {**valid_row(source, 10 + i), "persoon_id": f"p{i}", **c} for i, c in enumerate(cells)]})
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["brp_inschrijving"]
    assert rows(tmp_path / "s.duckdb", "SELECT persoon_id, CAST(datum_einde AS VARCHAR) FROM raw_brp_inschrijving "
                                       "WHERE _rij > 3 ORDER BY _rij") == [
        ("p0", None), ("p1", None), ("p2", "2021-03-01")]
    assert entry["redenen"] == {"geboortedatum: geen geldige datum": 1}
    assert ("kolom 'datum_einde': 2 einddatums 9999-12-31 gelezen als leeg (nog niet beëindigd), zoals het contract "
            "dat schrijft" in entry["waarschuwingen"])


def test_a_bag_file_of_which_no_unit_loads_is_refused_naming_the_cause(tmp_path):
    """Before, a BAG file whose every row was quarantined (here: postcodes as words) loaded nothing, every other
    source went to quarantine as `onbekend in bag_verblijfsobject` (not their fault) and an empty shortlist was
    published, replacing the previous one, with exit code 0."""
    bundle = minimal_bundle(tmp_path / "b")
    write_csv(bundle / "bag_verblijfsobject.csv", BAG.column_names,
              [{**valid_row(BAG, i), "gemeente_code": "Rotterdam"} for i in range(3)])
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert str(err.value) == (
        "bag_verblijfsobject.csv: geen enkel verblijfsobject geladen, alle 3 rijen gaan in quarantaine (de meeste om "
        "'gemeente_code: geen gemeentecode als GM0599', 3 rijen); zonder adressen valt er niets te analyseren: "
        "verbeter het bestand en lever opnieuw")
    write_csv(bundle / "bag_verblijfsobject.csv", BAG.column_names, [])
    with pytest.raises(ContractError, match="^bag_verblijfsobject.csv: geen enkel verblijfsobject geladen, het "
                                            "bestand heeft alleen een kopregel;"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_a_postcode_with_a_space_or_in_lower_case_is_read_as_the_contract_writes_it(tmp_path):
    """PostNL writes `3011 AB`, many registrations `3011ab`. Before, every such BAG row was quarantined as `geen
    postcode als 3011AB` (a BAG file written so loaded no unit)."""
    bundle = minimal_bundle(tmp_path / "b")
    cells = ["3011 AB", "3011ab", "3011  ab", "3011AB", "3011 A B", "0311AB", "3011 ÄB"]
    write_csv(bundle / "bag_verblijfsobject.csv", BAG.column_names,
              [{**valid_row(BAG, i), "postcode": c} for i, c in enumerate(cells)])
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["bag_verblijfsobject"]
    assert [p for (p,) in rows(tmp_path / "s.duckdb", "SELECT postcode FROM raw_bag_verblijfsobject ORDER BY _rij")] \
        == ["3011AB"] * 4
    assert entry["redenen"] == {"postcode: geen postcode als 3011AB": 3}
    assert ("kolom 'postcode': 3 postcodes met een spatie of kleine letters (zoals 3011 ab) gelezen als 3011AB, de "
            "schrijfwijze van het contract" in entry["waarschuwingen"])


def test_a_kvk_number_or_bag_id_in_groups_of_digits_is_read_as_its_digits(tmp_path):
    """The KvK writes `12 34 56 78` and clerks copy it. Before, such a company was quarantined as `geen KvK-nummer van
    8 cijfers` and its officers with it as `onbekend in kvk_vestiging`."""
    kvk, officer = SOURCES["kvk_vestiging"], SOURCES["kvk_functionaris"]
    bundle = minimal_bundle(tmp_path / "b", extra={
        "kvk_vestiging": [{**valid_row(kvk, 5), "kvk_nummer": "87 65 43 21"},
                          {**valid_row(kvk, 6), "kvk_nummer": "8765.4322"},
                          {**valid_row(kvk, 7), "kvk_nummer": "765 43 23"}],  # 7 digits: no number, not guessed
        "kvk_functionaris": [{**valid_row(officer, 5), "functionaris_id": "f5", "kvk_nummer": "87654321"}]})
    unit = valid_row(BAG, 0)["verblijfsobject_id"]
    brp = SOURCES["brp_inschrijving"]
    write_csv(bundle / "brp_inschrijving.csv", brp.column_names,
              [{**valid_row(brp, 0), "verblijfsobject_id": f"{unit[:4]} {unit[4:8]} {unit[8:12]} {unit[12:]}"}])
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]
    assert rows(tmp_path / "s.duckdb", "SELECT kvk_nummer FROM raw_kvk_vestiging WHERE _rij > 3 ORDER BY _rij") == [
        ("87654321",), ("87654322",)]
    assert report["kvk_vestiging"]["redenen"] == {"kvk_nummer: geen KvK-nummer van 8 cijfers": 1}
    assert report["kvk_functionaris"]["quarantaine"] == 0 and report["brp_inschrijving"]["geladen"] == 1
    warnings = report["kvk_vestiging"]["waarschuwingen"]
    assert ("kolom 'kvk_nummer': 2 nummers in groepjes cijfers (zoals 12 34 56 78 of 1234.5678) gelezen als alleen de "
            "cijfers; het contract vraagt de cijfers zonder spaties of punten" in warnings)


def test_a_date_in_a_month_column_is_read_as_its_month(tmp_path):
    """A database stores a period as a date. Before, every such energy row was quarantined as `periode: geen geldige
    maand (JJJJ-MM)` (a whole grid operator's file), while Parquet and workbook dates were read as their month."""
    source = SOURCES["energie_verbruik"]
    cells = ["2023-01-01", "2023-02-28 00:00:00", "2023-03-31T00:00:00", "2023-02-30", "2023-13-01"]
    bundle = minimal_bundle(tmp_path / "b", extra={"energie_verbruik": [
        {**valid_row(source, 0), "periode": c} for c in cells]})
    entry = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["energie_verbruik"]
    assert rows(tmp_path / "s.duckdb", "SELECT periode FROM raw_energie_verbruik WHERE _rij > 3 ORDER BY _rij") == [
        ("2023-01",), ("2023-02",), ("2023-03",)]
    assert entry["redenen"] == {"periode: geen geldige maand (JJJJ-MM)": 2}
    assert ("kolom 'periode': 3 datums (zoals 2024-01-01) gelezen als hun maand (2024-01); het contract vraagt JJJJ-MM"
            in entry["waarschuwingen"])
