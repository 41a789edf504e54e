"""Command-line entry points of the web app: `serve` and `gebruiker-toevoegen`.

The lead mounts `app` into the main CLI; both commands also run on their own
(`python -m pandzicht.web.commands`).
"""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from pandzicht.errors import PandzichtError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="De webapplicatie van pandzicht.")


def _fail(message: str) -> None:
    typer.secho(f"fout: {message}", fg="red", err=True)
    raise typer.Exit(1)


@app.command("serve")
def serve(
    analysis: Annotated[Path | None, typer.Option("--analysis", help="analysemap of pandzicht.duckdb")] = None,
    database: Annotated[str | None, typer.Option("--database", help="operationele database (SQLAlchemy-URL); "
                                                 "standaard SQLite in de werkmap")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=32)] = 1,
    toegangslog: Annotated[bool, typer.Option("--toegangslog/--geen-toegangslog",
                                              help="per verzoek een logregel (bevat URL's met adres-id's)")] = False,
) -> None:
    """Start de webapplicatie (migreert eerst de operationele database)."""
    import uvicorn

    from pandzicht.web.app import create_app
    from pandzicht.web.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(analysis, database)
        if not settings.cookie_secure:
            typer.secho("let op: cookies zonder Secure-vlag (PANDZICHT_INSECURE_COOKIES=1)", fg="yellow", err=True)
        if workers > 1:
            if not os.environ.get("PANDZICHT_SECRET"):
                _fail("meerdere workers delen sessies alleen met een vaste PANDZICHT_SECRET")
            if settings.analysis:
                os.environ["PANDZICHT_ANALYSE"] = str(settings.analysis)
            os.environ["PANDZICHT_DATABASE"] = settings.database_url
            create_app(settings)  # migrate once before the workers start
            uvicorn.run("pandzicht.web.asgi:app", host=host, port=port, workers=workers, access_log=toegangslog,
                        proxy_headers=False)
            return
        application = create_app(settings)
    except PandzichtError as exc:
        _fail(str(exc))
        return
    typer.echo(f"pandzicht draait op http://{host}:{port}/ (stoppen: Ctrl+C)")
    uvicorn.run(application, host=host, port=port, access_log=toegangslog, proxy_headers=False)


@app.command("gebruiker-toevoegen")
def add_user(
    naam: Annotated[str, typer.Argument(help="gebruikersnaam")],
    rol: Annotated[str, typer.Option("--rol", help="analist, casusregisseur, partner, privacy-officer of beheerder")],
    organisatie: Annotated[str, typer.Option("--organisatie", help="organisatie (verplicht voor partners)")] = "",
    database: Annotated[str | None, typer.Option("--database", help="operationele database (SQLAlchemy-URL)")] = None,
) -> None:
    """Voeg een gebruiker toe; het wachtwoord komt uit PANDZICHT_WACHTWOORD of wordt gevraagd."""
    from pandzicht.cases.db import default_url, make_engine, migrate, session_factory
    from pandzicht.privacy import audit
    from pandzicht.privacy.users import create_user

    password = os.environ.get("PANDZICHT_WACHTWOORD")
    if not password:
        password = getpass.getpass("Wachtwoord: ")
        if password != getpass.getpass("Nogmaals: "):
            _fail("de wachtwoorden zijn niet gelijk")
    url = database or os.environ.get("PANDZICHT_DATABASE") or default_url()
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            user = create_user(session, naam, password, rol, organisatie)
            audit.record(session, None, "gebruiker_aangemaakt", "gebruiker", str(user.id), doel="via commandoregel")
            uid, role = user.id, user.rol
    except PandzichtError as exc:
        _fail(str(exc))
        return
    finally:
        engine.dispose()
    typer.echo(f"gebruiker '{naam}' aangemaakt (id {uid}, rol {role})")


if __name__ == "__main__":
    app()
