"""An unnumbered company mention whose name several registered companies carry takes the number that name carries
at the same home: the landlord of a contract written without KvK number is the company Kadaster records as
owner of the unit, not a second party of the same name."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import DamerauLevenshtein

from pandzicht.link.company_context import TABLE, infer_company_numbers, spelling_numbers
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
        # an agent's name misspelt on one contract: the one company written so
        _company("kvk_vestiging", "44444444", "reeland verhuurmakelaars", "44444444", None),
        _company("huurcontract", "C5:bemiddelaar", "reeland verhuurmkelaars", None, "U5", "bemiddelaar"),
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
              "C4:bemiddelaar": ("33333333", "opheffing"), "C5:bemiddelaar": ("44444444", "schrijfwijze")}


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


def test_a_misspelt_name_takes_the_number_of_the_one_company_written_so(tmp_path):
    rows = [
        _company("kvk_vestiging", "11111111", "reeland verhuurmakelaars", "11111111", None),
        _company("huurcontract", "C1:bemiddelaar", "reeland verhuurmkelaars", None, "U1", "bemiddelaar"),  # 2 edits
        _company("huurcontract", "C2:bemiddelaar", "reelandverhuurmakelaars", None, "U2", "bemiddelaar"),  # spacing
        # another misspelling that carries the same number does not make it ambiguous
        _company("huurcontract", "C3:bemiddelaar", "reeland verhuurmakelars", "11111111", "U3", "bemiddelaar"),
        # a name of 11 letters may differ by one edit, not two
        _company("kvk_vestiging", "22222222", "waal housing", "22222222", None),
        _company("huurcontract", "C4:bemiddelaar", "waal hosing", None, "U4", "bemiddelaar"),
        _company("huurcontract", "C5:bemiddelaar", "wal hosing", None, "U5", "bemiddelaar"),
        # shorter than 10 letters: left alone, spaced otherwise too
        _company("kvk_vestiging", "33333333", "ak wonen", "33333333", None),
        _company("huurcontract", "C6:verhuurder", "al wonen", None, "U6", "verhuurder"),
        _company("huurcontract", "C7:verhuurder", "akwonen", None, "U7", "verhuurder"),
        # near a name with namesakes: which of them is not known
        _company("kvk_vestiging", "44444444", "merwede beleggingen", "44444444", None),
        _company("kvk_vestiging", "55555555", "merwede beleggingen", "55555555", None),
        _company("huurcontract", "C8:verhuurder", "merwede beleggngen", None, "U8", "verhuurder"),
        # near two companies with one number each: neither
        _company("kvk_vestiging", "66666666", "dordt housing", "66666666", None),
        _company("kvk_vestiging", "77777777", "dordt homing", "77777777", None),
        _company("huurcontract", "C9:bemiddelaar", "dordt hosing", None, "U9", "bemiddelaar"),
    ]
    with Store(tmp_path / "s.duckdb") as store:
        store.write_arrow("partij_vermelding", _mentions(rows))
        infer_company_numbers(store)
        got = _inferred(store)
    assert got == {"C1:bemiddelaar": ("11111111", "schrijfwijze"), "C2:bemiddelaar": ("11111111", "schrijfwijze"),
                   "C4:bemiddelaar": ("22222222", "schrijfwijze")}


def test_a_misspelt_agent_joins_its_company(world_base, tmp_path):
    """Resolved end to end: the misspelt contract mention is the registered agent's party, not one of its own. (In
    this world the name model joins it too; in the independent generator's it weighs a typo at 0.73, below the
    0.9 that joins, and 757 such company pairs waited in the review queue of one 20,000-unit world.)"""
    _, db = world_base
    store_file = tmp_path / "s.duckdb"
    shutil.copy(db, store_file)
    with Store(store_file) as store:
        _add(store, [_company("kvk_vestiging", "98765432", "zwartewaal verhuurmakelaars", "98765432", None),
                     _company("huurcontract", "TEST1:bemiddelaar", "zwartewaal verhuurmakelaars", "98765432", None,
                              "bemiddelaar"),
                     _company("huurcontract", "TEST2:bemiddelaar", "zwartewaal verhuurmakalaars", None, None,
                              "bemiddelaar")])
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")
        parties = store.rows("SELECT DISTINCT entiteit_id FROM entiteit WHERE record_sleutel IN "
                             "('98765432', 'TEST1:bemiddelaar', 'TEST2:bemiddelaar')")
        ground = store.rows(f"SELECT kvk_nummer, grond FROM {TABLE} WHERE record_sleutel = 'TEST2:bemiddelaar'")
    assert len(parties) == 1
    assert ground == [("98765432", "schrijfwijze")]  # joined by its number, whatever the name model weighs


_CORE = st.text(alphabet="abcdeh ", min_size=6, max_size=14).map(lambda s: " ".join(s.split())).filter(bool)


def _near(open_core: str, numbered_core: str) -> bool:
    """The bound written out on its own: from 10 letters on, the same letters or a typo sharing the first or last
    four letters."""
    a, b = open_core.replace(" ", ""), numbered_core.replace(" ", "")
    if len(a) < 10:
        return False
    if a == b:
        return True
    if len(b) < 10 or not (a[:4] == b[:4] or a[-4:] == b[-4:]):
        return False
    return DamerauLevenshtein.distance(a, b) <= (1 if len(a) < 16 else 2)


@settings(max_examples=200, deadline=None)
@given(numbered=st.dictionaries(_CORE, st.sets(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=2),
                                max_size=6),
       open_cores=st.lists(_CORE, max_size=6, unique=True))
def test_a_number_is_inferred_exactly_when_all_near_names_carry_that_one_number(numbered, open_cores):
    open_cores = [c for c in open_cores if c not in numbered]
    got = spelling_numbers(numbered, open_cores)
    for core in open_cores:
        near = [n for n in numbered if _near(core, n)]
        numbers = set().union(*(numbered[n] for n in near)) if near else set()
        squeezed = {}
        for n in near:
            squeezed.setdefault(n.replace(" ", ""), set()).update(numbered[n])
        want = next(iter(numbers)) if len(numbers) == 1 and all(len(v) == 1 for v in squeezed.values()) else None
        assert got.get(core) == want, (core, near)


def test_a_number_inferred_from_the_spelling_never_teaches_the_name_model(world_base, tmp_path):
    """The company model learns m and u from profiles sharing a KvK number. A misspelt name that took its number
    from the rule above was chosen *because* its name is near: learning from it would teach that near names are
    the same company. The model trained with such a profile equals the one trained with its number left out,
    while the prediction still joins it by that number."""
    from pandzicht.link import parties_splink as ps

    _, db = world_base
    store_file = tmp_path / "s.duckdb"
    shutil.copy(db, store_file)
    with Store(store_file) as store:
        store.write_arrow("_beoordeeld", pa.table({"sleutel": pa.array([], pa.string())}))
        infer_company_numbers(store)
        ps.build_profiles(store)
        companies = store.arrow(f"SELECT {', '.join(ps.COMPANY_COLUMNS)} FROM _profiel WHERE soort = 'bedrijf' "
                                "ORDER BY unique_id")
    numbered = companies.filter(pa.compute.is_valid(companies.column("kvk_nummer")))
    typos = numbered.slice(0, 25)
    typos = typos.set_column(0, "unique_id", pa.array([f"typo{i}" for i in range(typos.num_rows)]))
    typos = typos.set_column(typos.schema.get_field_index("kern_compact"), "kern_compact",
                             pa.array([k + "x" for k in typos.column("kern_compact").to_pylist()]))
    unnumbered = typos.set_column(typos.schema.get_field_index("kvk_nummer"), "kvk_nummer",
                                  pa.nulls(typos.num_rows, pa.string()))
    unnumbered = unnumbered.set_column(unnumbered.schema.get_field_index("kvk_opgegeven"), "kvk_opgegeven",
                                       pa.nulls(typos.num_rows, pa.string()))
    inferred = typos.set_column(typos.schema.get_field_index("kvk_opgegeven"), "kvk_opgegeven",
                                pa.nulls(typos.num_rows, pa.string()))  # the number came from the spelling only
    models: dict[str, dict] = {}
    pairs = {}
    for name, extra in (("zonder", unnumbered), ("afgeleid", inferred), ("opgegeven", typos)):
        got: dict[str, dict] = {}
        with ps._db_api("duckdb") as api:
            scored = ps.score_companies(api, "duckdb", pa.concat_tables([companies, extra]), 0.9, models=got)
        models[name] = json.loads(got["bedrijf"]) if isinstance(got["bedrijf"], str) else got["bedrijf"]
        pairs[name] = {(a, b) for a, b in zip(scored.column("unique_id_l").to_pylist(),
                                              scored.column("unique_id_r").to_pylist(), strict=True)
                       if a.startswith("typo") or b.startswith("typo")}

    def levels(model: dict) -> list:
        return [(lv.get("m_probability"), lv.get("u_probability")) for c in model["comparisons"]
                for lv in c["comparison_levels"]] + [model["probability_two_random_records_match"]]

    assert levels(models["afgeleid"]) == levels(models["zonder"])
    assert levels(models["opgegeven"]) != levels(models["zonder"])  # a recorded number does teach it
    assert len(pairs["afgeleid"]) > len(pairs["zonder"])  # and the inferred number joins at prediction
