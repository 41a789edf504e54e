"""Signals (meldingen) from the public form: validation, storage, lookup per unit.

The text is kept as plain text; every screen escapes it. Linking to a BAG unit
and the unit's current score are passed in by the caller (the web layer knows
the analysis store), so this module stays free of the analysis internals.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pandzicht.cases.models import Signal
from pandzicht.contract.sources import REPORTER_TYPES, SIGNAL_CATEGORIES
from pandzicht.errors import PandzichtError

MAX_TEXT = 2000
MAX_ADDRESS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SignalInput:
    """What a reporter sent, already checked: categories and reporter type from the contract's enums."""

    categorieen: tuple[str, ...]
    bron_type: str
    tekst: str
    adres_tekst: str
    gezien_op: dt.date | None = None


@dataclass(frozen=True)
class Enrichment:
    """What the system knew on arrival: the linked unit, how sure, and its score and rank then."""

    verblijfsobject_id: str | None
    zekerheid: float
    methode: str
    score: float | None = None
    rang: int | None = None


def clean_text(value: str, limit: int) -> str:
    """Plain text: normalised, no control characters; refuses (not truncates) text over the limit."""
    value = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n")
    value = _CONTROL.sub("", value).strip()
    if len(value) > limit:
        raise PandzichtError(f"tekst is te lang (maximaal {limit} tekens)")
    return value


class SignalErrors(PandzichtError):
    """Every problem with a submitted form at once, per field name, so the form can mark each field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def parse_seen(value: str, today: dt.date | None = None) -> dt.date | None:
    """The optional "wanneer zag u dit?" date (ISO, from a date input): None when empty; not in the future."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seen = dt.date.fromisoformat(value)
    except ValueError:
        raise PandzichtError("vul de datum in als dag-maand-jaar, of laat het veld leeg") from None
    if seen > (today or dt.date.today()):
        raise PandzichtError("de datum ligt in de toekomst; kies vandaag of een dag ervoor")
    if seen < dt.date(1990, 1, 1):
        raise PandzichtError("de datum ligt te ver terug; kies een datum na 1990")
    return seen


def validate(categorieen: list[str], bron_type: str, tekst: str, adres_tekst: str, gezien_op: str = "",
             today: dt.date | None = None) -> SignalInput:
    """A SignalInput, or SignalErrors naming every problem (Dutch, per form field) at once."""
    errors: dict[str, str] = {}
    adres = ""
    try:
        adres = clean_text(adres_tekst, MAX_ADDRESS)
        if not adres:
            errors["adres_tekst"] = "vul het adres van de woning in"
    except PandzichtError as exc:
        errors["adres_tekst"] = f"adres: {exc}"
    cats = tuple(dict.fromkeys(c for c in categorieen if c))
    if not cats:
        errors["categorieen"] = "kies minstens één categorie bij 'Wat valt u op?'"
    elif any(c not in SIGNAL_CATEGORIES for c in cats):
        errors["categorieen"] = "onbekende categorie; kies uit de lijst"
    if bron_type not in REPORTER_TYPES:
        errors["bron_type"] = "kies wie u bent (of anoniem)"
    seen = None
    try:
        seen = parse_seen(gezien_op, today)
    except PandzichtError as exc:
        errors["gezien_op"] = str(exc)
    text = ""
    try:
        text = clean_text(tekst, MAX_TEXT)
    except PandzichtError as exc:
        errors["tekst"] = f"toelichting: {exc}"
    if errors:
        raise SignalErrors(errors)
    return SignalInput(cats, bron_type, text, adres, seen)


def store_signal(session: Session, data: SignalInput, enrichment: Enrichment) -> Signal:
    """Save a signal with its enrichment and a public reference (kenmerk) the reporter can quote."""
    signal = Signal(
        kenmerk="M-" + secrets.token_hex(5).upper(),
        bron_type=data.bron_type,
        categorieen=";".join(data.categorieen),
        tekst=data.tekst,
        adres_tekst=data.adres_tekst,
        verblijfsobject_id=enrichment.verblijfsobject_id,
        koppeling_zekerheid=enrichment.zekerheid,
        koppeling_methode=enrichment.methode,
        score_bij_ontvangst=enrichment.score,
        rang_bij_ontvangst=enrichment.rang,
        gezien_op=data.gezien_op,
    )
    session.add(signal)
    session.flush()
    return signal


def signals_for_unit(session: Session, vbo: str) -> list[Signal]:
    return list(session.scalars(select(Signal).where(Signal.verblijfsobject_id == vbo)
                                .order_by(Signal.ontvangen_op.desc())))


def recent_signals(session: Session, limit: int = 50) -> list[Signal]:
    return list(session.scalars(select(Signal).order_by(Signal.id.desc()).limit(limit)))


def signal_counts_by_unit(session: Session) -> dict[str, int]:
    """Signals from the form per linked unit (for the map and the shortlist)."""
    rows = session.execute(select(Signal.verblijfsobject_id, func.count()).where(
        Signal.verblijfsobject_id.is_not(None)).group_by(Signal.verblijfsobject_id))
    return {r[0]: int(r[1]) for r in rows}
