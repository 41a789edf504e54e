"""A continued delivery copies a source's tables from the previous store only when nothing that decides them
changed; anything else is read from its file, and the tables are always those a fresh read gives."""

from __future__ import annotations

import json

import duckdb
import pytest

from pandzicht.contract.sources import LOAD_ORDER, SOURCES
from pandzicht.intake.load import FINGERPRINT_TABLE, load_bundle, taken_over
from pandzicht.store.engine import Store

from bundles import minimal_bundle, valid_row


def tables(db) -> dict[str, list[tuple]]:
    """Every raw and quarantine table of a store, in stored order."""
    con = duckdb.connect(str(db), read_only=True)
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_name LIKE 'raw_%' OR table_name LIKE 'quarantine_%'").fetchall()]
    out = {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in sorted(names)}
    con.close()
    return out


def load(bundle, db, previous=None) -> tuple[dict, list[str]]:
    with Store(db) as store:
        report = load_bundle(bundle, store, previous=previous)
        return report, taken_over(store)


@pytest.fixture
def first(tmp_path):
    broken = {**valid_row(SOURCES["melding"], 9), "datum": "gisteren"}
    bundle = minimal_bundle(tmp_path / "b1", extra={"melding": [broken]}, n_valid=3)
    db = tmp_path / "eerste.duckdb"
    load(bundle, db)
    return bundle, db


def test_an_identical_bundle_is_taken_over_whole_with_the_same_tables_and_report(first, tmp_path):
    bundle, db = first
    fresh_report, none = load(bundle, tmp_path / "vers.duckdb")
    report, taken = load(bundle, tmp_path / "vervolg.duckdb", previous=db)
    assert none == [] and taken == list(LOAD_ORDER)
    assert report == fresh_report
    assert tables(tmp_path / "vervolg.duckdb") == tables(tmp_path / "vers.duckdb")
    assert report["bronnen"]["melding"]["quarantaine"] == 1  # the quarantine comes along


def test_a_changed_file_is_read_again_and_so_are_the_sources_checked_against_it(first, tmp_path):
    bundle, db = first
    path = bundle / "politie_incident.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # drop incident I1: the betrokkenen of I1 now break their reference check
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n", encoding="utf-8")
    report, taken = load(bundle, tmp_path / "vervolg.duckdb", previous=db)
    fresh_report, _ = load(bundle, tmp_path / "vers.duckdb")
    assert "politie_incident" not in taken
    assert "politie_betrokkene" not in taken  # its file is the same, the table it is checked against is not
    assert "bag_verblijfsobject" in taken and "melding" in taken
    assert report == fresh_report
    assert tables(tmp_path / "vervolg.duckdb") == tables(tmp_path / "vers.duckdb")
    assert report["bronnen"]["politie_betrokkene"]["quarantaine"] > 0


def test_a_new_peildatum_rereads_what_a_rule_checks_against_it(first, tmp_path):
    bundle, db = first
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["peildatum"] = "2019-12-31"  # before the rows' dates: those checked against it go to quarantine
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report, taken = load(bundle, tmp_path / "vervolg.duckdb", previous=db)
    fresh_report, _ = load(bundle, tmp_path / "vers.duckdb")
    assert "melding" not in taken and "brp_inschrijving" not in taken  # dates not after the peildatum
    assert "bag_verblijfsobject" in taken  # no rule of it reads the peildatum
    assert report == fresh_report
    assert tables(tmp_path / "vervolg.duckdb") == tables(tmp_path / "vers.duckdb")


def test_tables_changed_since_their_load_are_not_taken_over(first, tmp_path):
    bundle, db = first
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM raw_melding WHERE _rij = 2")  # as retention or an erasure would
    con.close()
    _, taken = load(bundle, tmp_path / "vervolg.duckdb", previous=db)
    load(bundle, tmp_path / "vers.duckdb")
    assert "melding" not in taken and "bag_verblijfsobject" in taken
    assert tables(tmp_path / "vervolg.duckdb") == tables(tmp_path / "vers.duckdb")


def test_a_store_without_fingerprints_takes_nothing_over(first, tmp_path):
    bundle, db = first
    con = duckdb.connect(str(db))
    con.execute(f"DROP TABLE {FINGERPRINT_TABLE}")  # an analysis from before fingerprints were kept
    con.close()
    _, taken = load(bundle, tmp_path / "vervolg.duckdb", previous=db)
    assert taken == []
    assert tables(tmp_path / "vervolg.duckdb") == tables(db)
