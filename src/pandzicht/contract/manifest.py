"""The bundle's manifest.json: contract version, peildatum and per-source legal basis.

A source entry may also declare what was sent (a compatible extension of the contract): `rijen`, the
number of data rows in the file, and `sha256`, the checksum of the file's bytes. When the file that
arrives does not match what the supplier declared, the whole bundle is refused: a file cut short in
transfer, or the wrong file, must not be analysed as if it were the delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pandzicht.contract.sources import CONTRACT_VERSION
from pandzicht.errors import ContractError

_SHA256 = re.compile(r"[0-9a-f]{64}")
# A calendar date, as the contract writes it (or its digits run together, which is as unambiguous). Python's
# `date.fromisoformat` also takes an ISO week (`2024-W26` is Monday 24 June), which is not the day a supplier
# who wrote a week meant the extract to describe.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}")


@dataclass(frozen=True)
class SourceEntry:
    leverancier: str | None
    grondslag: str | None
    geleverd: str | None
    rijen: int | None = None  # declared number of data rows (the header not counted)
    sha256: str | None = None  # declared checksum of the file, lower-case hex

    @property
    def declares(self) -> bool:
        return self.rijen is not None or self.sha256 is not None

    def to_json(self) -> dict:
        out: dict = {"leverancier": self.leverancier, "grondslag": self.grondslag, "geleverd": self.geleverd}
        out.update({k: v for k, v in (("rijen", self.rijen), ("sha256", self.sha256)) if v is not None})
        return out


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
            "sources": {k: v.to_json() for k, v in self.sources.items()},
        }


def read_manifest(bundle: Path) -> Manifest:
    """Read and check manifest.json; every problem is one Dutch line naming the file and field."""
    bundle = Path(bundle)
    path = bundle / "manifest.json"
    if not path.is_file():
        raise ContractError(_no_manifest(bundle, path))
    raw = _json(path)
    if not isinstance(raw, dict):
        raise ContractError(f"{path}: verwacht een JSON-object")
    contract = raw.get("contract")
    if contract != CONTRACT_VERSION:
        raise ContractError(f"{path}: veld 'contract' moet '{CONTRACT_VERSION}' zijn")
    try:
        text = str(raw.get("peildatum"))
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        peildatum = dt.date.fromisoformat(text)
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
            rijen=_rows(entry.get("rijen"), path, name),
            sha256=_checksum(entry.get("sha256"), path, name),
        )
    return Manifest(contract, str(raw.get("region") or ""), peildatum, sources)


def _no_manifest(bundle: Path, path: Path) -> str:
    """Why there is no manifest to read, as the user can act on it. Why: "manifest.json ontbreekt in de bundel" was
    all a user heard for a folder that does not exist, for the .zip a partner sent (a file, not a folder), and for a
    folder unpacked one level too high (`levering/levering/manifest.json`), each with another thing to do."""
    if not bundle.exists():
        return f"{bundle}: deze map bestaat niet; geef de map van de bundel op (de map met manifest.json)"
    if not bundle.is_dir():
        zipped = " (pak het eerst uit)" if bundle.suffix.lower() in (".zip", ".7z", ".gz", ".tar", ".tgz") else ""
        return (f"{bundle}: dit is een bestand{zipped}, geen map; een bundel is een map met manifest.json en één "
                "bestand per bron")
    below = sorted(p.parent for p in bundle.glob("*/manifest.json") if p.is_file())
    if len(below) == 1:
        return f"{path}: manifest.json ontbreekt in de bundel; {below[0]} heeft er wel een: geef die map op"
    return f"{path}: manifest.json ontbreekt in de bundel"


def _json(path: Path) -> object:
    """The manifest's JSON. A UTF-8 byte order mark is skipped: Notepad and PowerShell on Windows write one, and
    the data files are read with it too. A syntax error names its line and column (a comment copied from the
    contract's example is the usual one), so the supplier can find it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ContractError(f"{path}: geen UTF-8; sla manifest.json op als UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path}: geen geldige JSON op regel {exc.lineno}, kolom {exc.colno}") from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _rows(value: object, path: Path, name: str) -> int | None:
    """A row count: a whole number of at least 0 (written as a JSON number, or as text of digits)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ContractError(f"{path}: veld 'sources.{name}.rijen' moet een geheel getal van 0 of meer zijn")


def _checksum(value: object, path: Path, name: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if not _SHA256.fullmatch(text):
        raise ContractError(f"{path}: veld 'sources.{name}.sha256' moet een SHA-256 van 64 hexadecimale tekens zijn")
    return text


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as `sha256sum` (Linux) or `Get-FileHash` (Windows) prints it."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()


def declaration(path: Path, rows: int) -> dict:
    """What a supplier (or pandzicht's own demo world) adds to a source entry for a file it wrote."""
    return {"rijen": rows, "sha256": file_sha256(path)}


def check_checksum(entry: SourceEntry | None, file_name: str, actual: str) -> None:
    """Refuse the bundle when the file is not the one whose checksum the manifest declares."""
    if entry is not None and entry.sha256 is not None and entry.sha256 != actual:
        raise ContractError(
            f"{file_name}: geweigerd, sha256 in manifest.json is {entry.sha256} maar het bestand heeft {actual} "
            "(onvolledig overgekomen of een ander bestand)"
        )


def check_rows(entry: SourceEntry | None, file_name: str, rows: int, cut: bool = False) -> None:
    """Refuse the bundle when the file holds another number of rows than the manifest declares.

    `rows` counts every row read, loaded or quarantined; a last line cut off mid-row is no row delivered."""
    if entry is None or entry.rijen is None:
        return
    complete = rows - int(cut)
    if complete != entry.rijen:
        also = " en een afgebroken laatste regel" if cut else ""
        raise ContractError(
            f"{file_name}: geweigerd, manifest.json noemt {entry.rijen} rijen maar het bestand heeft er "
            f"{complete}{also} (onvolledig overgekomen of een ander bestand)"
        )
