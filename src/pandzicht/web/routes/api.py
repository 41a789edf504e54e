"""The JSON API under /api: the same data as the pages, typed, described by FastAPI's OpenAPI.

Everything except the indicator catalogue and the address search needs a
logged-in session with the right role; person names are pseudonymised here
exactly as on the pages, and dossier reads are audited the same way.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web import saved_charts
from pandzicht.web.analysis import PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.names import namer
from pandzicht.web.network import PAGE, Graph, expand, neighbourhood
from pandzicht.web.routes.common import ENTITY_RE, VBO_RE, analysis

router = APIRouter(prefix="/api", tags=["api"], responses={401: {"description": "niet ingelogd"},
                                                           403: {"description": "geen toegang"}})
analyst = require(Permission.ANALYSE)


class Contribution(BaseModel):
    code: str
    titel: str
    bijdrage: float
    onschuldig: list[str]


class UnitOut(BaseModel):
    rang: int | None
    verblijfsobject_id: str
    adres: str
    score: float | None
    vermoeden: str | None
    wijk: str | None
    buurt: str | None
    bijdragen: list[Contribution]


class EventOut(BaseModel):
    datum: dt.date | None
    soort: str
    titel: str
    detail: str
    bron: str
    partijen: list[str]


class EnergyOut(BaseModel):
    maanden: list[str]
    eigen: list[float | None]
    vergelijk: list[float | None]
    groep: str


class UnitDetail(UnitOut):
    oppervlakte_m2: int | None
    bouwjaar: int | None
    tijdlijn: list[EventOut]
    energie: EnergyOut


class PartyOut(BaseModel):
    rang: int | None
    entiteit_id: str
    naam: str
    soort: str
    kvk_nummer: str | None
    rol: str | None
    score: float | None
    bijdragen: list[Contribution]


class PortfolioItem(BaseModel):
    verblijfsobject_id: str
    adres: str
    relatie: str
    bron: str
    score: float | None


class PartyDetail(PartyOut):
    portefeuille: list[PortfolioItem]


class IndicatorOut(BaseModel):
    code: str
    titel: str
    entiteit: str
    familie: str
    bronnen: list[str]
    meet: str
    waarom: str
    onschuldig: list[str]


class MetaOut(BaseModel):
    peildatum: dt.date | None
    regio: str
    adressen: int


class CaseOut(BaseModel):
    id: int
    onderwerp_soort: str
    onderwerp_id: str
    titel: str
    doel: str
    verkeerslicht: str | None
    status: str
    partners: list[str]
    uitkomsten: int


def _contrib(items: list[dict]) -> list[Contribution]:
    return [Contribution(code=i["code"], titel=i["titel"], bijdrage=i["bijdrage"], onschuldig=i["onschuldig"])
            for i in items]


def _unit_out(r: dict) -> dict:
    return {"rang": r.get("rang"), "verblijfsobject_id": r["verblijfsobject_id"], "adres": r["adres"],
            "score": r.get("score"), "vermoeden": r.get("vermoeden"), "wijk": r.get("wijk_naam"),
            "buurt": r.get("buurt_naam"), "bijdragen": _contrib(r["bijdragen"])}


@router.get("/meta", response_model=MetaOut, summary="Peildatum en omvang van de geladen analyse")
def meta(request: Request, user: User = Depends(analyst)) -> MetaOut:
    m = analysis(request).meta()
    return MetaOut(peildatum=m["peildatum"], regio=m["regio"] or "", adressen=m["adressen"])


@router.get("/indicatoren", response_model=list[IndicatorOut], summary="De openbare indicatorcatalogus")
def indicators() -> list[IndicatorOut]:
    return [IndicatorOut(code=i.code, titel=i.titel, entiteit=i.entiteit, familie=i.familie, bronnen=list(i.bronnen),
                         meet=i.meet, waarom=i.waarom, onschuldig=list(i.onschuldig)) for i in load_catalogue()]


@router.get("/adressen", response_model=list[UnitOut], summary="Gerangschikte adressen met uitleg")
def units(request: Request, wijk: str = Query("", max_length=20), buurt: str = Query("", max_length=80),
          vermoeden: str = Query("", max_length=30), bron: str = Query("", max_length=40),
          limiet: int = Query(25, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
          user: User = Depends(analyst), session: Session = Depends(db)) -> list[UnitOut]:
    rows = analysis(request).top_units(limiet, offset, wijk=wijk, vermoeden=vermoeden, bron=bron, buurt=buurt)
    audit.record(session, user, "adressen_gelijst", "adressen", "api", doel=f"offset={offset}", aantal=len(rows))
    session.commit()
    return [UnitOut(**_unit_out(r)) for r in rows]


@router.get("/adressen/{vbo}", response_model=UnitDetail, summary="Adresdossier (wordt gelogd)",
            responses={404: {"description": "onbekend adres"}})
def unit(request: Request, vbo: str = Path(..., max_length=16), user: User = Depends(analyst),
         session: Session = Depends(db)) -> UnitDetail:
    store = analysis(request)
    r = store.unit(vbo) if VBO_RE.match(vbo) else None
    if r is None:
        raise HTTPException(404, "onbekend adres")
    audit.record(session, user, "adres_bekeken", "adres", vbo, doel="api")
    session.commit()
    name_for = namer(request)
    events = [EventOut(datum=e.datum if isinstance(e.datum, dt.date) else None, soort=e.soort, titel=e.titel,
                       detail=e.detail, bron=e.bron, partijen=[name_for(p) for p in e.partijen])
              for e in store.unit_timeline(vbo)]
    en = store.energy(vbo)
    return UnitDetail(**_unit_out(r), oppervlakte_m2=r.get("oppervlakte_m2"), bouwjaar=r.get("bouwjaar"),
                      tijdlijn=events, energie=EnergyOut(maanden=en["maanden"], eigen=en["eigen"],
                                                         vergelijk=en["vergelijk"], groep=en["groep"]))


@router.get("/partijen", response_model=list[PartyOut], summary="Gerangschikte partijen (personen gepseudonimiseerd)")
def parties(request: Request, rol: str = Query("", max_length=20), limiet: int = Query(25, ge=1, le=1000),
            offset: int = Query(0, ge=0, le=10_000_000), user: User = Depends(analyst),
            session: Session = Depends(db)) -> list[PartyOut]:
    name_for = namer(request)
    rows = analysis(request).top_parties(limiet, offset, rol=rol)
    audit.record(session, user, "partijen_gelijst", "partijen", "api", doel=f"offset={offset}", aantal=len(rows))
    session.commit()
    return [PartyOut(rang=r["rang"], entiteit_id=r["entiteit_id"],
                     naam=name_for(PartyRef(r["entiteit_id"], r["naam"] or "?", r["soort"])), soort=r["soort"],
                     kvk_nummer=r["kvk_nummer"], rol=r["rol"], score=r["score"], bijdragen=_contrib(r["bijdragen"]))
            for r in rows]


@router.get("/partijen/{entiteit_id}", response_model=PartyDetail, summary="Partijdossier (wordt gelogd)",
            responses={404: {"description": "onbekende partij"}})
def party(request: Request, entiteit_id: str = Path(..., max_length=120), user: User = Depends(analyst),
          session: Session = Depends(db)) -> PartyDetail:
    store = analysis(request)
    p = store.party(entiteit_id) if ENTITY_RE.match(entiteit_id) else None
    if p is None:
        raise HTTPException(404, "onbekende partij")
    audit.record(session, user, "partij_bekeken", "partij", entiteit_id, doel="api")
    session.commit()
    name_for = namer(request)
    return PartyDetail(rang=p["rang"], entiteit_id=entiteit_id, naam=name_for(PartyRef(entiteit_id, p["naam"],
                       p["soort"])), soort=p["soort"], kvk_nummer=p["kvk_nummer"], rol=p["rol"], score=p["score"],
                       bijdragen=_contrib(p["bijdragen"]),
                       portefeuille=[PortfolioItem(verblijfsobject_id=u["verblijfsobject_id"], adres=u["adres"],
                                                   relatie=u["relatie"], bron=u["bron"], score=u.get("score"))
                                     for u in store.portfolio(entiteit_id)])


@router.get("/netwerk/{knoop}", response_model=Graph, summary="Netwerk rond een adres of partij (wordt gelogd)",
            responses={404: {"description": "onbekende knoop"}})
def network(request: Request, knoop: str = Path(..., max_length=120), stappen: int = Query(1, ge=1, le=2),
            offset: int = Query(0, ge=0, le=1_000_000), limiet: int = Query(PAGE, ge=1, le=200),
            user: User = Depends(analyst), session: Session = Depends(db)) -> Graph:
    """One hop (expand on click, paged by `offset`/`limiet`: "toon meer") or two hops (the dossier's first view)
    from a unit or party, with provenance and each relation's validity dates."""
    store = analysis(request)
    if not ENTITY_RE.match(knoop):
        raise HTTPException(404, "onbekende knoop")
    graph = neighbourhood(store, knoop, namer(request)) if stappen == 2 else \
        expand(store, knoop, namer(request), offset=offset, limit=limiet)
    if not graph.edges and not (VBO_RE.match(knoop) and store.unit_exists(knoop)) and store.party(knoop) is None:
        raise HTTPException(404, "onbekende knoop")
    audit.record(session, user, "netwerk_bekeken", "adres" if VBO_RE.match(knoop) else "partij", knoop)
    session.commit()
    return graph


@router.get("/zaken", response_model=list[CaseOut], summary="Zaken die u mag zien")
def cases(user: User = Depends(require(None)), session: Session = Depends(db)) -> list[CaseOut]:
    return [CaseOut(id=c.id, onderwerp_soort=c.onderwerp_soort, onderwerp_id=c.onderwerp_id, titel=c.titel,
                    doel=c.doel, verkeerslicht=c.verkeerslicht, status=c.status,
                    partners=[p.organisatie for p in c.partners], uitkomsten=len(c.uitkomsten))
            for c in casework.visible_cases(session, user)]


class SavedChartOut(BaseModel):
    id: int
    zaak_id: int
    titel: str
    kern: str
    aangemaakt_op: dt.datetime
    opname: saved_charts.ChartState


def _case_for(session: Session, user: User, zaak_id: int):  # type: ignore[no-untyped-def]
    try:
        return casework.get_case(session, user, zaak_id)
    except casework.NotFound as exc:
        raise HTTPException(404, "zaak niet gevonden") from exc


@router.post("/zaken/{zaak_id}/netwerk", response_model=SavedChartOut, dependencies=[Depends(csrf_protect)],
             summary="Netwerkweergave in een zaak bewaren (posities, vastgezette knopen, selectie; geen namen)",
             responses={404: {"description": "zaak niet gevonden"}, 422: {"description": "geen netwerkweergave"}})
def save_chart(zaak_id: int, opname: str = Form(..., max_length=400_000), titel: str = Form("", max_length=120),
               user: User = Depends(analyst), session: Session = Depends(db)) -> SavedChartOut:
    case = _case_for(session, user, zaak_id)
    try:
        state = saved_charts.parse_state(opname)
    except PandzichtError as exc:
        raise HTTPException(422, str(exc)) from exc
    snap = saved_charts.save(session, case.id, user.id, state, titel)
    audit.record(session, user, "zaak_gewijzigd", "zaak", str(case.id), zaak_id=case.id, doel="netwerk_opgeslagen")
    session.commit()
    return SavedChartOut(id=snap.id, zaak_id=case.id, titel=snap.titel, kern=snap.kern,
                         aangemaakt_op=snap.aangemaakt_op, opname=state)


@router.get("/zaken/{zaak_id}/netwerk", response_model=list[SavedChartOut],
            summary="Netwerkweergaven die in een zaak bewaard zijn (wordt gelogd)",
            responses={404: {"description": "zaak niet gevonden"}})
def saved_charts_of_case(zaak_id: int, user: User = Depends(analyst),
                         session: Session = Depends(db)) -> list[SavedChartOut]:
    case = _case_for(session, user, zaak_id)
    snaps = saved_charts.for_case(session, case.id)
    audit.record(session, user, "zaak_bekeken", "zaak", str(case.id), zaak_id=case.id, doel="netwerk_opname",
                 aantal=len(snaps))
    session.commit()
    return [SavedChartOut(id=s.id, zaak_id=s.zaak_id, titel=s.titel, kern=s.kern, aangemaakt_op=s.aangemaakt_op,
                          opname=saved_charts.ChartState.model_validate_json(s.inhoud)) for s in snaps]
