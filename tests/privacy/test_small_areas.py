"""Small areas: every published buurt cell covers at least 10 homes, or shows no figures."""

from __future__ import annotations

from pandzicht.privacy.small_areas import MIN_HOMES, per_buurt, protect_cells


def _buurt(code: str, wijk: str, n: int, gem: float | None = 0.2, top: float | None = 0.5, verm: int = 0,
           meld: int = 0) -> dict:
    return {"buurt_code": code, "buurt_naam": f"Buurt {code}", "wijk_code": wijk, "wijk_naam": f"Wijk {wijk}",
            "n": n, "gemiddeld": gem, "top": top, "vermoedens": verm, "meldingen": meld}


def test_large_buurten_stay_and_small_ones_merge_into_one_cell() -> None:
    stats = [_buurt("A", "W1", 40), _buurt("B", "W1", 6, gem=0.9, top=0.95, verm=1), _buurt("C", "W1", 5, verm=1)]
    cells = protect_cells(stats)
    assert all(c["n"] >= MIN_HOMES for c in cells)
    merged = next(c for c in cells if c["samengevoegd"])
    assert sorted(merged["codes"]) == ["B", "C"] and merged["n"] == 11 and merged["vermoedens"] == 2
    assert "Buurt B" not in {c["buurt_naam"] for c in cells}
    assert abs(merged["gemiddeld"] - (0.9 * 6 + 0.2 * 5) / 11) < 1e-9
    assert next(c for c in cells if c["codes"] == ["A"])["gemiddeld"] == 0.2


def test_too_few_small_homes_join_the_smallest_large_buurt() -> None:
    stats = [_buurt("A", "W1", 40), _buurt("B", "W1", 12), _buurt("C", "W1", 3, top=0.99, verm=1)]
    cells = protect_cells(stats)
    assert len(cells) == 2 and all(c["n"] >= MIN_HOMES for c in cells)
    joined = next(c for c in cells if "C" in c["codes"])
    assert joined["codes"] == ["B", "C"] and joined["n"] == 15 and joined["top"] == 0.99


def test_a_wijk_with_too_few_homes_is_suppressed_and_wijken_never_mix() -> None:
    stats = [_buurt("A", "W1", 40), _buurt("X", "W2", 4, verm=2), _buurt("Y", "W2", 3)]
    cells = protect_cells(stats)
    hidden = next(c for c in cells if c["onderdrukt"])
    assert sorted(hidden["codes"]) == ["X", "Y"]
    assert hidden["gemiddeld"] is None and hidden["vermoedens"] is None and hidden["top"] is None
    assert next(c for c in cells if c["codes"] == ["A"])["onderdrukt"] is False


def test_per_buurt_gives_every_buurt_its_cells_figures_for_the_map() -> None:
    stats = [_buurt("A", "W1", 40, gem=0.1), _buurt("B", "W1", 2, gem=0.9, verm=1), _buurt("X", "W2", 4, verm=1)]
    rows = {r["buurt_code"]: r for r in per_buurt(stats)}
    assert set(rows) == {"A", "B", "X"}
    assert rows["B"]["gemiddeld"] == rows["A"]["gemiddeld"] and rows["B"]["n"] == 42  # merged into A's cell
    assert rows["B"]["vermoedens"] == 1 and rows["A"]["vermoedens"] == 1
    assert rows["X"]["gemiddeld"] is None and rows["X"]["vermoedens"] is None
    assert abs(rows["A"]["gemiddeld"] - (0.1 * 40 + 0.9 * 2) / 42) < 1e-9
