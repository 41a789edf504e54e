"""The independent world generator (pandzicht.altworld): loadable, truthful, deterministic, variants as documented."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pandzicht.altworld import generate
from pandzicht.cli import app
from pandzicht.contract.sources import SOURCES, TYPOLOGIES
from pandzicht.intake.load import load_bundle

SOURCE_NAMES = [s for s in SOURCES if s != "kortverblijf_advertentie"]
MENTION_KEY = {"brp_inschrijving": "persoon_id", "kadaster_eigendom": "eigendom_id", "kvk_vestiging": "kvk_nummer",
               "kvk_functionaris": "functionaris_id", "politie_betrokkene": "betrokkene_id"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("alt") / "bundel"
    generate(out, 600, 3, "base")
    return out


def _assert_loads_clean(bundle: Path, db: Path) -> dict:
    report = load_bundle(bundle, db)
    for name in SOURCE_NAMES:
        entry = report["bronnen"][name]
        assert entry["quarantaine"] == 0, (name, entry)
        assert entry["gelezen"] == entry["geladen"] == len(_rows(bundle / f"{name}.csv")), name
    return report


def test_every_source_loads_without_quarantine(bundle: Path, tmp_path: Path) -> None:
    report = _assert_loads_clean(bundle, tmp_path / "db.duckdb")
    assert all(report["bronnen"][n]["geladen"] > 0 for n in SOURCE_NAMES)


def test_truth_agrees_with_the_bundle(bundle: Path) -> None:
    units = {r["verblijfsobject_id"]: r for r in _rows(bundle / "bag_verblijfsobject.csv")}
    homes = [u for u in units.values() if "woonfunctie" in u["gebruiksdoel"]]
    truth = _rows(bundle / "truth" / "adres_typologie.csv")
    assert truth and all(t["verblijfsobject_id"] in units and t["typologie"] in TYPOLOGIES for t in truth)
    assert all("woonfunctie" in units[t["verblijfsobject_id"]]["gebruiksdoel"] for t in truth)
    assert 0.005 <= len(truth) / len(homes) <= 0.02
    # every party mention in the truth is a record of the bundle, and every record has a truth
    keys = {(r["bron"], r["record_sleutel"]): r["ware_persoon"]
            for r in _rows(bundle / "truth" / "persoon_sleutel.csv")}
    present = set()
    for source, column in MENTION_KEY.items():
        present |= {(source, r[column]) for r in _rows(bundle / f"{source}.csv")}
    for r in _rows(bundle / "huurcontract.csv"):
        present |= {("huurcontract", f"{r['contract_id']}:{role}") for role in ("huurder", "verhuurder", "bemiddelaar")
                    if r[f"{role}_naam"]}
    assert set(keys) == present
    # a person keeps one BRP token; a malafide party is a party the bundle mentions
    brp = {}
    for r in _rows(bundle / "brp_inschrijving.csv"):
        assert brp.setdefault(r["persoon_id"], keys[("brp_inschrijving", r["persoon_id"])]) == \
            keys[("brp_inschrijving", r["persoon_id"])]
    malafide = _rows(bundle / "truth" / "malafide_partij.csv")
    roles = Counter(m["rol"] for m in malafide)
    assert 2 <= roles["bemiddelaar"] <= 3 and roles["verhuurder"] >= 1
    assert {m["ware_persoon"] for m in malafide} <= set(keys.values())
    companies = {r["kvk_nummer"] for r in _rows(bundle / "kvk_vestiging.csv")}
    assert all(m["kvk_nummer"] in companies for m in malafide if m["kvk_nummer"])
    # text-only addresses: the truth names the unit, the record carries no BAG id
    by_source = {s: {r[k]: r for r in _rows(bundle / f"{s}.csv")}
                 for s, k in (("melding", "melding_id"), ("politie_incident", "incident_id"),
                              ("huurcontract", "contract_id"))}
    texts = _rows(bundle / "truth" / "adres_tekst.csv")
    assert texts
    for t in texts:
        rec = by_source[t["bron"]][t["record_sleutel"]]
        assert not rec["verblijfsobject_id"] and rec["adres_tekst"] and t["verblijfsobject_id"] in units
    outcomes = Counter(r["bevinding"] for r in _rows(bundle / "handhaving_uitkomst.csv"))
    assert outcomes["niets_gevonden"] > sum(v for k, v in outcomes.items() if k != "niets_gevonden") / 2
    world = json.loads((bundle / "truth" / "wereld.json").read_text(encoding="utf-8"))
    assert world["generator"] == "onafhankelijk" and sum(world["typologie"].values()) == len(truth)


def _digests(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", 400, 9, "noisy")
    generate(tmp_path / "b", 400, 9, "noisy")
    generate(tmp_path / "c", 400, 10, "noisy")
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys() and a != c


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("varianten")
    for v in ("base", "quiet", "noisy"):
        generate(base / v, 1500, 4, v)
    return {v: base / v for v in ("base", "quiet", "noisy")}


def _text_only_share(bundle: Path) -> float:
    """Tips, police registrations and landlord-register contracts without a BAG id (corporations keep theirs)."""
    rows = [r for s in ("melding", "politie_incident", "huurcontract") for r in _rows(bundle / f"{s}.csv")
            if s != "huurcontract" or "register" in r["bron"]]
    return sum(1 for r in rows if not r["verblijfsobject_id"]) / len(rows)


def test_quiet_shares_less(variants: dict[str, Path]) -> None:
    def count(v: str, source: str) -> int:
        return len(_rows(variants[v] / f"{source}.csv"))

    assert count("quiet", "melding") < 0.7 * count("base", "melding")
    assert count("quiet", "politie_incident") < 0.75 * count("base", "politie_incident")
    assert count("quiet", "energie_verbruik") < 0.75 * count("base", "energie_verbruik")


def test_noisy_is_sloppier_and_has_more_lookalikes(variants: dict[str, Path]) -> None:
    assert _text_only_share(variants["noisy"]) > _text_only_share(variants["base"]) + 0.15
    odd = {v: sum(json.loads((p / "truth" / "wereld.json").read_text())["opvallend_onschuldig"].values())
           for v, p in variants.items()}
    assert odd["noisy"] > 1.5 * odd["base"]
    # more mentions spelled unlike the registered name: contract tenants that are BRP persons
    def odd_names(v: str) -> float:
        names = {}
        for r in _rows(variants[v] / "brp_inschrijving.csv"):
            names[r["persoon_id"]] = " ".join(x for x in (r["voornamen"].split()[0], r["voorvoegsel"],
                                                           r["geslachtsnaam"]) if x)
        keys = {(r["bron"], r["record_sleutel"]): r["ware_persoon"]
                for r in _rows(variants[v] / "truth" / "persoon_sleutel.csv")}
        by_person = {keys[("brp_inschrijving", t)]: n for t, n in names.items()}
        seen = [(r["huurder_naam"], by_person.get(keys[("huurcontract", r["contract_id"] + ":huurder")]))
                for r in _rows(variants[v] / "huurcontract.csv")]
        seen = [(a, b) for a, b in seen if b]
        return sum(1 for a, b in seen if a not in (b, b.upper())) / len(seen)

    assert odd_names("noisy") > odd_names("base")


def test_cli_writes_the_independent_world(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo-world", str(tmp_path / "w"), "--units", "300", "--seed", "2",
                                      "--generator", "onafhankelijk", "--variant", "quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "w" / "truth" / "wereld.json").read_text())["variant"] == "quiet"
    bad = CliRunner().invoke(app, ["demo-world", str(tmp_path / "x"), "--units", "300", "--generator", "ander"])
    assert bad.exit_code != 0 and "onbekend" in bad.output


@settings(max_examples=5)
@given(seed=st.integers(0, 10**6), units=st.integers(120, 400), variant=st.sampled_from(["base", "quiet", "noisy"]))
def test_any_world_loads_clean(tmp_path_factory, seed: int, units: int, variant: str) -> None:
    folder = tmp_path_factory.mktemp("eigenschap")
    generate(folder / "bundel", units, seed, variant)
    _assert_loads_clean(folder / "bundel", folder / "db.duckdb")
