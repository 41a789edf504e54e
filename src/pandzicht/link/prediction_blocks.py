"""A bound on the candidate pairs each prediction blocking rule puts up.

A blocking rule pairs every two profiles that agree on its columns, so its cost grows with the square of its
largest blocks. How large those are depends on the region, not on the code: on the demo world the largest
surname + first name block at 200,000 units holds 859 person profiles and the rule puts up 2.4M pairs; on the
independent generator's world of the same size it puts up 41M (1.0 billion at 1M units, where Splink's
prediction filled the disk). A partner's placeholder values (one birth date for everyone unknown, a company
name like "onbekend") do the same. So each rule may put up at most `PAIRS_PER_PROFILE` pairs per profile
(never less than `MIN_BUDGET`); when it would put up more, its largest blocks are left out of that rule,
largest first, until it fits. Their pairs are still compared where another rule reaches them (surname + birth
year + initial, the same unit, ...); the blocks left out are reported as a fallback with counts only, never the
key values.

A profile's block is left out through a flag column per rule (`_voorspel_blok_<i>`, 1 = compared), so the rules
in a saved model stay the same SQL and a later delivery flags its own profiles the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

# Chosen on the tuning world (the demo world, docs/schaal.md, session 36): at 200,000 units its largest rule puts
# up 2.4 pairs per profile, so nothing of it is bounded, and even bounding it at the floor cost 0.00006 entity F1.
PAIRS_PER_PROFILE = 20
MIN_BUDGET = 1_000_000  # below this many pairs a rule is cheap whatever its blocks


@dataclass(frozen=True)
class PredictionRule:
    """Profiles agreeing on every one of `columns` (none empty) are compared, except pairs where both sides
    carry `not_both` (two BRP persons, two companies with a KvK number: their keys already decide)."""

    columns: tuple[str, ...]
    not_both: str | None = None

    def sql(self, flag: str | None) -> str:
        parts = [f"l.{c} = r.{c}" for c in self.columns]
        if self.not_both:
            parts.append(f"(l.{self.not_both} IS NULL OR r.{self.not_both} IS NULL)")
        if flag:
            parts.append(f"l.{flag} = 1")  # both sides share the key, so one side's flag decides
        return " AND ".join(parts)

    def label(self) -> str:
        return " + ".join(self.columns)


def flag_name(i: int) -> str:
    return f"_voorspel_blok_{i}"


@dataclass(frozen=True)
class BlockBound:
    """What the bound did to one rule: its pairs before and after, and the blocks it left out."""

    rule: PredictionRule
    pairs: int
    kept_pairs: int
    budget: int
    blocks_left_out: int
    profiles_left_out: int
    largest_block: int

    def reason(self) -> str:
        return (f"regel {self.rule.label()}: {_n(self.pairs)} kandidaatparen (grens {_n(self.budget)}); "
                f"grootste blok {_n(self.largest_block)} profielen")

    def fallback(self) -> str:
        return (f"{_n(self.blocks_left_out)} grootste blokken ({_n(self.profiles_left_out)} profielen) niet via deze "
                f"regel vergeleken, wel via de andere regels; {_n(self.kept_pairs)} paren blijven")


def _n(x: int) -> str:
    """A count as Dutch text writes it (thousands separated by points)."""
    return f"{x:,}".replace(",", ".")


def budget(profiles: int, per_profile: float | None = None, floor: int | None = None) -> int:
    """The pairs a rule may put up over `profiles` profiles (the module's settings unless given)."""
    per_profile = PAIRS_PER_PROFILE if per_profile is None else per_profile
    return max(int(per_profile * profiles), MIN_BUDGET if floor is None else floor)


def bound_blocks(frame: pa.Table, rules: tuple[PredictionRule, ...], per_profile: float | None = None,
                 floor: int | None = None) -> tuple[pa.Table, list[BlockBound]]:
    """`frame` with one flag column per rule (1: the profile's block on that rule is compared), and the rules
    that had to leave blocks out. Deterministic: blocks are ranked by their pairs, then by a hash of the key."""
    limit = budget(frame.num_rows, per_profile, floor)
    bounds: list[BlockBound] = []
    con = duckdb.connect()
    try:
        con.register("_f", frame)
        for i, rule in enumerate(rules):
            cols = ", ".join(f'"{c}"' for c in rule.columns)
            present = " AND ".join(f'"{c}" IS NOT NULL' for c in rule.columns)
            carry = f'count("{rule.not_both}")' if rule.not_both else "0"
            blocks = con.execute(
                f"SELECT hash({cols}) AS h, count(*) AS n, {carry} AS b FROM _f WHERE {present} "
                f"GROUP BY {cols} HAVING count(*) > 1").fetchnumpy()
            n = blocks["n"].astype(np.int64)
            b = blocks["b"].astype(np.int64)
            pairs = n * (n - 1) // 2 - b * (b - 1) // 2
            total = int(pairs.sum())
            flag = np.ones(frame.num_rows, dtype=np.int8)
            if total > limit:
                order = np.lexsort((blocks["h"], -pairs))  # largest first, ties by key hash
                left = total - np.cumsum(pairs[order])
                k = int(np.searchsorted(-left, -limit)) + 1  # fewest largest blocks after which it fits
                out = blocks["h"][order[:k]]
                rows = con.execute(f"SELECT coalesce({present}, false) AS p, hash({cols}) AS h FROM _f").fetchnumpy()
                dropped = np.asarray(rows["p"], dtype=bool) & np.isin(np.asarray(rows["h"]), out)
                flag[dropped] = 0
                bounds.append(BlockBound(rule, total, int(left[k - 1]), limit, k, int(n[order[:k]].sum()),
                                         int(n.max())))
            frame = frame.append_column(flag_name(i), pa.array(flag, pa.int8()))
    finally:
        con.close()
    return frame, bounds
