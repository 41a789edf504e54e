"""Commands for the privacy officer: `pandzicht bewaartermijn toepassen` and `pandzicht inzage`.

Terminal output names sources, counts and file paths only, never a person's data.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.errors import PandzichtError

retention_app = typer.Typer(no_args_is_help=True, help="Bewaartermijnen per bron toepassen (AVG art. 5 lid 1e).")
DEFAULT_DB = "sqlite:///pandzicht-operationeel.sqlite"
DatabaseOpt = Annotated[str, typer.Option("--database", help="operationele database (URL); standaard "
                                          "PANDZICHT_DATABASE of sqlite:///pandzicht-operationeel.sqlite")]


def _database_url(database: str) -> str:
    url = database or os.environ.get("PANDZICHT_DATABASE", "") or DEFAULT_DB
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if path and not os.path.isfile(path):
        raise PandzichtError(f"database {path} bestaat niet")
    return url


def _analysis_db(db: Path) -> Path:
    p = db / "pandzicht.duckdb" if db.is_dir() else db
    if not p.is_file():
        raise PandzichtError(f"analyse-opslag niet gevonden: {p}")
    return p.resolve()


@retention_app.command("toepassen")
def apply_retention(
    db: Annotated[Path | None, typer.Option("--db", help="analyse-opslag (pandzicht.duckdb of de uitvoermap)")] = None,
    database: DatabaseOpt = "",
    config: Annotated[Path | None, typer.Option("--config", help="eigen bewaartermijnen (TOML, zoals "
                                                "privacy/bewaartermijnen.toml)")] = None,
    op: Annotated[str, typer.Option("--op", help="peildatum JJJJ-MM-DD (standaard vandaag)")] = "",
) -> None:
    """Verwijder records die ouder zijn dan hun bewaartermijn; het auditlog krijgt per bron het aantal."""
    from pandzicht.privacy.retention import apply_to_analysis, apply_to_operational, load_terms, record_removals

    try:
        today = dt.date.fromisoformat(op) if op else dt.date.today()
    except ValueError:
        raise PandzichtError(f"--op '{op}' is geen datum (JJJJ-MM-DD)") from None
    terms = load_terms(config)
    url = _database_url(database)
    analysed = apply_to_analysis(_analysis_db(db), terms, today) if db is not None else {}
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            operational = apply_to_operational(session, terms, dt.datetime.combine(today, dt.time()))
            record_removals(session, "analyse", analysed)
            record_removals(session, "operationeel", operational)
    finally:
        engine.dispose()
    out = Console()
    out.print(f"Bewaartermijnen toegepast op {today.isoformat()}; verwijderd per bron (aantallen staan in het "
              "auditlog):", highlight=False)
    for store, removed in (("analyse", analysed), ("operationeel", operational)):
        for bron, n in sorted(removed.items()):
            out.print(f"  {store:<13} {bron:<22} {n:>8}", highlight=False)
