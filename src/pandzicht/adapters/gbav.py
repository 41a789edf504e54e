"""Adapter: GBA-V persoonslijst extract -> ``brp_inschrijving.csv`` (address history, pseudonymised).

Only the elements the contract needs are read (``READ_ELEMENTS``); nationality,
country and place of birth, sex, residence title and every other element are
never taken from the csv row, so they cannot leak into the output. The report
names the protected elements that were present and left unread. The BSN is
replaced by a keyed pseudonym; one output row is one address period, ending
where the next one starts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pandzicht.adapters.gba_date import DateStatus, GbaDate, parse_gba_date
from pandzicht.adapters.lo_gba import (
    ELEMENT_RE,
    ENCODING_LABELS,
    Persoonslijst,
    Record,
    detect_encoding,
    read_header,
    read_persoonslijsten,
    sniff_delimiter,
)
from pandzicht.adapters.pseudonym import DEFAULT_KEY_ENV, key_from_env, pseudonymise
from pandzicht.adapters.report import Skips, write_contract_csv, write_report
from pandzicht.errors import PandzichtError

SOURCE = "brp_inschrijving"

# The only elements read from the file, with their LO-GBA meaning.
READ_ELEMENTS: dict[str, str] = {
    "01.01.20": "burgerservicenummer (alleen voor het pseudoniem)",
    "01.02.10": "voornamen",
    "01.02.30": "voorvoegsel geslachtsnaam",
    "01.02.40": "geslachtsnaam",
    "01.03.10": "geboortedatum",
    "07.67.10": "datum opschorting bijhouding",
    "07.67.20": "reden opschorting bijhouding",
    "08.10.30": "datum aanvang adreshouding",
    "08.11.80": "identificatiecode verblijfplaats (BAG-verblijfsobject)",
    "08.13.20": "datum aanvang adres buitenland",
    "08.84.10": "indicatie onjuist",
    "08.H": "historiemarkering categorie 08",
}
REQUIRED_ELEMENTS = ("01.01.20", "01.02.40", "08.10.30", "08.11.80")

# Elements whose meaning is a protected attribute or a direct proxy of one (origin, sex, nationality).
_PROTECTED_BY_GROUP = {
    "03.20": "geboorteplaats (verraadt geboorteland)",
    "03.30": "geboorteland",
    "04.10": "geslachtsaanduiding",
}
_PROTECTED_BY_CATEGORY = {"04": "nationaliteit", "10": "verblijfstitel (verblijfsrecht, afgeleid van nationaliteit)"}
_PROTECTED_ELEMENTS = {
    "08.13.10": "land adres buitenland (herkomst)",
    "08.14.10": "land vanwaar ingeschreven (herkomst)",
}
_BAG_ID = re.compile(r"^\d{16}$")
# Object type code (digits 5-6) of a BAG id that can be a residence: verblijfsobject, ligplaats, standplaats.
_RESIDENCE_TYPE_CODES = ("01", "02", "03")
_OPSCHORTING = {"O": "overlijden", "E": "emigratie", "M": "ministerieel besluit", "R": "RNI", "F": "fout"}


def passes_elfproef(bsn: str) -> bool:
    """The BSN check digit rule: a mistyped or corrupted number would pseudonymise to a person that is not there."""
    digits = bsn.zfill(9)
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total != 0 and total % 11 == 0


def protected_element(element: str) -> str | None:
    """The protected meaning of an LO-GBA element number (historic categories 5x count as 0x), or None."""
    if not ELEMENT_RE.match(element):
        return None
    category = f"{int(element[:2]) % 50:02d}"
    if category in _PROTECTED_BY_CATEGORY:
        return _PROTECTED_BY_CATEGORY[category]
    base = f"{category}{element[2:]}"
    if base in _PROTECTED_ELEMENTS:
        return _PROTECTED_ELEMENTS[base]
    return _PROTECTED_BY_GROUP.get(element[3:])


@dataclass
class _Period:
    record: Record
    start_raw: str | None
    vbo: str | None
    abroad: bool


def address_periods(pl: Persoonslijst) -> tuple[list[_Period], Counter[str]]:
    """The person's address periods, newest first, from category 08 and its history (58).

    Records marked incorrect (84.10) are left out; an older record with the same start date is an
    earlier version of the same period, not a move. History out of date order is put newest first.
    """
    stats: Counter[str] = Counter()
    periods: list[_Period] = []
    records = pl.records("08")
    for i, rec in enumerate(records):
        if i > 0 and records[i - 1].values.get("08.H") != "58":
            stats["historiemarkering 08.H wijkt af"] += 1
        if rec.values.get("08.84.10"):
            stats["record onjuist (08.84.10) overgeslagen"] += 1
    records = [rec for rec in records if not rec.values.get("08.84.10")]
    starts = [rec.values.get("08.10.30") or rec.values.get("08.13.20") for rec in records]
    if all(starts) and starts != sorted(starts, reverse=True):
        # GBA-V lists history newest first; a re-sorted export would otherwise stretch and drop periods.
        records = [rec for _, rec in sorted(zip(starts, records, strict=True), key=lambda p: p[0], reverse=True)]
        stats["adreshistorie niet van nieuw naar oud: op datum aanvang gesorteerd"] += 1
    for rec in records:
        v = rec.values
        start_raw = v.get("08.10.30") or v.get("08.13.20")
        if periods and start_raw and periods[-1].start_raw == start_raw:
            stats["oudere versie van dezelfde periode samengevoegd"] += 1
            continue
        vbo = v.get("08.11.80")
        if vbo and vbo.isdigit() and 13 <= len(vbo) < 16 and vbo.zfill(16)[4:6] in _RESIDENCE_TYPE_CODES:
            # stored as a number (a spreadsheet) the id lost the leading zeros of its municipality code
            vbo = vbo.zfill(16)
            stats["BAG-id (08.11.80) zonder voorloopnullen: aangevuld tot 16 cijfers"] += 1
        periods.append(_Period(rec, start_raw, vbo, bool(v.get("08.13.20")) and not v.get("08.10.30")))
    return periods, stats


def adapt_gbav(src: Path, out_dir: Path, *, key_env: str = DEFAULT_KEY_ENV, key: bytes | None = None) -> dict[str, Any]:
    """Convert a GBA-V persoonslijst extract into the contract's brp_inschrijving, one row per address period.

    The pseudonymisation key comes from ``key`` or else from environment variable ``key_env``; without a key
    nothing is read.
    """
    src = Path(src)
    if key is None:
        key = key_from_env(key_env)
        key_source = f"omgevingsvariabele {key_env}"
    else:
        key_source = "meegegeven door de aanroeper"
    if not src.is_file():
        raise PandzichtError(f"{src}: bestand bestaat niet")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    person_skips, period_skips = Skips(), Skips()
    dates: dict[str, Counter[str]] = defaultdict(Counter)
    stats: Counter[str] = Counter()
    counts = Counter()
    seen_tokens: set[str] = set()

    def parse(element: str, value: str | None) -> GbaDate:
        parsed = parse_gba_date(value)
        if parsed.status not in (DateStatus.FULL, DateStatus.EMPTY):
            dates[element][parsed.status.value] += 1
        return parsed

    encoding = detect_encoding(src)

    today = dt.date.today().isoformat()

    def birth_date(value: str | None) -> str | None:
        # A birth date after today is an error, and the intake would refuse every address row carrying it.
        iso = parse("01.03.10", value).iso
        if iso is not None and iso > today:
            dates["01.03.10"]["in_de_toekomst"] += 1
            return None
        return iso

    def rows():
        for pl in read_persoonslijsten(src, READ_ELEMENTS, REQUIRED_ELEMENTS, encoding, stats):
            counts["personen"] += 1
            bsn = (pl.first("01.01.20") or "").strip()
            if not bsn.isdigit() or len(bsn) > 9:
                person_skips.add("geen of ongeldig burgerservicenummer (01.01.20)", _where(pl, pl.line))
                continue
            if not passes_elfproef(bsn):
                person_skips.add("burgerservicenummer (01.01.20) voldoet niet aan de elfproef", _where(pl, pl.line))
                continue
            surname = pl.first("01.02.40")
            if not surname:
                person_skips.add("geslachtsnaam (01.02.40) ontbreekt", _where(pl, pl.line))
                continue
            token = pseudonymise(key, bsn)
            if token in seen_tokens:
                stats["burgerservicenummer op meer dan één persoonslijst (perioden van beide behouden)"] += 1
            seen_tokens.add(token)
            person = {
                "persoon_id": token,
                "geslachtsnaam": surname,
                "voorvoegsel": pl.first("01.02.30"),
                "voornamen": pl.first("01.02.10"),
                "geboortedatum": birth_date(pl.first("01.03.10")),
            }
            periods, pstats = address_periods(pl)
            stats.update(pstats)
            counts["perioden"] += len(periods)
            end_of_newest = None
            suspended = pl.first("07.67.10")
            if suspended:
                stats[f"bijhouding opgeschort: {_OPSCHORTING.get(pl.first('07.67.20') or '', 'reden onbekend')}"] += 1
                end_of_newest = parse("07.67.10", suspended)
            for k, period in enumerate(periods):
                end = end_of_newest if k == 0 else parse(_start_element(periods[k - 1]), periods[k - 1].start_raw)
                row = _period_row(person, period, end, parse, period_skips, pl)
                if row is not None:
                    yield row

    n = write_contract_csv(out_dir / f"{SOURCE}.csv", SOURCE, rows())
    header = read_header(src, encoding)  # read after the rows, so a broken file has already been refused with its line
    protected = [
        {"element": el, "betekenis": protected_element(el), "reden": "beschermd kenmerk of directe afgeleide daarvan"}
        for el in header if protected_element(el)
    ]
    report = {
        "bron_type": "gba-v",
        "bron": str(src),
        "tekenset": ENCODING_LABELS[encoding],
        "scheidingsteken": {"\t": "tab"}.get(delimiter := sniff_delimiter(src, encoding), delimiter),
        "uitvoer": f"{SOURCE}.csv",
        "personen_gelezen": counts["personen"],
        "personen_overgeslagen": person_skips.as_dict(),
        "perioden_gelezen": counts["perioden"],
        "rijen": n,
        "overgeslagen": period_skips.as_dict(),
        "overgeslagen_totaal": period_skips.total(),
        "bijzonderheden": dict(sorted(stats.items())),
        "datums_niet_volledig": {el: dict(c) for el, c in sorted(dates.items())},
        "datums_toelichting": "een GBA-datum met 00 (onbekend deel), een ongeldige datum of een geboortedatum na "
                              "vandaag wordt leeg (onbekend)",
        "elementen_gelezen": {el: READ_ELEMENTS[el] for el in header if el in READ_ELEMENTS},
        "beschermd_niet_gelezen": protected,
        "overige_elementen_niet_gelezen": sum(
            1 for el in header if el and el not in READ_ELEMENTS and not protected_element(el)
        ),
        "pseudoniem": {"methode": "HMAC-SHA256 van het BSN, eerste 32 hex-tekens", "sleutel": key_source},
    }
    write_report(out_dir, SOURCE, report)
    return report


_NUMBER_ID = re.compile(r"^\d{8,10}$")


def _where(pl: Persoonslijst, line: int) -> str:
    """Where a skipped record is, for the report: the persoonslijst id and line, or only the line when the
    id column holds a number shaped like a BSN or A-nummer (an export may key its rows on them)."""
    return f"regel {line}" if _NUMBER_ID.match(pl.pl_id) else f"{pl.pl_id} (regel {line})"


def _start_element(period: _Period) -> str:
    return "08.13.20" if period.abroad else "08.10.30"


def _period_row(person: dict[str, Any], period: _Period, end: GbaDate | None, parse, skips: Skips,
                pl: Persoonslijst) -> dict[str, Any] | None:
    where = _where(pl, period.record.line)
    start = parse(_start_element(period), period.start_raw)
    if not period.vbo:
        reason = "adres buitenland" if period.abroad else "adres zonder BAG-id (bijv. van voor de BAG)"
        skips.add(f"geen BAG-verblijfsobject-id (08.11.80): {reason}", where)
        return None
    if not _BAG_ID.match(period.vbo):
        skips.add("ongeldig BAG-verblijfsobject-id (08.11.80): geen 16 cijfers", where)
        return None
    if not period.vbo.strip("0"):
        skips.add("geen BAG-verblijfsobject-id (08.11.80): alleen nullen (opvulwaarde)", where)
        return None
    if period.vbo[4:6] not in _RESIDENCE_TYPE_CODES:
        # e.g. 30 (openbare ruimte) or 10 (pand): not a place to live, would only be 'unknown' at the intake
        skips.add(f"BAG-id (08.11.80) wijst geen verblijfsobject aan (objecttypecode {period.vbo[4:6]})", where)
        return None
    if start.iso is None:
        skips.add(f"datum aanvang adreshouding (08.10.30) {start.status.value}", where)
        return None
    if end is not None and end.iso is None:
        skips.add("datum einde onbekend: de volgende periode heeft geen volledige aanvangsdatum", where)
        return None
    if end is not None and end.iso < start.iso:
        skips.add("einde ligt voor aanvang", where)
        return None
    return {**person, "verblijfsobject_id": period.vbo, "datum_aanvang": start.iso,
            "datum_einde": end.iso if end is not None else None}


