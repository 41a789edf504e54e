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
from pandzicht.web.analysis import TYPOLOGY_LABELS, AnalysisStore
from pandzicht.web.auth import db, require
from pandzicht.web.charts import category_bars, histogram
from pandzicht.web.pages import render
from pandzicht.web.pdf import html_to_pdf
from pandzicht.web.routes.common import analysis, buurt_map
from pandzicht.web.scoretext import region

router = APIRouter(include_in_schema=False)

# Classes of the score as a multiple of the region's mean, on the same steps as the bands (scoretext.BANDS): a
# linear 0–1 axis put almost every home in its first bin, because nearly all probabilities are small.
SCORE_CLASSES = (("minder dan ½×", 0.5), ("½× tot 1×", 1.0), ("1× tot 2×", 2.0), ("2× tot 5× verhoogd", 5.0),
                 ("5× tot 20× hoog", 20.0), ("20× of meer zeer hoog", None))


def score_classes(store: AnalysisStore, wijk: str) -> list[int]:
    """Homes of the wijk per score class (multiples of the region mean); all zero when nothing is scored."""
    mean = region(store).mean_unit
    if mean <= 0:
        return []
    edges = [e for _, e in SCORE_CLASSES if e is not None]
    case = " ".join(f"WHEN s.score < ? THEN {k}" for k in range(len(edges)))
    rows = store.rows(f"SELECT CASE {case} ELSE {len(edges)} END AS k, count(*) AS n FROM adres_score s "
                      "JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id) WHERE b.wijk_code = ? "
                      "AND s.score IS NOT NULL GROUP BY 1", [*(mean * e for e in edges), wijk])
    out = [0] * len(SCORE_CLASSES)
    for r in rows:
        out[int(r["k"])] = int(r["n"])
    return out


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
    hist = score_classes(store, wijk)
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
        hist_svg=histogram(hist, [label for label, _ in SCORE_CLASSES], log=True,
                           title="Verdeling van de kans per woning, als veelvoud van het regiogemiddelde"),
        typ_svg=category_bars([t["n"] for t in typ],
                              [TYPOLOGY_LABELS.get(t["vermoeden"], t["vermoeden"]) for t in typ], title="Vermoedens"),
        cat_svg=category_bars([c["n"] for c in cats], [SIGNAL_CATEGORY_LABELS.get(c["categorie"], c["categorie"])
                                                       for c in cats], title="Meldingen per categorie"),
        inds=inds,
    )


def _mean(stats: list[dict]) -> float | None:
    """Mean score over the buurten that have scored dwellings (others have no score, not a zero score)."""
    scored = [s for s in stats if s["gemiddeld"] is not None]
    total = sum(s["n"] for s in scored)
    return sum(s["gemiddeld"] * s["n"] for s in scored) / total if total else None
