"""The stage declaration is a contract: what a stage reads exists before it runs, what it writes exists after."""

from __future__ import annotations

import pytest

from pandzicht.intake.load import load_bundle
from pandzicht.link.address_match import AddressIndex
from pandzicht.pipeline import analyse_store
from pandzicht.stages import BY_NAME, STAGES, StageInput, is_intake_table
from pandzicht.store.engine import Store
from pandzicht.synth import generate


def test_every_table_read_is_written_earlier_or_delivered():
    written: set[str] = set()
    for stage in STAGES:
        missing = [t for t in stage.reads if t not in written and not is_intake_table(t)]
        assert not missing, f"{stage.name} reads {missing} before any stage writes them"
        assert stage.writes, stage.name
        written |= set(stage.writes)


def test_stage_names_are_unique_and_the_baseline_skips_only_what_needs_free_text_or_splink():
    assert len(BY_NAME) == len(STAGES)
    assert [s.name for s in STAGES if s.exact is None] == ["adres_via_personen", "wachtrij"]
    assert BY_NAME["entiteiten"].exact is not BY_NAME["entiteiten"].run
    assert BY_NAME["adreskoppeling"].exact is not BY_NAME["adreskoppeling"].run


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    base = tmp_path_factory.mktemp("stages")
    generate(base / "bundel", 600, 4, "base")
    seen: list[str] = []
    store = Store(base / "s.duckdb")
    load_bundle(base / "bundel", store)
    timings: dict[str, float] = {}
    built = []
    original = AddressIndex.from_store.__func__  # type: ignore[attr-defined]

    def counted(cls, s):  # type: ignore[no-untyped-def]
        built.append(s)
        return original(cls, s)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AddressIndex, "from_store", classmethod(counted))
        analyse_store(store, on_stage=seen.append, timings=timings, judgements=base / "geen.sqlite")
    yield store, seen, timings, built
    store.close()


def test_the_bag_address_index_is_built_once_per_analysis(analysed):
    store, seen, _, built = analysed
    # address linking and linking through people both ran and matched against the same index
    assert {"adreskoppeling", "adres_via_personen"} <= set(seen)
    assert store.scalar("SELECT count(*) FROM adres_koppeling WHERE verblijfsobject_id IS NOT NULL") > 0
    assert len(built) == 1


def test_after_an_analysis_every_declared_table_exists(analysed):
    store, seen, timings, _ = analysed
    ran = [s for s in STAGES if s.name in seen]
    assert seen == [s.name for s in ran] == list(timings)
    # the demo world delivers no short-stay listings: that stage alone does not apply
    assert [s.name for s in STAGES if s not in ran] == ["kortverblijf"]
    tables = set(store.tables())
    for stage in ran:
        assert set(stage.writes) <= tables, (stage.name, sorted(set(stage.writes) - tables))
    assert not set(BY_NAME["kortverblijf"].writes) & tables


def test_the_listing_stage_writes_what_it_declares(tmp_path):
    stage = BY_NAME["kortverblijf"]
    with Store(tmp_path / "k.duckdb") as store:
        assert not stage.applies(store)
        store.execute("CREATE TABLE raw_bag_verblijfsobject AS SELECT 'vbo1' AS verblijfsobject_id, "
                      "92000.0 AS x_rd, 437000.0 AS y_rd, 'woonfunctie' AS gebruiksdoel")
        store.execute("CREATE TABLE raw_kortverblijf_advertentie AS SELECT 'l1' AS listing_id, "
                      "92010.0 AS x_rd, 437000.0 AS y_rd")
        assert stage.applies(store)
        stage.run(StageInput(store, []))
        assert set(stage.writes) <= set(store.tables())
        assert store.rows("SELECT listing_id, verblijfsobject_id FROM kortverblijf_koppeling") == [("l1", "vbo1")]
