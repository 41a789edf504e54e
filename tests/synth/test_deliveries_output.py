"""`demo-world --leveringen N` writes the same bytes for a seed after the month's events were made to scale
(issue 13), and the lookups the events use give what filtering the frames gives."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pandzicht.synth.deliveries import _pool, _pools, _Rows, generate_deliveries

# sha256 over every file of every delivery (path and bytes, sorted by path) of generate_deliveries(out, 1500,
# 1, 3, dialect=...). Computed with the code BEFORE the events were rewritten to use per-month lookups
# (commit 1a0c268, the per-event DataFrame filters), so the test proves the rewrite changed no byte. Update a
# digest only for an intended change of the generator's output, and say in the commit why the bytes changed.
# Changed twice since: truth/wereld.json lists the dialect parameter `werkgever_huur` (0.0); and session 30 gave
# the past woonfraude cases the traces an active one leaves (the tenant registered elsewhere while the contract ran
# on until the case was found out), which changes the crime stream's draws and every file that follows from them;
# session 31 gave the past safehouse, store, brothel and overcrowding cases a tenancy of their own from shortly
# before the use (an overcrowded one with its crowd) and past cases the meter readings of active ones.
DIGESTS = {
    "basis": "9f979f1796f8a36e7473fcadde05ac35cfb830fb80811aca6d4ea41150e326c6",
    "klein_verhuur": "6300ac2889debf8d68c81c89c05421eec0b37667ba8ea4f6c9fb306f9a5b750d",
}


def _digest(out: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        h.update(f.relative_to(out).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.mark.parametrize("dialect", sorted(DIGESTS))
def test_deliveries_byte_identical_to_the_per_event_filters(tmp_path: Path, dialect: str) -> None:
    events = generate_deliveries(tmp_path, 1500, 1, 3, dialect=dialect)
    # the months exercise moves, newcomers, sales, incidents, tips and checks that find a criminal use
    for key in ("verhuizingen", "nieuwe_inschrijvingen", "verkocht", "nieuwe_incidenten", "controles"):
        assert all(e[key] > 0 for e in events[1:]), key
    assert sum(e["ontdekt"] for e in events[1:]) > 0
    assert _digest(tmp_path) == DIGESTS[dialect]


def test_rows_and_pools_match_filtering() -> None:
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"k": rng.choice(["a", "b", "", "c"], 200), "v": rng.choice(["x", "", "y", "z"], 200)},
                      dtype="str").iloc[rng.permutation(200)]
    rows, pools = _Rows(df, "k"), _pools(df, "k", "v")
    for k in ("a", "b", "", "c"):
        want = df[df["k"] == k]
        assert k in rows and df.iloc[rows[k]].equals(want)
        assert pools[k] == _pool(want["v"]) == [v for v in want["v"].tolist() if v != ""]
    assert "d" not in rows and "d" not in pools
    assert _Rows(df.iloc[:0], "k").code == {}
