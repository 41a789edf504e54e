"""Casustafel: open a case from a unit, party or signal; triage, share with partners, choose interventions,
record outcomes, reveal names for the case's purpose. Partners see only cases shared with their organisation."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pandzicht.cases import casework, organisations
from pandzicht.cases.catalogue import (
    BY_CODE,
    CASE_PURPOSES,
    CASE_STATUSES,
    CATALOGUE,
    FINDING_LABELS,
    OUTCOME_INSTRUMENT_LABELS,
    TRAFFIC_LIGHTS,
)
from pandzicht.cases.models import Case, Signal
from pandzicht.cases.signals import recent_signals
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, can
from pandzicht.web.analysis import EDGE_LABELS, AnalysisStore, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.context import ctx
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.names import namer
from pandzicht.web.pages import render

router = APIRouter(include_in_schema=False)
logged_in = require(None)


def _cases_allowed(user: User) -> None:
    if not (can(user.rol, Permission.ALLE_ZAKEN) or user.rol == "partner"):
        raise HTTPException(403, "u heeft geen toegang tot de casustafel")


def _get(session: Session, user: User, zaak_id: int) -> Case:
    _cases_allowed(user)
    try:
        return casework.get_case(session, user, zaak_id)
    except casework.NotFound:
        raise HTTPException(404, "zaak niet gevonden") from None


def _back(zaak_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/zaken/{zaak_id}{'#' + anchor if anchor else ''}", status_code=303)


def case_parties(store: AnalysisStore | None, case: Case, session: Session) -> list[dict]:
    """The parties in view of this case: at the unit, the party itself and its officers, or at the signal's unit."""
    if store is None:
        return []
    ids: dict[str, str] = {}
    vbo = subject_unit(case, session)
    if case.onderwerp_soort == "partij":
        ids[case.onderwerp_id] = "onderwerp van de zaak"
        for o in store.officers(case.onderwerp_id)["functionarissen"]:
            ids.setdefault(o["entiteit_id"], "functionaris")
    elif vbo:
        for e in store.edges_touching([vbo], limit=200):
            if e["naar"] == vbo and not e["van"].startswith("melding:"):
                ids.setdefault(e["van"], EDGE_LABELS.get(e["soort"], e["soort"]))
    refs = store.party_refs(list(ids))
    return [{"ref": refs[i], "relatie": rel} for i, rel in ids.items() if i in refs]


def case_units(store: AnalysisStore | None, case: Case, session: Session) -> set[str]:
    """The units an outcome may be recorded for: the case's unit, or the units of the party's portfolio."""
    vbo = subject_unit(case, session)
    if vbo:
        return {vbo}
    if case.onderwerp_soort == "partij" and store is not None:
        return {u["verblijfsobject_id"] for u in store.portfolio(case.onderwerp_id)}
    return set()


def subject_unit(case: Case, session: Session) -> str | None:
    if case.onderwerp_soort == "adres":
        return case.onderwerp_id
    if case.onderwerp_soort == "melding":
        s = session.scalar(select(Signal).where(Signal.kenmerk == case.onderwerp_id))
        return s.verblijfsobject_id if s else None
    return None


@router.get("/zaken")
def case_list(request: Request, status: str = Query("", max_length=20), user: User = Depends(logged_in),
              session: Session = Depends(db)) -> Response:
    _cases_allowed(user)
    status = status if status in CASE_STATUSES else ""
    cases = casework.visible_cases(session, user, status)
    signals = recent_signals(session, 30) if can(user.rol, Permission.ZAAK_OPENEN) else []
    return render(request, "zaken.html", user, cases=cases, status=status, statuses=CASE_STATUSES,
                  signals=signals, lights=TRAFFIC_LIGHTS)


@router.post("/zaken", dependencies=[Depends(csrf_protect)])
def case_open(
    request: Request,
    onderwerp_soort: str = Form(..., max_length=10),
    onderwerp_id: str = Form(..., max_length=120),
    titel: str = Form("", max_length=200),
    doel_code: str = Form("", max_length=40),
    kenmerk: str = Form("", max_length=40),
    user: User = Depends(require(Permission.ZAAK_OPENEN)),
    session: Session = Depends(db),
) -> Response:
    store = ctx(request).analysis
    if onderwerp_soort == "adres" and store is not None and not store.unit_exists(onderwerp_id):
        raise HTTPException(400, "onbekend adres")
    if onderwerp_soort == "partij" and store is not None and store.party(onderwerp_id) is None:
        raise HTTPException(400, "onbekende partij")
    if onderwerp_soort == "melding" and session.scalar(select(Signal).where(Signal.kenmerk == onderwerp_id)) is None:
        raise HTTPException(400, "onbekende melding")
    try:
        case = casework.open_case(session, user, onderwerp_soort, onderwerp_id, titel, doel_code, kenmerk)
    except PandzichtError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()
    return _back(case.id)


@router.get("/zaken/{zaak_id}")
def case_view(request: Request, zaak_id: int, user: User = Depends(logged_in),
              session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    audit.record(session, user, "zaak_bekeken", "zaak", str(case.id), zaak_id=case.id, doel=case.doel_code)
    session.commit()
    store = ctx(request).analysis
    revealed = casework.revealed_ids(session, user, case)
    name_for = namer(request, revealed)
    parties = case_parties(store, case, session)
    for p in parties:
        p["weergave"] = name_for(p["ref"])
        p["onthuld"] = p["ref"].entiteit_id in revealed
    vbo = subject_unit(case, session)
    unit = store.unit(vbo) if store is not None and vbo else None
    subject_label = case.onderwerp_id
    if case.onderwerp_soort == "partij" and store is not None:
        party = store.party(case.onderwerp_id)
        if party:
            subject_label = name_for(PartyRef(case.onderwerp_id, party["naam"], party["soort"]))
    signal = session.scalar(select(Signal).where(Signal.kenmerk == case.onderwerp_id)) \
        if case.onderwerp_soort == "melding" else None
    portfolio = store.portfolio(case.onderwerp_id)[:50] if store is not None and case.onderwerp_soort == "partij" \
        else []
    return render(
        request, "zaak.html", user, case=case, parties=parties, unit=unit, vbo=vbo, signal=signal,
        subject_label=subject_label, portfolio=portfolio, lights=TRAFFIC_LIGHTS, statuses=CASE_STATUSES,
        catalogue=CATALOGUE, by_code=BY_CODE, partners=organisations.active(session),
        instruments=OUTCOME_INSTRUMENT_LABELS, findings=FINDING_LABELS, vandaag=dt.date.today().isoformat(),
        units=sorted(case_units(store, case, session)), purposes=CASE_PURPOSES,
        heeft_doel=casework.has_purpose(case),
    )


def _run(session: Session, zaak_id: int, fn) -> None:  # type: ignore[no-untyped-def]
    try:
        fn()
    except casework.NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except PandzichtError as exc:
        raise HTTPException(400, str(exc)) from None
    session.commit()


@router.post("/zaken/{zaak_id}/triage", dependencies=[Depends(csrf_protect)])
def case_triage(zaak_id: int, verkeerslicht: str = Form(..., max_length=10), reden: str = Form("", max_length=2000),
                user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.triage(session, user, case, verkeerslicht, reden))
    return _back(zaak_id, "triage")


@router.post("/zaken/{zaak_id}/status", dependencies=[Depends(csrf_protect)])
def case_status(zaak_id: int, status: str = Form(..., max_length=20), user: User = Depends(logged_in),
                session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.set_status(session, user, case, status))
    return _back(zaak_id)


@router.post("/zaken/{zaak_id}/doel", dependencies=[Depends(csrf_protect)])
def case_purpose(zaak_id: int, doel_code: str = Form("", max_length=40), kenmerk: str = Form("", max_length=40),
                 user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    """A case opened before purposes were codes gets one from the list, so names can be revealed in it."""
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.set_purpose(session, user, case, doel_code, kenmerk))
    return _back(zaak_id)


@router.post("/zaken/{zaak_id}/delen", dependencies=[Depends(csrf_protect)])
def case_share(zaak_id: int, organisatie_id: int = Form(..., ge=1, le=2**31 - 1), intrekken: str = Form(""),
               user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    if intrekken:
        _run(session, zaak_id, lambda: casework.unshare(session, user, case, organisatie_id))
    else:
        _run(session, zaak_id, lambda: casework.share(session, user, case, organisatie_id))
    return _back(zaak_id, "partners")


@router.post("/zaken/{zaak_id}/interventie", dependencies=[Depends(csrf_protect)])
def case_intervention(zaak_id: int, instrument: str = Form(..., max_length=40),
                      verantwoordelijke: str = Form("", max_length=120), toelichting: str = Form("", max_length=2000),
                      user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id,
         lambda: casework.add_intervention(session, user, case, instrument, verantwoordelijke, toelichting))
    return _back(zaak_id, "interventies")


@router.post("/zaken/{zaak_id}/uitkomst", dependencies=[Depends(csrf_protect)])
def case_outcome(
    request: Request,
    zaak_id: int,
    verblijfsobject_id: str = Form(..., max_length=16),
    datum: dt.date = Form(...),
    instrument: str = Form(..., max_length=40),
    bevinding: str = Form(..., max_length=30),
    interventie_id: str = Form("", max_length=12),
    toelichting: str = Form("", max_length=2000),
    user: User = Depends(logged_in),
    session: Session = Depends(db),
) -> Response:
    case = _get(session, user, zaak_id)
    store = ctx(request).analysis
    if store is not None and verblijfsobject_id.isdigit() and not store.unit_exists(verblijfsobject_id):
        raise HTTPException(400, "dit verblijfsobject staat niet in de BAG-gegevens")
    iid = int(interventie_id) if interventie_id.isdigit() else None
    units = case_units(store, case, session)
    _run(session, zaak_id, lambda: casework.record_outcome(session, user, case, verblijfsobject_id, datum, instrument,
                                                           bevinding, iid, toelichting, units))
    return _back(zaak_id, "uitkomsten")


@router.post("/zaken/{zaak_id}/uitkomst/{uitkomst_id}/bevestig", dependencies=[Depends(csrf_protect)])
def case_outcome_confirm(zaak_id: int, uitkomst_id: int, user: User = Depends(logged_in),
                         session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.confirm_outcome(session, user, case, uitkomst_id))
    return _back(zaak_id, "uitkomsten")


@router.post("/zaken/{zaak_id}/onthul", dependencies=[Depends(csrf_protect)])
def case_reveal(request: Request, zaak_id: int, entiteit_id: str = Form(..., max_length=120),
                user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    allowed = {p["ref"].entiteit_id for p in case_parties(ctx(request).analysis, case, session)}
    if entiteit_id not in allowed:
        raise HTTPException(400, "deze partij hoort niet bij het onderwerp van de zaak")
    _run(session, zaak_id, lambda: casework.reveal(session, user, case, entiteit_id))
    return _back(zaak_id, "partijen")
