"""The command line: `pandzicht demo`, `demo-world`, `load`, `analyse`, `web-opzoek`, `bench`, `adapt`.

User errors are one red line each; the exit code says what happened. Output
talks Dutch, like the rest of the user interface.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pandzicht.errors import PandzichtError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="pandzicht: inzicht in crimineel verhuurde woningen.",
)
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks met verhoudingen gemeten in één run.")
app.add_typer(bench_app, name="bench")
console = Console(stderr=True)
out = Console()


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show a PandzichtError as one line, never a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PandzichtError as exc:
            console.print(f"[bold red]fout:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except FileNotFoundError as exc:
            console.print(f"[bold red]fout:[/] bestand niet gevonden: {exc.filename}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("PANDZICHT_DEBUG"):
                raise
            # The message may quote data, so only the kind of failure is shown; PANDZICHT_DEBUG=1 shows all.
            console.print(
                f"[bold red]interne fout:[/] {type(exc).__name__} in '{fn.__name__}'. "
                "Meld dit aan de beheerder; PANDZICHT_DEBUG=1 toont de details.",
                highlight=False, soft_wrap=True,
            )
            raise typer.Exit(2) from None

    return wrapper


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), console=console, transient=False, disable=not console.is_terminal,
    )


@app.command("demo-world")
@user_errors
def demo_world(
    out_dir: Annotated[Path, typer.Argument(help="map voor de bundel (met truth/ erin)")],
    units: Annotated[int, typer.Option("--units", min=100, help="aantal verblijfsobjecten")] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    variant: Annotated[str, typer.Option("--variant", help="base, quiet of noisy")] = "base",
    dialect: Annotated[str, typer.Option(
        "--dialect", help="vorm van de gegevens: basis (standaard), tekstadressen, zonder_kvk, klein_verhuur, "
        "weinig_uitkomsten, hennep_deelnet (zie synth/dialects.py)")] = "basis",
    leveringen: Annotated[int, typer.Option(
        "--leveringen", min=0, help="schrijf N maandelijkse leveringen van één wereld (OUT/levering-01 ...)")] = 0,
    generator: Annotated[str, typer.Option(
        "--generator", help="demo (standaard) of onafhankelijk: de onafhankelijke tweede generator, alleen om te "
        "rapporteren (zie docs/onafhankelijke_wereld.md)")] = "demo",
) -> None:
    """Schrijf een synthetische demowereld als intakebundel, met grondwaarheid in truth/."""
    if generator not in ("demo", "onafhankelijk"):
        raise PandzichtError(f"--generator '{generator}' onbekend; kies demo of onafhankelijk")
    if generator == "onafhankelijk":
        _generate_independent(out_dir, units, seed, variant, dialect, leveringen)
        return
    if leveringen:
        _generate_deliveries(out_dir, units, seed, variant, dialect, leveringen)
        return
    summary = _generate(out_dir, units, seed, variant, dialect)
    out.print(f"Demowereld geschreven naar [bold]{out_dir}[/] ({units} verblijfsobjecten, seed {seed}, {variant}, "
              f"dialect {dialect})")
    _print_counts("Bronnen", summary.get("rows", summary))


def _generate_independent(out_dir: Path, units: int, seed: int, variant: str, dialect: str, n: int) -> None:
    from pandzicht.altworld import generate, generate_deliveries

    if dialect != "basis":
        raise PandzichtError("--generator onafhankelijk kent geen --dialect")
    if variant not in ("base", "quiet", "noisy"):
        raise PandzichtError(f"--variant '{variant}' onbekend; kies base, quiet of noisy")
    if n:
        if n > 99:
            raise PandzichtError("--leveringen: hoogstens 99")
        done = generate_deliveries(Path(out_dir), units, seed, n, variant)
        out.print(f"{n} leveringen van één onafhankelijke wereld geschreven naar [bold]{out_dir}[/] ({units} "
                  f"verblijfsobjecten, seed {seed}, {variant}; peildata {done['leveringen'][0]['peildatum']} t/m "
                  f"{done['leveringen'][-1]['peildatum']})")
        _print_counts("Bronnen (laatste levering)", done["leveringen"][-1]["rows"])
        return
    summary = generate(Path(out_dir), units, seed, variant)
    out.print(f"Onafhankelijke wereld geschreven naar [bold]{out_dir}[/] ({units} verblijfsobjecten, seed {seed}, "
              f"{variant})")
    _print_counts("Bronnen", summary["rows"])


def _dialects(names: str, independent: bool = False) -> list[str]:
    from pandzicht.synth.dialects import DIALECTS

    known = [*DIALECTS, "onafhankelijk"] if independent else list(DIALECTS)
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in known]
    if unknown or not chosen:
        raise PandzichtError(f"dialect '{', '.join(unknown)}' onbekend; kies uit {', '.join(known)}")
    return chosen


def _generate(out_dir: Path, units: int, seed: int, variant: str, dialect: str = "basis") -> dict:
    from pandzicht.synth import generate

    if variant not in ("base", "quiet", "noisy"):
        raise PandzichtError(f"--variant '{variant}' onbekend; kies base, quiet of noisy")
    _dialects(dialect)
    with _progress() as bar:
        task = bar.add_task("demowereld", total=1.0)

        def tick(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"demowereld: {stage}")

        summary = generate(Path(out_dir), units, seed, variant, progress=tick, dialect=dialect)
        bar.update(task, completed=1.0, description="demowereld: klaar")
    return summary


def _generate_deliveries(out_dir: Path, units: int, seed: int, variant: str, dialect: str, n: int) -> None:
    from pandzicht.synth.deliveries import folder_name, generate_deliveries

    _dialects(dialect)
    with _progress() as bar:
        task = bar.add_task("leveringen", total=1.0)
        events = generate_deliveries(Path(out_dir), units, seed, n, variant, dialect,
                                     progress=lambda s, f: bar.update(task, completed=f, description=s))
    for i, ev in enumerate(events, start=1):
        out.print(f"{out_dir / folder_name(i)}: peildatum {ev['peildatum']}")


def _print_counts(title: str, counts: dict) -> None:
    table = Table(title=title)
    table.add_column("onderdeel")
    table.add_column("aantal", justify="right")
    for k, v in counts.items():
        if isinstance(v, int | float):
            table.add_row(str(k), f"{v:,}".replace(",", "."))
    out.print(table)


@app.command("load")
@user_errors
def load(
    bundle: Annotated[Path, typer.Argument(help="map met manifest.json en bronbestanden")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB-bestand van de analyse-opslag")] = Path("pandzicht.duckdb"),
) -> None:
    """Valideer en laad een intakebundel; foute rijen gaan naar quarantaine."""
    from pandzicht.intake.load import load_bundle

    with _progress() as bar:
        task = bar.add_task("inlezen", total=1)

        def tick(source: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, description=f"inlezen: {source}")

        report = load_bundle(bundle, db, progress=tick)
    _print_load_report(report)


def _print_load_report(report: dict) -> None:
    table = Table(title="Laadrapport")
    for col, justify in (("bron", "left"), ("gelezen", "right"), ("geladen", "right"), ("quarantaine", "right")):
        table.add_column(col, justify=justify)
    for name, b in report["bronnen"].items():
        table.add_row(name, str(b["gelezen"]), str(b["geladen"]), str(b["quarantaine"]))
    out.print(table)
    for name, b in report["bronnen"].items():
        for warning in b.get("waarschuwingen", []):
            out.print(f"[yellow]let op:[/] {name}: {warning}")
    if report.get("ontbrekend"):
        out.print("Niet geleverd: " + ", ".join(report["ontbrekend"]))
    if report.get("niet_gelezen"):
        out.print("[yellow]let op:[/] niet gelezen, hoort bij geen bron: " + ", ".join(report["niet_gelezen"]))


@app.command("analyse")
@user_errors
def analyse_cmd(
    bundle: Annotated[Path, typer.Argument(help="intakebundel")],
    out_dir: Annotated[Path, typer.Option("--out", help="map voor de uitvoerbestanden")] = Path("uitvoer"),
    db: Annotated[Path | None, typer.Option("--db", help="DuckDB-bestand (standaard OUT/pandzicht.duckdb)")] = None,
    max_afwijking: Annotated[float, typer.Option(
        "--max-afwijking", min=0.0, help="grootste groei of krimp per bron t.o.v. de vorige levering (aandeel)")
    ] = 0.30,
    accepteer_afwijking: Annotated[bool, typer.Option(
        "--accepteer-afwijking", help="analyseer ook bij afwijkingen van de vorige levering (komt in laadrapport)")
    ] = False,
    opnieuw: Annotated[bool, typer.Option(
        "--opnieuw", help="koppel alles opnieuw (model opnieuw getraind) in plaats van alleen nieuwe en gewijzigde "
                          "records; entiteit-id's blijven behouden")] = False,
    hertrain: Annotated[bool, typer.Option(
        "--hertrain", help="bereken de trainingsrijen van de scoremodellen opnieuw, ook als die van de vorige "
                           "levering nog passen (koppelen blijft incrementeel)")] = False,
    engine: Annotated[str, typer.Option(
        "--engine", help="duckdb (één machine) of spark (tabellen als Parquet in OUT/spark-warehouse)")] = "duckdb",
    master: Annotated[str | None, typer.Option(
        "--master", help="Spark-master: local[N] (standaard local[2]) of spark://host:poort")] = None,
    spark_geheugen: Annotated[str, typer.Option(
        "--spark-geheugen", help="geheugen van de Spark-driver en elke executor, bijv. 2g of 8g")] = "2g",
) -> None:
    """Laad, koppel, bereken indicatoren en scores; schrijf de uitvoerbestanden.

    De analyse wordt naast de gepubliceerde gebouwd en pas als geheel gepubliceerd; een eerdere levering
    van dezelfde regio in OUT wordt voortgezet (zelfde entiteit-id's, wijzigingen.csv)."""
    if engine not in ("duckdb", "spark"):
        raise PandzichtError(f"onbekende engine {engine!r}: kies duckdb of spark")
    _check_memory(spark_geheugen)
    result = _run_analysis(bundle, out_dir, db, max_afwijking, accepteer_afwijking, opnieuw=opnieuw, engine=engine,
                           master=master, spark_memory=spark_geheugen, hertrain=hertrain)
    _summarise(out_dir, result)


def _check_memory(value: str) -> None:
    """Spark's memory settings take a number with a unit (512m, 2g); anything else would fail at session start."""
    if not re.fullmatch(r"[1-9][0-9]*[mg]", value):
        raise PandzichtError(f"--spark-geheugen: geen geheugengrootte zoals 2g of 512m: {value!r}")


def _run_analysis(bundle: Path, out_dir: Path, db: Path | None, max_afwijking: float = 0.30,
                  accepteer_afwijking: bool = False, opnieuw: bool = False, engine: str = "duckdb",
                  master: str | None = None, spark_memory: str = "2g", hertrain: bool = False):
    from pandzicht.pipeline import analyse

    stages = ["inlezen", "adreskoppeling", "vermeldingen", "entiteiten", "stabiele_ids", "adres_via_personen",
              "record_adres", "netwerk", "netwerkmaten", "kortverblijf", "indicatoren", "score_adressen",
              "netwerkbewijs", "score_partijen", "wachtrij", "wijzigingen", "uitvoer", "publicatie"]
    with _progress() as bar:
        task = bar.add_task("analyse", total=len(stages))

        def on_stage(name: str) -> None:
            done = stages.index(name) if name in stages else 0
            bar.update(task, completed=done, description=f"analyse: {name}")

        result = analyse(bundle, out_dir, db, on_stage=on_stage, max_afwijking=max_afwijking,
                         accepteer_afwijking=accepteer_afwijking, opnieuw=opnieuw, engine=engine, master=master,
                         spark_memory=spark_memory, hertrain=hertrain)
        bar.update(task, completed=len(stages), description="analyse: klaar")
    return result


def _shown_names(out_dir: Path, parties: list[dict]) -> dict[str, str]:
    """Names as the web app shows them: companies by name, persons as a pseudonym (the terminal is no place for
    a person's name). Tokens match the web app's when PANDZICHT_SECRET is set; otherwise they hold for this run."""
    import secrets

    from pandzicht.privacy.pseudonym import shown_name
    from pandzicht.store.engine import Store

    raw = os.environ.get("PANDZICHT_SECRET", "")
    secret = raw.encode("utf-8") if len(raw) >= 32 else secrets.token_bytes(32)
    ids = [r["entiteit_id"] for r in parties]
    companies: set[str] = set()
    store_path = out_dir / "pandzicht.duckdb"
    if ids and store_path.is_file():
        with Store(store_path, read_only=True) as store:
            marks = ", ".join("?" for _ in ids)
            companies = {r[0] for r in store.rows(
                "SELECT DISTINCT e.entiteit_id FROM entiteit e JOIN partij_vermelding v USING (bron, record_sleutel) "
                f"WHERE e.entiteit_id IN ({marks}) AND (v.soort = 'bedrijf' OR v.kvk_nummer IS NOT NULL)", ids)}
    return {r["entiteit_id"]: shown_name(secret, r["entiteit_id"], r["naam"] or "?",
                                         "bedrijf" if r["entiteit_id"] in companies else "persoon") for r in parties}


def _summarise(out_dir: Path, result: Any) -> None:
    import csv

    _print_load_report(result.report)
    ignored = result.report.get("vorige_levering", {}).get("genegeerd")
    if ignored:
        out.print(f"[yellow]let op:[/] de vorige analyse in {out_dir} is van een {ignored}: deze levering is "
                  "geanalyseerd als een eerste (nieuwe entiteit-id's, geen wijzigingen.csv); klopt 'region' in "
                  "manifest.json, of hoort deze levering in een andere map?")
    with (out_dir / "adressen.csv").open(encoding="utf-8") as fh:
        top = [r for _, r in zip(range(10), csv.DictReader(fh), strict=False)]
    table = Table(title="Top 10 adressen")
    for col in ("rang", "verblijfsobject_id", "score", "vermoeden", "uitleg"):
        table.add_column(col, overflow="fold")
    for r in top:
        table.add_row(r["rang"], r["verblijfsobject_id"], r["score"], r["vermoeden"], r["uitleg"].replace(";", "; "))
    out.print(table)
    with (out_dir / "partijen.csv").open(encoding="utf-8") as fh:
        ptop = [r for _, r in zip(range(5), csv.DictReader(fh), strict=False)]
    table = Table(title="Top 5 partijen (personen gepseudonimiseerd, zoals in de webapp)")
    for col in ("rang", "naam", "rol", "score", "uitleg"):
        table.add_column(col, overflow="fold")
    shown = _shown_names(out_dir, ptop)
    for r in ptop:
        table.add_row(r["rang"], shown[r["entiteit_id"]], r["rol"], r["score"], r["uitleg"].replace(";", "; "))
    out.print(table)
    model = result.model
    if not model.get("geleerd"):
        for note in model.get("opmerkingen", []):
            out.print(f"[yellow]let op:[/] {note}")
    scoremodel = result.report.get("analyse", {}).get("scoremodel")
    if scoremodel and scoremodel.get("model") == "hergebruikt":
        added = scoremodel.get("toegevoegd", {})
        out.print(f"Scores geschat op de trainingsrijen tot peildatum {scoremodel.get('getraind_op_peildatum')} "
                  f"({scoremodel['reden']}), aangevuld met {added.get('controles', 0)} nieuwe controles; "
                  "--hertrain berekent ze opnieuw")
    elif scoremodel and scoremodel.get("getraind_op_peildatum"):
        out.print(f"Trainingsrijen opnieuw berekend: {scoremodel['reden']}")
    if result.indicators.get("ontbrekende_bron"):
        out.print("Indicatoren zonder bron: " + ", ".join(result.indicators["ontbrekende_bron"]))
    out.print(f"Uitvoer in [bold]{out_dir}[/]: adressen.csv, partijen.csv, entiteiten.csv, adreskoppeling.csv, "
              "laadrapport.json, wijzigingen.csv")


@app.command("demo")
@user_errors
def demo(
    work: Annotated[Path, typer.Option("--work", help="werkmap")] = Path("demo"),
    units: Annotated[int, typer.Option("--units", min=100)] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """De demo van begin tot eind: demowereld maken, analyseren, resultaat tonen."""
    bundle, out_dir = work / "bundel", work / "uitvoer"
    _generate(bundle, units, seed, "base")
    result = _run_analysis(bundle, out_dir, None)
    _summarise(out_dir, result)
    times = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    out.print(f"Tijden: {times}")


@contextmanager
def _bench_world(work: Path | None, units: int, seed: int) -> Iterator[tuple[Path, Path]]:
    """A working folder with a demo-world bundle: reused from `work` when it has one, else generated
    (in a temporary folder when no `work` is given)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = work or Path(tmp)
        bundle = base / "bundel"
        if not (bundle / "manifest.json").exists():
            _generate(bundle, units, seed, "base")
        yield base, bundle


@bench_app.command("load")
@user_errors
def bench_load(
    units: Annotated[int, typer.Option("--units", min=100)] = 100_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    repeat: Annotated[int, typer.Option("--repeat", min=1)] = 3,
    work: Annotated[Path | None, typer.Option("--work", help="werkmap (standaard tijdelijk)")] = None,
    report_file: Annotated[Path | None, typer.Option("--report", help="schrijf het rapport ook als JSON")] = None,
) -> None:
    """Laadsnelheid per bron (rijen/s) naast de I/O-vloer (DuckDB leest alleen dezelfde CSV's), in één run."""
    from pandzicht.bench import bench_load as run

    with _bench_world(work, units, seed) as (base, bundle):
        result = run(bundle, base / "bench.duckdb", repeat)
    _print_bench(result)
    if report_file:
        report_file.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


@bench_app.command("analyse")
@user_errors
def bench_analyse_cmd(
    units: Annotated[str, typer.Option("--units", help="aantal verblijfsobjecten, of meer gescheiden door komma's")
                     ] = "100000",
    seed: Annotated[int, typer.Option("--seed")] = 1,
    work: Annotated[Path | None, typer.Option("--work", help="werkmap (standaard tijdelijk; per grootte een submap)")
                    ] = None,
    report_file: Annotated[Path | None, typer.Option("--report")] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb of spark")] = "duckdb",
    master: Annotated[str | None, typer.Option("--master", help="Spark-master (standaard local[2])")] = None,
    spark_geheugen: Annotated[str, typer.Option(
        "--spark-geheugen", help="geheugen van de Spark-driver en elke executor, bijv. 2g of 8g")] = "2g",
) -> None:
    """Analyse met tijd en piekgeheugen per stadium, naast de I/O-vloer (alleen de CSV's lezen); per grootte."""
    try:
        sizes = [int(u) for u in units.split(",")]
    except ValueError:
        raise PandzichtError(f"--units: geen getal of lijst van getallen: {units!r}") from None
    if any(n < 200 for n in sizes) or engine not in ("duckdb", "spark"):
        raise PandzichtError("--units: minstens 200 per grootte; --engine: duckdb of spark")
    _check_memory(spark_geheugen)
    results = {}
    for n in sizes:
        results[n] = _bench_analyse_one(n, seed, work / str(n) if work and len(sizes) > 1 else work, engine, master,
                                        spark_geheugen)
    if report_file:
        report_file.write_text(json.dumps(results if len(sizes) > 1 else results[sizes[0]], indent=2) + "\n",
                               encoding="utf-8")


def _bench_analyse_one(units: int, seed: int, work: Path | None, engine: str, master: str | None,
                       spark_memory: str = "2g") -> dict:
    from pandzicht.bench import bench_analyse

    with _bench_world(work, units, seed) as (base, bundle):
        result = bench_analyse(bundle, base, engine=engine, master=master, spark_memory=spark_memory)
    table = Table(title=f"bench analyse, {engine}, {units:,} verblijfsobjecten ({sum(result['rijen'].values()):,} "
                        "rijen)")
    jobs = result.get("spark_jobs")
    for col in ("stadium", "s", "piek MB", *(("Spark-jobs",) if jobs is not None else ())):
        table.add_column(col, justify="left" if col == "stadium" else "right")
    for stage, secs in result["stadia_s"].items():
        table.add_row(stage, f"{secs:.2f}", str(result["piek_geheugen_mb"].get(stage, "")),
                      *((str(jobs.get(stage, 0)),) if jobs is not None else ()))
    table.add_row("totaal", f"{result['totaal_s']:.2f}", str(max(result["piek_geheugen_mb"].values(), default=0)),
                  *((str(sum(jobs.values())),) if jobs is not None else ()))
    table.add_row("I/O-vloer", f"{result['io_vloer_s']:.2f}", "")
    out.print(table)
    out.print(f"totaal / I/O-vloer = {result['totaal_tov_vloer']:.1f}x")
    return result


@bench_app.command("leveringen")
@user_errors
def bench_leveringen_cmd(
    units: Annotated[int, typer.Option("--units", min=200)] = 20_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    work: Annotated[Path | None, typer.Option("--work", help="werkmap (standaard tijdelijk)")] = None,
    report_file: Annotated[Path | None, typer.Option("--report")] = None,
    vers: Annotated[bool, typer.Option("--vers", help="analyseer levering 2 ook vanaf nul (ids zonder vorige)")
                    ] = False,
    dialect: Annotated[str, typer.Option("--dialect", help="dialect van de demowereld (zie demo-world)")] = "basis",
    herhaal: Annotated[int, typer.Option("--herhaal", min=1, help="herhaal het paar runs van levering 2 en meld "
                                         "medianen (de verhouding van één paar beweegt ±0,1 op een gedeelde "
                                         "machine)")] = 1,
    hertrain: Annotated[bool, typer.Option("--hertrain", help="de incrementele run berekent de trainingsrijen "
                                           "van de scoremodellen opnieuw (zoals analyse --hertrain)")] = False,
    generator: Annotated[str, typer.Option(
        "--generator", help="demo (standaard) of onafhankelijk: leveringen van de onafhankelijke generator "
        "(held-out; sleutels zonder volgorde)")] = "demo",
    variant: Annotated[str, typer.Option("--variant", help="base, quiet of noisy (alleen --generator "
                                         "onafhankelijk)")] = "base",
    maanden: Annotated[int, typer.Option("--maanden", min=1, help="maanden tussen de leveringen (alleen "
                                         "--generator onafhankelijk)")] = 1,
    leveringen: Annotated[int, typer.Option("--leveringen", min=2, max=99, help="aantal leveringen; vanaf 3 volgt "
                                            "elke levering de vorige incrementeel op, elk naast een volledige "
                                            "analyse van dezelfde levering")] = 2,
) -> None:
    """Levering 1 analyseren, dan levering 2 als vervolg, incrementeel en volledig (--opnieuw): tijd en
    piekgeheugen per stadium, de verhouding incrementeel/volledig, id-stabiliteit, top-200-overlap en
    entiteit-F1 van incrementeel tegenover volledig. Met --leveringen N volgen levering 3 tot N als keten."""
    from pandzicht.bench_deliveries import bench_deliveries, render

    if generator not in ("demo", "onafhankelijk"):
        raise PandzichtError(f"--generator '{generator}' onbekend; kies demo of onafhankelijk")
    if generator == "onafhankelijk" and dialect != "basis":
        raise PandzichtError("--generator onafhankelijk kent geen --dialect")
    if generator == "demo" and (variant != "base" or maanden != 1):
        raise PandzichtError("--variant en --maanden gelden alleen voor --generator onafhankelijk")
    if variant not in ("base", "quiet", "noisy"):
        raise PandzichtError(f"--variant '{variant}' onbekend; kies base, quiet of noisy")
    with tempfile.TemporaryDirectory() as tmp:
        result = bench_deliveries(units, seed, work or Path(tmp), fresh_run=vers, dialect=dialect, repeat=herhaal,
                                  hertrain=hertrain, generator=generator, variant=variant, months=maanden,
                                  deliveries=leveringen)
    for table in render(result):
        out.print(table)
    if report_file:
        report_file.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _print_bench(result: dict) -> None:
    table = Table(title=f"bench load (mediaan van {result['herhalingen']} runs)")
    for col in ("bron", "rijen", "laden s", "rijen/s", "I/O-vloer s", "laden / vloer"):
        table.add_column(col, justify="right" if col != "bron" else "left")
    for name, r in result["bronnen"].items():
        table.add_row(name, f"{r['rijen']:,}", f"{r['laden_s']:.3f}", f"{r['rijen_per_s']:,.0f}",
                      f"{r['vloer_s']:.3f}", f"{r['verhouding']:.1f}x")
    t = result["totaal"]
    table.add_row("totaal", f"{t['rijen']:,}", f"{t['laden_s']:.3f}", f"{t['rijen_per_s']:,.0f}", f"{t['vloer_s']:.3f}",
                  f"{t['verhouding']:.1f}x")
    out.print(table)


@app.command("evaluate")
@user_errors
def evaluate_cmd(
    bundle: Annotated[Path, typer.Argument(help="synthetische bundel met truth/")],
    out_dir: Annotated[Path, typer.Option("--out", help="map voor de evaluatie")] = Path("evaluatie"),
) -> None:
    """Meet pandzicht tegen de grondwaarheid, naast status quo en exacte regels (in één run)."""
    from pandzicht.evaluation.run import evaluate

    with _progress() as bar:
        task = bar.add_task("evaluatie", total=None)
        evaluate(bundle, out_dir, on_stage=lambda name: bar.update(task, description=f"evaluatie: {name}"))
    out.print((out_dir / "evaluatie.md").read_text(encoding="utf-8"))


@app.command("fairness")
@user_errors
def fairness_cmd(
    analysis: Annotated[Path, typer.Argument(help="uitvoermap van analyse (met pandzicht.duckdb) of het bestand")],
    top: Annotated[int | None, typer.Option("--top", help="lengte van de top (standaard 1% van de woningen)")] = None,
) -> None:
    """Fairness-audit per buurt: aandeel in de top tegen aandeel woningen en bevestigde bevindingen."""
    from pandzicht.score.fairness import audit, render_markdown
    from pandzicht.store.engine import Store

    db = analysis / "pandzicht.duckdb" if analysis.is_dir() else analysis
    if not db.is_file():
        raise PandzichtError(f"{db}: geen analyse-opslag; draai eerst pandzicht analyse")
    with Store(db, read_only=True) as store:
        result = audit(store, top)
    text = render_markdown(result)
    if analysis.is_dir():
        (analysis / "fairness.md").write_text(text, encoding="utf-8")
    out.print(text)


@app.command("catalogus")
@user_errors
def catalogus(
    target: Annotated[Path, typer.Option("--out", help="doelbestand")] = Path("docs/indicatoren.md"),
    dpia: Annotated[Path, typer.Option("--dpia", help="doelbestand voor de DPIA-opzet")] = Path("docs/dpia.md"),
) -> None:
    """Schrijf de algoritmeregistertekst met indicatorcatalogus en de DPIA-opzet (uit catalogus en contract)."""
    from pandzicht.indicators.render import render_catalogue
    from pandzicht.privacy.dpia import render_dpia

    _write_generated(target, render_catalogue())
    _write_generated(dpia, render_dpia())


def _write_generated(target: Path, text: str) -> None:
    """Generated documentation: written whole, so the committed file equals what the code renders."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"Geschreven: {target}")


@bench_app.command("evaluate")
@user_errors
def bench_evaluate(
    units: Annotated[int, typer.Option("--units", min=200)] = 10_000,
    seeds: Annotated[str, typer.Option("--seeds", help="komma-gescheiden")] = "101,102,103",
    variants: Annotated[str, typer.Option("--variants")] = "base,quiet,noisy",
    dialects: Annotated[str, typer.Option(
        "--dialecten", help="komma-gescheiden dialecten (standaard basis); 'alle' voor allemaal; 'onafhankelijk' "
        "voor werelden van de onafhankelijke generator (held-out)")] = "basis",
    work: Annotated[Path | None, typer.Option("--work")] = None,
    report_file: Annotated[Path | None, typer.Option("--report", help="schrijf de tabel ook als Markdown")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="schrijf alle cijfers ook als JSON")] = None,
) -> None:
    """Evaluatie over meerdere demowerelden (dialecten × varianten × seeds), met medianen; dialecten gemarkeerd
    als tuning of held-out."""
    from pandzicht.evaluation.seeds import evaluate_seeds, render
    from pandzicht.synth.dialects import DIALECTS

    chosen = list(DIALECTS) if dialects.strip() == "alle" else _dialects(dialects, independent=True)
    with _progress() as bar:
        task = bar.add_task("werelden", total=None)
        result = evaluate_seeds(units, [int(x) for x in seeds.split(",")], variants.split(","), work,
                                on_world=lambda w: bar.update(task, description=f"wereld: {w}"), dialects=chosen)
    text = render(result)
    out.print(text)
    if report_file:
        report_file.write_text(text, encoding="utf-8")
    if json_file:
        json_file.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@app.command("docs")
@user_errors
def docs(
    target: Annotated[Path, typer.Option("--out", help="doelbestand")] = Path("docs/bronnen.md"),
) -> None:
    """Schrijf de bronnenreferentie voor gegevensleveranciers uit het contract (docs/bronnen.md)."""
    from pandzicht.contract.docs import render_sources

    _write_generated(target, render_sources())


@bench_app.command("link")
@user_errors
def bench_link_cmd(
    units: Annotated[int, typer.Option("--units", min=200)] = 200_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    variant: Annotated[str, typer.Option("--variant")] = "base",
    work: Annotated[Path | None, typer.Option("--work")] = None,
    report_file: Annotated[Path | None, typer.Option("--report")] = None,
) -> None:
    """Koppelen: tijd en piekgeheugen per stap, vermeldingen/s en kwaliteit tegen de grondwaarheid."""
    from pandzicht.link.bench import bench_link

    result = bench_link(units, seed, variant, work)
    out.print_json(json.dumps(result, default=str))
    if report_file:
        report_file.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


@bench_app.command("web")
@user_errors
def bench_web_cmd(
    analysis: Annotated[Path, typer.Argument(help="uitvoermap van analyse (met pandzicht.duckdb)")],
    units: Annotated[int, typer.Option("--units", help="aantal adresdossiers per ronde")] = 100,
    runs: Annotated[int, typer.Option("--runs")] = 5,
    signals: Annotated[int, typer.Option("--signals", help="aantal meldingen voor de doorvoer")] = 400,
    clients: Annotated[int, typer.Option("--clients")] = 8,
    report_file: Annotated[Path | None, typer.Option("--report")] = None,
) -> None:
    """Web-app: p95 van het adresdossier en meldingen/s, alles op 127.0.0.1, elke melding gecontroleerd."""
    from pandzicht.web.bench import bench_web

    result = bench_web(analysis, units=units, runs=runs, signals=signals, clients=clients)
    out.print_json(json.dumps(result, default=str))
    if report_file:
        report_file.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


@app.command("web-opzoek")
@user_errors
def web_lookups_cmd(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="uitvoermap van de analyse (of het DuckDB-bestand)")],
    opnieuw: Annotated[bool, typer.Option("--opnieuw", help="schrijf ze ook als ze al actueel zijn")] = False,
) -> None:
    """Schrijf de opzoektabellen van de webapp voor de gepubliceerde analyse in OUT (bijvoorbeeld na een upgrade).

    Zonder geldige opzoektabellen schrijft de webapp ze zelf bij het openen; dit doet dat vooraf, zodat de
    eerste start na een upgrade niet wacht. Zonder schrijfrechten bouwt de webapp ze in het geheugen (veel
    geheugen bij grote analyses)."""
    import time

    from pandzicht.web.analysis import AnalysisStore, _builder_fingerprint, resolve_db
    from pandzicht.web.lookup_files import folder_of, read_lookups

    store = Path(os.path.realpath(resolve_db(out_dir)))
    folder = folder_of(store)
    if not opnieuw and read_lookups(store, _builder_fingerprint()) is not None:
        out.print(f"Opzoektabellen zijn al actueel: {folder} ({_size_text(folder)}); --opnieuw schrijft ze opnieuw")
        return
    t0 = time.perf_counter()
    with _progress() as bar:
        task = bar.add_task("opzoektabellen", total=None)
        try:
            AnalysisStore.publish_lookups(store, progress=lambda name: bar.update(
                task, description=f"opzoektabellen: {name}"))
        except OSError as exc:
            raise PandzichtError(f"{folder.parent}: opzoektabellen niet geschreven ({exc.strerror or exc})") from None
        bar.update(task, total=1, completed=1, description="opzoektabellen: klaar")
    seconds = f"{time.perf_counter() - t0:.1f}".replace(".", ",")
    out.print(f"Opzoektabellen geschreven in {seconds} s: {_size_text(folder)} in {folder}")


def _size_text(folder: Path) -> str:
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return f"{size / 1e6:.1f} MB".replace(".", ",")


@app.command("uitkomsten-naar-bundel")
@user_errors
def outcomes_to_bundle(
    bundle: Annotated[Path, typer.Argument(help="de bundel van de vorige analyse")],
    out_dir: Annotated[Path, typer.Argument(help="waar de bundel met de nieuwe uitkomsten komt")],
    database: Annotated[str, typer.Option("--database", help="operationele database (URL)")] = (
        "sqlite:///pandzicht-operationeel.sqlite"),
) -> None:
    """Zet uitkomsten uit de casustafel als labels in een kopie van de bundel, voor de volgende scoringsrun."""
    from pandzicht.cases.export import append_to_bundle

    counts = append_to_bundle(bundle, database, out_dir)
    _print_counts("Uitkomsten", counts)


def _mount_groups() -> None:
    """Command groups and commands that live beside their packages."""
    from pandzicht.adapters.cli import app as adapt_app
    from pandzicht.link.review_cli import app as review_app
    from pandzicht.privacy.audit_cli import app as audit_app
    from pandzicht.privacy.commands import retention_app, subject_access
    from pandzicht.web.commands import LIFECYCLE, add_user, serve

    app.add_typer(adapt_app, name="adapt", help="Zet echte bronformaten om naar contractbestanden.")
    app.add_typer(review_app, name="beoordeel", help="Twijfelgevallen van de partijkoppeling beoordelen.")
    app.add_typer(audit_app, name="audit", help="Het auditlog controleren (hashketen).")
    app.add_typer(retention_app, name="bewaartermijn", help="Bewaartermijnen per bron toepassen.")
    app.command("inzage")(subject_access)
    app.command("serve")(serve)
    app.command("gebruiker-toevoegen")(add_user)
    for name, command in LIFECYCLE.items():
        app.command(name)(command)


_mount_groups()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        console.print("afgebroken")
        sys.exit(130)


if __name__ == "__main__":
    main()
