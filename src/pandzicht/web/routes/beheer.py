"""Beheer: the administrator adds and lists accounts (the command line can do the same)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from pandzicht.cases import organisations
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, Role
from pandzicht.privacy.users import create_user, list_users
from pandzicht.web.auth import db, require
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.pages import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, user: User, session: Session, fout: str = "", status_code: int = 200) -> Response:
    return render(request, "beheer.html", user, users=list_users(session), roles=[r.value for r in Role],
                  organisaties=[o.naam for o in organisations.active(session)],
                  alle_organisaties=organisations.all_organisations(session), fout=fout, status_code=status_code)


@router.get("/beheer")
def admin_page(request: Request, user: User = Depends(require(Permission.GEBRUIKERS_BEHEREN)),
               session: Session = Depends(db)) -> Response:
    return _page(request, user, session)


@router.post("/beheer/gebruikers", dependencies=[Depends(csrf_protect)])
def admin_add(request: Request, naam: str = Form(..., max_length=80), wachtwoord: str = Form(..., max_length=200),
              rol: str = Form(..., max_length=30), organisatie: str = Form("", max_length=120),
              user: User = Depends(require(Permission.GEBRUIKERS_BEHEREN)), session: Session = Depends(db)
              ) -> Response:
    try:
        new = create_user(session, naam, wachtwoord, rol, organisatie)
    except PandzichtError as exc:
        session.rollback()
        return _page(request, user, session, str(exc), 400)
    audit.record(session, user, "gebruiker_aangemaakt", "gebruiker", str(new.id))
    session.commit()
    return RedirectResponse("/beheer", status_code=303)


# -- partner organisations: managed records, so sharing a case picks one instead of typing a name ---------------
@router.post("/beheer/organisaties", dependencies=[Depends(csrf_protect)])
def admin_add_organisation(request: Request, naam: str = Form(..., max_length=120),
                           user: User = Depends(require(Permission.GEBRUIKERS_BEHEREN)),
                           session: Session = Depends(db)) -> Response:
    try:
        org = organisations.add(session, naam)
    except PandzichtError as exc:
        session.rollback()
        return _page(request, user, session, str(exc), 400)
    audit.record(session, user, "organisatie_aangemaakt", "organisatie", str(org.id))
    session.commit()
    return RedirectResponse("/beheer#organisaties", status_code=303)


@router.post("/beheer/organisaties/{organisatie_id}", dependencies=[Depends(csrf_protect)])
def admin_toggle_organisation(request: Request, organisatie_id: int, actief: str = Form(..., pattern="^(ja|nee)$"),
                              user: User = Depends(require(Permission.GEBRUIKERS_BEHEREN)),
                              session: Session = Depends(db)) -> Response:
    try:
        org = organisations.set_active(session, organisatie_id, actief == "ja")
    except PandzichtError as exc:
        session.rollback()
        return _page(request, user, session, str(exc), 404)
    audit.record(session, user, "organisatie_gewijzigd", "organisatie", str(org.id),
                 doel="actief" if org.actief else "inactief")
    session.commit()
    return RedirectResponse("/beheer#organisaties", status_code=303)
