"""Small inline SVG charts (no scripts, no external library): energy lines, explanation bars, histograms.

SVG attributes carry all styling so the pages work under a strict
Content-Security-Policy and print the same as they show.
"""

from __future__ import annotations

import math
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


def _lines(label: str, width_chars: int, most: int = 3) -> list[str]:
    """Split a label over at most `most` lines of about `width_chars` characters (only the last one shortened)."""
    words, lines, cur = label.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width_chars:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1:])]
    if len(lines[-1]) > width_chars + 2:
        lines[-1] = lines[-1][: width_chars + 1] + "…"
    return lines


def histogram(counts: Sequence[int], labels: Sequence[str], width: int = 380, height: int = 190,
              title: str = "", log: bool = False) -> Markup:
    """Vertical bars with their counts; labels under the bars on up to three lines, never rotated or clipped.

    With `log` the bar heights follow log10(1 + count), so a class of 3 homes stays visible beside one of 600;
    the counts printed on the bars stay exact and a note under the axis says the scale is logarithmic."""
    if not counts or not any(counts):
        return Markup('<p class="leeg">Geen gegevens.</p>')
    n = len(counts)
    left, right, top = 8, 8, 16
    bw = (width - left - right) / n
    chars = max(6, int(bw / 5.8))
    wrapped = [_lines(str(lab), chars) for lab in labels]
    bottom = 14 + 12 * max(len(w) for w in wrapped) + (14 if log else 0)
    ih = height - bottom - top
    vmax = max(counts) or 1

    def bar(c: int) -> float:
        if c <= 0:
            return 0.0
        return ih * (math.log10(1 + c) / math.log10(1 + vmax) if log else c / vmax)

    out = [f'<svg class="grafiek" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           'xmlns="http://www.w3.org/2000/svg">']
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + ih}" y2="{top + ih}" stroke="#888"/>')
    for i, c in enumerate(counts):
        h = bar(c)
        x = left + i * bw
        out.append(f'<rect x="{x + 2:.1f}" y="{top + ih - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
                   f'fill="{BAR}"><title>{escape(labels[i])}: {c}</title></rect>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{top + ih - h - 3:.1f}" font-size="10" '
                   f'text-anchor="middle">{_fmt_count(c)}</text>')
        for k, line in enumerate(wrapped[i]):
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + ih + 13 + 12 * k}" font-size="10.5" '
                       f'text-anchor="middle">{escape(line)}</text>')
    if log:
        out.append(f'<text x="{left}" y="{height - 3}" font-size="9.5" fill="#555">Balkhoogte op logaritmische '
                   "schaal; de getallen zijn aantallen woningen.</text>")
    out.append("</svg>")
    return Markup("".join(out))


def _fmt_count(c: int) -> str:
    return f"{c:,}".replace(",", ".")


def category_bars(counts: Sequence[int], labels: Sequence[str], width: int = 360, title: str = "") -> Markup:
    """Horizontal bars for named categories: the full label on the left, so long Dutch names are not clipped."""
    if not counts:
        return Markup('<p class="leeg">Geen gegevens.</p>')
    label_w = int(width * 0.55)
    chars = int((label_w - 8) / 5.6)
    wrapped = [_lines(str(lab), chars) for lab in labels]
    rows = [14 + 12 * len(w) for w in wrapped]
    bw = width - label_w - 44
    vmax = max(counts) or 1
    height = sum(rows) + 4
    out = [f'<svg class="grafiek" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           'xmlns="http://www.w3.org/2000/svg">']
    y = 2
    for c, lab, lines, row in zip(counts, labels, wrapped, rows, strict=True):
        w = max(1.0, bw * c / vmax)
        for k, line in enumerate(lines):
            out.append(f'<text x="{label_w - 6}" y="{y + 12 + 12 * k}" font-size="10.5" text-anchor="end">'
                       f"{escape(line)}</text>")
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}">'
                   f"<title>{escape(lab)}: {c}</title></rect>")
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="10.5">{_fmt_count(c)}</text>')
        y += row
    out.append("</svg>")
    return Markup("".join(out))
