"""Rapportage: a printable report per wijk with map, charts and figures (HTML with print CSS)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pandzicht.cases.catalogue import SIGNAL_CATEGORY_LABELS
from pandzicht.errors import PandzichtError
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.privacy.small_areas import MIN_HOMES, protect_cells
from pandzicht.web.analysis import TYPOLOGY_LABELS
from pandzicht.web.auth import db, require
from pandzicht.web.charts import histogram
from pandzicht.web.pages import render
from pandzicht.web.pdf import html_to_pdf
from pandzicht.web.routes.common import analysis, buurt_map

router = APIRouter(include_in_schema=False)


@router.get("/rapport")
def report_index(request: Request, user: User = Depends(require(Permission.ANALYSE))) -> Response:
    store = analysis(request)
    stats = store.buurt_stats()
    return render(request, "rapport_index.html", user, wijken=store.wijken(),
                  kaart_svg=buurt_map(request, stats, "gemiddeld", link="wijk", title="Kies een wijk"))


@router.get("/rapport/{wijk}.pdf")
def report_pdf(request: Request, wijk: str, user: User = Depends(require(Permission.ANALYSE)),
               session: Session = Depends(db)) -> Response:
    """The same report as an A4 PDF, printed on the server by headless Chromium."""
    page = report(request, wijk, user, session)
    try:
        pdf = html_to_pdf(bytes(page.body).decode("utf-8"))
    except PandzichtError as exc:
        raise HTTPException(503, str(exc)) from None
    audit.record(session, user, "rapport_pdf", "wijk", wijk)
    session.commit()
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="rapport-{wijk[:20]}.pdf"'})


@router.get("/rapport/{wijk}")
def report(request: Request, wijk: str, user: User = Depends(require(Permission.ANALYSE)),
           session: Session = Depends(db)) -> Response:
    store = analysis(request)
    info = store.wijk(wijk[:20])
    if info is None:
        raise HTTPException(404, "onbekende wijk")
    audit.record(session, user, "rapport_bekeken", "wijk", wijk)
    session.commit()
    stats = store.buurt_stats(wijk)
    all_stats = store.buurt_stats()
    hist = store.score_histogram(wijk)
    typ = [t for t in store.typology_counts(wijk) if t["vermoeden"]]
    cats = store.signal_categories(wijk)
    inds = store.indicator_counts(wijk)
    top = store.top_units(20, 0, wijk=wijk)
    n = sum(s["n"] for s in stats)
    region_mean = _mean(all_stats)
    wijk_mean = _mean(stats)
    cells = protect_cells(stats)
    if n < MIN_HOMES:  # the whole wijk is too small: a figure about it would be about a household
        wijk_mean, hist, typ, cats, inds = None, [], [], [], []
    return render(
        request, "rapport.html", user, wijk=info, stats=cells, buurten=len(stats), top=top, n=n,
        wijk_mean=wijk_mean, region_mean=region_mean, meta=store.meta(), vandaag=dt.date.today(),
        klein=n < MIN_HOMES, min_woningen=MIN_HOMES,
        kaart_svg=buurt_map(request, all_stats, "gemiddeld", highlight_codes={s["buurt_code"] for s in stats},
                            title=f"Wijk {info['wijk_naam']}"),
        hist_svg=histogram(hist, [f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(len(hist))],
                           title="Verdeling van scores"),
        typ_svg=histogram([t["n"] for t in typ], [TYPOLOGY_LABELS.get(t["vermoeden"], t["vermoeden"]) for t in typ],
                          title="Vermoedens"),
        cat_svg=histogram([c["n"] for c in cats], [SIGNAL_CATEGORY_LABELS.get(c["categorie"], c["categorie"])[:22]
                                                   for c in cats], width=520, title="Meldingen per categorie"),
        inds=inds,
    )


def _mean(stats: list[dict]) -> float | None:
    """Mean score over the buurten that have scored dwellings (others have no score, not a zero score)."""
    scored = [s for s in stats if s["gemiddeld"] is not None]
    total = sum(s["n"] for s in scored)
    return sum(s["gemiddeld"] * s["n"] for s in scored) / total if total else None
