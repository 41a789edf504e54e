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
from pandzicht.web import saved_charts
from pandzicht.web.analysis import EDGE_LABELS, TYPOLOGY_LABELS, AnalysisStore, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.context import ctx
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.names import namer
from pandzicht.web.network import neighbourhood
from pandzicht.web.pages import render
from pandzicht.web.routes.dossier_adres import unit_events

router = APIRouter(include_in_schema=False)
logged_in = require(None)
SUSPICIONS = {k: v for k, v in TYPOLOGY_LABELS.items() if k}
DEADLINE_FILTERS = {"verstreken": "verstreken", "week": "binnen 7 dagen", "geen": "zonder termijn"}
CASE_LIST_SORTS = {"geopend": "geopend (nieuwste eerst)", "termijn": "termijn (eerste eerst)", "status": "status",
                   "score": "score (hoogste eerst)", "toegewezen": "toegewezen aan (a–z)",
                   "vermoeden": "vermoeden (a–z)"}


def _cases_allowed(user: User) -> None:
    if not (can(user.rol, Permission.ALLE_ZAKEN) or user.rol == "partner"):
        raise HTTPException(403, "u heeft geen toegang tot de casustafel")


def _get(session: Session, user: User, zaak_id: int) -> Case:
    _cases_allowed(user)
    try:
        return casework.get_case(session, user, zaak_id)
    except casework.NotFound:
        raise HTTPException(404, "zaak niet gevonden") from None


# The confirmation shown after an action's redirect: the URL carries only one of these codes, never text.
CONFIRMATIONS = {
    "geopend": "Zaak geopend",
    "triage": "Beoordeling vastgelegd",
    "status": "Status van de zaak gewijzigd",
    "doel": "Doel van de zaak vastgelegd",
    "gedeeld": "Zaak gedeeld met de partner",
    "ingetrokken": "Delen met de partner ingetrokken",
    "interventie": "Interventie toegevoegd",
    "interventie_status": "Status van de interventie gewijzigd",
    "uitkomst": "Uitkomst vastgelegd",
    "uitkomst_wacht": "Uitkomst vastgelegd — wacht op bevestiging",
    "bevestigd": "Uitkomst bevestigd: telt nu als label",
    "onthuld": "Naam onthuld voor het doel van deze zaak (gelogd)",
    "notitie": "Notitie toegevoegd",
    "toegewezen": "Toewijzing vastgelegd",
    "termijn": "Termijn vastgelegd",
}


def _back(request: Request, zaak_id: int, anchor: str = "", ok: str = "") -> RedirectResponse:
    """Back to the case page; the confirmation's code rides in the signed session cookie, shown once."""
    if ok in CONFIRMATIONS:
        request.state.session["ok"] = ok
        request.state.session_dirty = True
    return RedirectResponse(f"/zaken/{zaak_id}{'#' + anchor if anchor else ''}", status_code=303)


def _confirmation(request: Request) -> str:
    code = request.state.session.pop("ok", None)
    if code is None:
        return ""
    request.state.session_dirty = True
    return CONFIRMATIONS.get(code, "")


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
        return {vbo, *(a.verblijfsobject_id for a in case.adressen)}
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
def case_list(
    request: Request,
    status: str = Query("", max_length=20),
    toegewezen: str = Query("", max_length=12),
    verlopen: str = Query("", max_length=1),
    doel: str = Query("", max_length=40),
    vermoeden: str = Query("", max_length=20),
    bevinding: str = Query("", max_length=20),
    termijn: str = Query("", max_length=12),
    sorteer: str = Query("geopend", max_length=10),
    user: User = Depends(logged_in),
    session: Session = Depends(db),
) -> Response:
    """The cases as query parameters describe them, so a view of the casustafel can be bookmarked.

    Besides status, assignee, purpose and deadline, a case can be found by what the analysis suspects at its
    addresses (`vermoeden`) and by what a check there found (`bevinding`, from the case's outcomes)."""
    _cases_allowed(user)
    status = status if status in CASE_STATUSES else ""
    doel = doel if doel in CASE_PURPOSES else ""
    vermoeden = vermoeden if vermoeden in SUSPICIONS else ""
    bevinding = bevinding if bevinding in FINDING_LABELS else ""
    termijn = "verstreken" if verlopen == "1" else termijn if termijn in DEADLINE_FILTERS else ""
    sorteer = sorteer if sorteer in CASE_LIST_SORTS else "geopend"
    colleagues = casework.assignable_users(session, user) if can(user.rol, Permission.ZAAK_BEHEREN) else []
    who = user.id if toegewezen == "ik" else int(toegewezen) if toegewezen.isdigit() else None
    cases = casework.visible_cases(session, user, status, toegewezen=who, verlopen=termijn == "verstreken",
                                   doel_code=doel, sort=sorteer if sorteer in casework.CASE_SORTS else "geopend")
    store = ctx(request).analysis
    units = store.unit_addresses([v for c in cases for v in _case_vbos(c)]) if store is not None else {}
    suspected = {c.id: sorted({units[v]["vermoeden"] for v in _case_vbos(c) if v in units and units[v]["vermoeden"]})
                 for c in cases}
    vandaag = dt.date.today()
    cases = [c for c in cases if _deadline_matches(c, termijn, vandaag)
             and (not vermoeden or vermoeden in suspected[c.id])
             and (not bevinding or any(o.bevinding == bevinding for o in c.uitkomsten))]
    names = {u.id: u.naam for u in colleagues}
    if sorteer == "score":
        def score(c: Case) -> tuple[float, float]:
            # equal printed scores (many near 1) keep the ranked list's order, which follows the evidence
            u = units.get(c.onderwerp_id) if c.onderwerp_soort == "adres" else None
            return (-(u["score"] or 0.0), u["rang"] or float("inf")) if u else (1.0, 0.0)
        cases.sort(key=score)
    elif sorteer == "toegewezen":  # by assignee's name, unassigned last; newest first within
        people = names or {i: n for i, n in session.execute(select(User.id, User.naam).where(
            User.id.in_({c.toegewezen_aan for c in cases} - {None})))}
        cases.sort(key=lambda c: (c.toegewezen_aan is None, people.get(c.toegewezen_aan, "").lower(), -c.id))
        names = people
    elif sorteer == "vermoeden":  # by the first suspected typology, cases without one last
        cases.sort(key=lambda c: (not suspected[c.id], suspected[c.id][:1], -c.id))
    signals = recent_signals(session, 30) if can(user.rol, Permission.ZAAK_OPENEN) else []
    return render(request, "zaken.html", user, cases=cases, status=status, statuses=CASE_STATUSES,
                  signals=signals, lights=TRAFFIC_LIGHTS, toegewezen=toegewezen, verlopen=termijn == "verstreken",
                  doel=doel, purposes=CASE_PURPOSES, sorteer=sorteer, colleagues=colleagues, names=names,
                  units=units, vandaag=vandaag, vermoeden=vermoeden, bevinding=bevinding, termijn=termijn,
                  suspicions=SUSPICIONS, findings=FINDING_LABELS, deadline_filters=DEADLINE_FILTERS,
                  suspected=suspected, sorts=CASE_LIST_SORTS)


def _case_vbos(case: Case) -> list[str]:
    """The units of a case that the analysis knows: its subject address and the selection's further addresses."""
    own = [case.onderwerp_id] if case.onderwerp_soort == "adres" else []
    return own + [a.verblijfsobject_id for a in case.adressen]


def _deadline_matches(case: Case, termijn: str, vandaag: dt.date) -> bool:
    if termijn == "week":
        return case.termijn is not None and vandaag <= case.termijn <= vandaag + dt.timedelta(days=7) \
            and case.status != "gesloten"
    if termijn == "geen":
        return case.termijn is None
    return True


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
    return _back(request, case.id, ok="geopend")


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
    units = case_units(store, case, session)
    # Addresses as text, as the dossier shows them: the case's units and those of its outcomes.
    addresses = {k: v["adres"] for k, v in store.unit_addresses(
        [*units, *(o.verblijfsobject_id for o in case.uitkomsten)]).items()} if store is not None else {}
    colleagues = casework.assignable_users(session, user) if can(user.rol, Permission.ZAAK_BEHEREN) else []
    saved = saved_charts.for_case(session, case.id)
    people = {i: n for i, n in session.execute(select(User.id, User.naam).where(User.id.in_(
        {case.aangemaakt_door, case.toegewezen_aan, *(n.door for n in case.notities),
         *(o.vastgelegd_door for o in case.uitkomsten), *(c.aangemaakt_door for c in saved)} - {None})))}
    # For those who may analyse: the network around the case's subject (the link chart of the dossiers, saved
    # views of this case one click away) and the subject address' own timeline beside the case's.
    graph, events = None, []
    kern = vbo or (case.onderwerp_id if case.onderwerp_soort == "partij" else None)
    if store is not None and kern and can(user.rol, Permission.ANALYSE):
        graph = neighbourhood(store, kern, name_for)
        if vbo and store.unit_exists(vbo):
            events, _ = unit_events(store, session, vbo, name_for)
    return render(
        request, "zaak.html", user, case=case, parties=parties, unit=unit, vbo=vbo, signal=signal,
        subject_label=subject_label, portfolio=portfolio, lights=TRAFFIC_LIGHTS, statuses=CASE_STATUSES,
        catalogue=CATALOGUE, by_code=BY_CODE, partners=organisations.active(session),
        instruments=OUTCOME_INSTRUMENT_LABELS, findings=FINDING_LABELS, vandaag=dt.date.today().isoformat(),
        units=sorted(units, key=lambda v: addresses.get(v, v)), purposes=CASE_PURPOSES,
        heeft_doel=casework.has_purpose(case), adressen=addresses, bevestiging=_confirmation(request),
        interventie_statussen=casework.INTERVENTION_STATUSES, colleagues=colleagues, people=people,
        tijdlijn=casework.timeline(case), vandaag_datum=dt.date.today(),
        graph=graph, nodes={n.id: n for n in graph.nodes} if graph else {}, cases=[case], opnames=saved,
        events=events,
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
def case_triage(request: Request,
                zaak_id: int, verkeerslicht: str = Form(..., max_length=10), reden: str = Form("", max_length=2000),
                user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.triage(session, user, case, verkeerslicht, reden))
    return _back(request, zaak_id, "triage", "triage")


@router.post("/zaken/{zaak_id}/status", dependencies=[Depends(csrf_protect)])
def case_status(request: Request, zaak_id: int, status: str = Form(..., max_length=20), user: User = Depends(logged_in),
                session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.set_status(session, user, case, status))
    return _back(request, zaak_id, "triage", "status")


@router.post("/zaken/{zaak_id}/doel", dependencies=[Depends(csrf_protect)])
def case_purpose(request: Request,
                 zaak_id: int, doel_code: str = Form("", max_length=40), kenmerk: str = Form("", max_length=40),
                 user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    """A case opened before purposes were codes gets one from the list, so names can be revealed in it."""
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.set_purpose(session, user, case, doel_code, kenmerk))
    return _back(request, zaak_id, ok="doel")


@router.post("/zaken/{zaak_id}/delen", dependencies=[Depends(csrf_protect)])
def case_share(request: Request,
               zaak_id: int, organisatie_id: int = Form(..., ge=1, le=2**31 - 1), intrekken: str = Form(""),
               user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    if intrekken:
        _run(session, zaak_id, lambda: casework.unshare(session, user, case, organisatie_id))
    else:
        _run(session, zaak_id, lambda: casework.share(session, user, case, organisatie_id))
    return _back(request, zaak_id, "partners", "ingetrokken" if intrekken else "gedeeld")


@router.post("/zaken/{zaak_id}/interventie", dependencies=[Depends(csrf_protect)])
def case_intervention(request: Request, zaak_id: int, instrument: str = Form(..., max_length=40),
                      verantwoordelijke: str = Form("", max_length=120), toelichting: str = Form("", max_length=2000),
                      user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id,
         lambda: casework.add_intervention(session, user, case, instrument, verantwoordelijke, toelichting))
    return _back(request, zaak_id, "interventies", "interventie")


@router.post("/zaken/{zaak_id}/interventie/{interventie_id}/status", dependencies=[Depends(csrf_protect)])
def case_intervention_status(request: Request,
                             zaak_id: int, interventie_id: int, status: str = Form(..., max_length=20),
                             user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.set_intervention_status(session, user, case, interventie_id, status))
    return _back(request, zaak_id, "interventies", "interventie_status")


@router.post("/zaken/{zaak_id}/notitie", dependencies=[Depends(csrf_protect)])
def case_note(request: Request, zaak_id: int, tekst: str = Form(..., max_length=4000), user: User = Depends(logged_in),
              session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.add_note(session, user, case, tekst))
    return _back(request, zaak_id, "notities", "notitie")


@router.post("/zaken/{zaak_id}/toewijzing", dependencies=[Depends(csrf_protect)])
def case_assign(request: Request,
                zaak_id: int, gebruiker_id: str = Form("", max_length=12), termijn: str = Form("", max_length=10),
                user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    """Assignee and deadline in one form; each change is audited on its own."""
    case = _get(session, user, zaak_id)
    who = int(gebruiker_id) if gebruiker_id.isdigit() else None
    try:
        when = dt.date.fromisoformat(termijn) if termijn else None
    except ValueError:
        raise HTTPException(400, "de termijn is geen datum") from None

    def change() -> None:
        if who != case.toegewezen_aan:
            casework.assign(session, user, case, who)
        if when != case.termijn:
            casework.set_deadline(session, user, case, when)

    _run(session, zaak_id, change)
    return _back(request, zaak_id, "toewijzing", "toegewezen")


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
    ok = "uitkomst" if can(user.rol, Permission.UITKOMST_BEVESTIGEN) else "uitkomst_wacht"
    return _back(request, zaak_id, "uitkomsten", ok)


@router.post("/zaken/{zaak_id}/uitkomst/{uitkomst_id}/bevestig", dependencies=[Depends(csrf_protect)])
def case_outcome_confirm(request: Request, zaak_id: int, uitkomst_id: int, user: User = Depends(logged_in),
                         session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    _run(session, zaak_id, lambda: casework.confirm_outcome(session, user, case, uitkomst_id))
    return _back(request, zaak_id, "uitkomsten", "bevestigd")


@router.post("/zaken/{zaak_id}/onthul", dependencies=[Depends(csrf_protect)])
def case_reveal(request: Request, zaak_id: int, entiteit_id: str = Form(..., max_length=120),
                user: User = Depends(logged_in), session: Session = Depends(db)) -> Response:
    case = _get(session, user, zaak_id)
    allowed = {p["ref"].entiteit_id for p in case_parties(ctx(request).analysis, case, session)}
    if entiteit_id not in allowed:
        raise HTTPException(400, "deze partij hoort niet bij het onderwerp van de zaak")
    _run(session, zaak_id, lambda: casework.reveal(session, user, case, entiteit_id))
    return _back(request, zaak_id, "partijen", "onthuld")
