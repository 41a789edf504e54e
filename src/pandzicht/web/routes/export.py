"""Exports: the shortlists as CSV, and a case as FollowTheMoney JSON lines. Every export is audited."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.ftm_export import case_entities, to_jsonl
from pandzicht.web.names import namer
from pandzicht.web.routes.common import analysis
from pandzicht.web.routes.zaken import subject_unit

router = APIRouter(include_in_schema=False)
MAX_ROWS = 100_000


def _csv(rows: list[list], header: list[str], filename: str) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/export/adressen.csv")
def export_units(request: Request, wijk: str = Query("", max_length=20), vermoeden: str = Query("", max_length=30),
                 bron: str = Query("", max_length=40), buurt: str = Query("", max_length=80),
                 limiet: int = Query(1000, ge=1, le=MAX_ROWS), user: User = Depends(require(Permission.ANALYSE)),
                 session: Session = Depends(db)) -> Response:
    """The unit shortlist (as filtered on the overview) in the output contract's columns plus the address."""
    store = analysis(request)
    rows = store.top_units(limiet, 0, wijk=wijk, vermoeden=vermoeden, bron=bron, buurt=buurt)
    # Filters are typed by the user: the log names which were set, not their text; the count is kept.
    filters = ",".join(k for k, v in (("wijk", wijk), ("vermoeden", vermoeden), ("bron", bron), ("buurt", buurt)) if v)
    audit.record(session, user, "export_shortlist", "adressen", "adressen", doel=f"filters={filters}",
                 aantal=len(rows))
    session.commit()
    return _csv([[r["rang"], r["verblijfsobject_id"], r["score"], r["vermoeden"], r["uitleg"], r["adres"],
                  r["wijk_naam"], r["buurt_naam"]] for r in rows],
                ["rang", "verblijfsobject_id", "score", "vermoeden", "uitleg", "adres", "wijk", "buurt"],
                "pandzicht-adressen.csv")


@router.get("/export/partijen.csv")
def export_parties(request: Request, limiet: int = Query(1000, ge=1, le=MAX_ROWS),
                   user: User = Depends(require(Permission.ANALYSE)), session: Session = Depends(db)) -> Response:
    """The party shortlist; persons appear pseudonymised, as on screen."""
    store = analysis(request)
    rows = store.top_parties(limiet)
    name_for = namer(request)
    audit.record(session, user, "export_shortlist", "partijen", "partijen", aantal=len(rows))
    session.commit()
    return _csv([[r["rang"], r["entiteit_id"], name_for(PartyRef(r["entiteit_id"], r["naam"] or "?", r["soort"])),
                  r["kvk_nummer"] or "", r["rol"], r["score"], r["uitleg"]] for r in rows],
                ["rang", "entiteit_id", "naam", "kvk_nummer", "rol", "score", "uitleg"], "pandzicht-partijen.csv")


@router.get("/zaken/{zaak_id}/ftm.jsonl")
def export_case(request: Request, zaak_id: int, user: User = Depends(require(Permission.ZAAK_EXPORT)),
                session: Session = Depends(db)) -> Response:
    try:
        case = casework.get_case(session, user, zaak_id)
    except casework.NotFound:
        raise HTTPException(404, "zaak niet gevonden") from None
    store = analysis(request)
    revealed = casework.revealed_ids(session, user, case)
    entities = case_entities(store, case, subject_unit(case, session), namer(request, revealed))
    audit.record(session, user, "export_zaak", "zaak", str(case.id), zaak_id=case.id, doel=case.doel_code)
    session.commit()
    return StreamingResponse(to_jsonl(entities), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="zaak-{case.id}.ftm.jsonl"'})
