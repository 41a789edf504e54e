"""`pandzicht audit controleer`: check the audit log's hash chain, for the privacy officer or an auditor."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from pandzicht.cases.db import make_engine, session_factory
from pandzicht.privacy.audit import verify

app = typer.Typer(no_args_is_help=True, help="Het auditlog controleren.")
DEFAULT_DB = "sqlite:///pandzicht-operationeel.sqlite"


@app.command("controleer")
def check(
    database: Annotated[str, typer.Option("--database", help="operationele database (URL); standaard "
                                          "PANDZICHT_DATABASE of sqlite:///pandzicht-operationeel.sqlite")] = "",
) -> None:
    """Controleer de hashketen van het auditlog: exit 0 als ze heel is, 1 met de eerste gebroken rij."""
    url = database or os.environ.get("PANDZICHT_DATABASE", "") or DEFAULT_DB
    out, err = Console(), Console(stderr=True)
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if path and not os.path.isfile(path):
        err.print(f"[bold red]fout:[/] database {path} bestaat niet", highlight=False)
        raise typer.Exit(2)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            result = verify(session)
    except Exception as exc:  # an unreachable database or one without the audit table: one line, no trace
        err.print(f"[bold red]fout:[/] auditlog niet te lezen ({type(exc).__name__})", highlight=False)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if result.intact:
        out.print(f"auditlog intact: {result.rijen} rijen, keten klopt", highlight=False)
        return
    err.print(f"[bold red]auditlog gebroken[/] bij rij {result.gebroken_id}: {result.reden}", highlight=False)
    raise typer.Exit(1)
