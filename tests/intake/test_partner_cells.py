"""Cell content as partners' own exports write it, where the contract asks another form.

Each test names what the loader did before it read cells this way."""

from __future__ import annotations

from intake_bundles import rows

from pandzicht.contract.sources import SOURCES
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
