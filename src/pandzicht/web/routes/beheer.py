"""Beheer: the administrator adds accounts and runs their life cycle (the command line can do the same).

Deactivate or reactivate, change role (and organisation), reset the password,
reset the second factor. Each change ends the account's open sessions at once
and is written to the audit log with the account's id.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pandzicht.cases import organisations
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import Sessie, User
from pandzicht.privacy.roles import Permission, Role
from pandzicht.privacy.users import (
    MIN_PASSWORD_LENGTH,
    change_role,
    create_user,
    list_users,
    needs_second_factor,
    reset_password,
    reset_second_factor,
    set_active,
)
from pandzicht.web.auth import db, require
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.pages import render
from pandzicht.web.sessions import now

router = APIRouter(include_in_schema=False)
ADMIN = Permission.GEBRUIKERS_BEHEREN


def _page(request: Request, user: User, session: Session, fout: str = "", status_code: int = 200) -> Response:
    t = now()
    open_sessions = dict(session.execute(
        select(Sessie.gebruiker_id, func.count()).where(Sessie.beeindigd_op.is_(None), Sessie.verloopt_op > t,
                                                        Sessie.volledig.is_(True))
        .group_by(Sessie.gebruiker_id)).all())
    return render(request, "beheer.html", user, users=list_users(session), roles=[r.value for r in Role],
                  organisaties=[o.naam for o in organisations.active(session)],
                  alle_organisaties=organisations.all_organisations(session), fout=fout, status_code=status_code,
                  sessies=open_sessions, tweede_factor=needs_second_factor, min_lengte=MIN_PASSWORD_LENGTH)


def _organisation(session: Session, naam: str) -> str:
    """The organisation picked from the active managed list, or "" for none; anything else is refused.

    A typed name could match no shared case, or another organisation's (partners see cases by organisation)."""
    naam = naam.strip()
    if naam and naam not in {o.naam for o in organisations.active(session)}:
        raise PandzichtError("kies de organisatie uit de lijst van actieve partnerorganisaties")
    return naam


@router.get("/beheer")
def admin_page(request: Request, user: User = Depends(require(ADMIN)), session: Session = Depends(db)) -> Response:
    return _page(request, user, session)


@router.post("/beheer/gebruikers", dependencies=[Depends(csrf_protect)])
def admin_add(request: Request, naam: str = Form(..., max_length=80), wachtwoord: str = Form(..., max_length=200),
              rol: str = Form(..., max_length=30), organisatie: str = Form("", max_length=120),
              user: User = Depends(require(ADMIN)), session: Session = Depends(db)
              ) -> Response:
    try:
        new = create_user(session, naam, wachtwoord, rol, _organisation(session, organisatie))
    except PandzichtError as exc:
        session.rollback()
        return _page(request, user, session, str(exc), 400)
    audit.record(session, user, "gebruiker_aangemaakt", "gebruiker", str(new.id))
    session.commit()
    return RedirectResponse("/beheer", status_code=303)


def _change(request: Request, session: Session, admin: User, gebruiker_id: int, actie: str,
            apply: Callable[[User], str]) -> Response:
    """Apply one life-cycle change to an account, audit it with the account's id, and go back to the list."""
    target = session.get(User, gebruiker_id)
    if target is None:
        raise HTTPException(404, "onbekende gebruiker")
    try:
        doel = apply(target)
    except PandzichtError as exc:
        session.rollback()
        return _page(request, admin, session, f"{target.naam}: {exc}", 400)
    audit.record(session, admin, actie, "gebruiker", str(target.id), doel=doel)
    session.commit()
    return RedirectResponse("/beheer", status_code=303)


@router.post("/beheer/gebruikers/{gebruiker_id}/actief", dependencies=[Depends(csrf_protect)])
def admin_active(request: Request, gebruiker_id: int, actief: str = Form(..., pattern="^(ja|nee)$"),
                 user: User = Depends(require(ADMIN)), session: Session = Depends(db)) -> Response:
    on = actief == "ja"

    def apply(target: User) -> str:
        set_active(session, target, on)
        return ""

    return _change(request, session, user, gebruiker_id, "gebruiker_geactiveerd" if on else "gebruiker_gedeactiveerd",
                   apply)


@router.post("/beheer/gebruikers/{gebruiker_id}/rol", dependencies=[Depends(csrf_protect)])
def admin_role(request: Request, gebruiker_id: int, rol: str = Form(..., max_length=30),
               organisatie: str = Form("", max_length=120),
               user: User = Depends(require(ADMIN)), session: Session = Depends(db)) -> Response:
    def apply(target: User) -> str:
        old = change_role(session, target, rol, _organisation(session, organisatie))
        return f"van={old};naar={target.rol}"

    return _change(request, session, user, gebruiker_id, "rol_gewijzigd", apply)


@router.post("/beheer/gebruikers/{gebruiker_id}/wachtwoord", dependencies=[Depends(csrf_protect)])
def admin_password(request: Request, gebruiker_id: int, wachtwoord: str = Form(..., max_length=200),
                   user: User = Depends(require(ADMIN)), session: Session = Depends(db)) -> Response:
    def apply(target: User) -> str:
        reset_password(session, target, wachtwoord)
        return ""

    return _change(request, session, user, gebruiker_id, "wachtwoord_hersteld", apply)


@router.post("/beheer/gebruikers/{gebruiker_id}/tweede-factor", dependencies=[Depends(csrf_protect)])
def admin_second_factor(request: Request, gebruiker_id: int, user: User = Depends(require(ADMIN)),
                        session: Session = Depends(db)) -> Response:
    def apply(target: User) -> str:
        reset_second_factor(session, target)
        return ""

    return _change(request, session, user, gebruiker_id, "tweede_factor_hersteld", apply)


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
