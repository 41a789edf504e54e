"""Adapter: short-stay rental listings (Inside Airbnb ``listings.csv``) -> ``kortverblijf_advertentie.csv``.

Reads both the summary and the detailed Inside Airbnb format, plain, gzipped or
zipped, in UTF-8, Windows-1252 or UTF-16. The licence field becomes a
registration status, the jittered WGS84 point is projected to RD New so it can
be compared with BAG units, and the listing title and host name are never
carried over.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import re
from collections import Counter
from pathlib import Path
from typing import IO, Any

from pyproj import Transformer

from pandzicht.adapters.lo_gba import ENCODING_LABELS, detect_encoding, open_text
from pandzicht.adapters.report import Skips, write_contract_csv, write_report
from pandzicht.contract.sources import ROOM_TYPES, SOURCES
from pandzicht.errors import PandzichtError

SOURCE = "kortverblijf_advertentie"
REQUIRED_INPUT = ("id", "host_id", "latitude", "longitude", "room_type", "minimum_nights", "availability_365",
                  "number_of_reviews_ltm", "last_review", "license")
# A Dutch municipal registration number: 4-digit municipality code and 16 hex characters, usually in groups of 4.
# Groups may be split by spaces, '-' or '.', and the number may stand in a sentence ("Registratienummer: ...").
_REGISTRATION = re.compile(
    r"(?<![0-9A-Z])(\d{4})[\s.-]*([0-9A-F]{4})[\s.-]*([0-9A-F]{4})[\s.-]*([0-9A-F]{4})[\s.-]*([0-9A-F]{4})(?![0-9A-Z])",
    re.IGNORECASE,
)
_EXEMPT = {"exempt", "vrijgesteld", "exempted"}
_HOST_TOKEN = re.compile(r"^h[0-9a-f]{12}$")
_TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def parse_registration(licence: str | None) -> tuple[str | None, str]:
    """Map an advertised licence text to (registratienummer, registratie_status).

    One well-formed number, also written with '-' or '.' or inside a sentence, is 'geregistreerd'
    (normalised to 'GGGG XXXX XXXX XXXX XXXX'); 'Exempt' is
    'vrijgesteld', anything else (empty, placeholders like 'ABCD 1234 ...', foreign numbers, 'pending') is
    'ontbreekt' with the text kept so an analyst can see what was advertised.
    """
    text = " ".join((licence or "").split())
    if not text:
        return None, "ontbreekt"
    if text.lower() in _EXEMPT:
        return None, "vrijgesteld"
    numbers = {" ".join(g.upper() for g in m.groups()) for m in _REGISTRATION.finditer(text)}
    if len(numbers) == 1:
        return numbers.pop(), "geregistreerd"
    return text, "ontbreekt"


def host_token(host_id: str) -> str:
    """A stable host token: kept when already tokenised ('h' + 12 hex), else derived the same way from the id."""
    host_id = host_id.strip()
    if _HOST_TOKEN.match(host_id):
        return host_id
    return "h" + hashlib.sha256(f"airbnb-host:{host_id}".encode()).hexdigest()[:12]


_DECIMALS = re.compile(r"[.,](\d{1,2})$")


def parse_price(text: str | None) -> float | None:
    """'125', '$1,250.00', '€ 80,50' or '€ 1.250,00' -> number; empty or unreadable -> None.

    A final '.' or ',' followed by one or two digits is the decimal mark; any other '.' or ',' groups
    thousands. So '€ 80,50' is 80.5 (not 8050) and both '1,250' and '1.250' are 1250.
    """
    cleaned = re.sub(r"[^\d.,]", "", text or "")
    m = _DECIMALS.search(cleaned)
    whole, decimals = (cleaned[: m.start()], m.group(1)) if m else (cleaned, "")
    whole = re.sub(r"[.,]", "", whole)
    if not (whole or decimals):
        return None
    return float(f"{whole or 0}.{decimals or 0}")


def to_rd(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 longitude/latitude to RD New x/y (metres)."""
    x, y = _TO_RD.transform(lon, lat)
    return round(x, 2), round(y, 2)


def _int(text: str | None) -> int | None:
    t = (text or "").strip()
    if "," in t and "." not in t and t.count(",") == 1:
        t = t.replace(",", ".")  # '7,0' from a Dutch spreadsheet
    if not t:
        return None
    try:
        return int(float(t))
    except ValueError:
        return None


# Optional output fields and the input column they come from: a value there that does not read as a number
# is left empty, and counted so that the loss is never silent.
_NUMERIC_INPUT = {"accommodates": "accommodates", "price": "price", "minimum_nights": "minimum_nights",
                  "availability_365": "availability_365", "number_of_reviews_ltm": "number_of_reviews_ltm"}


def _delimiter(fh: IO[str]) -> str:
    """The separator that splits the header into the most expected columns: Inside Airbnb writes ',', a file
    re-saved by a Dutch spreadsheet has ';' (and decimal commas), some tools write tabs."""
    first = fh.readline()
    fh.seek(0)

    def known(delimiter: str) -> int:
        return len(set(next(csv.reader([first], delimiter=delimiter), [])) & set(REQUIRED_INPUT))

    return max((",", ";", "\t"), key=known)


def _coordinate(text: str | None) -> float:
    """A coordinate, also with a decimal comma ('51,9168'); a coordinate has no thousands separator."""
    t = (text or "").strip()
    if "," in t and "." not in t and t.count(",") == 1:
        t = t.replace(",", ".")
    return float(t)


def adapt_kortverblijf(src: Path, out_dir: Path) -> dict[str, Any]:
    """Convert an Inside Airbnb listings file (summary or detailed) into the optional kortverblijf_advertentie."""
    src = Path(src)
    if not src.is_file():
        raise PandzichtError(f"{src}: bestand bestaat niet")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    required = [c.name for c in SOURCES[SOURCE].columns if c.required]
    skips, unreadable = Skips(), Skips()
    status: Counter[str] = Counter()
    invalid_text = 0
    rows: list[dict[str, Any]] = []
    hosts: Counter[str] = Counter()
    # UTF-8 as Inside Airbnb writes it, or Windows-1252 / UTF-16 from a municipality's own export; gzip or zip
    encoding = detect_encoding(src)
    try:
        with open_text(src, encoding) as fh:
            delimiter = _delimiter(fh)
            reader = csv.DictReader(fh, delimiter=delimiter)
            header = reader.fieldnames or []
            for column in REQUIRED_INPUT:
                if column not in header:
                    raise PandzichtError(f"{src}: regel 1: kolom '{column}' ontbreekt (Inside Airbnb listings.csv)")
            has_count = "calculated_host_listings_count" in header
            for rec in reader:
                line = reader.line_num
                row = _row(rec, has_count)
                if row is None:
                    skips.add("latitude/longitude ontbreekt of is geen getal", f"{rec.get('id')} (regel {line})")
                    continue
                if not _in_netherlands(row["latitude"], row["longitude"]):
                    skips.add("locatie buiten Nederland (latitude/longitude verwisseld of 0?)",
                              f"{rec.get('id')} (regel {line})")
                    continue
                missing = [c for c in required if row.get(c) in (None, "")]
                if missing:
                    skips.add("verplicht veld leeg: " + ", ".join(missing), f"{rec.get('id')} (regel {line})")
                    continue
                for field, column in _NUMERIC_INPUT.items():
                    if row[field] is None and (rec.get(column) or "").strip():
                        unreadable.add(f"{field}: geen getal in kolom '{column}', leeg gelaten",
                                       f"{rec.get('id')} (regel {line})")
                if row["last_review"] is None and (rec.get("last_review") or "").strip():
                    unreadable.add("last_review: geen datum JJJJ-MM-DD in kolom 'last_review', leeg gelaten",
                                   f"{rec.get('id')} (regel {line})")
                status[row["registratie_status"]] += 1
                if row["registratie_status"] == "ontbreekt" and row["registratienummer"]:
                    invalid_text += 1
                hosts[row["host_token"]] += 1
                rows.append(row)
    except UnicodeDecodeError:
        raise PandzichtError(f"{src}: bestand is geen UTF-8 (regel onbekend)") from None
    except csv.Error as exc:
        raise PandzichtError(f"{src}: ongeldige CSV ({exc})") from None
    derived = 0
    for row in rows:
        if row["host_aantal_advertenties"] is None:
            row["host_aantal_advertenties"] = hosts[row["host_token"]]
            derived += 1
    n = write_contract_csv(out_dir / f"{SOURCE}.csv", SOURCE, rows)
    report = {
        "bron_type": "inside-airbnb-listings",
        "bron": str(src),
        "tekenset": ENCODING_LABELS[encoding],
        "scheidingsteken": {"\t": "tab"}.get(delimiter, delimiter),
        "uitvoer": f"{SOURCE}.csv",
        "rijen": n,
        "overgeslagen": skips.as_dict(),
        "overgeslagen_totaal": skips.total(),
        "onleesbaar_leeg_gelaten": unreadable.as_dict(),
        "registratie_status": dict(sorted(status.items())),
        "ontbreekt_met_ongeldige_tekst": invalid_text,
        "host_aantal_advertenties_zelf_geteld": derived,
        "niet_overgenomen": ["name (advertentietitel)", "host_name", "neighbourhood (Airbnb-indeling, geen CBS-code)"],
        "locatie": "latitude/longitude verschoven door Airbnb (tot ~150 m); x_rd/y_rd geprojecteerd met pyproj",
    }
    write_report(out_dir, SOURCE, report)
    return report


def _iso_date(text: str | None) -> str | None:
    """'2024-06-07' (or with a time after it) -> '2024-06-07'; any other form is not guessed ('07-06-2024' is
    7 June or 6 July) and gives None."""
    t = (text or "").strip()[:10]
    try:
        return dt.date.fromisoformat(t).isoformat() if len(t) == 10 else None
    except ValueError:
        return None


_ROOM_TYPES = {t.lower(): t for t in ROOM_TYPES}


def _room_type(text: str | None) -> str | None:
    """The contract's spelling of a room type whatever its case ('entire home/apt', 'PRIVATE ROOM'); an unknown
    type is kept as written so the intake names it."""
    room = " ".join((text or "").split())
    return _ROOM_TYPES.get(room.lower(), room) or None


def _in_netherlands(lat: float, lon: float) -> bool:
    """The WGS84 box around the Netherlands (incl. the Wadden and Zeeland coasts): a point outside it cannot
    match a BAG unit, and swapped columns (lat 4.5, lon 51.9) or a 0,0 placeholder land outside it."""
    return 50.7 <= lat <= 53.7 and 3.2 <= lon <= 7.3


def _row(rec: dict[str, str | None], has_count: bool) -> dict[str, Any] | None:
    try:
        lat = _coordinate(rec.get("latitude"))
        lon = _coordinate(rec.get("longitude"))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    x, y = to_rd(lon, lat)
    number, status = parse_registration(rec.get("license"))
    last = _iso_date(rec.get("last_review"))
    return {
        "listing_id": (rec.get("id") or "").strip() or None,
        "host_token": host_token(rec.get("host_id") or "") if (rec.get("host_id") or "").strip() else None,
        "latitude": lat,
        "longitude": lon,
        "x_rd": x,
        "y_rd": y,
        "room_type": _room_type(rec.get("room_type")),
        "accommodates": _int(rec.get("accommodates")),
        "price": parse_price(rec.get("price")),
        "minimum_nights": _int(rec.get("minimum_nights")),
        "availability_365": _int(rec.get("availability_365")),
        "number_of_reviews_ltm": _int(rec.get("number_of_reviews_ltm")),
        "last_review": last,
        "registratienummer": number,
        "registratie_status": status,
        "host_aantal_advertenties": _int(rec.get("calculated_host_listings_count")) if has_count else None,
    }
