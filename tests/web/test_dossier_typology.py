"""The address dossier shows the probability per typology; the model page shows each recorded fallback."""

from __future__ import annotations

import html
import json

from fastapi.testclient import TestClient

from pandzicht.web.analysis import TYPOLOGY_LABELS
from pandzicht.web.formatting import getal

from .conftest import top_unit


def test_unit_dossier_shows_probability_per_typology_and_where_it_comes_from(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    vbo = top_unit(app)
    expected = store.rows("SELECT typologie, kans FROM typologie_kans WHERE verblijfsobject_id = ? "
                          "ORDER BY kans DESC", [vbo])
    assert len(expected) == 6  # the top unit has evidence, so every typology has a probability
    model = json.loads(store.one("SELECT model FROM model_typologie")["model"])
    page = html.unescape(analyst.get(f"/adres/{vbo}").text)
    section = page[page.index("Wat zou een controle hier vinden?"):page.index('id="zaken"')]
    positions = []
    for r in expected:
        shown = f"{TYPOLOGY_LABELS[r['typologie']]} <span class=\"getal\">{getal(r['kans'] * 100)}%</span>"
        assert shown in section, shown
        positions.append(section.index(shown))
        info = model["typologieen"][r["typologie"]]
        line = section[section.index(shown):].split("</li>")[0]
        if info["geleerd"]:
            assert f"geleerd uit {getal(info['bevindingen'])} eerdere controles" in line
        else:
            assert "uit de indicatorcatalogus" in line
    assert positions == sorted(positions)  # most likely first
    assert f"Geleerd uit {getal(model['bevindingen'])} eerdere controles met een bevinding" in section
    vermoeden = store.one("SELECT vermoeden FROM adres_score WHERE verblijfsobject_id = ?", [vbo])["vermoeden"]
    assert vermoeden == expected[0]["typologie"]  # the top unit is above the mean: its guess is the likeliest


def test_model_page_lists_the_recorded_fallbacks(app, client: TestClient) -> None:
    recorded = app.state.ctx.analysis.rows("SELECT stap, reden, terugval FROM analyse_terugval ORDER BY volgorde")
    page = html.unescape(client.get("/indicatoren").text)
    assert "Waar de analyse terugviel op standaardwaarden" in page
    for r in recorded:
        assert f"<td><code>{r['stap']}</code></td><td>{r['reden']}</td><td>{r['terugval']}</td>" in page
    if not recorded:
        assert "Nergens: elke geleerde stap" in page
    assert "Typologie (het vermoeden per adres)" in page


def test_model_page_says_per_typology_whether_it_was_learned_or_fell_back(app, client: TestClient) -> None:
    store = app.state.ctx.analysis
    model = json.loads(store.one("SELECT model FROM model_typologie")["model"])
    page = html.unescape(client.get("/indicatoren").text)
    section = page[page.index("Typologie (het vermoeden per adres)"):]
    for t, info in model["typologieen"].items():
        line = section[section.index(f"<li>{TYPOLOGY_LABELS[t]}: "):].split("</li>")[0]
        if info["geleerd"]:
            assert f"geleerd uit {getal(info['bevindingen'])} bevindingen" in line
        elif info["bevindingen"]:
            assert f"teruggevallen op de catalogus, bijgesteld met {getal(info['bevindingen'])} bevindingen" in line
        else:
            assert "teruggevallen op de catalogus (geen bevindingen)" in line
    # every typology that fell back is also in the recorded fallbacks, with its count
    few = [t for t, info in model["typologieen"].items() if not info["geleerd"]]
    recorded = store.rows("SELECT reden FROM analyse_terugval WHERE stap = 'score.typologie'")
    reasons = " ".join(r["reden"] for r in recorded)
    for t in few:
        assert f"{t} {model['typologieen'][t]['bevindingen']}" in reasons
