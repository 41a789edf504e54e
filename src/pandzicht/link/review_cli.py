"""`pandzicht beoordeel`: the review queue of uncertain party pairs, and recording an analyst's judgement.

The queue lives in the analysis store (table `beoordeling_wachtrij`, rebuilt by
every analysis); judgements go to the durable file next to it, so the next run
respects them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pandzicht.link.judgements import VERDICTS, default_path, record_judgement
from pandzicht.store.engine import Store

app = typer.Typer(help="Beoordeel onzekere koppelingen tussen partijen.", no_args_is_help=True)
# wide enough that record keys are never cut: the analyst copies them into `oordeel`
console = Console(width=max(shutil.get_terminal_size((160, 24)).columns, 160))

DB_OPTION = typer.Option(Path("out/pandzicht.duckdb"), "--db", help="De analyse-store (DuckDB-bestand).")
JUDGEMENTS_OPTION = typer.Option(None, "--oordelen", help="Oordelenbestand; standaard naast de store.")


def _judgements_path(db: Path, oordelen: Path | None) -> Path:
    path = oordelen or default_path(db)
    assert path is not None
    return path


@app.command()
def wachtrij(
    db: Path = DB_OPTION,
    limiet: int = typer.Option(25, "--limiet", help="Hoeveel paren tonen."),
) -> None:
    """Toon de paren die het model niet zeker weet: eerst die bij partijen en woningen hoog op de lijsten,
    dan die het dichtst bij de drempel."""
    if not db.exists():
        raise typer.BadParameter(f"geen store gevonden op {db}")
    with Store(db, read_only=True) as store:
        if not store.has_table("beoordeling_wachtrij"):
            console.print("Geen wachtrij: draai eerst een analyse.")
            raise typer.Exit(1)
        total = store.scalar("SELECT count(*) FROM beoordeling_wachtrij")
        rows = store.rows(
            "SELECT links, rechts, kans, samengevoegd, naam_links, naam_rechts, geboortedatum_links, "
            "geboortedatum_rechts, kvk_nummer_links, kvk_nummer_rechts, rol_links, rol_rechts "
            "FROM beoordeling_wachtrij LIMIT ?", [limiet])
    table = Table(title=f"Beoordelingswachtrij ({len(rows)} van {total})")
    for col in ("links", "rechts"):
        table.add_column(col, no_wrap=True)
    for col in ("kans", "nu", "naam links", "naam rechts", "geb./kvk links", "geb./kvk rechts", "rollen"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r[0], r[1], f"{r[2]:.2f}", "samen" if r[3] else "apart", r[4] or "", r[5] or "",
            str(r[6] or r[8] or ""), str(r[7] or r[9] or ""), f"{r[10]}/{r[11]}",
        )
    console.print(table)
    console.print("Oordeel: pandzicht beoordeel oordeel LINKS RECHTS zelfde|verschillend|onzeker --wie NAAM")


@app.command()
def oordeel(
    links: str = typer.Argument(..., help="Record: bron/record_sleutel, zoals in de wachtrij."),
    rechts: str = typer.Argument(..., help="Het andere record."),
    uitspraak: str = typer.Argument(..., help="zelfde, verschillend of onzeker."),
    wie: str = typer.Option(..., "--wie", help="Wie oordeelt (komt in het oordelenbestand)."),
    db: Path = DB_OPTION,
    oordelen: Path | None = JUDGEMENTS_OPTION,
) -> None:
    """Leg een oordeel vast over twee records; elke volgende analyse houdt zich eraan."""
    if uitspraak not in VERDICTS:
        raise typer.BadParameter(f"kies uit {', '.join(VERDICTS)}")
    for key in (links, rechts):
        if "/" not in key:
            raise typer.BadParameter(f"{key!r} is geen bron/record_sleutel")
    path = _judgements_path(db, oordelen)
    j = record_judgement(path, links, rechts, uitspraak, wie)
    console.print(f"Vastgelegd: {j.links} ~ {j.rechts}: {j.oordeel} ({j.wie}, {j.wanneer}) in {path}")
