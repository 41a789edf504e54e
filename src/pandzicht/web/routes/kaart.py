"""The map's data: buurt polygons with their figures and legend, and the shortlist's homes as points.

The interactive map (static/kaart.js, on vendored Leaflet) draws what this endpoint returns; the server-side
SVG stays as the fallback without scripts and in printed reports. Small buurten carry their merged cell's
figure (privacy/small_areas.py), exactly as on the SVG. The points are pseudonymous (a rank and the dossier's
address, no street or name) and the read is audited like every list of addresses.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.privacy import audit
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import Permission
from pandzicht.web.auth import db, require
from pandzicht.web.maps import bin_of, bins, geometries, rd_to_lonlat
from pandzicht.web.routes.common import METRICS, analysis, map_values

router = APIRouter(prefix="/api", tags=["api"])


class LegendClass(BaseModel):
    label: str
    waarden: str
    kleur: str
    aantal: int


class MapPoint(BaseModel):
    rang: int | None
    kans: float | None
    lon: float
    lat: float
    url: str


class MapData(BaseModel):
    maat: str
    legenda: list[LegendClass]
    buurten: dict
    punten: list[MapPoint]
    focus: list[str]


@router.get("/kaart", response_model=MapData, summary="Buurten met hun cijfer en de hoogst gerangschikte woningen")
def map_data(
    request: Request,
    kaart: str = Query("gemiddeld", max_length=20),
    wijk: str = Query("", max_length=20),
    buurt: str = Query("", max_length=80),
    vermoeden: str = Query("", max_length=30),
    bron: str = Query("", max_length=40),
    punten: int = Query(50, ge=0, le=200),
    user: User = Depends(require(Permission.ANALYSE)),
    session: Session = Depends(db),
) -> MapData:
    """GeoJSON (WGS84) per buurt with its class, and the top `punten` homes for the same filters as the list."""
    store = analysis(request)
    metric = kaart if kaart in METRICS else "gemiddeld"
    vermoeden = vermoeden if vermoeden in TYPOLOGIES else ""
    stats = store.buurt_stats()
    m = map_values(request, stats, metric)
    if m is None:
        raise HTTPException(503, "buurtkaart niet beschikbaar")
    classes = bins(list(m["values"].values()))
    shapes = {s.naam: s for s in m["basemap"].shapes}
    geo = geometries(m["basemap"])
    features = []
    for naam, geometry in geo.items():
        v = m["values"].get(naam)
        b = bin_of(v, classes)
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "naam": naam, "wijk": shapes[naam].wijk_naam, "waarde": v, "klasse": b.label if b else "geen gegevens",
            "kleur": b.colour if b else "#eeeeee", "opmerking": m["notes"].get(naam, ""),
            "url": m["links"].get(naam, ""), **m["codes"].get(naam, {})}})
    focus_codes = {s["buurt_code"] for s in stats if (wijk and s["wijk_code"] == wijk) or (buurt and buurt in (
        s["buurt_code"], s["buurt_naam"]))}
    focus = sorted(n for c, n in m["names"].items() if c in focus_codes)
    rows = store.top_units(punten, 0, wijk=wijk, vermoeden=vermoeden, bron=bron, buurt=buurt) if punten else []
    points = []
    for r in rows:
        if r.get("x_rd") is None or r.get("y_rd") is None:
            continue
        lon, lat = rd_to_lonlat(r["x_rd"], r["y_rd"])
        points.append(MapPoint(rang=r["rang"], kans=r["score"], lon=round(lon, 6), lat=round(lat, 6),
                               url=f"/adres/{r['verblijfsobject_id']}"))
    # like the overview: the count is logged, typed filter text is not
    audit.record(session, user, "adressen_gelijst", "adressen", "kaart", doel=f"kaart={metric}", aantal=len(points))
    session.commit()
    return MapData(maat=m["label"], legenda=[LegendClass(label=b.label, waarden=b.values, kleur=b.colour,
                                                          aantal=b.count) for b in classes],
                   buurten={"type": "FeatureCollection", "features": features}, punten=points, focus=focus)
