"""CLI for the adapters: ``pandzicht adapt bag-xml|gbav|kortverblijf SRC OUT_DIR``.

Mounted by the main CLI as the ``adapt`` group. A user error is one red line
and exit code 1, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from pandzicht.adapters.bag_xml import adapt_bag_xml
from pandzicht.adapters.gbav import adapt_gbav
from pandzicht.adapters.kortverblijf import adapt_kortverblijf
from pandzicht.adapters.pseudonym import DEFAULT_KEY_ENV
from pandzicht.errors import PandzichtError

app = typer.Typer(help="Zet registerexports van partners om naar de intakebundel (contract v1).", no_args_is_help=True)
_err = Console(stderr=True)
_out = Console()


def _run(label: str, fn: Callable[[], dict[str, Any]]) -> None:
    try:
        report = fn()
    except PandzichtError as exc:
        _err.print(f"[red]fout:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    skipped = report.get("overgeslagen_totaal", 0)
    _out.print(f"{label}: {report['rijen']} rijen geschreven naar {report['uitvoer']}, {skipped} overgeslagen "
               f"(zie het adapterrapport)", highlight=False)
    if empty := report.get("bestanden_zonder_objecten"):
        _err.print(f"[yellow]let op:[/yellow] {len(empty)} bestand(en) zonder BAG-objecten, bijv. {empty[0]}",
                   markup=True, highlight=False, soft_wrap=True)


@app.command("bag-xml")
def bag_xml(src: Path = typer.Argument(..., help="BAG 2.0 extract: zip, XML-bestand of map"),
            out_dir: Path = typer.Argument(..., help="map voor bag_verblijfsobject.csv")) -> None:
    """BAG 2.0 extract (IMBAG XML) -> bag_verblijfsobject.csv."""
    _run("bag_verblijfsobject", lambda: adapt_bag_xml(src, out_dir))


@app.command("gbav")
def gbav(src: Path = typer.Argument(..., help="GBA-V persoonslijsten (;-gescheiden, LO-GBA-elementkoppen)"),
         out_dir: Path = typer.Argument(..., help="map voor brp_inschrijving.csv"),
         key_env: str = typer.Option(DEFAULT_KEY_ENV, "--key-env", help="omgevingsvariabele met de sleutel")) -> None:
    """GBA-V persoonslijsten -> brp_inschrijving.csv (BSN gepseudonimiseerd, beschermde kenmerken niet gelezen)."""
    _run("brp_inschrijving", lambda: adapt_gbav(src, out_dir, key_env=key_env))


@app.command("kortverblijf")
def kortverblijf(src: Path = typer.Argument(..., help="Inside Airbnb listings.csv (samenvatting of detail)"),
                 out_dir: Path = typer.Argument(..., help="map voor kortverblijf_advertentie.csv")) -> None:
    """Inside Airbnb listings -> kortverblijf_advertentie.csv (optionele uitbreiding van contract v1)."""
    _run("kortverblijf_advertentie", lambda: adapt_kortverblijf(src, out_dir))
