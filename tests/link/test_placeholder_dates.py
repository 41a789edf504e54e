"""A birth date carried by implausibly many people stands for "unknown" and is not linking evidence."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pandzicht.fallback import recorded
from pandzicht.link import parties_splink as ps
from pandzicht.link import placeholder_dates as pd
from pandzicht.link.mentions import MENTION_COLUMNS
from pandzicht.store.engine import Store

PLACEHOLDER = dt.date(1900, 1, 1)


def _mentions(people: list[tuple[str, dt.date | None]]) -> pa.Table:
    """Person mentions (surname key, birth date), one per entry, in the shape `partij_vermelding` has."""
    n = len(people)
    cols: dict[str, pa.Array] = {c: pa.array([None] * n, pa.string()) for c in MENTION_COLUMNS}
    cols["bron"] = pa.array(["politie_betrokkene"] * n)
    cols["record_sleutel"] = pa.array([f"B{i:05d}" for i in range(n)])
    cols["soort"] = pa.array(["persoon"] * n)
    cols["achternaam_sleutel"] = pa.array([s for s, _ in people])
    cols["achternaam"] = pa.array([s for s, _ in people])
    cols["voornaam1"] = pa.array(["jan"] * n)
    cols["geboortedatum"] = pa.array([d for _, d in people], pa.date32())
    cols["geboortedatum_sleutel"] = pa.array([d.strftime("%m%d%Y") if d else None for _, d in people])
    return pa.table(cols)


def _store(people: list[tuple[str, dt.date | None]]) -> Store:
    store = Store()
    store.write_arrow("partij_vermelding", _mentions(people))
    return store


def _natural(n: int) -> list[tuple[str, dt.date | None]]:
    """n people with different surnames and dates spread over sixty years (two share each date)."""
    return [(f"naam{i}", dt.date(1950, 1, 1) + dt.timedelta(days=(i // 2) * 11)) for i in range(n)]


def test_a_date_shared_by_many_surnames_is_read_as_unknown_and_reported_without_the_date():
    people = _natural(400) + [(f"ander{i}", PLACEHOLDER) for i in range(60)] + [(f"ander{i}", None) for i in range(5)]
    with _store(people) as store:
        found = pd.mark(store)
        assert (found.dates, found.mentions, found.largest) == (1, 60, 60)
        pd.mark(store)  # a continued delivery falling back to a full resolution marks again: reported once
        [fallback] = [f for f in recorded(store) if f.stap == pd.STEP]
        assert "1900" not in fallback.reden + fallback.terugval and "60 verschillende achternamen" in fallback.reden
        store.write_arrow("_beoordeeld", pa.table({"sleutel": pa.array([], pa.string())}))
        store.write_arrow("vermelding_kvk_afgeleid", pa.table({
            "bron": pa.array([], pa.string()), "record_sleutel": pa.array([], pa.string()),
            "kvk_nummer": pa.array([], pa.string()), "grond": pa.array([], pa.string())}))
        ps.build_profiles(store)
        linked = dict(store.rows("SELECT sleutel, geboortedatum FROM _pv"))
        source = dict(store.rows("SELECT bron || '/' || record_sleutel, geboortedatum FROM partij_vermelding"))
    placeholder_keys = {f"politie_betrokkene/B{i:05d}" for i in range(400, 460)}
    assert all(linked[k] is None for k in placeholder_keys)  # unknown to the linking
    assert all(source[k] == PLACEHOLDER for k in placeholder_keys)  # the mention keeps what the source said
    assert all(linked[k] == source[k].isoformat() for k in linked if k not in placeholder_keys and source[k])


def test_natural_dates_and_a_few_namesakes_are_no_placeholder():
    # a real date many people share (a popular birthday among 49 surnames) stays below the floor of 50
    people = _natural(400) + [(f"jarig{i}", dt.date(1990, 1, 1)) for i in range(49)]
    with _store(people) as store:
        assert pd.mark(store).dates == 0
        assert not [f for f in recorded(store) if f.stap == pd.STEP]
        assert store.scalar(f"SELECT count(*) FROM {pd.TABLE}") == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=30))
@example([120] + [1] * 29)  # flagged: 120 surnames against an average of 5
@example([60] + [2] * 29)  # not: 60 is below 20 times the average of 3.9
def test_a_date_is_a_placeholder_exactly_when_its_surnames_pass_both_bounds(per_date):
    """Whatever the spread, a flagged date has at least MIN_NAMES surnames and FACTOR times the average."""
    people = [(f"n{d}_{i}", dt.date(1960, 1, 1) + dt.timedelta(days=d)) for d, k in enumerate(per_date)
              for i in range(k)]
    average = sum(per_date) / len(per_date)
    expected = {d for d, k in enumerate(per_date) if k >= pd.MIN_NAMES and k >= pd.FACTOR * average}
    with _store(people) as store:
        pd.mark(store)
        flagged = {(d - dt.date(1960, 1, 1)).days for d, in store.rows(f"SELECT geboortedatum FROM {pd.TABLE}")}
    assert flagged == expected
