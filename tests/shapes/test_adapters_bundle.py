"""The first real-format data a partner would send: the project's own adapters on the real fixtures, plus a
manifest, analysed end to end (issue 11: this bundle stopped `analyse`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bundle_shapes import Analysed, assert_sound, read

from pandzicht.adapters.bag_xml import adapt_bag_xml
from pandzicht.adapters.gbav import adapt_gbav
from pandzicht.adapters.kortverblijf import adapt_kortverblijf
from pandzicht.contract.sources import CONTRACT_VERSION
from pandzicht.pipeline import analyse

SOURCES = ("bag_verblijfsobject", "brp_inschrijving", "kortverblijf_advertentie")


def _manifest(bundle: Path) -> None:
    entry = {"leverancier": "echte testbestanden", "grondslag": "RIEC-convenant art. 5 (test)",
             "geleverd": "2024-07-01"}
    (bundle / "manifest.json").write_text(json.dumps({
        "contract": CONTRACT_VERSION, "region": "echte testbestanden", "peildatum": "2024-06-30",
        "sources": dict.fromkeys(SOURCES, entry)}), encoding="utf-8")


@pytest.mark.slow
def test_adapter_bundle_from_the_real_fixtures_is_analysed(real_data, checker, tmp_path, monkeypatch):
    monkeypatch.setenv("PANDZICHT_PSEUDONIEM_SLEUTEL", "test-sleutel-niet-voor-productie-0123")
    gbav = real_data / "brp-gbav-testset" / "20220502_Testset_persoonslijsten_proefomgeving_GBA-V.csv"
    listings = real_data / "kortverblijf-rotterdam" / "listings_summary.csv"
    bag_dir = real_data / "bag-xml-doesburg"
    for path in (gbav, listings, bag_dir):
        if not path.exists():
            pytest.skip(f"real fixture not found at {path}")
    bundle = tmp_path / "bundel"
    bag = adapt_bag_xml(bag_dir, bundle)
    brp = adapt_gbav(gbav, bundle)
    kv = adapt_kortverblijf(listings, bundle)
    for p in bundle.glob("*.adapterrapport.json"):
        p.rename(tmp_path / p.name)  # the adapters' reports are for the data steward, not part of the bundle
    _manifest(bundle)

    a = Analysed(bundle, tmp_path / "uitvoer", analyse(bundle, tmp_path / "uitvoer"))
    assert_sound(a)
    report = a.report["bronnen"]
    assert report["bag_verblijfsobject"]["geladen"] == bag["rijen"] > 0
    assert report["brp_inschrijving"]["gelezen"] == brp["rijen"] > 0
    assert report["kortverblijf_advertentie"]["geladen"] == kv["rijen"] > 0
    # the test persons live at Rotterdam units the Doesburg extract does not hold: quarantined, with the reason
    units = {r["verblijfsobject_id"] for r in read(bundle, "bag_verblijfsobject")[1]}
    elsewhere = sum(r["verblijfsobject_id"] not in units for r in read(bundle, "brp_inschrijving")[1])
    assert report["brp_inschrijving"]["quarantaine"] == elsewhere
    assert report["brp_inschrijving"]["redenen"].get("verblijfsobject_id: onbekend in bag_verblijfsobject") \
        == elsewhere
    assert "kortverblijf_onvergund" in a.result.indicators["berekend"]
    assert len(a.rows("adressen.csv")) == len(units)
    assert "partijen.model" in a.fallbacks  # no party mentions to learn a model from, and the report says so
