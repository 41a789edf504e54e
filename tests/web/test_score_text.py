"""The score as a non-statistician reads it, through the real app: what it is, against the region, arithmetic that
adds up, ties shown as ties, Dutch numbers and words, and indicators pointing at their records."""

from __future__ import annotations

import html
import json
import math
import re

from fastapi.testclient import TestClient

from pandzicht.web.formatting import getal, keer, procent
from pandzicht.web.scoretext import band

from .conftest import top_unit

FACTOR_RE = re.compile(r'class="getal factor"[^>]*>× ([\d.]+,\d+)<')
INTERNAL = ("contract_adres", "incident_adres", "melding_adres", "entiteit,", ">entiteit<", "relatie<",
            "nachtelijk_bezoek", "veel_namen_brievenbus", "adres_score")


def _nl(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _visible(page: str) -> str:
    """The page text a user reads (tags and attribute values dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_address_score_says_what_it_is_and_multiplies_up(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    vbo = top_unit(app)
    unit = store.unit(vbo)
    page = analyst.get(f"/adres/{vbo}").text
    model = json.loads(store.one("SELECT model FROM model_adres")["model"])
    mean = store.one("SELECT avg(score) AS m FROM adres_score")["m"]
    assert f"kans van {procent(unit['score'])}" in _visible(page)
    assert ("geleerd uit" if model["geleerd"] else "te weinig eerdere controles") in _visible(page)
    if model["geleerd"]:  # the population controls learned from beside the checks are named, with their number
        assert model["steekproef"] > 0
        assert f"naast een steekproef van {getal(model['steekproef'])} woningen uit deze levering" in _visible(page)
    multiple = unit["score"] / mean
    assert f"{keer(multiple)} het gemiddelde" in _visible(page)
    assert f"{band(multiple)}" in _visible(page) and procent(mean) in _visible(page)
    assert "som van benoemde indicatoren" not in page
    # start odds x the factors shown = the odds of the score shown (factors are rounded to two decimals)
    factors = [_nl(f) for f in FACTOR_RE.findall(page)]
    assert len(factors) >= len(unit["bijdragen"]) > 0
    p0 = 1 / (1 + math.exp(-model["intercept"]))
    odds = p0 / (1 - p0) * math.prod(factors)
    assert abs(odds / (1 + odds) - unit["score"]) < 0.01 * max(unit["score"], 0.05)
    assert f"{procent(p0)} als startpunt" in _visible(page)


def test_party_score_arithmetic_and_region(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    p = store.top_parties(1)[0]
    page = _visible(analyst.get(f"/partij/{p['entiteit_id']}").text)
    total = sum(b["bijdrage"] for b in store.party(p["entiteit_id"])["bijdragen"])
    assert abs(1 - math.exp(-total) - p["score"]) < 1e-3
    assert f"som {getal(total, 3)}" in page and "vóór een bevinding afging" in page
    mean = store.one("SELECT avg(score) AS m FROM partij_score")["m"]
    assert f"{keer(p['score'] / mean)} het gemiddelde" in page


def test_equal_scores_share_a_rank(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    group = store.one("SELECT score, min(rang) AS eerste, count(*) AS n, max(entiteit_id) AS laatste "
                      "FROM partij_score WHERE score > 0 GROUP BY score HAVING count(*) > 1 "
                      "ORDER BY score DESC LIMIT 1")
    assert group, "the test world has no tied party scores"
    page = _visible(analyst.get(f"/partij/{group['laatste']}").text)
    assert f"gedeeld {group['eerste']}e ({group['n']} partijen met precies deze score)" in page
    unit = store.one("SELECT s.score, min(s.rang) AS eerste, count(*) AS n, max(s.verblijfsobject_id) AS laatste "
                     "FROM adres_score s JOIN raw_bag_verblijfsobject USING (verblijfsobject_id) "
                     "GROUP BY s.score HAVING count(*) > 1 ORDER BY s.score DESC LIMIT 1")
    page = _visible(analyst.get(f"/adres/{unit['laatste']}").text)
    assert f"gedeeld {unit['eerste']}e" in page
    overview = analyst.get("/").text
    shown = re.findall(r'<td><span title="([^"]+)">(\d+=?)</span></td>', overview)
    for title, short in shown:
        assert short.endswith("=") == title.startswith("gedeeld")


def test_dutch_numbers_and_words_only(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    pages = [analyst.get("/").text, analyst.get(f"/adres/{top_unit(app)}").text,
             analyst.get(f"/partij/{store.top_parties(1)[0]['entiteit_id']}").text]
    signal_unit = store.one("SELECT a.verblijfsobject_id FROM melding_adres a JOIN raw_melding m USING (melding_id) "
                            "WHERE m.categorieen LIKE '%\\_%' ESCAPE '\\' LIMIT 1")
    if signal_unit:
        pages.append(analyst.get(f"/adres/{signal_unit['verblijfsobject_id']}").text)
    for page in pages:
        text = _visible(page)
        for number in re.findall(r"\d+(?:\.\d+)+", text):  # a point only between groups of thousands
            assert re.fullmatch(r"\d{1,3}(\.\d{3})+", number), f"decimal point in {number}"
        for word in INTERNAL:
            assert word not in text, text[max(0, text.find(word) - 200):text.find(word) + 50]


def test_indicator_links_to_and_highlights_its_records(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    row = store.one("SELECT c.entiteit_id AS vbo FROM bijdrage_adres c WHERE c.indicator = 'contante_huur' "
                    "ORDER BY c.bijdrage DESC LIMIT 1")
    assert row, "the test world has no cash-rent indicator"
    vbo = row["vbo"]
    page = analyst.get(f"/adres/{vbo}").text
    link = f'/adres/{vbo}?indicator=contante_huur#tijdlijn'
    assert f'href="{link}"' in page
    lit = analyst.get(link.split("#")[0]).text
    marked = re.findall(r'<li class="ev-huur uitgelicht">.*?</li>', lit, flags=re.S)
    cash = store.one("SELECT count(*) AS n FROM raw_huurcontract h JOIN contract_adres a USING (contract_id) "
                     "WHERE a.verblijfsobject_id = ? AND h.betaalwijze IN ('contant', 'derde')", [vbo])["n"]
    assert len(marked) == cash > 0
    assert all("betaling: contant" in m or "betaling: derde" in m for m in marked)
    assert "uitgelicht" not in page  # nothing is highlighted until an indicator is chosen
