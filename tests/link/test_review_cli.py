"""`pandzicht beoordeel`: the queue is shown, a judgement lands in the file next to the store."""

from __future__ import annotations

from typer.testing import CliRunner

from pandzicht.link.judgements import current_judgements, default_path
from pandzicht.link.review_cli import app
from pandzicht.store.engine import Store

runner = CliRunner()


def _store_with_queue(db):
    with Store(db) as s:
        s.execute("""
            CREATE TABLE beoordeling_wachtrij AS SELECT 'kadaster_eigendom/K1' AS links, 'huurcontract/C1:verhuurder'
              AS rechts, 0.71 AS kans, false AS boven_drempel, false AS samengevoegd,
              'J. de Vries' AS naam_links, 'Jan de Vries' AS naam_rechts, DATE '1970-01-02' AS geboortedatum_links,
              NULL::DATE AS geboortedatum_rechts, NULL AS kvk_nummer_links, NULL AS kvk_nummer_rechts,
              'eigenaar' AS rol_links, 'verhuurder' AS rol_rechts
        """)


def test_wachtrij_and_oordeel(tmp_path):
    db = tmp_path / "pandzicht.duckdb"
    _store_with_queue(db)
    shown = runner.invoke(app, ["wachtrij", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "kadaster_eigendom/K1" in shown.output and "0.71" in shown.output
    done = runner.invoke(app, ["oordeel", "kadaster_eigendom/K1", "huurcontract/C1:verhuurder", "zelfde",
                               "--wie", "analist", "--db", str(db)])
    assert done.exit_code == 0, done.output
    judged = current_judgements(default_path(db))
    assert judged[("huurcontract/C1:verhuurder", "kadaster_eigendom/K1")].oordeel == "zelfde"


def test_oordeel_refuses_unknown_verdict_and_missing_name(tmp_path):
    db = tmp_path / "pandzicht.duckdb"
    bad = runner.invoke(app, ["oordeel", "a/1", "b/2", "misschien", "--wie", "x", "--db", str(db)])
    assert bad.exit_code != 0
    missing = runner.invoke(app, ["oordeel", "a/1", "b/2", "zelfde", "--db", str(db)])
    assert missing.exit_code != 0
    assert not default_path(db).exists()
