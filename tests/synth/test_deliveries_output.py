"""`demo-world --leveringen N` writes the same bytes for a seed after the month's events were made to scale
(issue 13), and the lookups the events use give what filtering the frames gives."""

from __future__ import annotations

import hashlib
import json
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
# before the use (an overcrowded one with its crowd) and past cases the meter readings of active ones;
# session 33 lets criminal uses start in a month (`_Month.new_uses`, the month's last event: the other events'
# draws are unchanged, the new uses' contracts, meter readings and truth rows are added).
DIGESTS = {
    "basis": "59508fd4511bf92744caf32ae5dcad16716da996d1078cf574fc5ceb7ea54fe8",
    "klein_verhuur": "f012f428a34ef163eb0c29be6321332c92fc33668a765a9a0e166149c39b199f",
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
    assert all(e["nieuw_crimineel_gebruik"] > 0 for e in events[1:])
    assert _digest(tmp_path) == DIGESTS[dialect]


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_criminal_uses_start_with_their_traces(tmp_path: Path) -> None:
    """A use new in a delivery is in its truth from a day in that month, and leaves what it would: a farm's meter
    jumps in that month; a store or safehouse has a contract from that day, paid in cash, with a tenant in no
    register (a true id of its own, no BRP record)."""
    generate_deliveries(tmp_path, 3000, 4, 3)
    seen = 0
    for k in (2, 3):
        before, folder = tmp_path / f"levering-0{k - 1}", tmp_path / f"levering-0{k}"
        old = set(_csv(before / "truth" / "adres_typologie.csv")["verblijfsobject_id"])
        truth = _csv(folder / "truth" / "adres_typologie.csv")
        new = truth[~truth["verblijfsobject_id"].isin(old)]
        peil = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
        vorige = json.loads((before / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
        hc, en = _csv(folder / "huurcontract.csv"), _csv(folder / "energie_verbruik.csv")
        keys = _csv(folder / "truth" / "persoon_sleutel.csv")
        brp_people = set(keys.loc[keys["bron"] == "brp_inschrijving", "ware_persoon"])
        month = peil[:7]
        for r in new.to_dict("records"):
            seen += 1
            assert vorige < r["actief_vanaf"] <= peil and r["typologie"] in ("hennepkwekerij", "drugsopslag",
                                                                              "safehouse")
            meter = en[en["verblijfsobject_id"] == r["verblijfsobject_id"]].set_index("periode")["elektriciteit_kwh"]
            if r["typologie"] == "hennepkwekerij":
                if month in meter.index and len(meter) > 1:
                    earlier = meter.drop(index=month).astype(float)
                    assert float(meter[month]) >= 2.5 * earlier.iloc[-1]
                continue
            c = hc[(hc["verblijfsobject_id"] == r["verblijfsobject_id"]) & (hc["datum_aanvang"] == r["actief_vanaf"])]
            assert len(c) == 1 and c.iloc[0]["betaalwijze"] == "contant" and c.iloc[0]["datum_einde"] == ""
            tenant = keys[(keys["bron"] == "huurcontract") & (keys["record_sleutel"] == c.iloc[0]["contract_id"]
                                                                + ":huurder")]["ware_persoon"]
            assert len(tenant) == 1 and tenant.iloc[0] not in brp_people
    assert seen >= 2


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
