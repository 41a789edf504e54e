"""An optional source (`bronnen_optioneel`) sharpens an indicator when delivered and never silences it when not.

The case that needed it: `katvanger_meerdere_huren` leaves out tenants that are companies long established in
the KvK (an employer housing its staff is not a straw man), but a region without a KvK extract must still see
a person or company renting three homes at once."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.indicators.run import for_store, run_indicators
from pandzicht.store.engine import Store

PEIL = dt.date(2024, 6, 30)
COMPANY = "12345678"


def _katvanger() -> Indicator:
    return next(i for i in load_catalogue() if i.code == "katvanger_meerdere_huren")


def _store(kvk: list[tuple[str, dt.date, dt.date | None]] | None) -> Store:
    """One company renting three homes and one person renting two; `kvk` rows, [] header-only, None absent."""
    store = Store()
    store.write_arrow("bundel_meta", pa.table({"peildatum": [PEIL]}))
    contracts = [("C1", "bedrijf"), ("C2", "bedrijf"), ("C3", "bedrijf"), ("C4", "persoon"), ("C5", "persoon")]
    store.write_arrow("raw_huurcontract", pa.table({
        "contract_id": [c for c, _ in contracts],
        "datum_aanvang": [dt.date(2023, 1, 1)] * len(contracts),
        "datum_einde": pa.array([None] * len(contracts), pa.date32()),
    }))
    store.write_arrow("contract_adres", pa.table({
        "contract_id": [c for c, _ in contracts],
        "verblijfsobject_id": [f"05990100000000{i:02d}" for i in range(1, len(contracts) + 1)],
    }))
    store.write_arrow("entiteit", pa.table({
        "bron": ["huurcontract"] * len(contracts) + ["kvk_vestiging"],
        "record_sleutel": [f"{c}:huurder" for c, _ in contracts] + [COMPANY],
        "entiteit_id": [kind for _, kind in contracts] + ["bedrijf"],
    }))
    if kvk is not None:
        store.write_arrow("raw_kvk_vestiging", pa.table({
            "kvk_nummer": pa.array([k for k, _, _ in kvk], pa.string()),
            "datum_inschrijving": pa.array([d for _, d, _ in kvk], pa.date32()),
            "datum_opheffing": pa.array([e for _, _, e in kvk], pa.date32()),
        }))
    return store


def _fired(store: Store) -> dict[str, float]:
    run_indicators(store, for_store(store, [_katvanger()]))
    return dict(store.rows("SELECT entiteit_id, waarde FROM indicator_waarde"))


@pytest.mark.parametrize("kvk", [None, []], ids=["absent", "header-only"])
def test_without_a_kvk_extract_every_tenant_with_several_homes_counts(kvk):
    with _store(kvk) as store:
        fired = _fired(store)
    assert fired == {f"05990100000000{i:02d}": (1.0 if i <= 3 else 0.5) for i in range(1, 6)}


@pytest.mark.parametrize(("registered", "dissolved", "counts"), [
    (dt.date(2015, 3, 1), None, False),  # established employer: not a straw man
    (dt.date(2023, 9, 1), None, True),  # a company less than two years old
    (dt.date(2015, 3, 1), dt.date(2024, 1, 1), True),  # dissolved before the peildatum, yet renting
    (dt.date(2022, 6, 30), None, False),  # exactly two years
])
def test_an_established_company_is_left_out_a_young_or_dissolved_one_is_not(registered, dissolved, counts):
    with _store([(COMPANY, registered, dissolved)]) as store:
        fired = _fired(store)
    company_homes = {f"05990100000000{i:02d}" for i in (1, 2, 3)}
    assert {u: fired[u] for u in company_homes & set(fired)} == ({u: 1.0 for u in company_homes} if counts else {})
    assert fired["0599010000000004"] == fired["0599010000000005"] == 0.5  # the person always counts


def _indicator(query: str, optional: tuple[str, ...] = ("kvk_vestiging",)) -> Indicator:
    return Indicator(code="t", titel="t", entiteit="adres", familie="test", bronnen=("signaal",), meet="t",
                     waarom="t", bron_url="", onschuldig=("geen",), geen_proxy="geen", query=query, optioneel=optional)


@pytest.mark.parametrize("query", [
    "SELECT s.id AS entiteit_id, 1.0 AS waarde FROM raw_signaal s "
    "WHERE s.id NOT IN (SELECT kvk_nummer FROM raw_kvk_vestiging)",
    "WITH k AS (SELECT kvk_nummer FROM raw_kvk_vestiging) "
    "SELECT s.id AS entiteit_id, 1.0 AS waarde FROM raw_signaal s WHERE s.id NOT IN (SELECT kvk_nummer FROM k)",
])
def test_a_missing_optional_source_reads_as_empty_with_or_without_a_with_clause(query):
    with Store() as store:
        store.write_arrow("raw_signaal", pa.table({"id": ["12345678", "a"]}))
        assert run_indicators(store, for_store(store, [_indicator(query)]))["berekend"] == ["t"]
        assert sorted(store.rows("SELECT entiteit_id FROM indicator_waarde")) == [("12345678",), ("a",)]
        store.write_arrow("raw_kvk_vestiging", pa.table({"kvk_nummer": ["12345678"]}))
        resolved = for_store(store, [_indicator(query)])
        assert resolved[0].query == query  # delivered: the query reads the real table, untouched
        run_indicators(store, resolved)
        assert store.rows("SELECT entiteit_id FROM indicator_waarde") == [("a",)]


def test_a_source_cannot_be_required_and_optional(tmp_path):
    from pandzicht.indicators.catalogue import _parse

    text = (_katvanger_path().read_text(encoding="utf-8")
            .replace('bronnen_optioneel = ["kvk_vestiging"]', 'bronnen_optioneel = ["entiteit"]'))
    path = tmp_path / "katvanger_meerdere_huren.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PandzichtError, match="bronnen en in bronnen_optioneel"):
        _parse(path)


def _katvanger_path():
    from pandzicht.indicators.catalogue import catalogue_dir

    return catalogue_dir() / "katvanger_meerdere_huren.toml"


def _unregistered_store(kvk: list[tuple[str, dt.date, dt.date | None]] | None) -> Store:
    """Four homes let since 2023, nobody registered in three: C1 to the company, C2 to a person, C3 to the
    company with a person registered there, C4 to the company since a month before the peildatum."""
    store = _store(kvk)
    store.write_arrow("raw_huurcontract", pa.table({
        "contract_id": ["C1", "C2", "C3", "C4"],
        "datum_aanvang": [dt.date(2023, 1, 1)] * 3 + [dt.date(2024, 6, 1)],
        "datum_einde": pa.array([None] * 4, pa.date32()),
    }))
    store.write_arrow("contract_adres", pa.table({
        "contract_id": ["C1", "C2", "C3", "C4"], "verblijfsobject_id": [f"059901000000000{i}" for i in range(1, 5)]}))
    store.write_arrow("entiteit", pa.table({
        "bron": ["huurcontract"] * 4 + ["kvk_vestiging"],
        "record_sleutel": ["C1:huurder", "C2:huurder", "C3:huurder", "C4:huurder", COMPANY],
        "entiteit_id": ["bedrijf", "persoon", "bedrijf", "bedrijf", "bedrijf"],
    }))
    store.write_arrow("raw_brp_inschrijving", pa.table({
        "verblijfsobject_id": ["0599010000000003"], "datum_aanvang": pa.array([dt.date(2023, 2, 1)], pa.date32()),
        "datum_einde": pa.array([None], pa.date32())}))
    return store


def _unregistered_fired(store: Store) -> set[str]:
    ind = next(i for i in load_catalogue() if i.code == "verhuurd_niemand_ingeschreven")
    run_indicators(store, for_store(store, [ind]))
    return {u for u, in store.rows("SELECT entiteit_id FROM indicator_waarde WHERE waarde > 0")}


@pytest.mark.parametrize(("kvk", "company_counts"), [
    (None, True),  # no KvK extract: every let home with nobody registered counts
    ([], True),  # header-only
    ([(COMPANY, dt.date(2015, 3, 1), None)], False),  # established employer housing staff who need not register
    ([(COMPANY, dt.date(2023, 9, 1), None)], True),  # a company less than two years old
    ([(COMPANY, dt.date(2015, 3, 1), dt.date(2024, 1, 1))], True),  # dissolved, yet renting
], ids=["absent", "header-only", "established", "young", "dissolved"])
def test_a_home_let_to_an_established_company_with_nobody_registered_is_not_counted(kvk, company_counts):
    with _unregistered_store(kvk) as store:
        fired = _unregistered_fired(store)
    # the person's home always counts; a registered resident or a contract of a month never does
    assert fired == ({"0599010000000001", "0599010000000002"} if company_counts else {"0599010000000002"})
