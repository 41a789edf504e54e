"""Signals (meldingen) from the public form: validation, storage, lookup per unit.

The text is kept as plain text; every screen escapes it. Linking to a BAG unit
and the unit's current score are passed in by the caller (the web layer knows
the analysis store), so this module stays free of the analysis internals.
"""

from __future__ import annotations

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


def validate(categorieen: list[str], bron_type: str, tekst: str, adres_tekst: str) -> SignalInput:
    """A SignalInput, or PandzichtError with a Dutch message for the form."""
    cats = tuple(dict.fromkeys(c for c in categorieen if c))
    if not cats:
        raise PandzichtError("kies minstens één categorie")
    unknown = [c for c in cats if c not in SIGNAL_CATEGORIES]
    if unknown:
        raise PandzichtError("onbekende categorie")
    if bron_type not in REPORTER_TYPES:
        raise PandzichtError("kies wie u bent (of anoniem)")
    adres = clean_text(adres_tekst, MAX_ADDRESS)
    if not adres:
        raise PandzichtError("vul een adres in")
    return SignalInput(cats, bron_type, clean_text(tekst, MAX_TEXT), adres)


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
