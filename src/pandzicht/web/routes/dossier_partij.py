"""Partijdossier: a party's portfolio on the map and in a table, roles, officers, phoenix history, network."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import EDGE_LABELS, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.maps import rd_to_lonlat
from pandzicht.web.names import namer
from pandzicht.web.network import neighbourhood
from pandzicht.web.pages import render
from pandzicht.web.routes.common import analysis, buurt_map, check_entity

router = APIRouter(include_in_schema=False)
REL_COLOURS = {"owns": "#1f5fa8", "lets": "#6a3d9a", "brokers": "#b3261e", "rents": "#33a02c",
               "registered_at": "#777777", "involved_in_incident": "#000000"}


@router.get("/partij/{entiteit_id}")
def party_dossier(request: Request, entiteit_id: str, user: User = Depends(require(Permission.ANALYSE)),
                  session: Session = Depends(db)) -> Response:
    store = analysis(request)
    check_entity(entiteit_id)
    party = store.party(entiteit_id)
    if party is None:
        raise HTTPException(404, "deze partij komt niet voor in de analyse")
    audit.record(session, user, "partij_bekeken", "partij", entiteit_id)
    session.commit()
    name_for = namer(request)
    party["weergave"] = name_for(PartyRef(entiteit_id, party["naam"], party["soort"]))
    portfolio = store.portfolio(entiteit_id)
    points = []
    for u in portfolio:
        if u.get("x_rd") is not None:
            lon, lat = rd_to_lonlat(u["x_rd"], u["y_rd"])
            points.append((lon, lat, REL_COLOURS.get(u["soort"], "#000"), f"{u['adres']} ({u['relatie']})"))
    officers = store.officers(entiteit_id)
    for group in officers.values():
        for o in group:
            o["weergave"] = name_for(PartyRef(o["entiteit_id"], o["naam"], o["soort"]))
    history = store.phoenix_history(entiteit_id)
    for h in history:
        h["bestuurder"] = name_for(PartyRef(h["persoon"], "", "persoon")) if h["persoon"] != entiteit_id else "—"
    refs = store.party_refs([h["persoon"] for h in history])
    for h in history:
        if h["persoon"] in refs and h["persoon"] != entiteit_id:
            h["bestuurder"] = name_for(refs[h["persoon"]])
    graph = neighbourhood(store, entiteit_id, name_for)
    stats = store.buurt_stats()
    return render(
        request, "partij.html", user, party=party, portfolio=portfolio, officers=officers, history=history,
        graph=graph, nodes={n.id: n for n in graph.nodes},
        kaart_svg=buurt_map(request, stats, "gemiddeld", points=points, title="Portefeuille op de kaart"),
        rel_colours=REL_COLOURS, rel_labels=EDGE_LABELS,
        cases=casework.cases_about(session, user, "partij", entiteit_id),
    )
