"""Graph queries and measures on a small hand-built `relatie` table."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pytest

from pandzicht.link.network import build_network_measures, neighbourhood
from pandzicht.store.engine import Store

U1, U2, U3, U4 = (f"059901000000000{i}" for i in range(1, 5))
D = dt.date(2020, 1, 1)
EDGES = [
    # van, naar, soort, bron, record_sleutel, geldig_van, geldig_tot
    ("Eagent", U1, "brokers", "huurcontract", "C1", D, None),
    ("Eagent", U2, "brokers", "huurcontract", "C2", D, None),
    ("Eowner", U1, "owns", "kadaster_eigendom", "K1", D, None),
    ("Eowner", U3, "owns", "kadaster_eigendom", "K2", D, None),
    ("Estraw", U1, "rents", "huurcontract", "C1", D, None),
    ("Estraw", U2, "rents", "huurcontract", "C2", dt.date(2021, 1, 1), None),
    ("Eboss", "Ebv1", "director_of", "kvk_functionaris", "F1", D, None),
    ("Eboss", "Ebv2", "director_of", "kvk_functionaris", "F2", D, None),
    ("Ebv1", U4, "owns", "kadaster_eigendom", "K3", D, None),
]


@pytest.fixture
def store():
    with Store() as s:
        cols = list(zip(*EDGES, strict=True))
        s.write_arrow("relatie", pa.table({
            "van": cols[0], "naar": cols[1], "soort": cols[2], "bron": cols[3], "record_sleutel": cols[4],
            "geldig_van": pa.array(cols[5], pa.date32()), "geldig_tot": pa.array(cols[6], pa.date32()),
        }))
        s.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, bevinding VARCHAR)")
        s.execute(f"INSERT INTO raw_handhaving_uitkomst VALUES ('{U3}', 'hennepkwekerij'), ('{U4}', 'niets_gevonden')")
        yield s


def test_neighbourhood_two_hops_with_provenance(store):
    result = neighbourhood(store, U1, hops=2)
    nodes = {n["id"]: n["afstand"] for n in result["knopen"]}
    assert nodes == {U1: 0, "Eagent": 1, "Eowner": 1, "Estraw": 1, U2: 2, U3: 2}
    kinds = {(r["van"], r["naar"], r["soort"], r["bron"], r["record_sleutel"]) for r in result["relaties"]}
    assert ("Eowner", U3, "owns", "kadaster_eigendom", "K2") in kinds
    assert all(r["geldig_van"] for r in result["relaties"])
    assert not result["afgekapt"]


def test_neighbourhood_one_hop_and_unknown_node(store):
    assert {n["id"] for n in neighbourhood(store, "Eowner", hops=1)["knopen"]} == {"Eowner", U1, U3}
    assert neighbourhood(store, "nope")["knopen"] == []


def test_neighbourhood_is_cut_at_max_nodes(store):
    result = neighbourhood(store, U1, hops=2, max_nodes=3)
    assert len(result["knopen"]) == 3 and result["afgekapt"]


def test_neighbourhood_sees_a_changed_graph(store):
    neighbourhood(store, U1)
    store.execute(f"INSERT INTO relatie VALUES ('Enew', '{U1}', 'lets', 'huurcontract', 'C9', NULL, NULL)")
    assert "Enew" in {n["id"] for n in neighbourhood(store, U1)["knopen"]}


def test_measures(store):
    counts = build_network_measures(store)
    assert counts["gedeelde_functionaris"] == 1
    assert store.rows("SELECT bedrijf_a, bedrijf_b, functionaris FROM gedeelde_functionaris") == [
        ("Ebv1", "Ebv2", "Eboss")]
    assert store.rows("SELECT aantal_eenheden, aantal_eigendom, eenheden FROM partij_portefeuille "
                      "WHERE entiteit_id = 'Eowner'") == [(2, 2, f"{U1};{U3}")]
    assert store.rows("SELECT entiteit_id, aantal_eenheden, gelijktijdig FROM stroman_kandidaat") == [
        ("Estraw", 2, True)]
    dist = dict(store.rows("SELECT entiteit_id, afstand FROM netwerk_afstand"))
    assert dist[U3] == 0 and dist["Eowner"] == 1 and dist[U1] == 2 and dist["Estraw"] == 3
    assert dist[U4] is None  # 'niets_gevonden' is no finding, and U4's island has none


def test_distances_follow_a_relatie_rebuilt_to_the_same_size(store):
    """A later analysis in the same process (the bench's second run, an evaluation's baseline) writes a
    `relatie` of its own; one of the same length must not get the distances of the graph before it."""
    neighbourhood(store, U1)  # the graph as it was, cached for this store
    build_network_measures(store)
    # the same number of edges, but Eowner now owns U4 instead of U1: U1 is cut off from the finding at U3
    store.execute(f"UPDATE relatie SET naar = '{U4}' WHERE record_sleutel = 'K1'")
    build_network_measures(store)
    dist = dict(store.rows("SELECT entiteit_id, afstand FROM netwerk_afstand"))
    assert dist[U4] == 2 and dist["Ebv1"] == 3  # through Eowner, which now owns U4
    assert dist[U1] is None and dist["Estraw"] is None


def test_neighbourhood_is_fast_on_a_larger_graph():
    with Store() as s:
        s.execute("""
            CREATE TABLE relatie AS
            SELECT 'E' || (i % 20000) AS van, lpad(CAST(i AS VARCHAR), 16, '0') AS naar, 'rents' AS soort,
                   'huurcontract' AS bron, 'C' || i AS record_sleutel, DATE '2020-01-01' AS geldig_van,
                   CAST(NULL AS DATE) AS geldig_tot
            FROM range(200000) t(i)
        """)
        neighbourhood(s, "E1")  # builds the index once
        times = []
        for i in range(50):
            t0 = time.perf_counter()
            neighbourhood(s, f"{i * 997:016d}", hops=2)
            times.append(time.perf_counter() - t0)
        times.sort()
        assert times[int(len(times) * 0.95) - 1] < 0.2
