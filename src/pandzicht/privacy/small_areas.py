"""Small areas: no published figure may describe fewer than 10 homes (AVG art. 5(1)(c), as CBS does).

A buurt with a handful of homes turns an area figure ("1 address with a suspicion", "mean score 0.91") into a
statement about one household. Before a report table or a map shows figures per buurt, the buurten of each wijk
are regrouped so that every published cell covers at least `MIN_HOMES` homes:

- buurten with enough homes stay as they are;
- the small buurten of a wijk are merged into one cell ("kleine buurten samengevoegd"); when together they are
  still too few, they are merged into the smallest large buurt of that wijk instead;
- a wijk that as a whole has too few homes is suppressed: its cell shows no figures.

Each cell is a union of whole buurten within one wijk and the cells partition the wijk, so subtracting
published cells from the wijk total only ever yields other published cells: differencing reveals nothing smaller.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

MIN_HOMES = 10
FIGURES = ("gemiddeld", "top", "vermoedens", "meldingen")


def _merge(rows: list[dict[str, Any]], naam: str) -> dict[str, Any]:
    """One cell from several buurt rows: counts summed, mean weighted by homes, top the highest."""
    n = sum(int(r["n"]) for r in rows)
    scored = [r for r in rows if r.get("gemiddeld") is not None]
    weight = sum(int(r["n"]) for r in scored)
    tops = [r["top"] for r in rows if r.get("top") is not None]
    largest = max(rows, key=lambda r: int(r["n"]))
    return {**largest, "buurt_naam": naam, "n": n, "codes": [r["buurt_code"] for r in rows],
            "gemiddeld": sum(r["gemiddeld"] * int(r["n"]) for r in scored) / weight if weight else None,
            "top": max(tops) if tops else None,
            "vermoedens": sum(int(r.get("vermoedens") or 0) for r in rows),
            "meldingen": sum(float(r.get("meldingen") or 0) for r in rows),
            "samengevoegd": len(rows) > 1, "onderdrukt": False}


def _suppressed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    cell = _merge(rows, f"wijk met minder dan {MIN_HOMES} woningen")
    cell.update({f: None for f in FIGURES})
    cell["onderdrukt"] = True
    return cell


def _wijk_cells(rows: list[dict[str, Any]], min_homes: int) -> list[dict[str, Any]]:
    if sum(int(r["n"]) for r in rows) < min_homes:
        return [_suppressed(rows)]
    large = sorted((r for r in rows if int(r["n"]) >= min_homes), key=lambda r: int(r["n"]))
    small = [r for r in rows if int(r["n"]) < min_homes]
    cells = [_merge([r], r["buurt_naam"]) for r in large]
    if not small:
        return cells
    if sum(int(r["n"]) for r in small) >= min_homes:
        cells.append(_merge(small, f"kleine buurten samengevoegd ({len(small)})"))
        return cells
    target = large[0]  # too few together: join the smallest large buurt
    cells[0] = _merge([target, *small], f"{target['buurt_naam']} met {len(small)} kleine buurt"
                                        + ("en" if len(small) > 1 else ""))
    return cells


def protect_cells(stats: Iterable[dict[str, Any]], min_homes: int = MIN_HOMES) -> list[dict[str, Any]]:
    """The publishable cells for per-buurt rows (`buurt_code`, `wijk_code`, `buurt_naam`, `n` and the figures):
    every cell covers at least `min_homes` homes or shows no figures (`onderdrukt`). Each cell lists the
    buurt codes it covers in `codes`; `samengevoegd` says it covers more than one."""
    per_wijk: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in stats:
        per_wijk[str(r.get("wijk_code") or "")].append(r)
    cells: list[dict[str, Any]] = []
    for rows in per_wijk.values():
        cells.extend(_wijk_cells(rows, min_homes))
    return sorted(cells, key=lambda c: (str(c.get("wijk_naam") or ""), str(c["buurt_naam"])))


def per_buurt(stats: Iterable[dict[str, Any]], min_homes: int = MIN_HOMES) -> list[dict[str, Any]]:
    """One row per buurt again (for a map, which draws every buurt), each carrying its cell's figures."""
    rows = list(stats)
    cell_of = {code: cell for cell in protect_cells(rows, min_homes) for code in cell["codes"]}
    return [{**r, **{f: cell_of[r["buurt_code"]][f] for f in (*FIGURES, "n", "samengevoegd", "onderdrukt")}}
            for r in rows]
