"""The web benchmark runs end to end on a small world (figures are reported, not asserted)."""

from __future__ import annotations

import pytest

from pandzicht.web.bench import bench_web

pytestmark = pytest.mark.slow


def test_bench_web_measures_and_verifies_every_signal(world) -> None:
    result = bench_web(world["out"], units=10, runs=2, signals=40, clients=4)
    assert result["adresdossier"]["steekproef"] == 10
    assert result["adresdossier"]["p95_ms"] > 0
    m = result["meldingen"]
    assert m["verstuurd"] == 40 and m["geaccepteerd"] == 40 and m["fouten"] == 0
    assert m["alles_opgeslagen"] and m["opgeslagen_en_teruggevonden"] == 40
    assert m["per_seconde"] > 0
