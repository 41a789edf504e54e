"""Clustering scored links under constraints: strongest link first, never joining what must stay apart.

Plain connected components at a threshold lets one wrong link chain two large
clusters together (two housing corporations joined through one sloppy contract
would add a million false pairs). Here links are taken strongest first and a
merge is refused when the two clusters hold different KvK numbers, different
BRP persons, birth dates that no swap explains, or a pair an analyst judged
`verschillend`. Forced links (analyst `zelfde`) go first and only yield to a
`verschillend` judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clusters:
    membership: list[int]  # cluster root per node
    zekerheid: list[float]  # probability of the link that attached each node (1.0 when never attached)


def _disjoint(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and a.isdisjoint(b)


def cluster_constrained(
    n: int,
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    exclusive: Sequence[Sequence[str | None]] = (),
    forced: Sequence[tuple[int, int]] = (),
    cannot: Sequence[tuple[int, int]] = (),
) -> Clusters:
    """Greedy agglomeration of n nodes over scored links (left[i], right[i], probability[i]).

    `exclusive` holds per-node attribute columns (e.g. KvK number, BRP token,
    swap-proof birth date) of which a cluster may hold only one value each.
    """
    parent = list(range(n))
    attrs: list[list[frozenset[str]]] = [
        [frozenset([v]) if v else frozenset() for v in col] for col in exclusive
    ]
    forbid: dict[int, set[int]] = {}
    for a, b in cannot:
        forbid.setdefault(a, set()).add(b)
        forbid.setdefault(b, set()).add(a)
    forbid_root: dict[int, set[int]] = {k: set(v) for k, v in forbid.items()}  # root -> nodes it may not join
    zekerheid = [np.nan] * n

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def blocked(ra: int, rb: int) -> bool:
        fa, fb = forbid_root.get(ra), forbid_root.get(rb)
        if fa and any(find(x) == rb for x in fa):
            return True
        return bool(fb and any(find(x) == ra for x in fb))

    def union(a: int, b: int, p: float, check: bool) -> None:
        ra, rb = find(a), find(b)
        if ra == rb or blocked(ra, rb):
            return
        if check and any(_disjoint(col[ra], col[rb]) for col in attrs):
            return
        parent[rb] = ra
        for col in attrs:
            if col[rb]:
                col[ra] = col[ra] | col[rb]
        if rb in forbid_root:
            forbid_root.setdefault(ra, set()).update(forbid_root.pop(rb))
        for node in (a, b):
            if np.isnan(zekerheid[node]):
                zekerheid[node] = p

    for a, b in forced:
        union(a, b, 1.0, check=False)
    order = np.argsort(-np.asarray(probability, dtype=float), kind="stable")
    lft, rgt, prob = np.asarray(left), np.asarray(right), np.asarray(probability, dtype=float)
    for i in order.tolist():
        union(int(lft[i]), int(rgt[i]), float(prob[i]), check=True)
    return Clusters([find(i) for i in range(n)], [1.0 if np.isnan(z) else float(z) for z in zekerheid])


def cluster_reached(
    n: int,
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    exclusive_of: Callable[[np.ndarray], Sequence[Sequence[str | None]]],
    forced: Sequence[tuple[int, int]] = (),
    cannot: Sequence[tuple[int, int]] = (),
) -> Clusters:
    """`cluster_constrained` over only the nodes a link, forced or cannot pair reaches; the same clusters and
    certainties. A node nothing reaches stays alone (its own root, certainty 1.0) there too, so it need not
    take part: a continued delivery has many kept parties no change touches. `exclusive_of(nodes)` gives the
    exclusive attribute columns for just those nodes (ascending node numbers)."""
    lft, rgt = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    pairs = np.asarray([*forced, *cannot], dtype=np.int64).reshape(-1, 2)
    reached = np.unique(np.concatenate([lft, rgt, pairs.ravel()]))
    k = len(forced)
    local = np.searchsorted(reached, pairs) if len(pairs) else pairs
    sub = cluster_constrained(len(reached), np.searchsorted(reached, lft), np.searchsorted(reached, rgt),
                              probability, exclusive_of(reached),
                              [(int(a), int(b)) for a, b in local[:k]], [(int(a), int(b)) for a, b in local[k:]])
    membership, zekerheid = list(range(n)), [1.0] * n
    for j, node in enumerate(reached.tolist()):
        membership[node] = int(reached[sub.membership[j]])
        zekerheid[node] = sub.zekerheid[j]
    return Clusters(membership, zekerheid)
