"""Small inline SVG charts (no scripts, no external library): energy lines, explanation bars, histograms.

SVG attributes carry all styling so the pages work under a strict
Content-Security-Policy and print the same as they show.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

OWN = "#b3261e"
PEER = "#1f5fa8"
BAR = "#d94801"


def _fmt(v: float) -> str:
    return f"{v:,.0f}".replace(",", ".") if abs(v) >= 100 else f"{v:.2f}".replace(".", ",")


def line_chart(months: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
               unit: str = "kWh", width: int = 640, height: int = 220) -> Markup:
    """Monthly lines (label, values, colour) over shared months, with axis ticks and a legend."""
    if not months:
        return Markup('<p class="leeg">Geen verbruiksgegevens voor dit adres.</p>')
    left, right, top, bottom = 52, 10, 26, 34
    vals = [v for _, s, _ in series for v in s if v is not None]
    vmax = max(vals) if vals else 1.0
    vmax = vmax * 1.1 if vmax > 0 else 1.0
    n = len(months)
    iw, ih = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (iw * i / (n - 1) if n > 1 else iw / 2)

    def y(v: float) -> float:
        return top + ih - ih * v / vmax

    out = [f'<svg class="grafiek" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="Maandelijks stroomverbruik" xmlns="http://www.w3.org/2000/svg">']
    for k in range(5):
        v = vmax * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">{_fmt(v)}</text>')
    step = max(1, n // 8)
    for i in range(0, n, step):
        out.append(f'<text x="{x(i):.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
                   f"{escape(months[i])}</text>")
    out.append(f'<text x="4" y="12" font-size="10">{escape(unit)} per maand</text>')
    lx = left + 140
    for label, values, col in series:
        pts, segs = [], []
        for i, v in enumerate(values):
            if v is None:
                if pts:
                    segs.append(pts)
                pts = []
                continue
            pts.append(f"{x(i):.1f},{y(v):.1f}")
        if pts:
            segs.append(pts)
        for seg in segs:
            out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{col}" stroke-width="2"/>')
        for i, v in enumerate(values):
            if v is not None:
                out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.2" fill="{col}">'
                           f"<title>{escape(months[i])}: {_fmt(v)} {escape(unit)} ({escape(label)})</title></circle>")
        out.append(f'<rect x="{lx}" y="5" width="12" height="4" fill="{col}"/>'
                   f'<text x="{lx + 16}" y="12" font-size="10">{escape(label)}</text>')
        lx += 16 + 6 * len(label) + 20
    out.append("</svg>")
    return Markup("".join(out))


def contribution_bars(items: Sequence[dict], width: int = 420, scale_max: float | None = None) -> Markup:
    """Horizontal bars per indicator contribution (title + value), strongest first."""
    if not items:
        return Markup('<p class="leeg">Geen indicator droeg bij aan de score.</p>')
    row, label_w = 22, 0
    vmax = scale_max or max(abs(i["bijdrage"]) for i in items) or 1.0
    height = row * len(items) + 4
    bw = width - label_w - 60
    out = [f'<svg class="balken" viewBox="0 0 {width} {height}" role="img" aria-label="Bijdragen per indicator" '
           'xmlns="http://www.w3.org/2000/svg">']
    for k, it in enumerate(items):
        y = k * row + 2
        w = max(1.0, bw * abs(it["bijdrage"]) / vmax)
        out.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{BAR}">'
                   f"<title>{escape(it['titel'])}</title></rect>")
        out.append(f'<text x="{w + 4:.1f}" y="{y + row - 10}" font-size="11">+{it["bijdrage"]:.3f}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def histogram(counts: Sequence[int], labels: Sequence[str], width: int = 420, height: int = 160,
              title: str = "") -> Markup:
    """Vertical bars with counts; for score distributions and category counts."""
    if not counts:
        return Markup('<p class="leeg">Geen gegevens.</p>')
    left, bottom, top = 30, 40, 14
    n = len(counts)
    vmax = max(counts) or 1
    bw = (width - left - 4) / n
    out = [f'<svg class="grafiek" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           'xmlns="http://www.w3.org/2000/svg">']
    ih = height - bottom - top
    for i, c in enumerate(counts):
        h = ih * c / vmax
        x = left + i * bw
        out.append(f'<rect x="{x + 1:.1f}" y="{top + ih - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
                   f'fill="{BAR}"><title>{escape(labels[i])}: {c}</title></rect>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{top + ih - h - 2:.1f}" font-size="9" '
                   f'text-anchor="middle">{c}</text>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{height - bottom + 12}" font-size="9" text-anchor="end" '
                   f'transform="rotate(-35 {x + bw / 2:.1f} {height - bottom + 12})">{escape(labels[i])}</text>')
    out.append("</svg>")
    return Markup("".join(out))
