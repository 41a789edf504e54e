"""`huurder_niet_ingeschreven`: a person who rents a home but stands registered at none of the homes they rent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.store.engine import Store

QUERY = next(i for i in load_catalogue() if i.code == "huurder_niet_ingeschreven").query
LONG_AGO, LAST_MONTH = dt.date(2023, 1, 1), dt.date(2024, 6, 1)


def _store(tmp_path: Path) -> Store:
    # (party, contract, unit, start, kind of tenant, registrations: (unit, start, end))
    tenants = [
        ("WOONT", "C1", "U1", LONG_AGO, "persoon", [("U1", LONG_AGO, None)]),
        ("ELDERS", "C2", "U2", LONG_AGO, "persoon", [("U9", LONG_AGO, None)]),
        ("NERGENS", "C3", "U3", LONG_AGO, "persoon", []),
        ("VERTROKKEN", "C4", "U4", LONG_AGO, "persoon", [("U4", LONG_AGO, dt.date(2024, 1, 1))]),
        ("NET_GEHUURD", "C5", "U5", LAST_MONTH, "persoon", []),  # registration may still follow
        ("BEDRIJF", "C6", "U6", LONG_AGO, "bedrijf", []),  # a company is never in the BRP
        # renting two homes, living in one of them: not the straw man's pattern this indicator is about
        ("TWEE", "C7", "U7", LONG_AGO, "persoon", [("U8", LONG_AGO, None)]),
        ("TWEE", "C8", "U8", LONG_AGO, "persoon", []),
    ]
    store = Store(tmp_path / "s.duckdb")
    store.execute("CREATE TABLE bundel_meta AS SELECT DATE '2024-06-30' AS peildatum")
    store.execute("CREATE TABLE raw_huurcontract (contract_id VARCHAR, datum_aanvang DATE, datum_einde DATE)")
    store.execute("CREATE TABLE contract_adres (contract_id VARCHAR, verblijfsobject_id VARCHAR)")
    store.execute("CREATE TABLE partij_vermelding (bron VARCHAR, record_sleutel VARCHAR, soort VARCHAR)")
    store.execute("CREATE TABLE entiteit (bron VARCHAR, record_sleutel VARCHAR, entiteit_id VARCHAR)")
    store.execute("CREATE TABLE raw_brp_inschrijving (persoon_id VARCHAR, verblijfsobject_id VARCHAR, "
                  "datum_aanvang DATE, datum_einde DATE)")
    persons: set[str] = set()
    for party, contract, unit, start, kind, registrations in tenants:
        store.execute("INSERT INTO raw_huurcontract VALUES (?, ?, NULL)", [contract, start])
        store.execute("INSERT INTO contract_adres VALUES (?, ?)", [contract, unit])
        store.execute("INSERT INTO partij_vermelding VALUES ('huurcontract', ?, ?)", [f"{contract}:huurder", kind])
        store.execute("INSERT INTO entiteit VALUES ('huurcontract', ?, ?)", [f"{contract}:huurder", party])
        for k, (where, begin, end) in enumerate(registrations):
            person = f"P-{party}-{k}"
            store.execute("INSERT INTO raw_brp_inschrijving VALUES (?, ?, ?, ?)", [person, where, begin, end])
            if person not in persons:
                store.execute("INSERT INTO entiteit VALUES ('brp_inschrijving', ?, ?)", [person, party])
                persons.add(person)
    return store


def test_a_tenant_registered_nowhere_or_elsewhere_stands_out(tmp_path):
    with _store(tmp_path) as store:
        values = {k: v for k, v in store.rows(QUERY)}
    assert values == {"NERGENS": pytest.approx(1.0), "VERTROKKEN": pytest.approx(1.0),
                      "ELDERS": pytest.approx(0.5)}
