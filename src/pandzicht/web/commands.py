"""Command-line entry points of the web app: `serve`, `gebruiker-toevoegen` and the account life cycle.

`gebruiker-deactiveren`, `gebruiker-activeren`, `gebruiker-rol`, `gebruiker-wachtwoord` and
`gebruiker-tweede-factor` do what the beheer page does, each audited ("via commandoregel").

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
    host_naam: Annotated[list[str] | None, typer.Option(
        "--host-naam", help="hostnaam waarop de app antwoordt (herhaalbaar); standaard localhost en 127.0.0.1, "
                            "of PANDZICHT_HOST_NAMEN")] = None,
    tls_certificaat: Annotated[Path | None, typer.Option("--tls-certificaat", help="PEM-certificaat voor https")
                               ] = None,
    tls_sleutel: Annotated[Path | None, typer.Option("--tls-sleutel", help="PEM-sleutel voor https")] = None,
) -> None:
    """Start de webapplicatie (migreert eerst de operationele database)."""
    import uvicorn

    from pandzicht.web.app import create_app
    from pandzicht.web.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(analysis, database)
        if host_naam:
            settings.host_names = [h.strip() for h in host_naam if h.strip()]
        if bool(tls_certificaat) != bool(tls_sleutel):
            _fail("geef --tls-certificaat en --tls-sleutel samen op")
        tls = {"ssl_certfile": str(tls_certificaat), "ssl_keyfile": str(tls_sleutel)} if tls_certificaat else {}
        if not settings.cookie_secure:
            typer.secho("let op: cookies zonder Secure-vlag (PANDZICHT_INSECURE_COOKIES=1)", fg="yellow", err=True)
        if workers > 1:
            if not os.environ.get("PANDZICHT_SECRET"):
                _fail("meerdere workers delen sessies alleen met een vaste PANDZICHT_SECRET")
            if settings.analysis:
                os.environ["PANDZICHT_ANALYSE"] = str(settings.analysis)
            os.environ["PANDZICHT_DATABASE"] = settings.database_url
            os.environ["PANDZICHT_HOST_NAMEN"] = ",".join(settings.host_names)
            create_app(settings)  # migrate once before the workers start
            uvicorn.run("pandzicht.web.asgi:app", host=host, port=port, workers=workers, access_log=toegangslog,
                        proxy_headers=False, **tls)  # type: ignore[arg-type]
            return
        application = create_app(settings)
    except PandzichtError as exc:
        _fail(str(exc))
        return
    typer.echo(f"pandzicht draait op http{'s' if tls else ''}://{host}:{port}/ (stoppen: Ctrl+C); "
               f"hostnamen: {', '.join(settings.host_names)}")
    uvicorn.run(application, host=host, port=port, access_log=toegangslog, proxy_headers=False,
                **tls)  # type: ignore[arg-type]


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
    from pandzicht.privacy.users import create_user, needs_second_factor

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
    if needs_second_factor(role):
        typer.echo("deze rol logt in met een tweede factor: bij de eerste login koppelt de gebruiker een "
                   "authenticator-app")


DatabaseOption = Annotated[str | None, typer.Option("--database", help="operationele database (SQLAlchemy-URL)")]


def _lifecycle(naam: str, database: str | None, actie: str, apply) -> None:  # type: ignore[no-untyped-def]
    """Run one account change in a transaction with its audit entry; say what happened or fail with the reason."""
    from pandzicht.cases.db import default_url, make_engine, migrate, session_factory
    from pandzicht.privacy import audit
    from pandzicht.privacy.users import get_user

    url = database or os.environ.get("PANDZICHT_DATABASE") or default_url()
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            user = get_user(session, naam)
            doel = apply(session, user) or ""
            audit.record(session, None, actie, "gebruiker", str(user.id),
                         doel=f"via commandoregel{'; ' + doel if doel else ''}")
    except PandzichtError as exc:
        _fail(str(exc))
        return
    finally:
        engine.dispose()
    typer.echo(f"gebruiker '{naam}': {actie.replace('_', ' ')}")


def _new_password() -> str:
    password = os.environ.get("PANDZICHT_WACHTWOORD")
    if not password:
        password = getpass.getpass("Nieuw wachtwoord: ")
        if password != getpass.getpass("Nogmaals: "):
            _fail("de wachtwoorden zijn niet gelijk")
    return password


@app.command("gebruiker-deactiveren")
def deactivate_user(naam: Annotated[str, typer.Argument(help="gebruikersnaam")], database: DatabaseOption = None
                    ) -> None:
    """Zet een gebruiker uit: inloggen kan niet meer en alle open sessies eindigen direct."""
    from pandzicht.privacy.users import set_active

    _lifecycle(naam, database, "gebruiker_gedeactiveerd", lambda s, u: set_active(s, u, False))


@app.command("gebruiker-activeren")
def activate_user(naam: Annotated[str, typer.Argument(help="gebruikersnaam")], database: DatabaseOption = None
                  ) -> None:
    """Zet een gedeactiveerde gebruiker weer aan."""
    from pandzicht.privacy.users import set_active

    _lifecycle(naam, database, "gebruiker_geactiveerd", lambda s, u: set_active(s, u, True))


@app.command("gebruiker-rol")
def change_user_role(
    naam: Annotated[str, typer.Argument(help="gebruikersnaam")],
    rol: Annotated[str, typer.Option("--rol", help="analist, casusregisseur, partner, privacy-officer of beheerder")],
    organisatie: Annotated[str | None, typer.Option("--organisatie", help="organisatie (verplicht voor partners)")
                           ] = None,
    database: DatabaseOption = None,
) -> None:
    """Geef een gebruiker een andere rol; open sessies eindigen zodat de nieuwe rechten direct gelden."""
    from pandzicht.privacy.users import change_role

    def apply(session, user):  # type: ignore[no-untyped-def]
        old = change_role(session, user, rol, organisatie)
        return f"van={old};naar={user.rol}"

    _lifecycle(naam, database, "rol_gewijzigd", apply)


@app.command("gebruiker-wachtwoord")
def reset_user_password(naam: Annotated[str, typer.Argument(help="gebruikersnaam")], database: DatabaseOption = None
                        ) -> None:
    """Stel een nieuw wachtwoord in (uit PANDZICHT_WACHTWOORD of gevraagd); heft een inlogblokkade op."""
    from pandzicht.privacy.users import reset_password

    password = _new_password()
    _lifecycle(naam, database, "wachtwoord_hersteld", lambda s, u: reset_password(s, u, password))


@app.command("gebruiker-tweede-factor")
def reset_user_second_factor(naam: Annotated[str, typer.Argument(help="gebruikersnaam")],
                             database: DatabaseOption = None) -> None:
    """Vergeet de gekoppelde authenticator-app (telefoon kwijt); bij de volgende login koppelt de gebruiker opnieuw."""
    from pandzicht.privacy.users import reset_second_factor

    _lifecycle(naam, database, "tweede_factor_hersteld", lambda s, u: reset_second_factor(s, u))


LIFECYCLE = {"gebruiker-deactiveren": deactivate_user, "gebruiker-activeren": activate_user,
             "gebruiker-rol": change_user_role, "gebruiker-wachtwoord": reset_user_password,
             "gebruiker-tweede-factor": reset_user_second_factor}


if __name__ == "__main__":
    app()
