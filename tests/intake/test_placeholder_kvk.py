"""A KvK number the extract does not know, written beside the names of many parties, is a filler: read as empty."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pandzicht.intake import placeholder_kvk as pk
from pandzicht.store.engine import Store

REAL, OUTSIDE, FILLER = "24123456", "33999999", "00000000"
LOADED = {"kvk_vestiging": "raw_kvk_vestiging"}


def _contracts() -> list[tuple[str | None, str]]:
    """(verhuurder_kvk, verhuurder_naam): a real company written 30 ways, a company outside the region's extract
    under 3 spellings, a filler beside 25 landlords, and a private landlord without a number."""
    rows = [(REAL, f"Maas Wonen {'B.V.' if i % 2 else 'BV'}{' ' * (i % 3)}{'x' * (i // 2)}") for i in range(30)]
    rows += [(OUTSIDE, n) for n in ("Vesta Groep", "Vesta Groep B.V.", "VESTA GROEP")]
    rows += [(FILLER, f"Verhuurder {chr(65 + i)}") for i in range(25)]
    rows += [(None, "J. de Vries")]
    return rows


def _store(extract: list[str] | None) -> Store:
    store = Store()
    rows = _contracts()
    store.write_arrow("raw_huurcontract", pa.table({
        "_rij": list(range(1, len(rows) + 1)),
        "verhuurder_kvk": pa.array([k for k, _ in rows], pa.string()),
        "verhuurder_naam": [n for _, n in rows],
        "bemiddelaar_kvk": pa.array([None] * len(rows), pa.string()),
        "bemiddelaar_naam": pa.array([None] * len(rows), pa.string()),
        "huurder_kvk": pa.array([None] * len(rows), pa.string()),
        "huurder_naam": ["huurder"] * len(rows),
    }))
    if extract is not None:
        store.write_arrow("raw_kvk_vestiging", pa.table({"kvk_nummer": pa.array(extract, pa.string())}))
    return store


def test_a_filler_is_emptied_and_counted_real_numbers_stay():
    with _store([REAL]) as store:
        found = pk.clear_placeholders(store, "huurcontract", LOADED)
        left = dict(store.rows("SELECT coalesce(verhuurder_kvk, '-'), count(*) FROM raw_huurcontract GROUP BY 1"))
    assert found == {"verhuurder_kvk": {"nummers": 1, "cellen": 25}}
    assert left == {REAL: 30, OUTSIDE: 3, "-": 26}  # the 25 filler cells are now empty, as the private landlord's
    line = pk.warning(found)
    assert "25 rijen" in line and FILLER not in line and "Verhuurder" not in line


@pytest.mark.parametrize("extract", [None, []], ids=["no extract", "header-only extract"])
def test_without_an_extract_nothing_is_cleared(extract):
    """A large company's many spellings cannot then be told from a filler."""
    loaded = LOADED if extract is not None else {}
    with _store(extract) as store:
        assert pk.clear_placeholders(store, "huurcontract", loaded) == {}
        assert store.scalar(f"SELECT count(*) FROM raw_huurcontract WHERE verhuurder_kvk = '{FILLER}'") == 25


def test_a_number_with_fewer_names_than_the_floor_is_kept(monkeypatch):
    monkeypatch.setattr(pk, "MIN_NAMES", 26)
    with _store([REAL]) as store:
        assert pk.clear_placeholders(store, "huurcontract", LOADED) == {}


def test_only_the_sources_with_kvk_columns_beside_names_are_cleaned():
    assert pk.depends_on_extract("huurcontract", LOADED) and pk.depends_on_extract("kadaster_eigendom", LOADED)
    assert not pk.depends_on_extract("kvk_functionaris", LOADED)  # its numbers must be in the extract already
    assert not pk.depends_on_extract("huurcontract", {})
