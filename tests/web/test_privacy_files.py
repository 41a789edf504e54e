"""Issue 12, finding 11: stores and outputs owner-only; the `analyse` summary shows no person's full name."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pandzicht.cases.db import make_engine, migrate


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_operational_sqlite_database_is_owner_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    migrate(engine)
    engine.dispose()
    assert _mode(tmp_path / "ops.sqlite") == 0o600


def test_analyse_writes_owner_only_and_summarises_with_pseudonyms(world, tmp_path: Path, monkeypatch) -> None:
    from pandzicht.cli import app as cli_app

    monkeypatch.setenv("COLUMNS", "250")
    out = tmp_path / "uitvoer"
    result = CliRunner().invoke(cli_app, ["analyse", str(world["bundle"]), "--out", str(out)])
    assert result.exit_code == 0, result.output[-2000:]
    assert _mode(out) == 0o700
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "pandzicht.duckdb" for p in files) and any(p.name == "partijen.csv" for p in files)
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert all(_mode(d) == 0o700 for d in out.rglob("*") if d.is_dir())
    con = duckdb.connect(str(world["db"]), read_only=True)
    people = {r[0] for r in con.execute(
        "SELECT concat_ws(' ', voornamen, voorvoegsel, geslachtsnaam) FROM raw_brp_inschrijving").fetchall()}
    top = [r[0] for r in con.execute("SELECT naam FROM partij_score ORDER BY rang LIMIT 5").fetchall()]
    con.close()
    summary = result.output
    assert "Top 5 partijen" in summary
    leaked = [n for n in people if n and n in summary]
    assert not leaked, leaked[:3]
    assert any("#" in line for line in summary.splitlines() if "│" in line)  # pseudonyms are shown
    assert top  # the parties are there, so the check above looked at real rows
