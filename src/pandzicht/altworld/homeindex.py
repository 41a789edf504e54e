"""Counts per home, kept up to date, to draw from the homes a search would list without listing them.

The monthly steps draw "one of the homes that ..." with `options[rng.integers(len(options))]`. Listing the options
means a look at every home, per event: a month became quadratic in the world's size. Here each home (by its
position in the list of homes) counts a number of items in some named tallies; `count` gives how many items a set
of tallies holds, `kth` which position holds the k-th of them in home order: the same length and the same pick
as the list would give, in O(log n).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

Name = tuple  # a tally's name
Row = dict[Name, int]  # tally name -> how many items the home counts there


class Fenwick:
    """Counts per position (a binary indexed tree): prefix sums and updates in O(log n)."""

    def __init__(self, counts: np.ndarray) -> None:
        n = len(counts)
        sums = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        at = np.arange(1, n + 1)
        self.n = n
        self.tree: list[int] = [0, *(sums[at] - sums[at - (at & -at)]).tolist()]
        self.total = int(sums[-1])

    def add(self, p: int, d: int) -> None:
        """Position p (0-based) counts d more."""
        self.total += d
        q = p + 1
        while q <= self.n:
            self.tree[q] += d
            q += q & -q

    def prefix(self, p: int) -> int:
        """The count of positions 0 .. p-1."""
        s = 0
        while p > 0:
            s += self.tree[p]
            p -= p & -p
        return s


def kth(trees: list[Fenwick], k: int) -> int:
    """The position that holds the k-th (0-based) item the trees count together, in position order."""
    n = trees[0].n
    p, step = 0, 1 << n.bit_length()
    while step:
        q = p + step
        if q <= n:
            s = sum(t.tree[q] for t in trees)
            if s <= k:
                p, k = q, k - s
        step >>= 1
    return p


class Tally:
    """Per position a Row; a tally per name over all positions."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.n = len(rows)
        at: dict[Name, tuple[list[int], list[int]]] = {}
        for p, row in enumerate(rows):
            for name, k in row.items():
                ps, ks = at.setdefault(name, ([], []))
                ps.append(p)
                ks.append(k)
        self.trees: dict[Name, Fenwick] = {}
        for name, (ps, ks) in at.items():
            counts = np.zeros(self.n, dtype=np.int64)
            counts[ps] = ks
            self.trees[name] = Fenwick(counts)

    def set(self, p: int, row: Row) -> None:
        """Position p now counts `row`."""
        old = self.rows[p]
        for name in {**old, **row}:
            d = row.get(name, 0) - old.get(name, 0)
            if d:
                if name not in self.trees:
                    self.trees[name] = Fenwick(np.zeros(self.n, dtype=np.int64))
                self.trees[name].add(p, d)
        self.rows[p] = row

    def names(self) -> list[Name]:
        return list(self.trees)

    def count(self, names: Iterable[Name]) -> int:
        return sum(self.trees[x].total for x in names if x in self.trees)

    def prefix(self, names: Iterable[Name], p: int) -> int:
        """The items the named tallies hold at positions before p."""
        return sum(self.trees[x].prefix(p) for x in names if x in self.trees)

    def kth(self, names: Iterable[Name], k: int) -> int:
        """The position of the k-th (0-based) item of the named tallies together; k < count(names)."""
        return kth([self.trees[x] for x in names if x in self.trees], k)
