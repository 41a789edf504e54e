"""Overzicht: the region map and the ranked units and parties with their explanations, with filters."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.names import namer
from pandzicht.web.pages import render
from pandzicht.web.routes.common import METRICS, analysis, buurt_map

router = APIRouter(include_in_schema=False)
PAGE = 25


@router.get("/")
def overview(
    request: Request,
    wijk: str = Query("", max_length=20),
    buurt: str = Query("", max_length=80),
    vermoeden: str = Query("", max_length=30),
    bron: str = Query("", max_length=40),
    kaart: str = Query("gemiddeld", max_length=20),
    pagina: int = Query(1, ge=1, le=10_000),
    user: User = Depends(require(Permission.ANALYSE)),
    session: Session = Depends(db),
) -> Response:
    store = analysis(request)
    kaart = kaart if kaart in METRICS else "gemiddeld"
    vermoeden = vermoeden if vermoeden in TYPOLOGIES else ""
    stats = store.buurt_stats()
    units = store.top_units(PAGE, (pagina - 1) * PAGE, wijk=wijk, vermoeden=vermoeden, bron=bron, buurt=buurt)
    parties = store.top_parties(10, wijk=wijk)  # the wijk filter drives the map, the parties and the list
    # The lists are reads of personal data: one audit row per request with the count (filters are never logged,
    # they are text a user typed).
    audit.record(session, user, "overzicht_bekeken", "overzicht", "web",
                 doel=f"pagina={pagina};adressen={len(units)};partijen={len(parties)}",
                 aantal=len(units) + len(parties))
    session.commit()
    name_for = namer(request)
    for p in parties:
        p["weergave"] = name_for(PartyRef(p["entiteit_id"], p["naam"] or "?", p["soort"]))
    sources = sorted({b for i in store.catalogue.values() for b in i.bronnen if not b.startswith(("entiteit",
                      "relatie")) and not b.endswith("_adres")})
    buurt_naam = next((s["buurt_naam"] for s in stats if s["buurt_code"] == buurt), buurt)
    return render(
        request, "overzicht.html", user,
        kaart_svg=buurt_map(request, stats, kaart, highlight_codes=(
            {buurt} if buurt else {s["buurt_code"] for s in stats if s["wijk_code"] == wijk} if wijk else None),
                            title="Buurten van de regio"),
        kaart=kaart, metrics=METRICS, units=units, parties=parties, wijken=store.wijken(), wijk=wijk,
        buurt=buurt, buurt_naam=buurt_naam, vermoeden=vermoeden, typologies=TYPOLOGIES, bron=bron, bronnen=sources,
        pagina=pagina, page_size=PAGE, meta=store.meta(),
    )
