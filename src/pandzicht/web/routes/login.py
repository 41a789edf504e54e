"""Login (password, then a TOTP code for the roles that need one), logout, and logout everywhere.

Failed passwords and codes are counted per account and per client address in the
database (`ratelimit.LoginGuard`); while either is blocked, nothing is checked.
The first login of an account whose role needs a second factor enrols one: the
page shows a QR code and the secret, and a correct code confirms it.
"""

from __future__ import annotations

import math
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Role
from pandzicht.privacy.users import authenticate, needs_second_factor, new_totp_secret, totp_step, totp_uri
from pandzicht.web import auth
from pandzicht.web.auth import current_user, db, pending_session
from pandzicht.web.context import ctx
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.pages import render
from pandzicht.web.ratelimit import LoginGuard
from pandzicht.web.routes.common import client_key, safe_next

router = APIRouter(include_in_schema=False)

HOME = {Role.PARTNER: "/zaken", Role.PRIVACY_OFFICER: "/audit", Role.BEHEERDER: "/beheer"}
WRONG = "Onbekende naam of onjuist wachtwoord."
WRONG_CODE = "Onjuiste of al gebruikte code. Neem de code die uw app nu toont."


def home_for(user: User) -> str:
    return HOME.get(Role(user.rol), "/")


def _guard(request: Request) -> LoginGuard:
    return LoginGuard(ctx(request).settings)


def _blocked(request: Request, wait: float, stap: str, volgende: str) -> Response:
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "inloggen.html", stap=stap, volgende=volgende, status_code=429,
                      fout=f"Te veel mislukte pogingen. Probeer het over {minutes} "
                           f"minu{'ut' if minutes == 1 else 'ten'} opnieuw.")
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def _user_named(session: Session, naam: str) -> User | None:
    return session.scalar(select(User).where(User.naam == naam.strip()))


def _failed(request: Request, session: Session, naam: str, user: User | None, stap: str) -> None:
    """Count the failure (account and address) and audit it, naming the account only when it exists."""
    block = _guard(request).failure(session, naam, client_key(request))
    target = ("gebruiker", str(user.id) if user is not None else "onbekend")  # never the typed name
    if stap == "wachtwoord":
        audit.record_login_failure(session, naam)
    else:
        audit.record(session, user, "inloggen_mislukt", *target, doel="tweede factor")
    if block:
        audit.record(session, user, "inloggen_geblokkeerd", *target)
    session.commit()


@router.get("/inloggen")
def login_form(request: Request, volgende: str = "", user: User | None = Depends(current_user)) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(volgende, home_for(user)), status_code=303)
    return render(request, "inloggen.html", stap="wachtwoord", volgende=safe_next(volgende, ""))


@router.post("/inloggen", dependencies=[Depends(csrf_protect)])
def login_post(
    request: Request,
    naam: str = Form(..., max_length=80),
    wachtwoord: str = Form(..., max_length=200),
    volgende: str = Form(""),
    session: Session = Depends(db),
) -> Response:
    volgende = safe_next(volgende, "")
    wait = _guard(request).blocked_for(session, naam, client_key(request))
    if wait:
        return _blocked(request, wait, "wachtwoord", volgende)
    user = authenticate(session, naam, wachtwoord)
    if user is None:
        _failed(request, session, naam, _user_named(session, naam), "wachtwoord")
        return render(request, "inloggen.html", stap="wachtwoord", fout=WRONG, volgende=volgende, status_code=401)
    if needs_second_factor(user.rol):
        auth.login(request, session, user, volledig=False,
                   totp_nieuw=None if user.totp_geheim else new_totp_secret())
        session.commit()
        step = "/inloggen/code" if user.totp_geheim else "/inloggen/koppelen"
        return RedirectResponse(f"{step}?volgende={quote(volgende)}" if volgende else step, status_code=303)
    _guard(request).success(session, user.naam)
    audit.record(session, user, "inloggen")
    auth.login(request, session, user)
    session.commit()
    return RedirectResponse(safe_next(volgende, home_for(user)), status_code=303)


def _enrol_view(secret: str, naam: str) -> dict[str, str]:
    """The QR code (an SVG data URI, allowed by the CSP) and the secret in groups of four for typing."""
    return {"qr": segno.make(totp_uri(secret, naam), error="m").svg_data_uri(scale=4, border=2),
            "geheim": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}


@router.get("/inloggen/code")
def code_form(request: Request, volgende: str = "", session: Session = Depends(db)) -> Response:
    pending = pending_session(request, session)
    if pending is None:
        return RedirectResponse("/inloggen", status_code=303)
    _row, user = pending
    if not user.totp_geheim:
        return RedirectResponse("/inloggen/koppelen", status_code=303)
    return render(request, "inloggen.html", stap="code", volgende=safe_next(volgende, ""))


@router.get("/inloggen/koppelen")
def enrol_form(request: Request, volgende: str = "", session: Session = Depends(db)) -> Response:
    pending = pending_session(request, session)
    if pending is None:
        return RedirectResponse("/inloggen", status_code=303)
    row, user = pending
    if user.totp_geheim:
        return RedirectResponse("/inloggen/code", status_code=303)
    if not row.totp_nieuw:
        row.totp_nieuw = new_totp_secret()
        session.commit()
    return render(request, "inloggen.html", stap="koppelen", volgende=safe_next(volgende, ""),
                  **_enrol_view(row.totp_nieuw, user.naam))


@router.post("/inloggen/code", dependencies=[Depends(csrf_protect)])
@router.post("/inloggen/koppelen", dependencies=[Depends(csrf_protect)])
def code_post(request: Request, code: str = Form(..., max_length=20), volgende: str = Form(""),
              session: Session = Depends(db)) -> Response:
    volgende = safe_next(volgende, "")
    enrol = request.url.path.endswith("/koppelen")
    stap = "koppelen" if enrol else "code"
    pending = pending_session(request, session)
    if pending is None:
        return RedirectResponse("/inloggen", status_code=303)
    row, user = pending
    wait = _guard(request).blocked_for(session, user.naam, client_key(request))
    if wait:
        return _blocked(request, wait, stap, volgende)
    secret = row.totp_nieuw if enrol else user.totp_geheim
    if not secret or (enrol and user.totp_geheim):
        return RedirectResponse("/inloggen", status_code=303)
    step = totp_step(secret, code, user.totp_laatste_stap)
    # The conditional update makes each time step usable once, also when two requests race.
    used = step is not None and session.execute(
        update(User).where(User.id == user.id, or_(User.totp_laatste_stap.is_(None), User.totp_laatste_stap < step))
        .values(totp_laatste_stap=step)).rowcount  # type: ignore[attr-defined]
    if not used:
        session.rollback()
        _failed(request, session, user.naam, user, stap)
        extra = _enrol_view(secret, user.naam) if enrol else {}
        return render(request, "inloggen.html", stap=stap, fout=WRONG_CODE, volgende=volgende, status_code=401,
                      **extra)
    if enrol:
        user.totp_geheim = secret
        audit.record(session, user, "tweede_factor_gekoppeld", "gebruiker", str(user.id))
    _guard(request).success(session, user.naam)
    audit.record(session, user, "inloggen")
    auth.login(request, session, user)
    session.commit()
    return RedirectResponse(safe_next(volgende, home_for(user)), status_code=303)


@router.post("/uitloggen", dependencies=[Depends(csrf_protect)])
def logout_post(request: Request, session: Session = Depends(db),
                user: User | None = Depends(current_user)) -> Response:
    if user is not None:
        audit.record(session, user, "uitloggen")
    auth.logout(request, session)
    session.commit()
    return RedirectResponse("/inloggen", status_code=303)


@router.post("/uitloggen/overal", dependencies=[Depends(csrf_protect)])
def logout_everywhere_post(request: Request, session: Session = Depends(db),
                           user: User | None = Depends(current_user)) -> Response:
    """End every session of this account, on every device and worker."""
    if user is not None:
        n = auth.logout_everywhere(request, session, user)
        audit.record(session, user, "overal_uitgelogd", "gebruiker", str(user.id), doel=f"sessies={n}")
        session.commit()
    return RedirectResponse("/inloggen", status_code=303)
