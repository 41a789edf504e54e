"""Rendering a page: the template plus what every page shows (user, navigation, CSRF token)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from pandzicht.cases.catalogue import CASE_PURPOSES
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import ROLE_LABELS, Permission, Role, can
from pandzicht.web.context import ctx
from pandzicht.web.csrf import csrf_token


def nav_for(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return [("/melden", "Melden"), ("/indicatoren", "Indicatoren"), ("/inloggen", "Inloggen")]
    items = []
    if can(user.rol, Permission.ANALYSE):
        items += [("/", "Overzicht")]
    if can(user.rol, Permission.ALLE_ZAKEN) or user.rol == Role.PARTNER:
        items.append(("/zaken", "Casustafel"))
    if can(user.rol, Permission.ANALYSE):
        items.append(("/rapport", "Rapportage"))
    if can(user.rol, Permission.AUDIT_LEZEN):
        items.append(("/audit", "Auditlog"))
    if can(user.rol, Permission.GEBRUIKERS_BEHEREN):
        items.append(("/beheer", "Gebruikers"))
    items += [("/melden", "Melden"), ("/indicatoren", "Indicatoren")]
    return items


def render(request: Request, template: str, user: User | None = None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    c = ctx(request)
    data = {
        "request": request, "user": user, "nav": nav_for(user), "csrf": csrf_token(request),
        "rol_label": ROLE_LABELS.get(Role(user.rol)) if user else "", "can": lambda p: bool(user and can(user.rol, p)),
        "P": Permission, "analyse_geladen": c.analysis is not None, "doelen": CASE_PURPOSES, **context,
    }
    return c.templates.TemplateResponse(request, template, data, status_code=status_code)
