"""An unnumbered company mention whose name several registered companies carry takes the number that name carries
at the same home: the landlord of a contract written without KvK number is the company Kadaster records as
owner of the unit, not a second party of the same name."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pytest

from pandzicht.link.company_context import TABLE, infer_company_numbers
from pandzicht.link.mentions import MENTION_COLUMNS
from pandzicht.link.parties_splink import resolve_parties
from pandzicht.store.engine import Store


def _mentions(rows: list[dict]) -> pa.Table:
    return pa.table({c: pa.array([r.get(c) for r in rows], pa.date32() if c == "geboortedatum" else pa.string())
                     for c in MENTION_COLUMNS})


def _company(bron: str, key: str, kern: str, kvk: str | None, unit: str | None, rol: str = "bedrijf") -> dict:
    return {"bron": bron, "record_sleutel": key, "rol": rol, "soort": "bedrijf", "naam": kern.title() + " B.V.",
            "bedrijf_kern": kern, "bedrijf_sleutel": kern, "kvk_nummer": kvk, "verblijfsobject_id": unit}

def _owning_company(store: Store) -> tuple[str, str, str]:
    """(name core, KvK number, unit) of the first company the Kadaster records as an owner."""
    return store.rows("""
        SELECT bedrijf_kern, kvk_nummer, verblijfsobject_id FROM partij_vermelding
        WHERE bron = 'kadaster_eigendom' AND soort = 'bedrijf' AND kvk_nummer IS NOT NULL
          AND verblijfsobject_id IS NOT NULL AND bedrijf_kern IS NOT NULL
        ORDER BY record_sleutel LIMIT 1""")[0]


def _add(store: Store, rows: list[dict]) -> None:
    store.con.register("_extra", _mentions(rows))
    store.execute("INSERT INTO partij_vermelding SELECT * FROM _extra")
    store.con.unregister("_extra")



def test_one_number_of_the_name_at_the_home_settles_it(tmp_path):
    rows = [
        _company("kvk_vestiging", "11111111", "merwede beleggingen", "11111111", None),
        _company("kvk_vestiging", "22222222", "merwede beleggingen", "22222222", None),
        _company("kadaster_eigendom", "E1", "merwede beleggingen", "11111111", "U1", "eigenaar"),
        _company("kadaster_eigendom", "E2", "merwede beleggingen", "22222222", "U2", "eigenaar"),
        _company("huurcontract", "C1:verhuurder", "merwede beleggingen", None, "U1", "verhuurder"),
        _company("huurcontract", "C2:verhuurder", "merwede beleggingen", None, "U2", "verhuurder"),
        _company("huurcontract", "C3:verhuurder", "merwede beleggingen", None, "U3", "verhuurder"),  # nothing known
        _company("huurcontract", "C4:verhuurder", "merwede beleggingen", None, None, "verhuurder"),  # no home
        # both numbers seen at U5: the home does not settle it
        _company("kadaster_eigendom", "E5", "merwede beleggingen", "11111111", "U5", "eigenaar"),
        _company("huurcontract", "C5:huurder", "merwede beleggingen", "22222222", "U5", "huurder"),
        _company("huurcontract", "C5:verhuurder", "merwede beleggingen", None, "U5", "verhuurder"),
        # a name with one number is left to the resolver's name comparison
        _company("kvk_vestiging", "33333333", "waal housing", "33333333", "U6"),
        _company("huurcontract", "C6:bemiddelaar", "waal housing", None, "U6", "bemiddelaar"),
    ]
    with Store(tmp_path / "s.duckdb") as store:
        store.write_arrow("partij_vermelding", _mentions(rows))
        assert infer_company_numbers(store) == 2  # no register dates here: only the home can settle it
        got = {r[0]: (r[1], r[2]) for r in store.rows(f"SELECT record_sleutel, kvk_nummer, grond FROM {TABLE}")}
    assert got == {"C1:verhuurder": ("11111111", "adres"), "C2:verhuurder": ("22222222", "adres")}


def _dated_namesakes(store) -> None:  # type: ignore[no-untyped-def]
    """Three companies of one name, one dissolved in 2010, one in 2020, one registered in 2023, and four
    contracts of an agent of that name without a number."""
    rows = [
        _company("kvk_vestiging", "11111111", "waal housing", "11111111", None),
        _company("kvk_vestiging", "22222222", "waal housing", "22222222", None),
        _company("kvk_vestiging", "33333333", "waal housing", "33333333", None),
        _company("huurcontract", "C1:bemiddelaar", "waal housing", None, "U1", "bemiddelaar"),
        _company("huurcontract", "C2:bemiddelaar", "waal housing", None, "U2", "bemiddelaar"),
        _company("huurcontract", "C3:bemiddelaar", "waal housing", None, "U3", "bemiddelaar"),
        # the home settles it before the dates do, unless it names a namesake dissolved by then
        _company("kadaster_eigendom", "E3", "waal housing", "22222222", "U3", "eigenaar"),
        _company("kadaster_eigendom", "E4", "waal housing", "11111111", "U4", "eigenaar"),
        _company("huurcontract", "C4:bemiddelaar", "waal housing", None, "U4", "bemiddelaar"),
    ]
    store.write_arrow("partij_vermelding", _mentions(rows))
    # 11111111 dissolved in 2010, 22222222 in 2020, 33333333 registered in 2023 and still there
    store.write_arrow("raw_kvk_vestiging", pa.table({
        "kvk_nummer": ["11111111", "22222222", "33333333"],
        "datum_inschrijving": pa.array([dt.date(2001, 1, 1), dt.date(2005, 1, 1), dt.date(2023, 1, 1)]),
        "datum_opheffing": pa.array([dt.date(2010, 6, 30), dt.date(2020, 1, 1), None], pa.date32())}))
    # C1: only 33333333 left (registered later: contracts are re-papered); C2: 22222222 and 33333333 left
    store.write_arrow("raw_huurcontract", pa.table({
        "contract_id": ["C1", "C2", "C3", "C4"],
        "datum_aanvang": pa.array([dt.date(2021, 3, 1), dt.date(2015, 3, 1), dt.date(2015, 3, 1),
                                   dt.date(2021, 3, 1)])}))


WANT_DATED = {"C1:bemiddelaar": ("33333333", "opheffing"), "C3:bemiddelaar": ("22222222", "adres"),
              "C4:bemiddelaar": ("33333333", "opheffing")}


def _inferred(store) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {r[0]: (r[1], r[2]) for r in store.rows(f"SELECT record_sleutel, kvk_nummer, grond FROM {TABLE}")}


def test_a_namesake_dissolved_before_the_contract_began_is_not_its_party(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        _dated_namesakes(store)
        infer_company_numbers(store)
        assert _inferred(store) == WANT_DATED


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_spark_infers_the_same_numbers(tmp_path):
    """The same SQL through the Spark engine (SQLGlot to Spark SQL) gives DuckDB's rows."""
    from pandzicht.store.spark import SparkStore, local_session

    spark = local_session("pandzicht-kvk-afgeleid")
    try:
        with SparkStore(spark, tmp_path / "warehouse") as store:
            _dated_namesakes(store)
            infer_company_numbers(store)
            got = _inferred(store)
    finally:
        spark.stop()
    assert got == WANT_DATED


def test_the_landlord_joins_the_owner_not_its_namesake(world_base, tmp_path):
    _, db = world_base
    store_file = tmp_path / "s.duckdb"
    shutil.copy(db, store_file)
    with Store(store_file) as store:
        kern, kvk, unit = _owning_company(store)
        other_unit = store.scalar("SELECT min(verblijfsobject_id) FROM raw_bag_verblijfsobject "
                                  "WHERE verblijfsobject_id <> ?", [unit])
        namesake = "99999999"
        # the same name, once at the owner's home and once at a home its namesake owns: by name alone both
        # contract mentions are one profile and so one party, whichever company that is
        extra = [_company("kvk_vestiging", namesake, kern, namesake, None),
                 _company("kadaster_eigendom", "TEST-E", kern, namesake, other_unit, "eigenaar"),
                 _company("huurcontract", "TEST1:verhuurder", kern, None, unit, "verhuurder"),
                 _company("huurcontract", "TEST2:verhuurder", kern, None, other_unit, "verhuurder")]
        _add(store, extra)
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")

        def party(bron: str, key: str) -> str:
            return store.scalar("SELECT entiteit_id FROM entiteit WHERE bron = ? AND record_sleutel = ?", [bron, key])

        owner = store.scalar("SELECT e.entiteit_id FROM entiteit e JOIN partij_vermelding v "
                             "USING (bron, record_sleutel) WHERE v.kvk_nummer = ? LIMIT 1", [kvk])
        assert party("kvk_vestiging", namesake) != owner
        assert party("huurcontract", "TEST1:verhuurder") == owner
        assert party("huurcontract", "TEST2:verhuurder") == party("kvk_vestiging", namesake)
        # the recorded mention keeps its empty number; the inferred one is kept beside it
        recorded = "SELECT kvk_nummer FROM partij_vermelding WHERE record_sleutel = 'TEST1:verhuurder'"
        assert store.scalar(recorded) is None
        assert store.scalar(f"SELECT kvk_nummer FROM {TABLE} WHERE record_sleutel = 'TEST1:verhuurder'") == kvk


def test_a_mention_whose_inferred_number_changed_is_resolved_again(tmp_path):
    """Delivery 2 repeats a contract unchanged, but Kadaster now names its landlord's number at the home: the
    continued run must resolve that mention again, not keep it in its old party."""
    from pandzicht.link import parties_incremental as inc

    first = [
        _company("kvk_vestiging", "11111111", "merwede beleggingen", "11111111", None),
        _company("kvk_vestiging", "22222222", "merwede beleggingen", "22222222", None),
        _company("kadaster_eigendom", "E1", "merwede beleggingen", "11111111", "U1", "eigenaar"),
        _company("huurcontract", "C1:verhuurder", "merwede beleggingen", None, "U1", "verhuurder"),
        _company("huurcontract", "C3:verhuurder", "merwede beleggingen", None, "U3", "verhuurder"),
    ]
    second = [*first, _company("kadaster_eigendom", "E3", "merwede beleggingen", "22222222", "U3", "eigenaar")]
    previous = tmp_path / "een.duckdb"
    with Store(previous) as store:
        store.write_arrow("partij_vermelding", _mentions(first))
        infer_company_numbers(store)
        store.execute("CREATE TABLE entiteit AS SELECT bron, record_sleutel, 'E' || record_sleutel AS entiteit_id, "
                      "1.0 AS zekerheid FROM partij_vermelding")
        store.execute("CREATE TABLE partij_model AS SELECT * FROM (VALUES ('persoon'), ('bedrijf')) t(soort)")
    with Store(tmp_path / "twee.duckdb") as store:
        store.write_arrow("partij_vermelding", _mentions(second))
        assert inc._copy_previous(store, previous)
        infer_company_numbers(store)
        inc._classify(store, [])
        status = dict(store.rows("SELECT sleutel, status FROM _status"))
    assert status["huurcontract/C3:verhuurder"] == "gewijzigd"
    assert status["huurcontract/C1:verhuurder"] == "gelijk"
    assert status["kadaster_eigendom/E3"] == "nieuw"


def test_an_analysts_judgement_overrules_the_inference(world_base, tmp_path):
    """An analyst who judged the contract mention a different party than the owner's register record is not
    overruled by the number its home suggests."""
    from pandzicht.link.judgements import record_judgement

    _, db = world_base
    store_file = tmp_path / "s.duckdb"
    shutil.copy(db, store_file)
    judgements = tmp_path / "oordelen.sqlite"
    with Store(store_file) as store:
        kern, kvk, unit = _owning_company(store)
        extra = [_company("kvk_vestiging", "99999999", kern, "99999999", None),
                 _company("huurcontract", "TEST1:verhuurder", kern, None, unit, "verhuurder")]
        _add(store, extra)
        register = store.scalar("SELECT bron || '/' || record_sleutel FROM partij_vermelding "
                                "WHERE bron = 'kvk_vestiging' AND kvk_nummer = ?", [kvk])
        record_judgement(judgements, "huurcontract/TEST1:verhuurder", register, "verschillend", "analist")
        resolve_parties(store, judgements=judgements)
        assert store.scalar(f"SELECT kvk_nummer FROM {TABLE} WHERE record_sleutel = 'TEST1:verhuurder'") == kvk
        parties = dict(store.rows("SELECT bron || '/' || record_sleutel, entiteit_id FROM entiteit "
                                  "WHERE record_sleutel = 'TEST1:verhuurder' OR bron || '/' || record_sleutel = ?",
                                  [register]))
    assert parties["huurcontract/TEST1:verhuurder"] != parties[register]
