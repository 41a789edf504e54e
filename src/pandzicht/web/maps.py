"""Neighbourhood maps as inline SVG, drawn server-side from the real Rotterdam buurt polygons.

No tiles, no scripts: the polygons are read once from the shared real-data
folder (never copied into the repo), simplified, projected with a plain
equirectangular projection around the region's centre, and coloured by a value
per buurt. Units of the analysis store find their polygon by buurt name (demo
worlds carry it) or by where their units lie.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from markupsafe import Markup, escape
from pyproj import Transformer

WIDTH = 760
# Sequential scale, light to dark red (colour-blind safe, prints in grey).
COLOURS = ("#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04")
NO_DATA = "#eeeeee"


def real_data_dir(repo_hint: Path | None = None) -> Path:
    """The shared real-data folder: env PANDZICHT_REAL_DATA, else <repo>/../shared/data/real."""
    env = os.environ.get("PANDZICHT_REAL_DATA")
    if env:
        return Path(env)
    repo = repo_hint or Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "data" / "real"


@dataclass(frozen=True)
class Shape:
    naam: str
    wijk_naam: str
    path: str  # SVG path data in map coordinates
    cx: float
    cy: float
    geom: object  # shapely geometry in lon/lat, for point-in-polygon


@dataclass(frozen=True)
class BaseMap:
    shapes: tuple[Shape, ...]
    width: float
    height: float
    lon0: float
    lat0: float
    scale: float
    minx: float
    maxy: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon0) * math.cos(math.radians(self.lat0)) * self.scale - self.minx
        y = self.maxy - (lat - self.lat0) * self.scale
        return x, y


@lru_cache(maxsize=4)
def load_basemap(geojson: Path, tolerance: float = 0.00025) -> BaseMap:
    """Parse, simplify and project the buurt polygons once per process."""
    data = json.loads(Path(geojson).read_text(encoding="utf-8"))
    geoms, props = [], []
    for f in data["features"]:
        geoms.append(shapely.make_valid(shapely.geometry.shape(f["geometry"])))
        props.append(f.get("properties") or {})
    minlon, minlat, maxlon, maxlat = shapely.total_bounds(geoms)
    lon0, lat0 = (minlon + maxlon) / 2, (minlat + maxlat) / 2
    kx = math.cos(math.radians(lat0))
    span_x = (maxlon - minlon) * kx
    scale = WIDTH / span_x
    height = (maxlat - minlat) * scale
    minx = (minlon - lon0) * kx * scale
    maxy = (maxlat - lat0) * scale
    shapes = []
    for g, p in zip(geoms, props, strict=True):
        simple = shapely.simplify(g, tolerance, preserve_topology=True)
        d = []
        polys = getattr(simple, "geoms", [simple])
        for poly in polys:
            if not isinstance(poly, shapely.Polygon) or poly.is_empty:
                continue
            for ring in [poly.exterior, *poly.interiors]:
                pts = []
                for lon, lat in ring.coords:
                    x = (lon - lon0) * kx * scale - minx
                    y = maxy - (lat - lat0) * scale
                    pts.append(f"{x:.1f},{y:.1f}")
                d.append("M" + "L".join(pts) + "Z")
        c = g.representative_point()
        cx, cy = (c.x - lon0) * kx * scale - minx, maxy - (c.y - lat0) * scale
        shapes.append(Shape(str(p.get("neighbourhood", "")), str(p.get("neighbourhood_group", "")), "".join(d),
                            cx, cy, g))
    return BaseMap(tuple(shapes), WIDTH, height, lon0, lat0, scale, minx, maxy)


_RD_TO_WGS = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def rd_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _RD_TO_WGS.transform(x, y)
    return float(lon), float(lat)


def match_buurten(basemap: BaseMap, stats: list[dict]) -> dict[str, str]:
    """buurt_code -> polygon name: by buurt name when it is a polygon's name, else by the buurt's median location."""
    names = {s.naam for s in basemap.shapes}
    out: dict[str, str] = {}
    for r in stats:
        if r.get("buurt_naam") in names:
            out[r["buurt_code"]] = r["buurt_naam"]
        elif r.get("x_rd") is not None and r.get("y_rd") is not None:
            pt = shapely.Point(*rd_to_lonlat(r["x_rd"], r["y_rd"]))
            for s in basemap.shapes:
                if s.geom.contains(pt):  # type: ignore[attr-defined]
                    out[r["buurt_code"]] = s.naam
                    break
    return out


@dataclass(frozen=True)
class Bin:
    """One legend class: values in [lo, hi], a colour, and a label in words (the value range only as an aside)."""

    lo: float
    hi: float
    colour: str
    label: str
    values: str
    count: int


def _nl(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _decimals(values: list[float]) -> int:
    """Enough decimals to tell the bin edges apart (0 for counts)."""
    if all(float(v).is_integer() for v in values):
        return 0
    spread = max(values) - min(values)
    return 3 if spread >= 0.5 else 4 if spread >= 0.005 else 5


def bins(values: list[float | None], k: int = 5) -> list[Bin]:
    """Quantile classes over the values, labelled by the share of buurten they hold ("hoogste 20%").

    Zero has a class of its own ("geen"), so counts with many zeros still spread the rest; classes whose edges
    tie are merged, so a legend never reads "1–1" and every class holds at least one value."""
    vals = sorted(float(v) for v in values if v is not None)
    if not vals:
        return []
    n, dec = len(vals), _decimals(vals)
    zeros = sum(1 for v in vals if v <= 0)
    pos = vals[zeros:]
    groups: list[list[float]] = []
    start = 0
    for i in range(1, k + 1):
        end = max(start, math.ceil(len(pos) * i / k))
        while end < len(pos) and end > 0 and pos[end] == pos[end - 1]:
            end += 1  # ties stay in one class
        if end > start:
            groups.append(pos[start:end])
            start = end
    palette = COLOURS[len(COLOURS) - len(groups):] if groups else ()
    out: list[Bin] = []
    if zeros:
        out.append(Bin(vals[0], 0.0, COLOURS[0], "geen" if zeros < n else "alle buurten: geen", "0", zeros))
    done = zeros
    for j, g in enumerate(groups):
        lo_pct, hi_pct = round(100 * done / n), round(100 * (done + len(g)) / n)
        if done == 0 and done + len(g) == n:
            label = "alle buurten"
        elif done == 0:
            label = f"laagste {hi_pct}%"
        elif done + len(g) == n:
            label = f"hoogste {100 - lo_pct}%"
        else:
            label = f"{lo_pct}% tot {hi_pct}% (van laag naar hoog)"
        lo_txt, hi_txt = _nl(g[0], dec), _nl(g[-1], dec)
        shown = lo_txt if lo_txt == hi_txt else f"{lo_txt} tot {hi_txt}"  # never "0,003 tot 0,003"
        out.append(Bin(g[0], g[-1], palette[j], label, shown, len(g)))
        done += len(g)
    return out


def bin_of(value: float | None, classes: list[Bin]) -> Bin | None:
    """The class a value falls in (the first whose upper edge it does not exceed)."""
    if value is None or not classes:
        return None
    for b in classes:
        if value <= b.hi:
            return b
    return classes[-1]


def colour(value: float | None, classes: list[Bin]) -> str:
    b = bin_of(value, classes)
    return b.colour if b else NO_DATA


_GEOJSON: dict[int, dict[str, dict]] = {}


def geometries(basemap: BaseMap, tolerance: float = 0.0001) -> dict[str, dict]:
    """Simplified GeoJSON geometry (WGS84, 5 decimals ≈ 1 m) per buurt name, computed once per base map."""
    key = id(basemap)
    if key not in _GEOJSON:
        out = {}
        for s in basemap.shapes:
            simple = shapely.simplify(s.geom, tolerance, preserve_topology=True)
            out[s.naam] = json.loads(shapely.to_geojson(shapely.set_precision(simple, 0.00001)))
        _GEOJSON[key] = out
    return _GEOJSON[key]


def render_map(
    basemap: BaseMap,
    values: dict[str, float | None],
    label: str,
    links: dict[str, str] | None = None,
    highlight: set[str] | None = None,
    points: list[tuple[float, float, str, str]] | None = None,
    fmt: str = "{:.3f}",
    title: str = "",
    notes: dict[str, str] | None = None,
    names: bool | None = None,
) -> Markup:
    """An SVG map (the fallback without scripts, and the map in printed reports); values and links per polygon
    name; points as (lon, lat, colour, tooltip); `notes` adds a remark to a polygon's tooltip (e.g. that its
    figure is that of merged small buurten). Buurt names are printed on the map when it is zoomed to a few
    buurten (`names` None) or when asked."""
    del fmt  # kept for callers; the legend formats values itself
    classes = bins(list(values.values()))
    dec = _decimals([v for v in values.values() if v is not None] or [0.0])
    links = links or {}
    role = "group" if links else "img"  # an image cannot hold links (axe: nested-interactive); a group can
    view = (0.0, 0.0, basemap.width, basemap.height)
    if highlight:
        xs = [s for s in basemap.shapes if s.naam in highlight]
        if xs:  # zoom to the highlighted buurten
            minx, miny, maxx, maxy = shapely.total_bounds([s.geom for s in xs])
            x0, y1 = basemap.project(minx, miny)
            x1, y0 = basemap.project(maxx, maxy)
            pad = 15
            view = (x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
    parts = [f'<svg class="kaart" viewBox="{view[0]:.0f} {view[1]:.0f} {view[2]:.0f} {view[3]:.0f}" '
             f'role="{role}" aria-label="{escape(title or label)}" xmlns="http://www.w3.org/2000/svg">']
    labels = []
    show_names = names if names is not None else bool(highlight)
    font = max(2.5, view[2] / 75)
    for s in basemap.shapes:
        v = values.get(s.naam)
        fill = colour(v, classes)
        dim = highlight is not None and s.naam not in highlight
        tip = f"{s.naam} ({s.wijk_naam}): {label} " + (_nl(v, dec) if v is not None else "geen gegevens")
        if notes and s.naam in notes:
            tip += f" ({notes[s.naam]})"
        stroke = "#333" if highlight and s.naam in highlight else "#888"
        opacity = ' fill-opacity="0.25"' if dim else ""
        shape = (f'<path d="{s.path}" fill="{fill}"{opacity} stroke="{stroke}" stroke-width="0.6">'
                 f"<title>{escape(tip)}</title></path>")
        href = links.get(s.naam)
        parts.append(f'<a href="{escape(href)}">{shape}</a>' if href else shape)
        if show_names and (not highlight or s.naam in highlight):
            labels.append(f'<text x="{s.cx:.1f}" y="{s.cy:.1f}" font-size="{font:.1f}" text-anchor="middle" '
                          f'class="buurtnaam" stroke="#fff" stroke-width="{font / 4:.2f}" paint-order="stroke" '
                          f'fill="#111" pointer-events="none">{escape(s.naam)}</text>')
    for lon, lat, col, tip in points or []:
        x, y = basemap.project(lon, lat)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{col}" stroke="#000" stroke-width="0.8">'
                     f"<title>{escape(tip)}</title></circle>")
    parts.extend(labels)
    parts.append("</svg>")
    parts.append(legend_html(classes, label))
    return Markup("".join(parts))


def _swatch(fill: str) -> str:
    # an SVG square, not a style attribute: the CSP forbids inline styles
    return (f'<svg class="vlak" width="14" height="14" aria-hidden="true"><rect width="14" height="14" '
            f'fill="{fill}" stroke="#888"/></svg>')


def legend_html(classes: list[Bin], label: str) -> Markup:
    """The legend as an HTML list (wraps on narrow screens and in print, unlike SVG text)."""
    if not classes:
        return Markup("")
    items = "".join(f"<li>{_swatch(b.colour)}{escape(b.label)} "
                    f'<span class="zacht">({escape(b.values)}; {b.count} buurt{"en" if b.count != 1 else ""})</span>'
                    "</li>" for b in classes)
    return Markup(f'<div class="kaart-legenda"><p>{escape(label)} per buurt</p><ul>{items}'
                  f"<li>{_swatch(NO_DATA)}geen gegevens</li></ul></div>")
