"""The contract validator on every rule: each mutation breaks exactly one rule and is quarantined for it."""

from __future__ import annotations

import duckdb
import pytest

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Kind
from pandzicht.contract.validate import all_reasons
from pandzicht.intake.load import load_bundle

from bundles import BAD, UNIT, minimal_bundle, valid_row, write_csv


def mutations() -> list[tuple[str, str, dict[str, str]]]:
    """(source, expected reason, row) for every rule of every source."""
    out = []
    for name in LOAD_ORDER:
        source = SOURCES[name]
        base = valid_row(source, 50)
        for col in source.columns:
            if col.required:
                out.append((name, f"{col.name}: ontbreekt", {**base, col.name: ""}))
            if col.kind in BAD:
                out.append((name, f"{col.name}: {_fmt(col.kind)}", {**base, col.name: BAD[col.kind]}))
            if col.kind == Kind.ENUM:
                out.append((name, f"{col.name}: onbekende waarde", {**base, col.name: "bestaat_niet"}))
            if col.kind == Kind.ENUM_LIST:
                out.append((name, f"{col.name}: onbekende waarde in lijst",
                            {**base, col.name: f"{col.values[0]};bestaat_niet"}))
            if col.non_negative:
                out.append((name, f"{col.name}: negatief", {**base, col.name: "-3"}))
            if col.not_after_peildatum:
                out.append((name, f"{col.name}: na peildatum", {**base, col.name: "2099-01-01"}))
            if col.references:
                unknown = "0599019999999999" if col.kind == Kind.BAG_ID else (
                    "99999999" if col.kind == Kind.KVK else "onbekend")
                out.append((name, f"{col.name}: onbekend in {col.references[0]}", {**base, col.name: unknown}))
        for start, end in source.periods:
            out.append((name, f"{end}: voor {start}", {**base, start: "2020-01-02", end: "2020-01-01"}))
        if source.key:
            out.append((name, f"{'+'.join(source.key)}: dubbel", valid_row(source, 0)))
    return out


def _fmt(kind: Kind) -> str:
    from pandzicht.contract.validate import BAD_FORMAT

    return BAD_FORMAT[kind]


@pytest.mark.parametrize("source", LOAD_ORDER)
def test_each_rule_quarantines_its_row(tmp_path, source):
    """One bundle per source holds a row for every rule; each lands in quarantine with that rule's reason."""
    cases = [(reason, row) for s, reason, row in mutations() if s == source]
    bundle = minimal_bundle(tmp_path / "b", extra={source: [row for _, row in cases]})
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    entry = report["bronnen"][source]
    assert entry["geladen"] == 2, "the two valid rows load"
    assert entry["quarantaine"] == len(cases) and entry["gelezen"] == 2 + len(cases)
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    got = con.execute(f"SELECT rij, reden FROM quarantine_{source} ORDER BY rij").fetchall()
    # header is row 1, the valid rows 2 and 3, then the mutations in order
    assert got == [(4 + i, reason) for i, (reason, _) in enumerate(cases)]
    assert sum(entry["redenen"].values()) == len(cases)


def test_every_documented_reason_is_exercised():
    exercised = {(s, r) for s, r, _ in mutations()}
    for name in LOAD_ORDER:
        for reason in all_reasons(SOURCES[name]):
            if reason.startswith("rij:"):
                continue
            assert (name, reason) in exercised, (name, reason)


def test_valid_rows_load_typed(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert all(b["quarantaine"] == 0 and b["geladen"] == 2 for b in report["bronnen"].values())
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    types = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'raw_huurcontract'"
    ).fetchall())
    assert types["datum_aanvang"] == "DATE" and types["huurprijs_eur"] == "BIGINT"
    assert types["verblijfsobject_id"] == "VARCHAR"
    assert con.execute("SELECT verblijfsobject_id FROM raw_brp_inschrijving LIMIT 1").fetchone()[0] == UNIT


def test_malformed_line_is_quarantined_with_its_line(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    path = bundle / "melding.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "m-broken,2024-01-01")  # becomes line 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["melding"]["redenen"] == {"rij: verkeerd aantal velden": 1}
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    assert con.execute("SELECT rij, _regel FROM quarantine_melding").fetchall() == [(3, "m-broken,2024-01-01")]
    assert [r[0] for r in con.execute("SELECT _rij FROM raw_melding ORDER BY 1").fetchall()] == [2, 4]


def test_quoted_commas_and_empty_cells(tmp_path):
    source = SOURCES["melding"]
    row = {**valid_row(source, 7), "tekst": 'zegt "hoi", en gaat', "adres_tekst": "Kastanjelaan 12, Rotterdam",
           "verblijfsobject_id": ""}
    bundle = minimal_bundle(tmp_path / "b", extra={"melding": [row]})
    load_bundle(bundle, tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    got = con.execute(
        "SELECT tekst, adres_tekst, verblijfsobject_id FROM raw_melding WHERE melding_id = 'k7'").fetchone()
    assert got == ('zegt "hoi", en gaat', "Kastanjelaan 12, Rotterdam", None)


def test_extra_columns_are_kept(tmp_path):
    bundle = minimal_bundle(tmp_path / "b")
    source = SOURCES["kvk_vestiging"]
    rows = [{**valid_row(source, i), "opmerking": f"o{i}"} for i in range(2)]
    write_csv(bundle / "kvk_vestiging.csv", [*source.column_names, "opmerking"], rows)
    report = load_bundle(bundle, tmp_path / "s.duckdb")
    assert report["bronnen"]["kvk_vestiging"]["extra_kolommen"] == ["opmerking"]
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    assert con.execute("SELECT opmerking FROM raw_kvk_vestiging ORDER BY 1").fetchall() == [("o0",), ("o1",)]
