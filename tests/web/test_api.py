"""The JSON API: typed answers, same pseudonymisation and audit as the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pandzicht.privacy.audit import search

from .conftest import top_unit


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for p in ("/api/adressen", "/api/adressen/{vbo}", "/api/partijen", "/api/partijen/{entiteit_id}",
              "/api/netwerk/{knoop}", "/api/indicatoren", "/api/adressen/zoek", "/api/zaken", "/api/meta"):
        assert p in paths, p
    assert "UnitDetail" in spec["components"]["schemas"]
    assert not any(p.startswith(("/adres/", "/zaken/")) for p in paths)  # pages are not part of the API


def test_units_and_detail(app, analyst: TestClient) -> None:
    rows = analyst.get("/api/adressen", params={"limiet": 5}).json()
    assert [r["rang"] for r in rows] == [1, 2, 3, 4, 5]
    vbo = rows[0]["verblijfsobject_id"]
    d = analyst.get(f"/api/adressen/{vbo}").json()
    assert d["verblijfsobject_id"] == vbo and d["energie"]["maanden"]
    assert d["bijdragen"] == rows[0]["bijdragen"] or {b["code"] for b in rows[0]["bijdragen"]} <= {
        b["code"] for b in d["bijdragen"]}
    assert analyst.get("/api/adressen/0000000000000000").status_code == 404
    with app.state.ctx.sessions() as s:
        assert search(s, actie="adres_bekeken", object_id=vbo)[1] == 1


def test_parties_are_pseudonymised(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    rows = analyst.get("/api/partijen", params={"limiet": 200}).json()
    raw = {r["entiteit_id"]: r["naam"] for r in store.top_parties(200)}
    persons = [r for r in rows if r["soort"] == "persoon"]
    assert persons
    for r in persons:
        assert r["naam"] != raw[r["entiteit_id"]] and "#" in r["naam"]
    for r in rows:
        if r["soort"] == "bedrijf":
            assert r["naam"] == raw[r["entiteit_id"]]


def test_network_two_hops_and_expand(app, analyst: TestClient) -> None:
    vbo = top_unit(app)
    g = analyst.get(f"/api/netwerk/{vbo}", params={"stappen": 2}).json()
    assert g["kern"] == vbo
    ids = {n["id"] for n in g["nodes"]}
    assert vbo in ids and len(ids) == len(g["nodes"])
    for e in g["edges"]:
        assert e["van"] in ids and e["naar"] in ids and e["bron"] and e["bron_label"]
    party = next(n["id"] for n in g["nodes"] if n["soort"] in ("persoon", "bedrijf"))
    one = analyst.get(f"/api/netwerk/{party}").json()
    assert one["kern"] == party and all(party in (e["van"], e["naar"]) for e in one["edges"])
    assert analyst.get("/api/netwerk/E-bestaat-niet").status_code == 404


def test_api_refuses_without_login_or_role(client: TestClient, client_factory, add_user) -> None:
    assert client.get("/api/adressen").status_code == 401
    assert client.get("/api/indicatoren").status_code == 200
    add_user("privacy", "privacy-officer")
    from .conftest import login

    c = client_factory()
    login(c, "privacy")
    assert c.get("/api/adressen").status_code == 403
    assert c.get("/api/zaken").json() == []
