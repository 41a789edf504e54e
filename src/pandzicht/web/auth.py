"""Who is asking, and may they: the logged-in user from the session, and role checks per route.

Pages answer a missing login with a redirect to the login form and a missing
permission with a 403 page; the JSON API answers 401/403. Checks run on the
server for every request; the navigation only hides what a role cannot use.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, can
from pandzicht.web.context import ctx
from pandzicht.web.sessions import new_session


class LoginRequired(Exception):
    """Raised by page routes without a logged-in user; answered with a redirect to /inloggen."""


def db(request: Request):  # type: ignore[no-untyped-def]
    """One database session per request; routes commit what they change."""
    session = ctx(request).sessions()
    try:
        yield session
    finally:
        session.close()


def current_user(request: Request, session: Session = Depends(db)) -> User | None:
    uid = request.state.session.get("u")
    if not uid or request.state.session.get("s") in ctx(request).revoked:
        return None
    user = session.get(User, uid)
    return user if user is not None and user.actief else None


def require(permission: Permission | None = None) -> Callable[..., User]:
    """A dependency: the logged-in user holding `permission` (or just logged in when None)."""

    def dep(request: Request, user: User | None = Depends(current_user)) -> User:
        if user is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "niet ingelogd")
            raise LoginRequired()
        if permission is not None and not can(user.rol, permission):
            raise HTTPException(403, "u heeft geen toegang tot deze pagina")
        return user

    return dep


def login(request: Request, user: User) -> None:
    """Start a new session for the user (a fresh token defeats session fixation)."""
    request.state.session = new_session(user.id)
    request.state.session_dirty = True


def logout(request: Request) -> None:
    sid = request.state.session.get("s")
    if sid:
        ctx(request).revoked.add(sid)
    request.state.session = new_session(None)
    request.state.session_dirty = True
