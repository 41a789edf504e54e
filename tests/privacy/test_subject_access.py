"""Subject access: the report names the person's records and the audit rows about them, and nothing of another."""

from __future__ import annotations

import csv
import html
from pathlib import Path

import duckdb
from sqlalchemy import select
from typer.testing import CliRunner

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.cli import app
from pandzicht.privacy import audit
from pandzicht.privacy.models import AuditEntry
from pandzicht.privacy.users import create_user


def _brp_names(bundle: Path) -> dict[str, str]:
    with (bundle / "brp_inschrijving.csv").open(encoding="utf-8", newline="") as f:
        return {r["persoon_id"]: " ".join(p for p in (r["voornamen"], r["voorvoegsel"], r["geslachtsnaam"]) if p)
                for r in csv.DictReader(f)}


def test_inzage_lists_the_persons_records_and_views_and_nothing_of_another(small_world, tmp_path: Path) -> None:
    with duckdb.connect(str(small_world["db"]), read_only=True) as con:
        # A person with a BRP registration and at least one other source; and someone else at another address.
        me, other = con.execute(
            "WITH p AS (SELECT entiteit_id, list(DISTINCT bron) AS b FROM entiteit GROUP BY 1 "
            "HAVING list_contains(b, 'brp_inschrijving') AND len(b) >= 2) "
            "SELECT (SELECT min(entiteit_id) FROM p), (SELECT max(entiteit_id) FROM entiteit WHERE bron = "
            "'brp_inschrijving' AND entiteit_id NOT IN (SELECT entiteit_id FROM p))").fetchone()
        my_keys = con.execute("SELECT bron, record_sleutel FROM entiteit WHERE entiteit_id = ?", [me]).fetchall()
        my_persons = {k for b, k in my_keys if b == "brp_inschrijving"}
        my_units = {r[0] for r in con.execute("SELECT naar FROM relatie WHERE van = ?", [me]).fetchall()}
    names = _brp_names(small_world["bundle"])
    mine = {names[p] for p in my_persons}
    others = {n for p, n in names.items() if p not in my_persons and n not in mine}

    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine).begin() as s:
        ana = create_user(s, "ana", "correct-horse-battery-staple", "analist")
        bob = create_user(s, "bob", "correct-horse-battery-staple", "analist")
        s.flush()
        audit.record(s, ana, "partij_bekeken", "partij", me)
        audit.record(s, bob, "partij_bekeken", "partij", other)
        audit.record(s, bob, "netwerk_bekeken", "partij", me)

    out = tmp_path / "inzage"
    r = CliRunner().invoke(app, ["inzage", "--db", str(small_world["db"]), "--database", url, "--partij", me,
                                 "--uit", str(out)])
    assert r.exit_code == 0, r.output
    assert not (mine | others) & set(r.output.split("\n"))  # the terminal names files and counts only
    page = html.unescape((out / "inzage.html").read_text(encoding="utf-8"))
    assert (out / "inzage.pdf").read_bytes().startswith(b"%PDF")
    for bron, key in my_keys:
        if bron in ("brp_inschrijving", "kadaster_eigendom", "kvk_functionaris", "politie_betrokkene"):
            assert key in page, (bron, key)
    for name in mine:
        first, *_ = name.split()
        assert first in page
    assert "Inschrijvingen in de BRP" in page
    views = page.split("Wie uw gegevens heeft bekeken", 1)[1]
    assert "ana" in views and "bob" in views and "partijdossier bekeken" in views and "netwerk bekeken" in views
    assert views.count("<tr>") >= 3  # header, ana's view, bob's network view
    assert other not in page
    leaked = {n for n in others if n in page}
    assert not leaked, sorted(leaked)[:5]
    with session_factory(engine)() as s:
        logged = list(s.scalars(select(AuditEntry).where(AuditEntry.actie == "inzage_opgesteld")))
        assert [e.object_id for e in logged] == [me]
    engine.dispose()
    assert my_units  # the person is tied to at least one address, whose score the report shows
