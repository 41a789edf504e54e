"""Search from the header: `GET /api/zoek?q=` for the type-ahead list and `GET /zoek?q=` as a page without JS.

Every search writes one audit row: what kind of query it was (a code such as `postcode` or `token`) and how
many results it gave, never the text typed (it may be a name).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.auth import db, require
from pandzicht.web.context import ctx
from pandzicht.web.names import namer
from pandzicht.web.pages import render
from pandzicht.web.routes.common import analysis
from pandzicht.web.search import MAX_RESULTS, Hit, index_for, kind_of

router = APIRouter()
analyst = require(Permission.ANALYSE)


class SearchHit(BaseModel):
    soort: str
    label: str
    url: str


def run_search(request: Request, session: Session, user: User, q: str, limit: int) -> list[Hit]:
    """Search and audit it in one go, so no search goes unrecorded."""
    hits = index_for(analysis(request), ctx(request).settings.secret).search(q, namer(request), limit)
    audit.record(session, user, "gezocht", "zoekopdracht", kind_of(q), aantal=len(hits))
    session.commit()
    return hits


@router.get("/api/zoek", response_model=list[SearchHit], tags=["api"],
            summary="Zoek adressen, BAG-id's, postcodes, KvK-nummers, bedrijven en partijtokens")
def search_api(request: Request, q: str = Query("", max_length=120), limiet: int = Query(10, ge=1, le=MAX_RESULTS),
               user: User = Depends(analyst), session: Session = Depends(db)) -> list[SearchHit]:
    """Personen zijn alleen te vinden op het token van hun pseudoniem (bijv. `#3fa9c1`), nooit op naam."""
    return [SearchHit(soort=h.soort, label=h.label, url=h.url) for h in run_search(request, session, user, q, limiet)]


@router.get("/zoek", include_in_schema=False)
def search_page(request: Request, q: str = Query("", max_length=120), user: User = Depends(analyst),
                session: Session = Depends(db)) -> Response:
    hits = run_search(request, session, user, q, MAX_RESULTS) if q.strip() else []
    return render(request, "zoek.html", user, q=q, hits=hits)
