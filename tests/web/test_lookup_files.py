"""The lookup tables written at publication (web/lookup_files.py): `analyse` writes them into the version folder,
and a store opened on them answers exactly what one that builds them in memory (the fallback) answers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pandzicht.publish import current_version
from pandzicht.web.analysis import AnalysisStore, _builder_fingerprint
from pandzicht.web.lookup_files import FOLDER, META, folder_of, read_lookups
from pandzicht.web.search import SearchIndex

from .conftest import SECRET


def _uses_files(store: AnalysisStore) -> bool:
    return "lk" in {r["database_name"] for r in store.rows("SELECT database_name FROM duckdb_databases()")}


@pytest.fixture(scope="module")
def pair(world: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The published store opened on its files, and a copy of the same store without them (builds in memory)."""
    bare = tmp_path_factory.mktemp("zonder-opzoek") / "pandzicht.duckdb"
    shutil.copy2(os.path.realpath(world["db"]), bare)
    mapped, built = AnalysisStore(world["out"]), AnalysisStore(bare, write_missing=False)
    yield mapped, built
    mapped.close()
    built.close()


def test_analyse_writes_the_files_into_the_published_version(world: dict[str, Path]) -> None:
    version = current_version(world["out"])
    assert version is not None and folder_of(world["db"]) == version / FOLDER
    assert (version / FOLDER / META).is_file()
    found = read_lookups(world["db"], _builder_fingerprint())
    assert found is not None and {"rel_van", "rel_naar", "unit_adres", "unit_energie", "partij_score"} <= set(
        found.indexes)
    assert all(p.stat().st_mode & 0o077 == 0 for p in (version / FOLDER).iterdir())  # owner-only, like the store


def test_the_mapped_indexes_equal_the_ones_built_in_memory(pair) -> None:  # type: ignore[no-untyped-def]
    mapped, built = pair
    assert _uses_files(mapped) and not _uses_files(built)
    assert {"partij_kort", "unit_adres", "zoek_adres", "zoek_bedrijf", "zoek_kvk"} <= mapped.lookup_tables
    assert not built.lookup_tables
    assert set(mapped._index) == set(built._index) and mapped._n_scored == built._n_scored > 0
    for name, a in mapped._index.items():
        b = built._index[name]
        assert a.table.equals(b.table), name
        assert np.array_equal(a.keys, b.keys), name
        for x, y in ((a.order, b.order), (a.starts, b.starts)):
            assert (x is None) == (y is None) and (x is None or np.array_equal(x, y)), name
    for table in ("partij_kort", "unit_adres", "energie_norm"):
        sql = f"SELECT * FROM memory.{table} ORDER BY ALL"  # their order within a key is not promised
        assert mapped.rows(sql) == built.rows(sql), table


def test_dossier_overview_network_and_search_answer_the_same(pair) -> None:  # type: ignore[no-untyped-def]
    mapped, built = pair
    top = [r["verblijfsobject_id"] for r in built.top_units(limit=15)]
    units = top + [r["verblijfsobject_id"] for r in built.rows(
        "SELECT verblijfsobject_id FROM raw_bag_verblijfsobject ORDER BY verblijfsobject_id LIMIT 10")]
    for vbo in [*units, "0000000000000000"]:
        assert mapped.unit(vbo) == built.unit(vbo)
        assert mapped.unit_timeline(vbo) == built.unit_timeline(vbo)
        assert mapped.energy(vbo) == built.energy(vbo)
    assert mapped.unit_addresses(units) == built.unit_addresses(units)
    wijk = built.wijken()[0]["wijk_code"]
    kind = built.one("SELECT vermoeden FROM adres_score WHERE vermoeden <> '' LIMIT 1")["vermoeden"]
    for kw in ({}, {"offset": 20}, {"wijk": wijk}, {"vermoeden": kind}, {"wijk": wijk, "vermoeden": kind},
               {"bron": "politie_incident"}):
        assert mapped.top_units(limit=20, **kw) == built.top_units(limit=20, **kw), kw
    parties = [r["entiteit_id"] for r in built.top_parties(limit=15)]
    assert parties and mapped.top_parties(limit=15) == built.top_parties(limit=15)
    assert mapped.top_parties(limit=10, wijk=wijk) == built.top_parties(limit=10, wijk=wijk)
    assert mapped.top_parties(limit=10, rol="verhuurder", wijk=wijk) == built.top_parties(
        limit=10, rol="verhuurder", wijk=wijk)
    for pid in parties:
        assert mapped.party(pid) == built.party(pid)
        assert mapped.portfolio(pid) == built.portfolio(pid)
        assert mapped.officers(pid) == built.officers(pid)
        assert mapped.phoenix_history(pid) == built.phoenix_history(pid)
    nodes = parties + top
    edges = built.edges_touching(nodes, per_node=5)
    assert edges and mapped.edges_touching(nodes, per_node=5) == edges
    assert mapped.degrees(nodes) == built.degrees(nodes)
    assert mapped.party_scores(nodes) == built.party_scores(nodes)
    assert mapped.party_refs(nodes) == built.party_refs(nodes)
    first = built.unit(top[0])
    street = first["openbare_ruimte"]
    queries = [first["postcode"], f"{street} {first['huisnummer']}", street[:5], top[0], "bv", "holding"]
    found_mapped, found_built = SearchIndex(mapped, SECRET), SearchIndex(built, SECRET)
    for q in queries:
        assert found_mapped.search(q, lambda p: p.naam) == found_built.search(q, lambda p: p.naam)
        assert mapped.search_addresses(q) == built.search_addresses(q)
    assert any(found_built.search(q, lambda p: p.naam) for q in queries)


def test_files_of_another_store_or_damaged_files_are_not_used(world: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "versie"
    shutil.copytree(Path(os.path.realpath(world["db"])).parent, copy)  # copy2: same size and mtime
    with_files = AnalysisStore(copy)
    assert _uses_files(with_files)
    with_files.close()
    st = (copy / "pandzicht.duckdb").stat()
    os.utime(copy / "pandzicht.duckdb", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    changed = AnalysisStore(copy, write_missing=False)  # the store file is not the one the files were written for
    assert not _uses_files(changed) and changed.top_units(limit=3)
    changed.close()
    os.utime(copy / "pandzicht.duckdb", ns=(st.st_atime_ns, st.st_mtime_ns))
    next((copy / FOLDER).glob("*.volgorde.npy")).unlink()
    damaged = AnalysisStore(copy, write_missing=False)
    assert not _uses_files(damaged) and damaged.top_units(limit=3)
    damaged.close()
    rewritten = AnalysisStore(copy)  # allowed to write: the damaged folder is replaced whole
    assert _uses_files(rewritten) and read_lookups(copy / "pandzicht.duckdb", _builder_fingerprint()) is not None
    rewritten.close()
