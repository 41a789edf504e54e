"""The continued run's blocking (`_restricted`): exactly the pairs a full prediction scores that hold a new profile.

Why: the rules are split so DuckDB joins the new profiles against all others instead of all against all and
filtering afterwards; the split must neither lose a pair nor score one twice."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from splink import DuckDBAPI, Linker

from pandzicht.link import parties_splink as ps
from pandzicht.link.names import date_swap_key
from pandzicht.link.parties_incremental import _restricted

SURNAMES = ("jansen", "janssen", "bakker")
FIRST = ("pieter", "petra", "karel")
BIRTHS = ("1980-03-04", "1980-04-03", "1981-03-04")  # the first two: day and month swapped
UNITS = ("0599010000000001", "0599010000000002", None)


def _profile(i: int, surname: int, first: int, birth: int, unit: int, token: bool, new: bool) -> dict:
    s, f, b = SURNAMES[surname], FIRST[first], BIRTHS[birth]
    return {"unique_id": f"p{i:03d}", "achternaam_sleutel": s, "achternaam": s, "achternaam_fonetisch": s[:4],
            "achternaam_laatste": s, "voornamen": f, "voornaam1": f, "initialen": f[0], "initiaal": f[0],
            "geboortedatum": b, "geboortedatum_sleutel": date_swap_key(dt.date.fromisoformat(b)),
            "geboortejaar": b[:4], "verblijfsobject_id": UNITS[unit], "persoon_token": f"t{i}" if token else None,
            "nieuw": new}


def _predicted(frame: pa.Table, model: dict) -> set[tuple[str, str]]:
    api = DuckDBAPI()
    linker = Linker(api.register(frame), model, log_level=logging.WARNING)
    pairs = linker.inference.predict(warning_mode="never").as_duckdbpyrelation()
    found = pairs.select("unique_id_l, unique_id_r").fetchall()
    assert len(found) == len(set(found)), "a pair was scored twice"
    return {tuple(sorted(p)) for p in found}


profiles = st.lists(st.tuples(*(st.integers(0, 2) for _ in range(4)), st.booleans(), st.booleans()),
                    min_size=2, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_restricted_rules_score_every_pair_with_a_new_profile_once(drawn):
    rows = [_profile(i, *d) for i, d in enumerate(drawn)]
    frame = ps.bounded(pa.Table.from_pylist(rows), "persoon", ps.Fallbacks([]))
    full = ps.person_settings().get_settings("duckdb").as_dict()
    new = {r["unique_id"] for r in rows if r["nieuw"]}
    expected = {p for p in _predicted(frame, full) if p[0] in new or p[1] in new}
    assert _predicted(frame, _restricted(json.dumps(full))) == expected
