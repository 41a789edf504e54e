"""The indicator catalogue: one declarative TOML file per indicator.

Each file says what it measures, why (with its public source), which innocent
explanations are known, why it is not a proxy of a protected attribute, and
holds one SQL query. The catalogue page and the algorithm-register entry are
generated from these files, so documentation and computation cannot drift.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pandzicht.errors import PandzichtError

ENTITY_KINDS = ("adres", "persoon", "bedrijf", "bemiddelaar", "partij")
PHASES = ("indicatoren", "na_adresscore")
_REQUIRED = ("code", "titel", "entiteit", "familie", "bronnen", "meet", "waarom", "onschuldig", "geen_proxy", "query")


@dataclass(frozen=True)
class Indicator:
    code: str
    titel: str
    entiteit: str
    familie: str
    bronnen: tuple[str, ...]
    meet: str
    waarom: str
    bron_url: str
    onschuldig: tuple[str, ...]
    geen_proxy: str
    query: str
    wijst_op: tuple[str, ...] = ()  # typologies this indicator points at
    venster_maanden: int = 6  # history the query needs before the peildatum to say anything
    # "indicatoren" runs before any score; "na_adresscore" after the homes are scored, for network evidence
    # that reads `adres_score` (only party indicators: a home's score must never feed on itself)
    fase: str = "indicatoren"
    # sources that sharpen the indicator when delivered but whose absence must not silence it: the query reads
    # them, and without them it runs as if they held no rows (`run.for_store`)
    optioneel: tuple[str, ...] = ()
    # evidence about who lives in or rents a home (a resident's past, a party's other homes), not about what
    # happens there: it counts in a home's score only where an indicator about the home itself fires too
    # (`score.model.gate`)
    alleen_met_woningsignaal: bool = False
    # the value compares with the other homes or parties of this delivery (a neighbourhood's median, a region's
    # share): what it was at an earlier reference date moves with every delivery, so its past values are
    # computed afresh each time and never taken over from the previous analysis (`score.point_in_time`)
    vergelijkt_met_levering: bool = False

    @property
    def unit_level(self) -> bool:
        return self.entiteit == "adres"


def catalogue_dir() -> Path:
    return Path(str(resources.files("pandzicht.indicators") / "catalogue"))


def _parse(path: Path) -> Indicator:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PandzichtError(f"{path.name}: geen geldige TOML ({exc})") from None
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise PandzichtError(f"{path.name}: veld '{missing[0]}' ontbreekt")
    if raw["entiteit"] not in ENTITY_KINDS:
        raise PandzichtError(f"{path.name}: entiteit '{raw['entiteit']}' onbekend")
    if raw.get("fase", "indicatoren") not in PHASES:
        raise PandzichtError(f"{path.name}: fase '{raw['fase']}' onbekend ({', '.join(PHASES)})")
    if raw.get("fase") == "na_adresscore" and raw["entiteit"] == "adres":
        raise PandzichtError(f"{path.name}: een indicator op adresniveau kan niet na de adresscore komen")
    overlap = set(raw.get("bronnen_optioneel", ())) & set(raw["bronnen"])
    if overlap:
        raise PandzichtError(f"{path.name}: bron '{sorted(overlap)[0]}' staat in bronnen en in bronnen_optioneel")
    if raw.get("alleen_met_woningsignaal") and raw["entiteit"] != "adres":
        raise PandzichtError(f"{path.name}: alleen_met_woningsignaal geldt alleen voor indicatoren op adresniveau")
    if raw["code"] != path.stem:
        raise PandzichtError(f"{path.name}: code '{raw['code']}' moet gelijk zijn aan de bestandsnaam")
    return Indicator(
        code=raw["code"], titel=raw["titel"], entiteit=raw["entiteit"], familie=raw["familie"],
        bronnen=tuple(raw["bronnen"]), meet=raw["meet"], waarom=raw["waarom"], bron_url=raw.get("bron_url", ""),
        onschuldig=tuple(raw["onschuldig"]), geen_proxy=raw["geen_proxy"], query=raw["query"],
        wijst_op=tuple(raw.get("wijst_op", ())), venster_maanden=int(raw.get("venster_maanden", 6)),
        fase=raw.get("fase", "indicatoren"), optioneel=tuple(raw.get("bronnen_optioneel", ())),
        alleen_met_woningsignaal=bool(raw.get("alleen_met_woningsignaal", False)),
        vergelijkt_met_levering=bool(raw.get("vergelijkt_met_levering", False)),
    )


def load_catalogue(directory: Path | None = None) -> list[Indicator]:
    """Every indicator file, sorted by family and code."""
    directory = directory or catalogue_dir()
    items = [_parse(p) for p in sorted(directory.glob("*.toml"))]
    return sorted(items, key=lambda i: (i.familie, i.code))
