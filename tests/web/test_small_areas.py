"""Small areas on screen: a wijk report and the region map never give a figure for fewer than 10 homes."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from pandzicht.privacy.small_areas import MIN_HOMES


def _buurten(app) -> list[dict]:  # type: ignore[no-untyped-def]
    return app.state.ctx.analysis.buurt_stats()


def test_a_report_merges_small_buurten_and_suppresses_a_small_wijk(app, analyst: TestClient) -> None:
    stats = _buurten(app)
    per_wijk: dict[str, int] = {}
    for s in stats:
        per_wijk[s["wijk_code"]] = per_wijk.get(s["wijk_code"], 0) + s["n"]
    small = [s for s in stats if s["n"] < MIN_HOMES and per_wijk[s["wijk_code"]] >= MIN_HOMES]
    tiny_wijk = next(w for w, n in per_wijk.items() if n < MIN_HOMES)  # the demo world has both
    assert small

    for s in small:
        page = html.unescape(analyst.get(f"/rapport/{s['wijk_code']}").text)
        table = page.split("<h2>Per buurt</h2>", 1)[1].split("</table>", 1)[0]
        assert f"<td>{s['buurt_naam']}</td>" not in table  # no row of its own
        assert re.search(r"kleine buurt", table), table[:500]
        counts = [int(c.replace(".", "")) for c in re.findall(r'<tr><td>[^<]*</td><td class="getal">([\d.]+)</td>',
                                                              table)]
        assert counts and min(counts) >= MIN_HOMES

    page = html.unescape(analyst.get(f"/rapport/{tiny_wijk}").text)
    assert f"minder dan {MIN_HOMES} woningen" in page and "geen cijfers" in page
    assert "Adressen met vermoeden" not in page and "Verdeling van scores</h2><p class=\"leeg\">" in page


def test_the_region_map_gives_small_buurten_their_merged_figure(app, analyst: TestClient) -> None:
    page = html.unescape(analyst.get("/", params={"kaart": "vermoedens"}).text)
    tips = re.findall(r"<title>([^<]*)</title>", page)
    merged = [t for t in tips if "samengevoegde buurten" in t]
    hidden = [t for t in tips if "geen cijfers" in t]
    assert merged and hidden
    assert all("geen gegevens" in t for t in hidden)
