"""Exports: the shortlists as CSV and Excel, and a case as FollowTheMoney JSON lines. Every export is audited.

The CSV is written for Dutch office software: `;` between fields, decimal commas, Dutch column titles and a
UTF-8 byte order mark (so Excel reads the accents right). The .xlsx (openpyxl) holds the same rows with real
numbers in the cells, so Excel shows them in the user's own number format."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import ROLE_LABELS, TYPOLOGY_LABELS, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.formatting import getal
from pandzicht.web.ftm_export import case_entities, to_jsonl
from pandzicht.web.names import namer
from pandzicht.web.routes.common import analysis
from pandzicht.web.routes.zaken import subject_unit

router = APIRouter(include_in_schema=False)
MAX_ROWS = 100_000


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> str:
    """A CSV field as Dutch Excel reads it: numbers with a decimal comma, no thousands separator."""
    if isinstance(value, float):
        return getal(value, 6).replace(".", "")
    return "" if value is None else str(value)


def _table(rows: list[list], header: list[str], filename: str, request: Request) -> Response:
    """CSV or .xlsx, as the path asked: the same header and rows in both."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if request.url.path.endswith(".xlsx"):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("pandzicht")
        ws.append(header)
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        disposition["Content-Disposition"] = disposition["Content-Disposition"].replace(".csv", ".xlsx")
        return Response(out.getvalue(), media_type=XLSX, headers=disposition)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    w.writerows([_cell(v) for v in r] for r in rows)
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8", headers=disposition)


def _reasons(store: Any, uitleg: str | None) -> str:
    """The explanation with the indicators' Dutch titles, strongest first."""
    return "; ".join(f"{b['titel']} ({getal(b['bijdrage'], 3, True)})" for b in store.explain(uitleg))


@router.get("/export/adressen.csv")
@router.get("/export/adressen.xlsx")
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
    return _table([[r["rang"], r["verblijfsobject_id"], r["adres"], r["wijk_naam"], r["buurt_naam"], r["score"],
                    TYPOLOGY_LABELS.get(r["vermoeden"] or "", r["vermoeden"]), _reasons(store, r["uitleg"])]
                   for r in rows],
                  ["Rang", "BAG-id verblijfsobject", "Adres", "Wijk", "Buurt", "Kans (score)", "Vermoeden",
                   "Uitleg (bijdrage per indicator, log-odds)"], "pandzicht-adressen.csv", request)


@router.get("/export/partijen.csv")
@router.get("/export/partijen.xlsx")
def export_parties(request: Request, limiet: int = Query(1000, ge=1, le=MAX_ROWS),
                   user: User = Depends(require(Permission.ANALYSE)), session: Session = Depends(db)) -> Response:
    """The party shortlist; persons appear pseudonymised, as on screen."""
    store = analysis(request)
    rows = store.top_parties(limiet)
    name_for = namer(request)
    audit.record(session, user, "export_shortlist", "partijen", "partijen", aantal=len(rows))
    session.commit()
    return _table([[r["rang"], r["entiteit_id"], name_for(PartyRef(r["entiteit_id"], r["naam"] or "?", r["soort"])),
                    r["kvk_nummer"] or "", ROLE_LABELS.get(r["rol"], r["rol"]), r["score"],
                    _reasons(store, r["uitleg"])]
                   for r in rows],
                  ["Rang", "Partij-id", "Naam (personen gepseudonimiseerd)", "KvK-nummer", "Rol", "Score",
                   "Uitleg (bijdrage per indicator)"], "pandzicht-partijen.csv", request)


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
