"""The loop: outcomes recorded in cases feed the next scoring run as handhaving_uitkomst labels."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pandzicht.cases import casework
from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.cases.export import append_to_bundle, outcomes_as_labels
from pandzicht.errors import PandzichtError
from pandzicht.pipeline import analyse
from pandzicht.privacy.users import create_user


def record(db_url: str, rows: list[tuple[str, dt.date, str, str]]) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine).begin() as s:
        u = create_user(s, "regie", "correct-horse-battery", "casusregisseur")
        case = casework.open_case(s, u, "adres", rows[0][0], "", "opiumwet_13b", "RIEC-2024-0001")
        for vbo, datum, instrument, bevinding in rows:
            casework.record_outcome(s, u, case, vbo, datum, instrument, bevinding,
                                    case_units={v for v, *_ in rows})
    engine.dispose()


def test_outcomes_as_labels_has_the_contract_shape(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    record(url, [("0599010000000002", dt.date(2024, 3, 1), "controle", "niets_gevonden"),
                 ("0599010000000001", dt.date(2024, 2, 1), "sluiting_13b", "hennepkwekerij")])
    assert outcomes_as_labels(url) == [
        {"verblijfsobject_id": "0599010000000001", "datum": "2024-02-01", "instrument": "sluiting_13b",
         "bevinding": "hennepkwekerij"},
        {"verblijfsobject_id": "0599010000000002", "datum": "2024-03-01", "instrument": "controle",
         "bevinding": "niets_gevonden"},
    ]


def test_append_to_bundle_refuses_to_overwrite(tmp_path: Path, world) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    out = tmp_path / "kopie"
    out.mkdir()
    with pytest.raises(PandzichtError):
        append_to_bundle(world["bundle"], url, out)
    with pytest.raises(PandzichtError):
        append_to_bundle(tmp_path, url, tmp_path / "x")


def test_recorded_outcomes_become_labels_of_the_next_run(tmp_path: Path, world) -> None:
    con = duckdb.connect(str(world["db"]), read_only=True)
    peil = con.execute("SELECT peildatum FROM bundel_meta").fetchone()[0]
    units = [r[0] for r in con.execute("SELECT s.verblijfsobject_id FROM adres_score s JOIN raw_bag_verblijfsobject "
                                       "USING (verblijfsobject_id) ORDER BY s.rang DESC LIMIT 3").fetchall()]
    before = con.execute("SELECT count(*) FROM raw_handhaving_uitkomst").fetchone()[0]
    con.close()
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    record(url, [(units[0], peil - dt.timedelta(days=10), "huisbezoek", "woonfraude"),
                 (units[1], peil - dt.timedelta(days=5), "controle", "niets_gevonden"),
                 (units[2], dt.date.today(), "controle", "niets_gevonden")])  # after the bundle's peildatum
    copy = tmp_path / "bundel-met-uitkomsten"
    summary = append_to_bundle(world["bundle"], url, copy)
    assert summary == {"geschreven": 2, "dubbel": 0, "na_peildatum": 1}
    with (copy / "handhaving_uitkomst.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[-2]["verblijfsobject_id"] == units[0] and rows[-2]["bevinding"] == "woonfraude"
    assert json.loads((copy / "manifest.json").read_text())["sources"]["handhaving_uitkomst"]
    again = append_to_bundle(copy, url, tmp_path / "nogmaals")  # idempotent: nothing twice
    assert again["geschreven"] == 0 and again["dubbel"] == 2
    analyse(copy, tmp_path / "uitvoer2")
    con = duckdb.connect(str(tmp_path / "uitvoer2" / "pandzicht.duckdb"), read_only=True)
    labels = dict(con.execute("SELECT verblijfsobject_id, bevinding FROM raw_handhaving_uitkomst "
                              "WHERE verblijfsobject_id IN (?, ?)", units[:2]).fetchall())
    assert con.execute("SELECT count(*) FROM raw_handhaving_uitkomst").fetchone()[0] == before + 2
    con.close()
    assert labels[units[0]] == "woonfraude" and labels[units[1]] == "niets_gevonden"
