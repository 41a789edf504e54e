"""`bench leveringen --leveringen N`'s detection delay: after how many deliveries a new criminal use first reaches
the shortlist, counted only while the use lasts, on a hand-made chain whose answer is worked out below."""

from __future__ import annotations

from pathlib import Path

from pandzicht.bench_deliveries import detection, detection_table

TRUTH = {1: "A", 2: "ABCG", 3: "ABCD", 4: "BDEH"}
RANKS = {1: "ABCDEFGH", 2: "ABCDEFGH", 3: "ACBDEFGH", 4: "DEBACFGH"}  # homes in rank order


def _chain(work: Path) -> None:
    for k, homes in TRUTH.items():
        truth = work / f"levering-{k:02d}" / "truth"
        truth.mkdir(parents=True)
        (truth / "adres_typologie.csv").write_text(
            "verblijfsobject_id,typologie,actief_vanaf\n" + "".join(f"{h},safehouse,2024-01-01\n" for h in homes))
    for k, order in RANKS.items():
        (work / f"adressen-levering-{k}.csv").write_text(
            "rang,verblijfsobject_id,score,vermoeden,uitleg\n"
            + "".join(f"{i},{h},0.5,,\n" for i, h in enumerate(order, start=1)))


def test_delays_count_deliveries_until_the_shortlist_while_the_use_lasts(tmp_path: Path) -> None:
    _chain(tmp_path)
    found = detection(tmp_path, 4, top=2, share=0.375)  # 3 of the 8 ranked homes
    # started: B, C, G in delivery 2, D in 3, E and H in 4 (A ran before the chain and does not count).
    # Top 2: B at once (rank 2), C one delivery later (3, then 2), D one later (4, then 1), E at once;
    # G's use ended before any list had it (missed), H's is still running at the end (missed, followed too short).
    assert found["top"] == {"grens": 2, "gestart": 6, "na_leveringen": {0: 2, 1: 2}, "niet_gevonden": 2,
                            "te_kort_gevolgd": 1}
    # Top 3: C is found at once too (rank 3 in delivery 2)
    assert found["top_aandeel"]["na_leveringen"] == {0: 3, 1: 1}
    assert (found["top_aandeel"]["niet_gevonden"], found["top_aandeel"]["te_kort_gevolgd"]) == (2, 1)


def test_the_table_shows_every_delay_column(tmp_path: Path) -> None:
    _chain(tmp_path)
    table = detection_table(detection(tmp_path, 4, top=2, share=0.375))
    assert [c.header for c in table.columns] == ["korte lijst", "gestart", "na 0", "na 1", "niet (nog lopend)"]
    assert list(table.columns[2].cells) == ["2", "3"] and list(table.columns[4].cells) == ["2 (1)", "2 (1)"]
