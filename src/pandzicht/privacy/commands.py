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


def subject_access(
    db: Annotated[Path, typer.Option("--db", help="analyse-opslag (pandzicht.duckdb of de uitvoermap)")],
    uit: Annotated[Path, typer.Option("--uit", help="map voor inzage.html en inzage.pdf")],
    database: DatabaseOpt = "",
    partij: Annotated[str, typer.Option("--partij", help="partij-id zoals in de webapp (/partij/...)")] = "",
    pseudoniem: Annotated[str, typer.Option("--pseudoniem", help="pseudoniem of token, bv. 'J.d.V. #3fa9c1' "
                                            "(vraagt PANDZICHT_SECRET van de webapp)")] = "",
    naam: Annotated[str, typer.Option("--naam", help="volledige naam (met --geboortedatum)")] = "",
    geboortedatum: Annotated[str, typer.Option("--geboortedatum", help="JJJJ-MM-DD")] = "",
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf", help="ook een PDF (headless Chromium)")] = True,
) -> None:
    """Inzageverzoek (AVG art. 15): alles wat over één persoon bewaard is, als HTML en PDF, en gelogd."""
    import duckdb

    from pandzicht.privacy import audit
    from pandzicht.privacy.files import private_dir, private_file
    from pandzicht.privacy.subject_access import find_person, gather, render_html

    try:
        born = dt.date.fromisoformat(geboortedatum) if geboortedatum else None
    except ValueError:
        raise PandzichtError(f"--geboortedatum '{geboortedatum}' is geen datum (JJJJ-MM-DD)") from None
    url = _database_url(database)
    con = duckdb.connect(str(_analysis_db(db)), read_only=True)
    engine = make_engine(url)
    try:
        migrate(engine)
        ids = find_person(con, partij=partij, pseudoniem=pseudoniem,
                          secret=os.environ.get("PANDZICHT_SECRET", "").encode("utf-8"), naam=naam,
                          geboortedatum=born)
        with session_factory(engine).begin() as session:
            report = gather(con, session, ids)
            for entiteit_id in ids:
                audit.record(session, None, "inzage_opgesteld", "partij", entiteit_id)
    finally:
        con.close()
        engine.dispose()
    html = render_html(report, dt.date.today())
    private_dir(uit)
    target = uit / "inzage.html"
    private_file(target).write_text(html, encoding="utf-8")
    written = [target]
    if pdf:
        from pandzicht.web.pdf import html_to_pdf

        private_file(uit / "inzage.pdf").write_bytes(html_to_pdf(html))
        written.append(uit / "inzage.pdf")
    Console().print(f"Inzage opgesteld: {sum(len(v) for v in report.records.values())} records, "
                    f"{len(report.cases)} zaken, {len(report.views)} regels uit het auditlog; "
                    f"geschreven: {', '.join(str(p) for p in written)}", highlight=False)
