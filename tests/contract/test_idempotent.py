"""Loads are idempotent and transactional."""

from __future__ import annotations

import duckdb
import pytest

from pandzicht.contract.sources import SOURCES
from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle

from bundles import minimal_bundle, valid_row


def snapshot(db) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db))
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    out = {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    con.close()
    return out


def test_loading_twice_leaves_identical_tables(tmp_path):
    broken = {**valid_row(SOURCES["melding"], 9), "datum": "gisteren"}
    bundle = minimal_bundle(tmp_path / "b", extra={"melding": [broken]})
    db = tmp_path / "s.duckdb"
    first = load_bundle(bundle, db)
    once = snapshot(db)
    second = load_bundle(bundle, db)
    assert first == second
    assert snapshot(db) == once
    assert "quarantine_melding" in once and len(once["quarantine_melding"]) == 1


def test_refused_load_leaves_store_unchanged(tmp_path):
    db = tmp_path / "s.duckdb"
    load_bundle(minimal_bundle(tmp_path / "good"), db)
    before = snapshot(db)
    bad = minimal_bundle(tmp_path / "bad", n_valid=3)
    (bad / "politie_betrokkene.csv").write_text(
        (bad / "politie_betrokkene.csv").read_text().replace("rol\n", "rol,nationaliteit\n", 1))
    with pytest.raises(ContractError):
        load_bundle(bad, db)
    assert snapshot(db) == before


def test_failure_midway_rolls_back(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    load_bundle(minimal_bundle(tmp_path / "good"), db)
    before = snapshot(db)
    import pandzicht.intake.load as loader

    real = loader._load_source

    def failing(store, f, peildatum, loaded):
        if f.source.name == "melding":
            raise RuntimeError("disk full")
        return real(store, f, peildatum, loaded)

    monkeypatch.setattr(loader, "_load_source", failing)
    with pytest.raises(RuntimeError):
        load_bundle(minimal_bundle(tmp_path / "bigger", n_valid=4), db)
    assert snapshot(db) == before
