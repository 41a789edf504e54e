"""Auditlog for the privacy officer: who saw or did what, when, for which purpose."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pandzicht.privacy import audit
from pandzicht.privacy.audit import ACTION_LABELS
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.auth import db, require
from pandzicht.web.pages import render
from pandzicht.web.routes.common import ENTITY_RE

router = APIRouter(include_in_schema=False)
PAGE = 100


@router.get("/audit")
def audit_view(
    request: Request,
    gebruiker: str = Query("", max_length=80),
    actie: str = Query("", max_length=40),
    object_id: str = Query("", max_length=120),
    pagina: int = Query(1, ge=1, le=100_000),
    user: User = Depends(require(Permission.AUDIT_LEZEN)),
    session: Session = Depends(db),
) -> Response:
    entries, total = audit.search(session, gebruiker, actie, object_id, limit=PAGE, offset=(pagina - 1) * PAGE)
    # Only the searched identifier is logged (the question "who looked up this unit?"), never typed text.
    searched = object_id if ENTITY_RE.match(object_id) else ""
    audit.record(session, user, "audit_bekeken", "audit", searched, aantal=len(entries))
    session.commit()
    return render(request, "audit.html", user, entries=entries, total=total, gebruiker=gebruiker, actie=actie,
                  object_id=object_id, pagina=pagina, page_size=PAGE, labels=ACTION_LABELS)
