"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Role
from pandzicht.privacy.users import authenticate
from pandzicht.web import auth
from pandzicht.web.auth import current_user, db
from pandzicht.web.context import ctx
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.pages import render
from pandzicht.web.routes.common import client_key, safe_next

router = APIRouter(include_in_schema=False)

HOME = {Role.PARTNER: "/zaken", Role.PRIVACY_OFFICER: "/audit", Role.BEHEERDER: "/beheer"}


def home_for(user: User) -> str:
    return HOME.get(Role(user.rol), "/")


@router.get("/inloggen")
def login_form(request: Request, volgende: str = "", user: User | None = Depends(current_user)) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(volgende, home_for(user)), status_code=303)
    return render(request, "inloggen.html", volgende=safe_next(volgende, ""))


@router.post("/inloggen", dependencies=[Depends(csrf_protect)])
def login_post(
    request: Request,
    naam: str = Form(..., max_length=80),
    wachtwoord: str = Form(..., max_length=200),
    volgende: str = Form(""),
    session: Session = Depends(db),
) -> Response:
    if not ctx(request).login_limiter.allow(client_key(request)):
        return render(request, "inloggen.html", fout="Te veel pogingen; probeer het over enkele minuten opnieuw.",
                      volgende=safe_next(volgende, ""), status_code=429)
    user = authenticate(session, naam, wachtwoord)
    if user is None:
        audit.record(session, None, "inloggen_mislukt")
        session.commit()
        return render(request, "inloggen.html", fout="Onbekende naam of onjuist wachtwoord.",
                      volgende=safe_next(volgende, ""), status_code=401)
    audit.record(session, user, "inloggen")
    session.commit()
    auth.login(request, user)
    return RedirectResponse(safe_next(volgende, home_for(user)), status_code=303)


@router.post("/uitloggen", dependencies=[Depends(csrf_protect)])
def logout_post(request: Request, session: Session = Depends(db),
                user: User | None = Depends(current_user)) -> Response:
    if user is not None:
        audit.record(session, user, "uitloggen")
        session.commit()
    auth.logout(request)
    return RedirectResponse("/inloggen", status_code=303)
