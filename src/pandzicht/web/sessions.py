"""Sessions: a signed cookie that names a session held in the operational database.

The cookie holds only a user id, a random session token, a CSRF token and the
issue time, never personal data; it is HMAC-SHA256 signed, HttpOnly,
SameSite=Lax and Secure (unless explicitly disabled for plain-http development).
A logged-in cookie is worth something only while its row in `sessie` (keyed by
the SHA-256 of the token) is open: logout, "overal uitloggen", deactivation,
a role change or a password reset end the row, and every worker and every
restart sees that. A session ends after 30 minutes without a request (idle)
and 10 hours after login (absolute), whichever comes first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from pandzicht.cases.db import utcnow
from pandzicht.privacy.models import Sessie

COOKIE = "pandzicht_sessie"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    def __init__(self, secret: bytes, max_age_s: float) -> None:
        self.key = hashlib.sha256(b"pandzicht-sessie:" + secret).digest()
        self.max_age_s = max_age_s

    def dumps(self, data: dict[str, Any]) -> str:
        body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        sig = _b64(hmac.new(self.key, body.encode("ascii"), hashlib.sha256).digest())
        return f"{body}.{sig}"

    def loads(self, value: str | None) -> dict[str, Any] | None:
        """The payload when the signature holds and the session has not expired; None otherwise."""
        if not value or value.count(".") != 1 or len(value) > 4096:
            return None
        body, sig = value.split(".")
        want = _b64(hmac.new(self.key, body.encode("ascii"), hashlib.sha256).digest())
        if not hmac.compare_digest(sig, want):
            return None
        try:
            data = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or time.time() - float(data.get("t", 0)) > self.max_age_s:
            return None
        return data


def new_session(user_id: int | None = None) -> dict[str, Any]:
    """A fresh session (also on login, so a session id planted before login is worthless)."""
    return {"u": user_id, "c": secrets.token_urlsafe(24), "t": int(time.time()), "s": secrets.token_urlsafe(12)}


TOUCH_S = 60  # the idle clock is written at most once a minute per session
PENDING_S = 300  # a session waiting for its second factor
KEEP_ENDED_S = 86_400  # ended sessions are purged a day later
_CHANGED = "pandzicht_sessie_gewijzigd"


def now() -> datetime:
    """The server clock for sessions and login blocks (UTC, naive, like the stored timestamps)."""
    return utcnow()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db: Session, user_id: int, absolute_s: float, volledig: bool = True,
          totp_nieuw: str | None = None) -> dict[str, Any]:
    """Open a session row for the user; the cookie payload for it (fresh token, fresh CSRF token)."""
    payload = new_session(user_id)
    t = now()
    life = absolute_s if volledig else min(PENDING_S, absolute_s)
    db.add(Sessie(token_hash=token_hash(payload["s"]), gebruiker_id=user_id, volledig=volledig,
                  totp_nieuw=totp_nieuw, aangemaakt_op=t, laatst_actief=t, verloopt_op=t + timedelta(seconds=life),
                  reden=""))
    db.flush()
    return payload


def find(db: Session, payload: dict[str, Any], idle_s: float, volledig: bool = True) -> Sessie | None:
    """The open session row the cookie names, or None; ends it when idle or past its absolute end.

    Touches the idle clock; the caller commits when `changed(db)` says so."""
    sid, uid = payload.get("s"), payload.get("u")
    if not isinstance(sid, str) or not sid or not isinstance(uid, int):
        return None
    row = db.scalar(select(Sessie).where(Sessie.token_hash == token_hash(sid)))
    if row is None or row.gebruiker_id != uid or row.beeindigd_op is not None or row.volledig != volledig:
        return None
    t = now()
    if t >= row.verloopt_op or (t - row.laatst_actief).total_seconds() > idle_s:
        row.beeindigd_op, row.reden = t, "verlopen"
        db.info[_CHANGED] = True
        return None
    if (t - row.laatst_actief).total_seconds() >= TOUCH_S:
        row.laatst_actief = t
        db.info[_CHANGED] = True
    return row


def changed(db: Session) -> bool:
    """True (once) when `find` changed a session row in this database session (autoflush hides it from .dirty)."""
    return bool(db.info.pop(_CHANGED, False))


def end(db: Session, payload: dict[str, Any], reden: str) -> None:
    sid = payload.get("s")
    if not isinstance(sid, str) or not sid:
        return
    row = db.scalar(select(Sessie).where(Sessie.token_hash == token_hash(sid)))
    if row is not None and row.beeindigd_op is None:
        row.beeindigd_op, row.reden = now(), reden


def purge(db: Session) -> int:
    """Delete session rows that ended or expired more than a day ago."""
    cutoff = now() - timedelta(seconds=KEEP_ENDED_S)
    res = db.execute(delete(Sessie).where(or_(Sessie.verloopt_op < cutoff, Sessie.beeindigd_op < cutoff)))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]
