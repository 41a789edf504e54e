"""Partner organisations as managed records: the beheerder adds and (de)activates them; a case is shared with one.

A free-text organisation per share let a typo (or anything at all) become an
organisation that some partner account might match; a managed list cannot.
Deactivating keeps existing shares (their history stays readable) but offers the
organisation for no new share.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pandzicht.cases.models import Organisation
from pandzicht.errors import PandzichtError


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.naam)))


def active(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.actief.is_(True))
                                .order_by(Organisation.naam)))


def add(session: Session, naam: str) -> Organisation:
    """A new active organisation; names are unique regardless of case."""
    naam = " ".join(unicodedata.normalize("NFC", naam).split())
    if not 2 <= len(naam) <= 120 or not any(ch.isalpha() for ch in naam):
        raise PandzichtError("naam van de organisatie moet 2 tot 120 tekens zijn")
    if session.scalar(select(Organisation).where(func.lower(Organisation.naam) == naam.lower())):
        raise PandzichtError(f"organisatie '{naam}' bestaat al")
    org = Organisation(naam=naam, actief=True)
    session.add(org)
    session.flush()
    return org


def set_active(session: Session, organisatie_id: int, actief: bool) -> Organisation:
    org = session.get(Organisation, organisatie_id)
    if org is None:
        raise PandzichtError("onbekende organisatie")
    org.actief = actief
    return org
