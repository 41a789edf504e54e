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


def classes(values: list[float]) -> list[float]:
    """Upper bounds of len(COLOURS) quantile classes over the positive values."""
    vals = sorted(v for v in values if v is not None and v > 0)
    if not vals:
        return []
    k = len(COLOURS)
    return [vals[min(len(vals) - 1, int(len(vals) * (i + 1) / k) - 1 if i < k - 1 else len(vals) - 1)]
            for i in range(k)]


def colour(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return NO_DATA
    if value <= 0 or not bounds:
        return COLOURS[0]
    for b, c in zip(bounds, COLOURS, strict=True):
        if value <= b:
            return c
    return COLOURS[-1]


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
) -> Markup:
    """An SVG map; values and links per polygon name; points as (lon, lat, colour, tooltip); `notes` adds a
    remark to a polygon's tooltip (e.g. that its figure is that of merged small buurten)."""
    bounds = classes([v for v in values.values() if v is not None])
    if bounds and "f}" in fmt and fmt != "{:.0f}":
        spread = bounds[-1] - bounds[0]
        fmt = "{:.3f}" if spread >= 0.05 else "{:.4f}" if spread >= 0.005 else "{:.5f}"
    links = links or {}
    role = "group" if links else "img"  # an image cannot hold links (axe: nested-interactive); a group can
    parts = [f'<svg class="kaart" viewBox="0 0 {basemap.width:.0f} {basemap.height:.0f}" '
             f'role="{role}" aria-label="{escape(title or label)}" xmlns="http://www.w3.org/2000/svg">']
    if highlight:
        xs = [s for s in basemap.shapes if s.naam in highlight]
        if xs:  # zoom to the highlighted buurten
            minx, miny, maxx, maxy = shapely.total_bounds([s.geom for s in xs])
            x0, y1 = basemap.project(minx, miny)
            x1, y0 = basemap.project(maxx, maxy)
            pad = 15
            parts[0] = (f'<svg class="kaart" viewBox="{x0 - pad:.0f} {y0 - pad:.0f} {x1 - x0 + 2 * pad:.0f} '
                        f'{y1 - y0 + 2 * pad:.0f}" role="{role}" aria-label="{escape(title or label)}" '
                        'xmlns="http://www.w3.org/2000/svg">')
    for s in basemap.shapes:
        v = values.get(s.naam)
        fill = colour(v, bounds)
        dim = highlight is not None and s.naam not in highlight
        tip = f"{s.naam} ({s.wijk_naam}): {label} " + (fmt.format(v) if v is not None else "geen gegevens")
        if notes and s.naam in notes:
            tip += f" ({notes[s.naam]})"
        stroke = "#333" if highlight and s.naam in highlight else "#888"
        opacity = ' fill-opacity="0.25"' if dim else ""
        shape = (f'<path d="{s.path}" fill="{fill}"{opacity} stroke="{stroke}" stroke-width="0.6">'
                 f"<title>{escape(tip)}</title></path>")
        href = links.get(s.naam)
        parts.append(f'<a href="{escape(href)}">{shape}</a>' if href else shape)
    for lon, lat, col, tip in points or []:
        x, y = basemap.project(lon, lat)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{col}" stroke="#000" stroke-width="0.8">'
                     f"<title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    if bounds:  # the legend is its own small SVG, so it stays visible when the map is zoomed to a wijk
        parts.append(f'<svg class="kaartlegenda" viewBox="0 0 {basemap.width:.0f} 22" role="img" '
                     f'aria-label="legenda {escape(label)}" xmlns="http://www.w3.org/2000/svg">')
        parts.append(f'<text x="4" y="15" font-size="11">{escape(label)}:</text>')
        lo = 0.0
        for i, (b, c) in enumerate(zip(bounds, COLOURS, strict=True)):
            x = 130 + i * 105
            parts.append(f'<rect x="{x}" y="3" width="16" height="16" fill="{c}" stroke="#888"/>')
            parts.append(f'<text x="{x + 20}" y="15" font-size="10">{escape(fmt.format(lo))}–{escape(fmt.format(b))}'
                         "</text>")
            lo = b
        parts.append("</svg>")
    return Markup("".join(parts))
