"""Meldpunt: the public form for signals from the neighbourhood (no login; anonymous allowed).

On arrival a signal is linked to a BAG unit (the chosen autocomplete entry, or
the address text matched by `link.address_match`) and enriched with what is
already known (score, rank), and shows in that unit's dossier. Abuse limits: a
rate limit per client in memory, size limits, plain text only.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pandzicht.cases.catalogue import REPORTER_LABELS, SIGNAL_CATEGORY_LABELS
from pandzicht.cases.signals import MAX_ADDRESS, MAX_TEXT, Enrichment, SignalErrors, store_signal, validate
from pandzicht.link.address_match import match_address
from pandzicht.web.auth import db
from pandzicht.web.context import WebContext, ctx
from pandzicht.web.csrf import csrf_protect
from pandzicht.web.pages import render
from pandzicht.web.routes.common import VBO_RE, client_key

router = APIRouter()


class AddressHit(BaseModel):
    verblijfsobject_id: str
    adres: str


def enrich(c: WebContext, adres_tekst: str, gekozen: str) -> Enrichment:
    """Link to a unit: the autocomplete choice when it exists in BAG, else the address text via the matcher."""
    store = c.analysis
    if store is None:
        return Enrichment(None, 0.0, "geen_analyse")
    vbo, conf, method = None, 0.0, ""
    if gekozen and VBO_RE.match(gekozen) and store.unit_exists(gekozen):
        vbo, conf, method = gekozen, 1.0, "gekozen_uit_bag"
    else:
        index = c.address_index()
        if index is not None:
            m = match_address(adres_tekst, index)
            vbo, conf, method = m.verblijfsobject_id, m.zekerheid, m.methode
    score, rang = store.unit_score(vbo) if vbo else (None, None)
    return Enrichment(vbo, conf, method, score, rang)


# Where each field's error in the summary at the top links to (the checkboxes: their group).
ANCHORS = {"adres_tekst": "adres_tekst", "categorieen": "cat-" + next(iter(SIGNAL_CATEGORY_LABELS)),
           "bron_type": "bron_type", "gezien_op": "gezien_op", "tekst": "tekst"}


def _form(request: Request, status_code: int = 200, fout: str = "", waarden: dict | None = None,
          fouten: dict[str, str] | None = None) -> Response:
    order = {k: i for i, k in enumerate(ANCHORS)}
    fouten = dict(sorted((fouten or {}).items(), key=lambda kv: order.get(kv[0], 99)))
    return render(request, "melden.html", None, status_code=status_code, categorieen=SIGNAL_CATEGORY_LABELS,
                  melders=REPORTER_LABELS, fout=fout, fouten=fouten, anker=ANCHORS, w=waarden or {},
                  max_tekst=MAX_TEXT, max_adres=MAX_ADDRESS, vandaag=dt.date.today().isoformat())


@router.get("/melden", include_in_schema=False)
def signal_form(request: Request) -> Response:
    return _form(request)


@router.post("/melden", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def signal_post(
    request: Request,
    adres_tekst: str = Form("", max_length=MAX_ADDRESS * 2),
    verblijfsobject_id: str = Form("", max_length=16),
    categorieen: list[str] = Form(default_factory=list, max_length=20),
    bron_type: str = Form("", max_length=30),
    tekst: str = Form("", max_length=MAX_TEXT * 2),
    gezien_op: str = Form("", max_length=20),
    session: Session = Depends(db),
) -> Response:
    c = ctx(request)
    waarden = {"adres_tekst": adres_tekst, "verblijfsobject_id": verblijfsobject_id, "categorieen": categorieen,
               "bron_type": bron_type, "tekst": tekst, "gezien_op": gezien_op}
    if not c.melding_limiter.allow(client_key(request)):
        return _form(request, 429, "U heeft kort na elkaar veel meldingen gedaan. Probeer het later opnieuw.", waarden)
    try:
        data = validate(categorieen, bron_type, tekst, adres_tekst, gezien_op)
    except SignalErrors as exc:
        return _form(request, 400, "", waarden, exc.fields)
    signal = store_signal(session, data, enrich(c, data.adres_tekst, verblijfsobject_id.strip()))
    session.commit()
    return render(request, "melden_bedankt.html", None, kenmerk=signal.kenmerk,
                  gekoppeld=signal.verblijfsobject_id is not None)


@router.get("/api/adressen/zoek", response_model=list[AddressHit], tags=["meldpunt"],
            summary="Adressen zoeken in de BAG (voor het meldformulier)")
def address_search(request: Request, q: str = Query(..., min_length=3, max_length=60)) -> list[AddressHit]:
    """BAG units by postcode (+ number) or street prefix (+ number); public, BAG is a public register."""
    store = ctx(request).analysis
    if store is None:
        return []
    return [AddressHit(**r) for r in store.search_addresses(q)]
