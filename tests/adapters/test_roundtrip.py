"""Round trip: adapter output + manifest.json is a bundle the intake loader accepts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pandzicht.adapters.bag_xml import adapt_bag_xml
from pandzicht.adapters.gbav import adapt_gbav
from pandzicht.adapters.kortverblijf import adapt_kortverblijf
from pandzicht.contract.sources import CONTRACT_VERSION

from . import bagxml_factory as f

load = pytest.importorskip("pandzicht.intake.load", reason="intake loader (pandzicht.intake.load) not available yet")


def _manifest(bundle: Path, sources: list[str]) -> None:
    entry = {"leverancier": "test", "grondslag": "RIEC-convenant art. 5 (test)", "geleverd": "2024-07-01"}
    (bundle / "manifest.json").write_text(json.dumps({
        "contract": CONTRACT_VERSION, "region": "test", "peildatum": "2024-06-30",
        "sources": {s: entry for s in sources}}), encoding="utf-8")


def _bag_for_units(units: list[str], path: Path) -> None:
    """A synthetic BAG extract that holds exactly the given unit ids (so references resolve)."""
    objs = [f.opr("0599300000000001", "Teststraat", "3086"), f.wpl("3086", "Rotterdam"),
            f.pnd("0599100000000001", 1930)]
    for i, vid in enumerate(units):
        nid = f"0599200{i:09d}"
        objs.append(f.vbo(vid, nid, "0599100000000001", x=92000.0 + i, y=437000.0 + i))
        objs.append(f.num(nid, "0599300000000001", i + 1, "3011AB"))
    path.write_text(f.document(objs), encoding="utf-8")


def _ids(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [r[column] for r in csv.DictReader(fh)]


def test_adapter_bundle_loads(gbav_file: Path, listings_file: Path, tmp_path: Path, key: str) -> None:
    bundle = tmp_path / "bundel"
    brp = adapt_gbav(gbav_file, bundle)
    units = sorted(set(_ids(bundle / "brp_inschrijving.csv", "verblijfsobject_id")))
    _bag_for_units(units, tmp_path / "0599VBO.xml")
    bag = adapt_bag_xml(tmp_path / "0599VBO.xml", bundle)
    kv = adapt_kortverblijf(listings_file, bundle)
    _manifest(bundle, ["bag_verblijfsobject", "brp_inschrijving", "kortverblijf_advertentie"])
    for p in bundle.glob("*.adapterrapport.json"):
        p.rename(tmp_path / p.name)  # reports are not part of the bundle
    report = load.load_bundle(bundle, tmp_path / "store.duckdb")
    bronnen = report["bronnen"]
    assert bronnen["bag_verblijfsobject"]["geladen"] == bag["rijen"] == len(units)
    assert bronnen["brp_inschrijving"]["gelezen"] == brp["rijen"]
    assert bronnen["brp_inschrijving"]["geladen"] == brp["rijen"], bronnen["brp_inschrijving"]
    assert bronnen["kortverblijf_advertentie"]["geladen"] == kv["rijen"], bronnen["kortverblijf_advertentie"]


def test_real_bag_fixture_loads(bag_dir: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundel"
    bag = adapt_bag_xml(bag_dir, bundle)
    (bundle / "bag_verblijfsobject.adapterrapport.json").rename(tmp_path / "rapport.json")
    _manifest(bundle, ["bag_verblijfsobject"])
    report = load.load_bundle(bundle, tmp_path / "store.duckdb")
    assert report["bronnen"]["bag_verblijfsobject"]["geladen"] == bag["rijen"] == 1
    assert report["bronnen"]["bag_verblijfsobject"]["quarantaine"] == 0
