"""Printable reports as PDF, rendered by headless Chromium on the server.

The report page's print CSS is already what a PDF should look like; Chromium
prints the same HTML (with the stylesheet inlined and no scripts, so nothing is
fetched from anywhere) to A4. Chromium is a server dependency like the
database: where it is missing the endpoint says so instead of failing.

Page numbers ("pagina 2 van 4") and the running "vertrouwelijk" footer come from the stylesheet's @page margin
boxes (app.css), which Chromium prints on every page; unlike DevTools' footerTemplate they need no debugging
connection and appear the same when a user prints the page from the browser. Chromium's own header and footer
(date, file URL) stay off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pandzicht.errors import PandzichtError

STATIC = Path(__file__).parent / "static"
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
          "--no-pdf-header-footer", "--virtual-time-budget=2000")


def chromium() -> str | None:
    """The Chromium binary to print with (PANDZICHT_CHROMIUM, else Debian's), or None."""
    for candidate in (os.environ.get("PANDZICHT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def self_contained(html: str) -> str:
    """The page with its stylesheet inlined and its scripts removed: printable offline."""
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    html = html.replace('<link rel="stylesheet" href="/static/app.css">', f"<style>{css}</style>")
    html = html.replace('<script src="/static/app.js" defer></script>', "")
    return html.replace('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">', "")


def html_to_pdf(html: str, timeout: float = 60.0) -> bytes:
    """Print HTML to an A4 PDF with headless Chromium."""
    binary = chromium()
    if binary is None:
        raise PandzichtError("PDF niet beschikbaar: Chromium ontbreekt op de server (gebruik Afdrukken → PDF)")
    with tempfile.TemporaryDirectory(prefix="pandzicht-pdf-") as tmp:
        page, target = Path(tmp) / "rapport.html", Path(tmp) / "rapport.pdf"
        page.write_text(self_contained(html), encoding="utf-8")
        cmd = [binary, *_FLAGS, f"--user-data-dir={tmp}/profiel", f"--print-to-pdf={target}", page.as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PandzichtError("PDF niet gelukt: Chromium reageerde niet op tijd") from None
        if not target.is_file() or target.stat().st_size == 0:
            raise PandzichtError("PDF niet gelukt: Chromium schreef geen bestand")
        return target.read_bytes()
