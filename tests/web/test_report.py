"""The wijk report: readable score classes, buurt names on the map, and a PDF with page numbers and footer."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pandzicht.web.routes.rapport import SCORE_CLASSES, score_classes
from pandzicht.web.scoretext import region

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacten"


def _largest_wijk(app) -> dict:  # type: ignore[no-untyped-def]
    return max(app.state.ctx.analysis.wijken(), key=lambda w: w["n"])


def test_score_classes_count_every_home_against_the_region_mean(app) -> None:  # type: ignore[no-untyped-def]
    store = app.state.ctx.analysis
    wijk = _largest_wijk(app)
    counts = score_classes(store, wijk["wijk_code"])
    scored = store.one("SELECT count(*) AS n FROM adres_score s JOIN raw_bag_verblijfsobject b "
                       "USING (verblijfsobject_id) WHERE b.wijk_code = ? AND s.score IS NOT NULL",
                       [wijk["wijk_code"]])["n"]
    assert len(counts) == len(SCORE_CLASSES) and sum(counts) == scored
    mean = region(store).mean_unit
    above = store.one("SELECT count(*) AS n FROM adres_score s JOIN raw_bag_verblijfsobject b "
                      "USING (verblijfsobject_id) WHERE b.wijk_code = ? AND s.score >= ?",
                      [wijk["wijk_code"], 2 * mean])["n"]
    assert sum(counts[3:]) == above  # the classes from "2× tot 5×" up hold exactly the homes at twice the mean
    assert max(counts) < scored  # not everything in one bin, as the old linear 0–1 histogram had it


def test_report_shows_classes_names_and_full_labels(app, analyst: TestClient) -> None:
    wijk = _largest_wijk(app)
    page = analyst.get(f"/rapport/{wijk['wijk_code']}").text
    hist = page.split('aria-label="Verdeling van de kans per woning', 1)[1].split("</svg>", 1)[0]
    for label, _ in SCORE_CLASSES:  # every class labelled in full (on up to two lines)
        words = " ".join(re.findall(r">([^<]+)</text>", hist))
        assert all(w in words for w in label.split()), label
    assert "logaritmische" in hist and "rotate(" not in page
    names = {s["buurt_naam"] for s in app.state.ctx.analysis.buurt_stats(wijk["wijk_code"])}
    printed = set(re.findall(r'class="buurtnaam"[^>]*>([^<]+)</text>', page))
    assert printed and printed & names


@pytest.mark.browser
def test_report_pdf_has_page_numbers_footer_and_no_near_empty_page(app, analyst: TestClient) -> None:
    from pandzicht.web.pdf import chromium

    if chromium() is None or shutil.which("pdftotext") is None:
        pytest.skip("Debian chromium or poppler-utils is not installed")
    wijk = _largest_wijk(app)
    r = analyst.get(f"/rapport/{wijk['wijk_code']}.pdf")
    assert r.status_code == 200, r.text[:200]
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = ARTEFACTS / "20-rapport.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for i, p in enumerate(pages, 1):
        assert f"pagina {i} van {len(pages)}" in p, p[-300:]
        assert "Vertrouwelijk" in p
        body = [ln for ln in p.splitlines() if ln.strip() and "pagina" not in ln and "Vertrouwelijk" not in ln]
        assert len(body) >= 8, f"page {i} is nearly empty: {body}"
    assert "Verdeling van scores" in text and "20× of" in text and "5× tot 20×" in text
