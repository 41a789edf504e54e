"""Accounts: create, authenticate (argon2id), list.

Passwords are stored only as argon2 hashes; a failed login takes as long for an
unknown name as for a wrong password, so the form does not reveal which names exist.
"""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pandzicht.errors import PandzichtError
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Role, parse_role

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("pandzicht-dummy-password")


def create_user(session: Session, naam: str, wachtwoord: str, rol: str, organisatie: str = "") -> User:
    """Add an account; partners must name their organisation (it decides which cases they see)."""
    naam = naam.strip()
    if not naam or len(naam) > 80:
        raise PandzichtError("gebruikersnaam moet 1 tot 80 tekens zijn")
    try:
        role = parse_role(rol)
    except ValueError as exc:
        raise PandzichtError(str(exc)) from None
    if len(wachtwoord) < MIN_PASSWORD_LENGTH:
        raise PandzichtError(f"wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens zijn")
    if role == Role.PARTNER and not organisatie.strip():
        raise PandzichtError("een partner hoort bij een organisatie: geef --organisatie op")
    if session.scalar(select(User).where(User.naam == naam)):
        raise PandzichtError(f"gebruiker '{naam}' bestaat al")
    user = User(naam=naam, wachtwoord_hash=_hasher.hash(wachtwoord), rol=role.value,
                organisatie=organisatie.strip(), actief=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, naam: str, wachtwoord: str) -> User | None:
    """The active user with this name and password, or None."""
    user = session.scalar(select(User).where(User.naam == naam.strip()))
    if user is None or not user.actief:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, wachtwoord)
        return None
    try:
        _hasher.verify(user.wachtwoord_hash, wachtwoord)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.wachtwoord_hash):
        user.wachtwoord_hash = _hasher.hash(wachtwoord)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.naam)))
