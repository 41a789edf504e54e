"""Helpers shared by the screen routes: the analysis store or a clear 503, client keys, safe redirects."""

from __future__ import annotations

import re

from fastapi import HTTPException, Request

from pandzicht.web.analysis import AnalysisStore
from pandzicht.web.context import ctx

VBO_RE = re.compile(r"^\d{16}$")
ENTITY_RE = re.compile(r"^[A-Za-z0-9_:.\-]{1,120}$")


def analysis(request: Request) -> AnalysisStore:
    store = ctx(request).analysis
    if store is None:
        raise HTTPException(503, "er is geen analyse geladen; start de app met --analysis")
    return store


def check_vbo(vbo: str) -> str:
    if not VBO_RE.match(vbo):
        raise HTTPException(404, "onbekend adres")
    return vbo


def check_entity(entiteit_id: str) -> str:
    if not ENTITY_RE.match(entiteit_id):
        raise HTTPException(404, "onbekende partij")
    return entiteit_id


def client_key(request: Request) -> str:
    """The client address for rate limiting only (kept in memory, never stored)."""
    return request.client.host if request.client else "onbekend"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths, so the login form cannot be used to send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


METRICS = {
    "gemiddeld": ("gemiddelde score", "{:.3f}"),
    "top": ("hoogste score", "{:.3f}"),
    "vermoedens": ("adressen met vermoeden", "{:.0f}"),
    "meldingen": ("meldingen", "{:.0f}"),
}


def web_signals_per_buurt(request: Request) -> dict[str, int]:
    """Signals from the public form per buurt_code (they are not in the analysis store until the next run)."""
    from pandzicht.cases.signals import signal_counts_by_unit

    store = ctx(request).analysis
    if store is None:
        return {}
    with ctx(request).sessions() as session:
        per_unit = signal_counts_by_unit(session)
    if not per_unit:
        return {}
    buurt_of = store.units_of_buurten(list(per_unit))
    out: dict[str, int] = {}
    for vbo, n in per_unit.items():
        b = buurt_of.get(vbo)
        if b:
            out[b] = out.get(b, 0) + n
    return out


def map_values(request: Request, stats: list[dict], metric: str, link: str = "buurt") -> dict | None:
    """Per polygon name: the metric (small buurten carry their merged cell's figure, or none), a link and a
    remark; None when the base map is missing. Shared by the SVG map and the map's JSON endpoint."""
    from pandzicht.privacy.small_areas import per_buurt
    from pandzicht.web.maps import match_buurten

    basemap = ctx(request).basemap()
    if basemap is None:
        return None
    names = match_buurten(basemap, stats)
    if metric == "meldingen":
        extra = web_signals_per_buurt(request)
        stats = [{**r, "meldingen": (r.get("meldingen") or 0) + extra.get(r["buurt_code"], 0)} for r in stats]
    stats = per_buurt(stats)  # a buurt with fewer than 10 homes shows its merged cell's figures, or none
    label, fmt = METRICS.get(metric, METRICS["gemiddeld"])
    values: dict[str, float | None] = {}
    links: dict[str, str] = {}
    notes: dict[str, str] = {}
    codes: dict[str, dict] = {}
    for r in stats:
        name = names.get(r["buurt_code"])
        if not name:
            continue
        if r["onderdrukt"] or r["samengevoegd"]:
            notes[name] = ("wijk met minder dan 10 woningen: geen cijfers" if r["onderdrukt"]
                           else "cijfer van samengevoegde buurten: een kleine buurt heeft minder dan 10 woningen")
        v = r.get(metric if metric in METRICS else "gemiddeld")
        values[name] = float(v) if v is not None else None
        links[name] = (f"/?buurt={r['buurt_code']}&kaart={metric}" if link == "buurt"
                       else f"/rapport/{r['wijk_code']}")
        codes[name] = {"buurt_code": r["buurt_code"], "wijk_code": r["wijk_code"]}
    return {"basemap": basemap, "names": names, "values": values, "links": links, "notes": notes, "codes": codes,
            "label": label, "fmt": fmt}


def buurt_map(request: Request, stats: list[dict], metric: str, link: str = "buurt",
              highlight_codes: set[str] | None = None, points: list | None = None, title: str = ""):  # type: ignore[no-untyped-def]
    """The region map coloured by a metric per buurt; each buurt links to the overview filtered on it."""
    from markupsafe import Markup

    from pandzicht.web.maps import render_map

    m = map_values(request, stats, metric, link)
    if m is None:
        return Markup('<p class="leeg">Buurtkaart niet beschikbaar (PANDZICHT_REAL_DATA niet gevonden).</p>')
    names = m["names"]
    highlight = {names[c] for c in highlight_codes if c in names} if highlight_codes else None
    return render_map(m["basemap"], m["values"], m["label"], links=m["links"], highlight=highlight, points=points,
                      fmt=m["fmt"], title=title, notes=m["notes"])
