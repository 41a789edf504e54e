"""Stable entity ids: the SQL-first assignment gives exactly the greedy answer over all clusters.

`keep_entity_ids` decides the one-to-one clusters in SQL and sends only merges, splits and names issued
before through Python; the reference below is the plain rule of the module docstring applied to every
cluster, so any shortcut that changes an id fails here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pandzicht.link.stable_ids import HISTORY, assign_ids, fresh_id, keep_entity_ids
from pandzicht.store.engine import Store

KEYS = [f"r{i:02d}" for i in range(24)]


def _entities(store: Store, table: str, clusters: list[tuple[str, str]]) -> None:
    store.write_arrow(table, pa.table({
        "bron": pa.array(["brp_inschrijving"] * len(clusters), pa.string()),
        "record_sleutel": pa.array([k for k, _ in clusters], pa.string()),
        "entiteit_id": pa.array([c for _, c in clusters], pa.string()),
        "zekerheid": pa.array([1.0] * len(clusters), pa.float64())}), order_by="bron, record_sleutel")


def _reference(before: dict[str, str], after: dict[str, str], issued_before: set[str]) -> dict[str, str]:
    """The rule over all clusters: overlap, greedy assignment, fresh names for the rest in name order."""
    shared: dict[tuple[str, str], int] = {}
    for key, new in after.items():
        if key in before:
            shared[(new, before[key])] = shared.get((new, before[key]), 0) + 1
    kept = assign_ids([(n, o, c) for (n, o), c in shared.items()])
    issued = set(issued_before)
    mapping = {}
    for name in sorted(set(after.values())):
        mapping[name] = kept[name] if name in kept else fresh_id(name, issued)
        issued.add(mapping[name])
    return mapping


# a delivery: each record key (a subset of KEYS) in one of a few clusters
deliveries = st.dictionaries(st.sampled_from(KEYS), st.sampled_from([f"E{c}" for c in "abcdefgh"]),
                             min_size=1, max_size=len(KEYS))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=deliveries, after=deliveries, history=st.sets(st.sampled_from([f"E{c}" for c in "abcdefghij"]),
                                                             max_size=3))
def test_ids_are_the_greedy_answer_over_all_clusters(tmp_path: Path, before, after, history) -> None:
    previous = tmp_path / "vorige.duckdb"
    current = tmp_path / "huidig.duckdb"
    for path in (previous, current):
        path.unlink(missing_ok=True)
    with Store(previous) as store:
        _entities(store, "entiteit", sorted(before.items()))
        # ids issued by still earlier deliveries, now gone: a new cluster of that name must not reuse them
        store.write_arrow(HISTORY, pa.table({
            "levering": pa.array([dt.date(2026, 1, 1)] * len(history), pa.date32()),
            "oud_id": pa.array(sorted(history), pa.string()),
            "nieuw_id": pa.array([None] * len(history), pa.string()),
            "soort": pa.array(["verdwenen"] * len(history), pa.string())}))
    with Store(current) as store:
        store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2026-04-01' AS peildatum")
        _entities(store, "entiteit", sorted(after.items()))
        counts = keep_entity_ids(store, previous)
        got = dict(store.rows("SELECT record_sleutel, entiteit_id FROM entiteit"))
        order = [r[0] for r in store.rows("SELECT record_sleutel FROM entiteit")]
    expected = _reference(before, after, set(before.values()) | history)
    assert got == {key: expected[name] for key, name in after.items()}
    assert order == sorted(after), "the rows keep their order"
    assert counts["id_behouden"] == sum(1 for name, ident in expected.items() if ident in set(before.values()))
    assert len(set(got.values())) == len(set(after.values())), "one id per cluster"


def test_a_cluster_named_like_a_vanished_party_gets_a_fresh_id(tmp_path: Path) -> None:
    previous, current = tmp_path / "vorige.duckdb", tmp_path / "huidig.duckdb"
    with Store(previous) as store:
        _entities(store, "entiteit", [("r01", "Eoud"), ("r02", "Eoud")])
    with Store(current) as store:
        store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2026-04-01' AS peildatum")
        # r01/r02 are gone; a new cluster happens to carry the vanished party's name
        _entities(store, "entiteit", [("r05", "Eoud")])
        keep_entity_ids(store, previous)
        (ident,) = store.rows("SELECT DISTINCT entiteit_id FROM entiteit")[0]
        history = store.rows(f"SELECT soort, oud_id, nieuw_id FROM {HISTORY} ORDER BY soort")
    assert ident != "Eoud" and ident == fresh_id("Eoud", {"Eoud"})
    assert history == [("nieuw", None, ident), ("verdwenen", "Eoud", None)]


def test_issued_ids_looked_up_at_once_give_what_looking_them_up_one_by_one_gives(tmp_path: Path) -> None:
    """The candidates fetched in one query answer as the per-id query would, also where the first rehash was
    issued too and the search goes on past them."""
    from pandzicht.link.stable_ids import _Issued, candidates

    names = ["Ea", "Eb", "Ec"]
    issued = {"Ea", "Eb", "Ec", candidates("Eb", 2)[1], candidates("Ec", 3)[1], candidates("Ec", 3)[2]}
    with Store(tmp_path / "s.duckdb") as store:
        store.write_arrow("_uitgegeven", pa.table({"id": pa.array(sorted(issued), pa.string())}))
        store.write_arrow("_id_map", pa.table({"naam": pa.array([], pa.string()),
                                               "entiteit_id": pa.array([], pa.string())}))
        batched = _Issued(store, [c for n in names for c in candidates(n, 2)])
        one_by_one = _Issued(store)
        got = [fresh_id(n, batched) for n in names]
        assert got == [fresh_id(n, one_by_one) for n in names] == [fresh_id(n, issued) for n in names]
    assert got[2] == candidates("Ec", 4)[3]  # two rehashes issued: the third is the first free one
