"""Accounts: create, authenticate (argon2id), list, and their life cycle (deactivate, role, password, second factor).

Passwords are stored only as argon2 hashes; a failed login takes as long for an
unknown name as for a wrong password, so the form does not reveal which names exist.
A new password must be at least 12 characters and pass zxcvbn (score 3 of 4, with
the account name and the app's own words as known inputs), which refuses common,
breached-style and repetitive passwords such as `aaaaaaaaaaaa` or `Welkom123!`.

Roles that may reveal names or read the audit log (see `roles.PERMISSIONS`) log in
with a second factor: a TOTP code (RFC 6238, pyotp), each code usable once.
Every life-cycle change ends the account's open sessions; the caller audits it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from pandzicht.cases.db import utcnow
from pandzicht.errors import PandzichtError
from pandzicht.privacy.models import InlogFout, Sessie, User
from pandzicht.privacy.roles import PERMISSIONS, Permission, Role, parse_role

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_STRENGTH = 3  # zxcvbn score 0..4; 3 = "safely unguessable" (about 10^8 guesses and up)
APP_WORDS = ["pandzicht", "rotterdam", "gemeente", "wachtwoord", "welkom", "politie", "woning"]
SECOND_FACTOR_PERMISSIONS = frozenset({Permission.NAAM_ONTHULLEN, Permission.AUDIT_LEZEN})
TOTP_ISSUER = "pandzicht"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("pandzicht-dummy-password")


def needs_second_factor(rol: str) -> bool:
    """True for the roles that can reveal names or read the audit log (read from roles.PERMISSIONS)."""
    try:
        return bool(PERMISSIONS[Role(rol)] & SECOND_FACTOR_PERMISSIONS)
    except ValueError:
        return True


def check_password(wachtwoord: str, naam: str = "") -> None:
    """Refuse a password that is short, too long, or guessable; the message says why, in Dutch."""
    if len(wachtwoord) < MIN_PASSWORD_LENGTH:
        raise PandzichtError(f"wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens zijn")
    if len(wachtwoord) > MAX_PASSWORD_LENGTH:
        raise PandzichtError(f"wachtwoord mag hoogstens {MAX_PASSWORD_LENGTH} tekens zijn")
    inputs = [*APP_WORDS, *(p for p in naam.lower().replace(".", " ").split() if p)]
    result = zxcvbn(wachtwoord[:100], user_inputs=inputs, max_length=100)
    if result["score"] < MIN_STRENGTH:
        raise PandzichtError("wachtwoord is te makkelijk te raden (een veelgebruikt of gelekt wachtwoord, een "
                             "herhaling of een reeks, of de gebruikersnaam); kies bijvoorbeeld drie of vier "
                             "losse woorden")


def create_user(session: Session, naam: str, wachtwoord: str, rol: str, organisatie: str = "",
                totp_geheim: str | None = None) -> User:
    """Add an account; partners must name their organisation (it decides which cases they see).

    `totp_geheim` pre-enrols a second factor (provisioning, tests); otherwise the user enrols at first login."""
    naam = naam.strip()
    if not naam or len(naam) > 80:
        raise PandzichtError("gebruikersnaam moet 1 tot 80 tekens zijn")
    try:
        role = parse_role(rol)
    except ValueError as exc:
        raise PandzichtError(str(exc)) from None
    check_password(wachtwoord, naam)
    if role == Role.PARTNER and not organisatie.strip():
        raise PandzichtError("een partner hoort bij een organisatie: geef --organisatie op")
    if session.scalar(select(User).where(func.lower(User.naam) == naam.lower())):
        raise PandzichtError(f"gebruiker '{naam}' bestaat al")
    user = User(naam=naam, wachtwoord_hash=_hasher.hash(wachtwoord), rol=role.value,
                organisatie=organisatie.strip(), actief=True, totp_geheim=totp_geheim,
                wachtwoord_gewijzigd_op=utcnow())
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, naam: str, wachtwoord: str) -> User | None:
    """The active user with this name and password, or None."""
    user = session.scalar(select(User).where(User.naam == naam.strip()))
    if user is None or not user.actief or len(wachtwoord) > 1024:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, wachtwoord[:1024])
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


def get_user(session: Session, naam: str) -> User:
    user = session.scalar(select(User).where(User.naam == naam.strip()))
    if user is None:
        raise PandzichtError(f"gebruiker '{naam}' bestaat niet")
    return user


# --- second factor ---------------------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, naam: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=naam, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, last_step: int | None, at: float | None = None) -> int | None:
    """The time step a 6-digit code belongs to (one step of clock drift either way), or None.

    A step at or before `last_step` is refused, so a code seen over a shoulder cannot be used again."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(time.time() if at is None else at)  # type: ignore[arg-type]
    for step in (now_step - 1, now_step, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- life cycle ------------------------------------------------------------------------------------------------

def account_key(naam: str) -> str:
    """The key under which failed logins for an account name are counted (also for names that do not exist)."""
    return hashlib.sha256(b"account:" + naam.strip().lower().encode("utf-8")).hexdigest()


def revoke_sessions(session: Session, user_id: int, reden: str, keep_token_hash: str | None = None) -> int:
    """End every open session of the account (except one, when given); the number ended."""
    q = (update(Sessie).where(Sessie.gebruiker_id == user_id, Sessie.beeindigd_op.is_(None))
         .values(beeindigd_op=utcnow(), reden=reden))
    if keep_token_hash is not None:
        q = q.where(Sessie.token_hash != keep_token_hash)
    return int(session.execute(q).rowcount or 0)  # type: ignore[attr-defined]


def _active_admins(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)
                              .where(User.rol == Role.BEHEERDER.value, User.actief.is_(True))) or 0)


def _keep_an_admin(session: Session, user: User) -> None:
    if user.rol == Role.BEHEERDER.value and user.actief and _active_admins(session) <= 1:
        raise PandzichtError("dit is de laatste actieve beheerder; maak eerst een andere beheerder aan")


def set_active(session: Session, user: User, actief: bool) -> None:
    """Deactivate (ends every session at once; the account can no longer log in) or reactivate."""
    if not actief:
        _keep_an_admin(session, user)
        revoke_sessions(session, user.id, "gedeactiveerd")
    user.actief = actief


def change_role(session: Session, user: User, rol: str, organisatie: str | None = None) -> str:
    """Give the account another role; its sessions end so the new rights (and second factor) apply at once."""
    try:
        role = parse_role(rol)
    except ValueError as exc:
        raise PandzichtError(str(exc)) from None
    org = user.organisatie if organisatie is None else organisatie.strip()
    if role == Role.PARTNER and not org:
        raise PandzichtError("een partner hoort bij een organisatie: geef de organisatie op")
    if role != Role.BEHEERDER:
        _keep_an_admin(session, user)
    old = user.rol
    user.rol = role.value
    user.organisatie = org
    revoke_sessions(session, user.id, "rol_gewijzigd")
    return old


def reset_password(session: Session, user: User, wachtwoord: str) -> None:
    """Set a new password (checked like a new one); ends all sessions and lifts a login block on the account."""
    check_password(wachtwoord, user.naam)
    user.wachtwoord_hash = _hasher.hash(wachtwoord)
    user.wachtwoord_gewijzigd_op = utcnow()
    revoke_sessions(session, user.id, "wachtwoord_hersteld")
    session.execute(delete(InlogFout).where(InlogFout.sleutel == account_key(user.naam)))


def reset_second_factor(session: Session, user: User) -> None:
    """Forget the enrolled TOTP secret (a lost phone): the user enrols a new one at the next login."""
    user.totp_geheim = None
    user.totp_laatste_stap = None
    revoke_sessions(session, user.id, "tweede_factor_hersteld")
