"""Overzicht: the region map and the ranked units and parties with their explanations, with filters."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission, can
from pandzicht.web.analysis import TYPOLOGY_LABELS, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.names import namer
from pandzicht.web.pages import render
from pandzicht.web.routes.common import METRICS, analysis, buurt_map
from pandzicht.web.routes.export import _reasons, _table

router = APIRouter(include_in_schema=False)
PAGE = 25
# the party list can show one role: "which agents first" is the RIEC's question, and the roles share one ranking
PARTY_ROLES = ("bemiddelaar", "verhuurder", "eigenaar", "huurder")


@router.get("/")
def overview(
    request: Request,
    wijk: str = Query("", max_length=20),
    buurt: str = Query("", max_length=80),
    vermoeden: str = Query("", max_length=30),
    bron: str = Query("", max_length=40),
    kaart: str = Query("gemiddeld", max_length=20),
    partijrol: str = Query("", max_length=20),
    pagina: int = Query(1, ge=1, le=10_000),
    user: User = Depends(require(Permission.ANALYSE)),
    session: Session = Depends(db),
) -> Response:
    store = analysis(request)
    kaart = kaart if kaart in METRICS else "gemiddeld"
    vermoeden = vermoeden if vermoeden in TYPOLOGIES else ""
    partijrol = partijrol if partijrol in PARTY_ROLES else ""
    stats = store.buurt_stats()
    units = store.top_units(PAGE, (pagina - 1) * PAGE, wijk=wijk, vermoeden=vermoeden, bron=bron, buurt=buurt)
    # the wijk filter drives the map, the parties and the list; the role filter only the parties (their rank stays
    # the rank in the whole list, so an agent shown first may stand tenth)
    parties = store.top_parties(10, wijk=wijk, rol=partijrol)
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
        partijrol=partijrol, partijrollen=PARTY_ROLES,
        pagina=pagina, page_size=PAGE, meta=store.meta(),
    )


@router.post("/selectie", dependencies=[Depends(csrf_protect)])
@router.post("/selectie.csv", dependencies=[Depends(csrf_protect)])
@router.post("/selectie.xlsx", dependencies=[Depends(csrf_protect)])
def selection(
    request: Request,
    vbo: list[str] = Form([]),
    titel: str = Form("", max_length=200),
    doel_code: str = Form("", max_length=40),
    kenmerk: str = Form("", max_length=40),
    user: User = Depends(require(Permission.ANALYSE)),
    session: Session = Depends(db),
) -> Response:
    """The rows ticked on the overview: one case for all of them (same purpose rules as any case), or an export of
    just those rows (audited as a shortlist export with its count)."""
    store = analysis(request)
    ids = list(dict.fromkeys(v for v in vbo[:casework.MAX_SELECTION + 1] if store.unit_exists(v)))
    if not ids:
        raise HTTPException(400, "vink ten minste één adres aan")
    if not request.url.path.endswith((".csv", ".xlsx")):
        if not can(user.rol, Permission.ZAAK_OPENEN):
            raise HTTPException(403, "u mag geen zaak openen")
        try:
            case = casework.open_case_for_units(session, user, ids, titel, doel_code, kenmerk)
        except PandzichtError as exc:
            raise HTTPException(400, str(exc)) from None
        request.state.session["ok"] = "geopend"  # the case page shows "Zaak geopend" once
        request.state.session_dirty = True
        session.commit()
        return RedirectResponse(f"/zaken/{case.id}", status_code=303)
    units = store.unit_addresses(ids)
    rows = [store.unit(v) for v in ids if v in units]
    audit.record(session, user, "export_shortlist", "adressen", "selectie", doel="selectie", aantal=len(rows))
    session.commit()
    return _table([[r["rang"], r["verblijfsobject_id"], r["adres"], r["wijk_naam"], r["buurt_naam"], r["score"],
                    TYPOLOGY_LABELS.get(r["vermoeden"] or "", r["vermoeden"]), _reasons(store, r["uitleg"])]
                   for r in sorted(rows, key=lambda r: r["rang"] or 10**9)],
                  ["Rang", "BAG-id verblijfsobject", "Adres", "Wijk", "Buurt", "Kans (score)", "Vermoeden",
                   "Uitleg (bijdrage per indicator, log-odds)"], "pandzicht-selectie.csv", request)
