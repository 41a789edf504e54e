"""The link chart's server side: paged expands that say what they hold back, validity dates, pseudonyms, audit,
charts saved into a case, and the vendored libraries matching their lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import inspect

from pandzicht.privacy.audit import search
from pandzicht.web.network import expand

from .conftest import csrf_of, top_unit
from .test_cases import open_case

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "pandzicht" / "web" / "static" / "vendor"


def busiest_party(app) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The party with the most edges, so paging has something to page through."""
    r = app.state.ctx.analysis.one(
        "SELECT id, count(*) AS n FROM (SELECT van AS id FROM relatie UNION ALL SELECT naar FROM relatie) "
        "WHERE NOT starts_with(id, 'melding:') AND length(id) <> 16 GROUP BY id ORDER BY n DESC, id LIMIT 1")
    return r["id"], int(r["n"])


def test_expand_pages_through_every_edge_once(app, analyst: TestClient) -> None:
    party, degree = busiest_party(app)
    assert degree > 10
    seen: list[str] = []
    offset, pages = 0, 0
    while offset is not None:
        g = analyst.get(f"/api/netwerk/{party}", params={"offset": offset, "limiet": 7}).json()
        assert g["offset"] == offset and len(g["edges"]) <= 7
        assert g["afgekapt"] == (g["volgende"] is not None)
        centre = next(n for n in g["nodes"] if n["id"] == party)
        assert centre["graad"] >= g["totaal"] > 0
        seen += [e["id"] for e in g["edges"]]
        offset, pages = g["volgende"], pages + 1
    assert len(seen) == len(set(seen)) == g["totaal"]  # disjoint pages that together hold every edge
    assert pages == -(-g["totaal"] // 7)
    with app.state.ctx.sessions() as s:
        assert search(s, actie="netwerk_bekeken", object_id=party)[1] == pages  # every page is audited


def test_edges_carry_validity_and_nodes_stay_pseudonymised(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    vbo = top_unit(app)
    g = analyst.get(f"/api/netwerk/{vbo}", params={"stappen": 2}).json()
    assert any(e["geldig_van"] for e in g["edges"])
    for e in g["edges"]:
        if e["geldig_van"] and e["geldig_tot"]:
            assert e["geldig_van"] <= e["geldig_tot"]
    people = [n for n in g["nodes"] if n["soort"] == "persoon"]
    assert people
    raw = store.party_refs([n["id"] for n in people])
    for n in people:
        assert n["label"] != raw[n["id"]].naam and "#" in n["label"]
    # the page-size cap is honest: what a node does not show is counted, never silently dropped
    party, _ = busiest_party(app)
    one = expand(store, party, lambda ref: ref.entiteit_id, limit=5)
    assert len(one.edges) == 5 and one.volgende == 5 and one.totaal > 5 and one.afgekapt


def test_chart_saved_into_a_case_and_read_back(app, director: TestClient) -> None:
    vbo = top_unit(app)
    zid = open_case(director, "adres", vbo)
    state = {"kern": vbo, "posities": {vbo: [10.5, -3.0], "E-1": [100, 40]}, "vast": [vbo], "selectie": ["E-1"],
             "uitgeklapt": {vbo: 40}, "filters": {"uit": ["rents"], "geldig_op": "2024-01-01"}}
    token = csrf_of(director.get(f"/adres/{vbo}").text)
    r = director.post(f"/api/zaken/{zid}/netwerk", data={"opname": json.dumps(state), "csrf": token})
    assert r.status_code == 200, r.text
    saved = director.get(f"/api/zaken/{zid}/netwerk").json()
    assert len(saved) == 1 and saved[0]["kern"] == vbo
    assert saved[0]["opname"]["posities"][vbo] == [10.5, -3.0] and saved[0]["opname"]["vast"] == [vbo]
    assert director.post(f"/api/zaken/{zid}/netwerk", data={"opname": json.dumps(state)}).status_code == 403
    bad = director.post(f"/api/zaken/{zid}/netwerk", data={"opname": '{"kern": "<b>x</b>"}', "csrf": token})
    assert bad.status_code == 422
    assert director.get("/api/zaken/999999/netwerk").status_code == 404
    with app.state.ctx.sessions() as s:
        assert search(s, actie="zaak_gewijzigd", object_id=str(zid))[1] >= 1
    assert inspect(app.state.ctx.engine).has_table("netwerk_opname")


def test_dossier_page_loads_the_chart_script_and_offers_cases(app, director: TestClient) -> None:
    vbo = top_unit(app)
    open_case(director, "adres", vbo)
    html = director.get(f"/adres/{vbo}").text
    assert '<script src="/static/netwerk.js" defer></script>' in html
    assert 'class="netwerk-zaak" hidden' in html and "Bewaar in zaak" in html
    for lib in ("cytoscape/cytoscape.min.js", "cytoscape-fcose/cytoscape-fcose.js", "axe-core/axe.min.js"):
        r = director.get(f"/static/vendor/{lib}")
        assert r.status_code == 200 and len(r.content) > 10_000, lib
    assert "/static/vendor/" in director.get("/static/netwerk.js").text


def test_vendored_files_match_the_lock() -> None:
    lock = json.loads((VENDOR / "vendor-lock.json").read_text())
    assert {"cytoscape", "cytoscape-fcose", "cose-base", "layout-base", "axe-core"} <= set(lock["packages"])
    for name, p in lock["packages"].items():
        assert p["integrity"].startswith("sha512-") and p["licence"] and p["tarball"].startswith(
            "https://registry.npmjs.org/"), name
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor-js"), "--check"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout
