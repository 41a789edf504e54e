"""The map's data endpoint and legends: buurt names, quantile classes in words, audited points, small areas."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.privacy.audit import verify
from pandzicht.privacy.models import AuditEntry
from pandzicht.privacy.small_areas import MIN_HOMES, per_buurt
from pandzicht.web.maps import bins

PCT = re.compile(r"^(laagste \d+%|hoogste \d+%|\d+% tot \d+% \(van laag naar hoog\)|geen|alle buurten)$")


def test_bins_are_quantiles_in_words_and_ties_merge() -> None:
    ten = bins([i / 100 for i in range(1, 11)])
    assert [b.label for b in ten] == ["laagste 20%", "20% tot 40% (van laag naar hoog)",
                                      "40% tot 60% (van laag naar hoog)", "60% tot 80% (van laag naar hoog)",
                                      "hoogste 20%"]
    assert [b.count for b in ten] == [2] * 5
    tied = bins([0.011] * 10 + [0.012, 0.02, 0.5])
    assert [b.count for b in tied] == [10, 1, 2]  # ten equal values cannot be split over classes
    assert tied[0].values == "0,0110" and " tot 0,0110" not in tied[0].values
    counts = bins([0, 0, 0, 1, 1, 1, 2, 5])
    assert counts[0].label == "geen" and [b.values for b in counts] == ["0", "1", "2", "5"]
    assert all("–" not in b.values for b in counts)  # never "1–1"
    assert [b.label for b in bins([1, 1, 1])] == ["alle buurten"]
    assert bins([]) == [] and bins([None, None]) == []


def _features(data: dict) -> dict[str, dict]:
    return {f["properties"]["naam"]: f["properties"] for f in data["buurten"]["features"]}


def test_map_data_has_named_buurten_classes_and_audited_points(app, analyst: TestClient) -> None:
    r = analyst.get("/api/kaart", params={"kaart": "gemiddeld", "punten": 30})
    assert r.status_code == 200
    data = r.json()
    feats = _features(data)
    assert len(feats) == 92 and "Stadsdriehoek" in feats
    geom = data["buurten"]["features"][0]["geometry"]
    lon, lat = geom["coordinates"][0][0][0] if geom["type"] == "MultiPolygon" else geom["coordinates"][0][0]
    assert 4.2 < lon < 4.7 and 51.8 < lat < 52.1  # WGS84 for Leaflet's default CRS
    labels = [c["label"] for c in data["legenda"]]
    assert labels and all(PCT.match(label) for label in labels), labels
    assert labels[-1].startswith("hoogste")
    assert all(c["aantal"] >= 1 for c in data["legenda"])
    used = {p["klasse"] for p in feats.values()}
    assert used <= {*labels, "geen gegevens"}
    # the points: the top of the list, pseudonymous (rank and dossier link, no address text)
    top = app.state.ctx.analysis.top_units(30)
    assert [p["rang"] for p in data["punten"]] == [u["rang"] for u in top if u["x_rd"] is not None]
    assert data["punten"][0]["url"] == f"/adres/{top[0]['verblijfsobject_id']}"
    assert set(data["punten"][0]) == {"rang", "kans", "lon", "lat", "url"}
    assert top[0]["adres"] not in r.text
    with app.state.ctx.sessions() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.object_id == "kaart")).all()
        assert len(e) == 1 and e[0].actie == "adressen_gelijst" and e[0].aantal == len(data["punten"])
        assert verify(s).intact


def test_map_data_needs_a_login_and_follows_the_wijk_filter(app, client: TestClient, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    wijk = max(store.wijken(), key=lambda w: w["n"])
    data = analyst.get("/api/kaart", params={"wijk": wijk["wijk_code"], "punten": 200}).json()
    in_wijk = {u["verblijfsobject_id"] for u in store.top_units(10_000, wijk=wijk["wijk_code"])}
    assert data["punten"] and all(p["url"].rsplit("/", 1)[1] in in_wijk for p in data["punten"])
    names = {s["buurt_naam"] for s in store.buurt_stats(wijk["wijk_code"])}
    assert data["focus"] and set(data["focus"]) <= names | set(_features(data))
    # the overview filters its party table with the same wijk
    page = analyst.get("/", params={"wijk": wijk["wijk_code"]}).text
    assert "met een woning in deze wijk" in page and f'data-wijk="{wijk["wijk_code"]}"' in page
    parties = store.top_parties(10, wijk=wijk["wijk_code"])
    linked = {r["van"] for r in store.rows(
        "SELECT DISTINCT r.van FROM relatie r JOIN raw_bag_verblijfsobject b ON b.verblijfsobject_id = r.naar "
        "WHERE b.wijk_code = ?", [wijk["wijk_code"]])}
    assert parties and {p["entiteit_id"] for p in parties} <= linked
    assert f'href="/partij/{parties[0]["entiteit_id"]}"' in page
    analyst.cookies.clear()
    assert analyst.get("/api/kaart").status_code in (401, 303)


def test_map_data_gives_small_buurten_only_their_merged_figure(app, analyst: TestClient) -> None:
    stats = app.state.ctx.analysis.buurt_stats()
    small = [s for s in stats if s["n"] < MIN_HOMES]
    assert small  # the demo world has them
    feats = _features(analyst.get("/api/kaart", params={"kaart": "vermoedens"}).json())
    rows = {r["buurt_code"]: r for r in per_buurt(stats)}
    checked = 0
    for s in small:
        f = next((p for p in feats.values() if p.get("buurt_code") == s["buurt_code"]), None)
        if f is None:
            continue
        checked += 1
        cell = rows[s["buurt_code"]]
        assert f["opmerking"], f
        if cell["onderdrukt"]:
            assert f["waarde"] is None and f["klasse"] == "geen gegevens"
        else:
            assert cell["n"] >= MIN_HOMES and f["waarde"] == cell["vermoedens"]
    assert checked


def test_svg_fallback_legend_is_in_words(analyst: TestClient) -> None:
    page = analyst.get("/", params={"kaart": "vermoedens"}).text
    legend = page.split('class="kaart-legenda"', 1)[1].split("</div>", 1)[0]
    assert "hoogste" in legend and "geen gegevens" in legend
    assert not re.search(r"(?<![\d,])(\d+(?:,\d+)?)(?:–| tot )\1(?![\d,])", legend)  # no "1–1" or "0,011–0,011"
    assert 'class="kaart-interactief"' in page and "/static/vendor/leaflet/leaflet.js" in page
