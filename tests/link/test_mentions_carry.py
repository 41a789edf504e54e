"""A continued delivery takes a mention from the previous analysis only when its source row and the code that
derives it are unchanged; the table is always the one deriving every mention again gives."""

from __future__ import annotations

import shutil

import pytest
from link_worlds import prepared_world

from pandzicht.link import mentions
from pandzicht.link.mentions import INPUT_TABLE, collect_mentions
from pandzicht.store.engine import Store

# changes between the deliveries, each of a kind the carried table must not miss
CHANGES = (
    # a renamed owner, a BRP person with a new surname, a removed functionary
    "UPDATE raw_kadaster_eigendom SET eigenaar_naam = eigenaar_naam || ' Jr' "
    "WHERE eigendom_id = (SELECT min(eigendom_id) FROM raw_kadaster_eigendom WHERE eigenaar_type <> 'rechtspersoon')",
    "UPDATE raw_brp_inschrijving SET geslachtsnaam = 'Veldhuizen' "
    "WHERE persoon_id = (SELECT min(persoon_id) FROM raw_brp_inschrijving)",
    "DELETE FROM raw_kvk_functionaris WHERE functionaris_id = (SELECT min(functionaris_id) FROM raw_kvk_functionaris)",
    # a new register entry whose name is a landlord's without KvK number: that landlord becomes a company
    "INSERT INTO raw_kvk_vestiging (kvk_nummer, naam) SELECT '99999999', min(verhuurder_naam) FROM raw_huurcontract "
    "WHERE verhuurder_kvk IS NULL AND verhuurder_naam IS NOT NULL",
)


def rows(store: Store, table: str) -> list[tuple]:
    return store.rows(f"SELECT * FROM {table}")


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("vermeldingen")
    _, first = prepared_world(root, 400, 3, "base")
    return root, first


def _second(root, first, name: str):  # type: ignore[no-untyped-def]
    db = root / f"{name}.duckdb"
    shutil.copyfile(first, db)
    store = Store(db)
    for sql in CHANGES:
        store.execute(sql)
    return store


def test_unchanged_rows_are_taken_over_and_the_table_equals_a_full_derivation(delivery) -> None:  # type: ignore[no-untyped-def]
    root, first = delivery
    with _second(root, first, "vervolg") as carried, _second(root, first, "vers") as fresh:
        n, reuse = collect_mentions(carried, previous=first)
        m, full = collect_mentions(fresh)
        assert n == m
        assert rows(carried, "partij_vermelding") == rows(fresh, "partij_vermelding")
        assert sorted(rows(carried, INPUT_TABLE)) == sorted(rows(fresh, INPUT_TABLE))
        assert reuse["modus"] == "incrementeel" and full["modus"] == "volledig"
        assert reuse["overgenomen"] > 0.5 * n and reuse["overgenomen"] + reuse["afgeleid"] == n
        landlord = carried.scalar("SELECT naam FROM raw_kvk_vestiging WHERE kvk_nummer = '99999999'")
        assert carried.scalar("SELECT count(*) FROM partij_vermelding WHERE rol = 'verhuurder' AND naam = ? "
                              "AND soort = 'bedrijf' AND kvk_nummer IS NULL", [landlord]) > 0


def test_other_code_derives_everything_again(delivery, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root, first = delivery
    monkeypatch.setattr(mentions, "_code_fingerprint", lambda: "andere code")
    with _second(root, first, "andere-code") as store:
        n, reuse = collect_mentions(store, previous=first)
        assert reuse["overgenomen"] == 0 and reuse["afgeleid"] == n and reuse["modus"] == "volledig"


def test_an_earlier_versions_text_hash_is_not_compared(delivery, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An analysis by an earlier version kept each input as an md5 text: the delivery after it derives every
    mention (and says why) instead of failing to compare text with a number."""
    root, first = delivery
    older = tmp_path / "eerder.duckdb"
    shutil.copyfile(first, older)
    with Store(older) as store:
        store.execute(f"CREATE OR REPLACE TABLE {INPUT_TABLE} AS SELECT bron, record_sleutel, "
                      f"md5(CAST(invoer AS VARCHAR)) AS invoer FROM {INPUT_TABLE}")
    with _second(root, first, "na-eerdere-versie") as store:
        n, reuse = collect_mentions(store, previous=older)
        assert reuse["overgenomen"] == 0 and reuse["afgeleid"] == n and "eerdere versie" in reuse["reden"]
        assert store.scalar(f"SELECT any_value(typeof(invoer)) FROM {INPUT_TABLE}") == "UBIGINT"
