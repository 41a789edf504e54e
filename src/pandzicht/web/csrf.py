"""CSRF protection for every POST form: a per-session token in a hidden field, compared in constant time.

The session cookie is SameSite=Lax as a second line; an Origin header that
names another site is refused outright.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request


def csrf_token(request: Request) -> str:
    """The session's token, created (and the cookie re-issued) when the session has none yet."""
    sess = request.state.session
    if not sess.get("c"):
        sess["c"] = secrets.token_urlsafe(24)
        request.state.session_dirty = True
    if getattr(request.state, "session_new", False):
        request.state.session_dirty = True
    return sess["c"]


async def csrf_protect(request: Request) -> None:
    """Dependency for POST routes: the form's `csrf` field must match the session's token."""
    if request.method != "POST":
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise HTTPException(403, "verzoek van een andere website geweigerd")
    form = await request.form()
    sent = form.get("csrf")
    want = request.state.session.get("c")
    if not isinstance(sent, str) or not want or not hmac.compare_digest(sent, want):
        raise HTTPException(403, "formulier verlopen of ongeldig; laad de pagina opnieuw")
