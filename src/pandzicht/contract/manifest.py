"""The bundle's manifest.json: contract version, peildatum and per-source legal basis."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pandzicht.contract.sources import CONTRACT_VERSION
from pandzicht.errors import ContractError


@dataclass(frozen=True)
class SourceEntry:
    leverancier: str | None
    grondslag: str | None
    geleverd: str | None


@dataclass(frozen=True)
class Manifest:
    contract: str
    region: str
    peildatum: dt.date
    sources: dict[str, SourceEntry] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "contract": self.contract,
            "region": self.region,
            "peildatum": self.peildatum.isoformat(),
            "sources": {k: vars(v) for k, v in self.sources.items()},
        }


def read_manifest(bundle: Path) -> Manifest:
    """Read and check manifest.json; every problem is one Dutch line naming the file and field."""
    path = Path(bundle) / "manifest.json"
    if not path.is_file():
        raise ContractError(f"{path}: manifest.json ontbreekt in de bundel")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContractError(f"{path}: geen geldige JSON ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise ContractError(f"{path}: verwacht een JSON-object")
    contract = raw.get("contract")
    if contract != CONTRACT_VERSION:
        raise ContractError(f"{path}: veld 'contract' moet '{CONTRACT_VERSION}' zijn")
    try:
        peildatum = dt.date.fromisoformat(str(raw.get("peildatum")))
    except ValueError:
        raise ContractError(f"{path}: veld 'peildatum' is geen datum (JJJJ-MM-DD)") from None
    sources_raw = raw.get("sources") or {}
    if not isinstance(sources_raw, dict):
        raise ContractError(f"{path}: veld 'sources' moet een object zijn")
    sources = {}
    for name, entry in sources_raw.items():
        entry = entry if isinstance(entry, dict) else {}
        sources[name] = SourceEntry(
            leverancier=_text(entry.get("leverancier")),
            grondslag=_text(entry.get("grondslag")),
            geleverd=_text(entry.get("geleverd")),
        )
    return Manifest(contract, str(raw.get("region") or ""), peildatum, sources)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
