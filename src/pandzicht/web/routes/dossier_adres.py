"""Adresdossier: everything known about one unit on one timeline, its energy, its explanation and its network.

Every view is written to the audit log before the page is returned.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pandzicht.cases import casework
from pandzicht.cases.catalogue import TRAFFIC_LIGHTS
from pandzicht.cases.models import Case, Outcome
from pandzicht.cases.signals import signals_for_unit
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.analysis import AnalysisStore, Event, PartyRef
from pandzicht.web.auth import db, require
from pandzicht.web.charts import OWN, PEER, contribution_bars, line_chart
from pandzicht.web.names import namer
from pandzicht.web.network import neighbourhood
from pandzicht.web.pages import render
from pandzicht.web.routes.common import analysis, check_vbo

router = APIRouter(include_in_schema=False)


def unit_events(store: AnalysisStore, session: Session, vbo: str,
                name_for: Callable[[PartyRef], str]) -> tuple[list[Event], list[Outcome]]:
    """The unit's timeline, newest first: the analysis' records, the meldpunt's signals and the case outcomes,
    parties named as `name_for` allows. Shared by the dossier and the case page."""
    events = store.unit_timeline(vbo)
    for s in signals_for_unit(session, vbo):
        events.append(Event(s.ontvangen_op.date(), "melding", "Melding via meldpunt: " +
                            ", ".join(s.categorie_lijst), s.tekst, "meldpunt"))
    outcomes = list(session.scalars(select(Outcome).where(Outcome.verblijfsobject_id == vbo)).all())
    for o in outcomes:
        status = "" if o.bevestigd else " (nog niet bevestigd door de casusregisseur)"
        events.append(Event(o.datum, "uitkomst", f"Uitkomst zaak {o.zaak_id}: {o.instrument} — {o.bevinding}{status}",
                            o.toelichting, "casustafel"))
    events.sort(key=lambda e: (str(e.datum or ""), e.soort), reverse=True)
    for e in events:
        for p in e.partijen:
            p.weergave = name_for(p)
    return events, outcomes


@router.get("/adres/{vbo}")
def unit_dossier(request: Request, vbo: str, user: User = Depends(require(Permission.ANALYSE)),
                 session: Session = Depends(db)) -> Response:
    store = analysis(request)
    check_vbo(vbo)
    unit = store.unit(vbo)
    if unit is None:
        raise HTTPException(404, "dit verblijfsobject staat niet in de BAG-gegevens van de analyse")
    audit.record(session, user, "adres_bekeken", "adres", vbo)
    session.commit()
    name_for = namer(request)
    events, outcomes = unit_events(store, session, vbo, name_for)
    energy = store.energy(vbo)
    chart = line_chart(energy["maanden"], [("dit adres", energy["eigen"], OWN),
                                           (f"mediaan vergelijkbaar ({energy['groep']})", energy["vergelijk"], PEER)])
    graph = neighbourhood(store, vbo, name_for)
    cases = casework.cases_about(session, user, "adres", vbo)
    related = session.scalars(select(Case).where(Case.id.in_([o.zaak_id for o in outcomes]))).all() if outcomes \
        else []
    return render(
        request, "adres.html", user, unit=unit, events=events, chart=chart, energy=energy,
        balken=contribution_bars(unit["bijdragen"]), graph=graph, nodes={n.id: n for n in graph.nodes},
        cases=cases, related_cases=related, lights=TRAFFIC_LIGHTS,
    )
