"""Issue 13's figures on a world nobody tuned to: two deliveries of the independent generator (`altworld`),
three months apart, with record keys that carry no order (as partners' keys don't), through `bench leveringen`.

The demo world's own deliveries are tested in test_incremental.py; this is the held-out check that stable ids,
incremental linking and the equivalence with a full run do not depend on how that generator numbers and
spells its records."""

from __future__ import annotations

import json

import pytest

from pandzicht.bench_deliveries import bench_deliveries

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):  # type: ignore[no-untyped-def]
    work = tmp_path_factory.mktemp("onafhankelijk-leveringen")
    return {"work": work, "result": bench_deliveries(1500, 31, work, generator="onafhankelijk", variant="noisy",
                                                     months=3)}


def test_the_held_out_deliveries_are_what_the_bench_says(bench) -> None:  # type: ignore[no-untyped-def]
    r, work = bench["result"], bench["work"]
    assert (r["generator"], r["variant"], r["maanden_tussen_leveringen"]) == ("onafhankelijk", "noisy", 3)
    peil = [json.loads((work / f"levering-0{k}" / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
            for k in (1, 2)]
    assert peil == ["2025-03-31", "2025-06-30"]
    koppeling = r["runs"]["levering_2_incrementeel"]["koppeling"]
    assert (koppeling["modus"], koppeling["model"]) == ("incrementeel", "hergebruikt")
    assert koppeling["records"]["nieuw"] > 0 and koppeling["records"]["gewijzigd"] > 0


def test_ids_survive_on_the_held_out_world(bench) -> None:  # type: ignore[no-untyped-def]
    r = bench["result"]
    ids = r["id_stabiliteit"]
    assert ids["partijen_aanwezig"] > 1000 and ids["zonder_brp_aanwezig"] > 50
    assert ids["aandeel"] >= 0.995 and ids["zonder_brp_aandeel"] >= 0.99  # issue 13's done-when
    assert r["ware_partijen"]["aandeel"] >= 0.99 and r["ware_partijen"]["zonder_brp_aandeel"] >= 0.99
    # --opnieuw links everything again, so there the ids rest on the stable-id step alone: on this world every
    # party without a BRP registration keeps its id (without the step 2 of its 467 got a new one, and 2 of the
    # 356 real ones their main entity's id, checked when this test was written)
    full = r["id_stabiliteit_volledig"]
    assert full["aandeel"] >= 0.995 and full["zonder_brp_behouden"] == full["zonder_brp_aanwezig"]
    assert r["ware_partijen"]["zonder_brp_zelfde_id"] == r["ware_partijen"]["zonder_brp"]


def test_incremental_equals_full_on_the_held_out_world(bench) -> None:  # type: ignore[no-untyped-def]
    r = bench["result"]
    assert r["top200_overlap"] >= 0.95
    assert abs(r["entiteit_f1_verschil"]) <= 0.002, (r["entiteit_f1_incrementeel"], r["entiteit_f1_volledig"])
    assert r["entiteit_f1_incrementeel"] > 0.95  # the linking worked, so the comparison means something
