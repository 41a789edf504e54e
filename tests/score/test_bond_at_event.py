"""Evidence through a party's other homes counts only when the party was there when it happened.

A check's finding or a police registration at another home says something about a person or a letting party only
if their bond with that home ran at the time (or had ended at most 90 days before, as `partij_bevestigde_woningen`
counts a finding): a resident who left years before a cannabis farm was found, or an agent whose contract ended
before the police came, had nothing to do with it. Each case below fails on the queries that ignored the end of the
bond. A previous case weighs as `partij_bevestigde_woningen` weighs a party's findings: one among a tenant
company's many homes counts little."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.run import run_indicators
from pandzicht.store.engine import Store

PEILDATUM = dt.date(2024, 6, 30)
D = dt.date


def _indicators(*codes: str):
    found = [i for i in load_catalogue() if i.code in codes]
    assert {i.code for i in found} == set(codes)
    return found


def _base(store: Store) -> None:
    store.execute(f"CREATE TABLE bundel_meta AS SELECT DATE '{PEILDATUM}' AS peildatum")
    store.execute("CREATE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                  "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    store.execute("CREATE TABLE raw_handhaving_uitkomst (verblijfsobject_id VARCHAR, datum DATE, instrument VARCHAR, "
                  "bevinding VARCHAR)")
    store.execute("CREATE TABLE raw_politie_incident (incident_id VARCHAR, datum DATE, categorie VARCHAR, "
                  "verblijfsobject_id VARCHAR, adres_tekst VARCHAR, omschrijving VARCHAR)")
    store.execute("CREATE TABLE incident_adres (incident_id VARCHAR, verblijfsobject_id VARCHAR)")
    store.execute("CREATE TABLE entiteit (entiteit_id VARCHAR, bron VARCHAR, record_sleutel VARCHAR)")


def _bonds(store: Store, rows: list[tuple[str, str, str, dt.date, dt.date | None]]) -> None:
    store.con.executemany("INSERT INTO relatie VALUES (?, ?, ?, 'x', 'x', ?, ?)", rows)


def _values(store: Store, code: str) -> dict[str, float]:
    return dict(store.rows(f"SELECT entiteit_id, waarde FROM indicator_waarde WHERE indicator = '{code}'"))


def test_a_previous_case_counts_only_for_who_was_there_when_it_was_found(tmp_path: Path):
    with Store(tmp_path / "s.duckdb") as store:
        _base(store)
        _bonds(store, [
            # each person lives at a new home now (N*) and was once at an old one (O*) where a check found something
            ("P_tijdens", "O1", "registered_at", D(2018, 1, 1), D(2022, 3, 1)), ("P_tijdens", "N1", "registered_at",
                                                                                 D(2022, 3, 1), None),
            ("P_kort_na", "O2", "registered_at", D(2018, 1, 1), D(2021, 11, 1)), ("P_kort_na", "N2", "registered_at",
                                                                                 D(2021, 11, 1), None),
            ("P_lang_voor", "O3", "registered_at", D(2012, 1, 1), D(2015, 6, 1)), ("P_lang_voor", "N3", "rents",
                                                                                   D(2015, 6, 1), None),
            ("P_tweede", "O4", "rents", D(2019, 1, 1), D(2023, 1, 1)), ("P_tweede", "N4", "registered_at",
                                                                        D(2023, 1, 1), None),
            # a tenant company renting ten homes since 2019, one of which was a case while it rented it
            *[("BV", f"C{i}", "rents", D(2019, 1, 1), None) for i in range(10)],
            # and 200 ordinary residents, so the region's share of homes with a case is small
            *[(f"R{i}", f"G{i}", "registered_at", D(2015, 1, 1), None) for i in range(200)],
        ])
        store.con.executemany("INSERT INTO raw_handhaving_uitkomst VALUES (?, ?, '13b', ?)", [
            ("C0", D(2023, 1, 10), "overbewoning"),
            ("O1", D(2022, 1, 10), "hennepkwekerij"),  # while P_tijdens lived there
            ("O2", D(2022, 1, 10), "drugsopslag"),  # 70 days after P_kort_na left: the use ran while he was there
            ("O3", D(2020, 5, 1), "hennepkwekerij"),  # five years after P_lang_voor left: someone else's
            ("O4", D(2016, 5, 1), "safehouse"),  # before P_tweede came ...
            ("O4", D(2022, 6, 1), "safehouse"),  # ... and again while P_tweede rented it
        ])
        run_indicators(store, _indicators("persoon_eerdere_zaak"))
        got = _values(store, "persoon_eerdere_zaak")
    base = 4 / (4 + 4 + 10 + 200)  # homes that were a case of a party bound to them then, over all bound homes
    one_of_one = min(((1 + 2 * base) / 3 - base) * 4.0, 1.0)
    one_of_nine = min(((1 + 2 * base) / 11 - base) * 4.0, 1.0)
    assert one_of_one == 1.0 and one_of_nine < 0.35
    # N3: P_lang_voor left O3 five years before its case; C0 itself: a case at the home is not another home's
    assert got == pytest.approx({"N1": one_of_one, "N2": one_of_one, "N4": one_of_one,
                                 **{f"C{i}": one_of_nine for i in range(1, 10)}})


def test_police_at_a_partys_other_home_counts_only_while_its_bond_ran(tmp_path: Path):
    with Store(tmp_path / "s.duckdb") as store:
        _base(store)
        _bonds(store, [
            # a straw man renting two homes now, and a third until 2022
            ("K", "H1", "rents", D(2023, 1, 1), None), ("K", "H2", "rents", D(2023, 1, 1), None),
            ("K", "H3", "rents", D(2019, 1, 1), D(2022, 1, 1)),
            # an agent with two current lets, one home let until 2021
            ("B", "A1", "brokers", D(2023, 1, 1), None), ("B", "A2", "brokers", D(2020, 1, 1), D(2021, 6, 1)),
        ])
        store.con.executemany("INSERT INTO raw_politie_incident VALUES (?, ?, ?, NULL, NULL, NULL)", [
            ("i1", D(2024, 2, 1), "drugsopslag"),  # H2, while K rents it
            ("i2", D(2021, 12, 1), "wapens"),  # H3, while K still rented it
            ("i3", D(2023, 6, 1), "hennepkwekerij"),  # A2, two years after B's contract ended
        ])
        store.con.executemany("INSERT INTO incident_adres VALUES (?, ?)", [("i1", "H2"), ("i2", "H3"), ("i3", "A2")])
        run_indicators(store, _indicators("incidenten_netwerk"))
        got = _values(store, "incidenten_netwerk")
    # H1: K's two other homes had a registration while K held them; H2: one (H3); A1: none in B's time
    assert got == {"H1": 1.0, "H2": 0.5}


def test_a_portfolios_registrations_are_those_during_its_contracts(tmp_path: Path):
    with Store(tmp_path / "s.duckdb") as store:
        _base(store)
        store.execute("CREATE TABLE raw_huurcontract (contract_id VARCHAR, datum_aanvang DATE, datum_einde DATE)")
        store.execute("CREATE TABLE contract_adres (contract_id VARCHAR, verblijfsobject_id VARCHAR)")
        contracts, homes, parties, incidents = [], [], [], []
        # 'tijdens' and 'erna' each let 10 homes; at 4 of each the police registered drugs. At 'tijdens' homes
        # while its contracts ran, at 'erna' homes two years after its contracts ended. 'gewoon' lets 40 homes,
        # one with a registration, so the region's share is not zero.
        for party, n, hit, end, when in (("tijdens", 10, 4, None, D(2023, 1, 1)),
                                         ("erna", 10, 4, D(2021, 1, 1), D(2023, 1, 1)),
                                         ("gewoon", 40, 1, None, D(2023, 1, 1))):
            for k in range(n):
                cid, home = f"{party}{k}", f"W_{party}{k}"
                contracts.append((cid, D(2019, 1, 1), end))
                homes.append((cid, home))
                parties.append((party, "huurcontract", f"{cid}:bemiddelaar"))
                if k < hit:
                    incidents.append((f"i_{cid}", when, home))
        store.con.executemany("INSERT INTO raw_huurcontract VALUES (?, ?, ?)", contracts)
        store.con.executemany("INSERT INTO contract_adres VALUES (?, ?)", homes)
        store.con.executemany("INSERT INTO entiteit VALUES (?, ?, ?)", parties)
        store.con.executemany("INSERT INTO raw_politie_incident VALUES (?, ?, 'drugsopslag', NULL, NULL, NULL)",
                              [(i, d) for i, d, _ in incidents])
        store.con.executemany("INSERT INTO incident_adres VALUES (?, ?)", [(i, h) for i, _, h in incidents])
        run_indicators(store, _indicators("portefeuille_signalen"))
        got = _values(store, "portefeuille_signalen")
    base = 5 / 60  # homes with a registration during a contract, over all let homes
    assert got["tijdens"] == pytest.approx(min(((4 + 10 * base) / 20 - base) * 4.0, 1.0))
    assert "erna" not in got
    assert "gewoon" not in got  # below the region's share
