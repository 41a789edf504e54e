"""Constrained clustering: strongest links first, and nothing joins what must stay apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pandzicht.link.clustering import cluster_constrained, cluster_reached


def test_a_sloppy_record_does_not_chain_two_companies():
    # 0 and 2 carry different KvK numbers; 1 has none and resembles both
    c = cluster_constrained(3, [0, 1], [1, 2], [0.99, 0.95], exclusive=[["111", None, "222"]])
    assert c.membership[0] == c.membership[1] != c.membership[2]
    assert c.zekerheid[1] == 0.99


def test_verschillend_splits_and_zelfde_merges():
    c = cluster_constrained(4, [0], [1], [0.999], forced=[(2, 3)], cannot=[(0, 1)])
    assert c.membership[0] != c.membership[1]
    assert c.membership[2] == c.membership[3]
    assert c.zekerheid[2] == 1.0


def test_verschillend_also_blocks_an_indirect_chain():
    c = cluster_constrained(3, [0, 1], [1, 2], [0.99, 0.98], cannot=[(0, 2)])
    assert c.membership[0] != c.membership[2]


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0, 1)), max_size=40),
       st.lists(st.sampled_from(["a", "b", None]), min_size=10, max_size=10))
def test_no_cluster_ever_holds_two_exclusive_values(links, kvk):
    c = cluster_constrained(10, [a for a, _, _ in links], [b for _, b, _ in links], [p for _, _, p in links],
                            exclusive=[kvk])
    values: dict[int, set[str]] = {}
    for node, root in enumerate(c.membership):
        if kvk[node]:
            values.setdefault(root, set()).add(kvk[node])
    assert all(len(v) == 1 for v in values.values())
    assert all(0.0 <= z <= 1.0 for z in c.zekerheid)


@given(st.integers(1, 30),
       st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29), st.floats(0, 1)), max_size=40),
       st.lists(st.sampled_from(["a", "b", None]), min_size=30, max_size=30),
       st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=4),
       st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=4))
def test_clustering_only_the_reached_nodes_gives_the_clusters_of_all(n, links, kvk, forced, cannot):
    # a continued delivery clusters only the nodes a link or judgement reaches (link/parties_incremental.py);
    # the others must come out alone and certain, exactly as when every node takes part
    links = [(a % n, b % n, p) for a, b, p in links]
    forced = [(a % n, b % n) for a, b in forced]
    cannot = [(a % n, b % n) for a, b in cannot]
    asked: list[list[int]] = []

    def exclusive_of(nodes):  # type: ignore[no-untyped-def]
        asked.append(nodes.tolist())
        return [[kvk[i] for i in nodes]]

    left, right, prob = [a for a, _, _ in links], [b for _, b, _ in links], [p for _, _, p in links]
    everything = cluster_constrained(n, left, right, prob, [kvk[:n]], forced, cannot)
    reached = cluster_reached(n, left, right, prob, exclusive_of, forced, cannot)
    assert reached == everything
    touched = {x for a, b, _ in links for x in (a, b)} | {x for pair in forced + cannot for x in pair}
    assert asked == [sorted(touched)]
