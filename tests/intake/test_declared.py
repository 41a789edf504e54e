"""The manifest declares what was sent (`rijen`, `sha256`); a file that does not match refuses the bundle.

Issue 12, finding 1: a BRP file cut in half mid-row loaded with exit 0 (one row quarantined, no warning), and
an indicator then fired on a thousand homes instead of nine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pyarrow.parquet as pq
import pytest
from intake_bundles import bundle_with, header_line, melding_line

from pandzicht.contract.manifest import declaration, file_sha256
from pandzicht.errors import ContractError
from pandzicht.intake.load import load_bundle
from pandzicht.synth import generate

from bundles import minimal_bundle


def melding_file(n: int, final: bool = True) -> bytes:
    return (header_line() + "\n" + "\n".join(melding_line(i) for i in range(n)) + ("\n" if final else "")).encode()


def snapshot(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    finally:
        con.close()


def test_a_file_that_matches_its_declaration_loads(tmp_path):
    data = melding_file(5)
    bundle = bundle_with(tmp_path / "b", {"melding.csv": data})
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["sources"]["melding"].update(declaration(bundle / "melding.csv", 5))
    manifest["sources"]["melding"]["sha256"] = manifest["sources"]["melding"]["sha256"].upper()  # as Windows prints it
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["melding"]["geladen"] == 5


def test_fewer_rows_than_declared_refuses_the_bundle_naming_source_and_counts(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": melding_file(3)}, declare={"melding": {"rijen": 5}})
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert str(err.value) == ("melding.csv: geweigerd, manifest.json noemt 5 rijen maar het bestand heeft er 3 "
                              "(onvolledig overgekomen of een ander bestand)")


def test_quarantined_rows_count_as_delivered_rows(tmp_path):
    data = melding_file(3) + b"k7,kapot\n" + b"\n"  # a malformed line is a row; an empty line at the end is not
    bundle = bundle_with(tmp_path / "b", {"melding.csv": data}, declare={"melding": {"rijen": "4"}})
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["melding"]
    assert (report["gelezen"], report["quarantaine"]) == (4, 1)


def test_a_cut_last_line_is_no_delivered_row(tmp_path):
    """The half row is read and quarantined, but with rows declared the file is refused: the declared rows did
    not all arrive whole, even where the half row would make the count."""
    data = melding_file(4, final=False)[:-20]
    bundle = bundle_with(tmp_path / "b", {"melding.csv": data}, declare={"melding": {"rijen": 4}})
    with pytest.raises(ContractError, match=r"noemt 4 rijen maar het bestand heeft er 3 en een afgebroken laatste "
                                            r"regel"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_another_checksum_refuses_the_bundle_naming_both(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": melding_file(3)}, declare={"melding": {"sha256": "ab" * 32}})
    actual = file_sha256(bundle / "melding.csv")
    with pytest.raises(ContractError) as err:
        load_bundle(bundle, tmp_path / "s.duckdb")
    assert str(err.value) == (f"melding.csv: geweigerd, sha256 in manifest.json is {'ab' * 32} maar het bestand heeft "
                              f"{actual} (onvolledig overgekomen of een ander bestand)")


def test_a_refused_declaration_leaves_the_store_as_it_was(tmp_path):
    """The row count is known only once the file is read, inside the load's transaction: it rolls back."""
    db = tmp_path / "s.duckdb"
    load_bundle(minimal_bundle(tmp_path / "good"), db)
    before = snapshot(db)
    bundle = minimal_bundle(tmp_path / "bad", n_valid=3)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["sources"]["handhaving_uitkomst"]["rijen"] = 2  # it holds 3; the last source loaded
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match="handhaving_uitkomst.csv: geweigerd, manifest.json noemt 2 rijen"):
        load_bundle(bundle, db)
    assert snapshot(db) == before


def test_a_declared_file_that_is_missing_refuses_the_bundle(tmp_path):
    bundle = bundle_with(tmp_path / "b", {"melding.csv": melding_file(2)}, declare={"politie_incident": {"rijen": 7}})
    with pytest.raises(ContractError, match=r"^politie_incident: manifest.json beschrijft dit bestand"):
        load_bundle(bundle, tmp_path / "s.duckdb")


def test_parquet_rows_and_checksum_are_checked(tmp_path):
    import pyarrow as pa

    bundle = bundle_with(tmp_path / "b", {})
    pq.write_table(pa.table({"melding_id": ["k1"], "datum": ["2020-01-01"], "bron_type": ["buurtbewoner"],
                             "categorieen": ["stank"]}), bundle / "melding.parquet")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["sources"]["melding"] = {"grondslag": "RIEC-convenant", **declaration(bundle / "melding.parquet", 1)}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["melding"]["geladen"] == 1
    manifest["sources"]["melding"]["rijen"] = 2
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match="melding.parquet: geweigerd, manifest.json noemt 2 rijen maar het "
                                            "bestand heeft er 1"):
        load_bundle(bundle, tmp_path / "s.duckdb")
    manifest["sources"]["melding"].update(rijen=1, sha256="0" * 64)
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match="melding.parquet: geweigerd, sha256 in manifest.json is 0{64}"):
        load_bundle(bundle, tmp_path / "s.duckdb")


# The probe of issue 12 on a demo world.


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "bundel"
    generate(path, 400, 12, "base")
    return path


def cut_brp_in_half(world, target, declare: bool):
    """A copy of the world whose BRP file stops halfway, in the middle of a row."""
    shutil.copytree(world, target, ignore=shutil.ignore_patterns("truth"))
    brp = target / "brp_inschrijving.csv"
    data = brp.read_bytes()
    rows = data.count(b"\n") - 1
    half = data.rfind(b"\n", 0, len(data) // 2) + 1 + 20  # 20 bytes into the row that straddles the middle
    if declare:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        manifest["sources"]["brp_inschrijving"].update(declaration(brp, rows))
        (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    brp.write_bytes(data[:half])
    return target, rows, data[:half].count(b"\n") - 1


def cli_load(bundle, db):
    return subprocess.run([sys.executable, "-m", "pandzicht.cli", "load", str(bundle), "--db", str(db)],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})


def test_probe_brp_cut_in_half_is_refused_when_its_rows_are_declared(world, tmp_path):
    bundle, rows, whole = cut_brp_in_half(world, tmp_path / "b", declare=True)
    done = cli_load(bundle, tmp_path / "s.duckdb")
    assert done.returncode == 1
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    # The checksum is checked first, before anything is read: it names both checksums.
    assert err.startswith("fout: brp_inschrijving.csv: geweigerd, sha256 in manifest.json is ")
    # With only the row count declared, the count names both counts.
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    del manifest["sources"]["brp_inschrijving"]["sha256"]
    (bundle / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    done = cli_load(bundle, tmp_path / "s.duckdb")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"fout: brp_inschrijving.csv: geweigerd, manifest.json noemt {rows} rijen maar het bestand heeft er {whole} "
        "en een afgebroken laatste regel (onvolledig overgekomen of een ander bestand)")


def test_probe_brp_cut_in_half_without_declaration_loads_with_a_warning(world, tmp_path):
    bundle, _, whole = cut_brp_in_half(world, tmp_path / "b", declare=False)
    report = load_bundle(bundle, tmp_path / "s.duckdb")["bronnen"]["brp_inschrijving"]
    assert report["redenen"].get("rij: laatste regel afgebroken") == 1
    [warning] = report["waarschuwingen"]
    assert warning.startswith(f"rij {whole + 2}, de laatste regel, is afgebroken")
    done = cli_load(bundle, tmp_path / "s2.duckdb")
    assert done.returncode == 0
    assert "let op: brp_inschrijving: rij" in " ".join(done.stdout.split())
