"""Signed session cookies: HMAC-SHA256 over a small JSON payload, with an expiry.

The cookie holds only a user id, a CSRF token and timestamps, never personal
data. It is HttpOnly, SameSite=Lax and Secure (unless explicitly disabled for
plain-http development), so scripts cannot read it and other sites cannot
send it along with a form post.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

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
