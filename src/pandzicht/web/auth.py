"""Who is asking, and may they: the logged-in user from the session, and role checks per route.

Pages answer a missing login with a redirect to the login form and a missing
permission with a 403 page; the JSON API answers 401/403. Checks run on the
server for every request; the navigation only hides what a role cannot use.

A request is logged in only while the session row its cookie names is open in
the operational database (see `sessions`), for an active account.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from pandzicht.privacy.models import Sessie, User
from pandzicht.privacy.roles import Permission, can
from pandzicht.privacy.users import revoke_sessions
from pandzicht.web import sessions as store
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
    """The user of an open, fully logged-in session, or None (a stale cookie is then replaced)."""
    payload = request.state.session
    if not payload.get("u"):
        return None
    row = store.find(session, payload, ctx(request).settings.session_idle_s)
    user = session.get(User, row.gebruiker_id) if row is not None else None
    ended = row is not None and (user is None or not user.actief)
    if ended:
        row.beeindigd_op, row.reden, user = store.now(), "gedeactiveerd", None  # type: ignore[union-attr]
    if store.changed(session) or ended:
        session.commit()
    if user is None:
        _anonymous(request)
    return user


def pending_session(request: Request, session: Session) -> tuple[Sessie, User] | None:
    """The session waiting for a second factor, and its user; None when there is none (or it expired)."""
    payload = request.state.session
    if not payload.get("u"):
        return None
    row = store.find(session, payload, ctx(request).settings.session_idle_s, volledig=False)
    user = session.get(User, row.gebruiker_id) if row is not None else None
    if store.changed(session):
        session.commit()
    if row is None or user is None or not user.actief:
        return None
    return row, user


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


def login(request: Request, session: Session, user: User, volledig: bool = True,
          totp_nieuw: str | None = None) -> None:
    """Start a new session row for the user (a fresh token defeats session fixation); the caller commits.

    With `volledig=False` the session only lets the user give the second factor."""
    store.end(session, request.state.session, "vervangen")
    store.purge(session)
    request.state.session = store.start(session, user.id, ctx(request).settings.session_hours * 3600,
                                        volledig=volledig, totp_nieuw=totp_nieuw)
    request.state.session_dirty = True


def logout(request: Request, session: Session) -> None:
    """End this session in the database; the caller commits."""
    store.end(session, request.state.session, "uitgelogd")
    _anonymous(request)


def logout_everywhere(request: Request, session: Session, user: User) -> int:
    """End every session of the user, this one included; the number ended. The caller commits."""
    n = revoke_sessions(session, user.id, "overal_uitgelogd")
    _anonymous(request)
    return n


def _anonymous(request: Request) -> None:
    request.state.session = new_session(None)
    request.state.session_dirty = True

