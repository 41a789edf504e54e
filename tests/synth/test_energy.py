"""The demo world's meters: a past criminal use leaves the readings an active one does, in its own months only.

Past cases once changed only the electricity of a farm or a store, so a region's past checks could not teach what
a store's gas looks like (session 31). Here four homes with the same household each: one a drugs store in the past,
one a cannabis farm in the past, one a drugs store now, one never anything; the readings are compared month by
month with the household's own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pandzicht.synth.energy import build_energy, months
from pandzicht.synth.geography import UPPER

PEIL = int(np.datetime64("2024-06-30", "D").astype(np.int64))


def _day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def _readings(past: pd.DataFrame, active: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = 4
    units = pd.DataFrame({
        "verblijfsobject_id": [f"059901000000000{i}" for i in range(n)],
        "oppervlakte_m2": [70] * n, "bouwjaar": [1960] * n, "_btype": [UPPER] * n,
        "gebruiksdoel": ["woonfunctie"] * n,
    })
    regs = pd.DataFrame({"unit": list(range(n)) * 2, "start": [_day("2010-01-01")] * (2 * n), "end": [-1] * (2 * n)})
    seg = pd.DataFrame({"unit": pd.Series([], dtype=int), "start": pd.Series([], dtype=int),
                        "end": pd.Series([], dtype=int), "registered": pd.Series([], dtype=bool),
                        "size": pd.Series([], dtype=int)})
    table = build_energy(np.random.default_rng(5), units, seg, regs, active, past, np.array([], dtype=int), PEIL)
    kwh = table.column("elektriciteit_kwh").to_numpy().reshape(n, -1)
    gas = table.column("gas_m3").to_numpy(zero_copy_only=False).reshape(n, -1)
    return kwh, gas


def test_a_past_use_leaves_the_readings_of_an_active_one_in_its_own_months() -> None:
    past = pd.DataFrame({"unit": [0, 1], "typologie": ["drugsopslag", "hennepkwekerij"],
                         "crime_from": [_day("2023-01-01")] * 2, "discovered": [_day("2023-11-01")] * 2})
    active = pd.DataFrame({"unit": [2], "typologie": ["drugsopslag"], "actief_vanaf": [_day("2023-01-01")],
                           "bypass": [False]})
    kwh, gas = _readings(past, active)
    mid = months(PEIL)[2]
    used = (mid >= _day("2023-01-01")) & (mid < _day("2023-11-01"))
    since = mid >= _day("2023-01-01")
    household = 3  # the same household, never anything: the ratio to it is the home's own level outside the use

    def ratio(u: int, meter: np.ndarray, when: np.ndarray) -> np.ndarray:
        return meter[u, when] / meter[household, when]

    assert used.sum() == 10
    # a past store: almost no power and a fifth of the gas while it was used, the household's before and after
    assert (kwh[0, used] < 60).all() and (ratio(0, gas, used) < 0.35).all()
    assert ((ratio(0, kwh, ~used) > 0.5) & (ratio(0, kwh, ~used) < 2)).all()
    assert ((ratio(0, gas, ~used) > 0.5) & (ratio(0, gas, ~used) < 2)).all()
    # an active store from the same day looks the same in those months
    assert (kwh[2, since] < 60).all() and (ratio(2, gas, since) < 0.35).all()
    # a past farm (with or without a bypass): far from the household's power only while it ran
    assert (ratio(1, kwh, used) > 5).all() or (ratio(1, kwh, used) < 0.5).all(), ratio(1, kwh, used)
    assert ((ratio(1, kwh, ~used) > 0.5) & (ratio(1, kwh, ~used) < 2)).all()
