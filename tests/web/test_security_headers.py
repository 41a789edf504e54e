"""Issue 12, finding 9: no-store on everything with personal data, trusted host names, HSTS over TLS, no CDN."""

from __future__ import annotations

import re

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pandzicht.web.commands import app as cli
from pandzicht.web.config import Settings

from .conftest import all_routes, login, top_unit


def _fill(app, route: APIRoute) -> str:  # type: ignore[no-untyped-def]
    store = app.state.ctx.analysis
    values = {"vbo": top_unit(app), "knoop": top_unit(app), "entiteit_id": store.top_parties(1)[0]["entiteit_id"],
              "wijk": store.wijken()[0]["wijk_code"]}
    path = route.path
    for p in route.dependant.path_params:
        value = "1" if p.field_info.annotation is int else values.get(p.name, "x")
        path = re.sub(r"\{" + p.name + r"(:[^}]*)?\}", value, path)
    return path


def test_every_page_export_and_api_answer_is_no_store(app, client_factory, add_user) -> None:
    """Each GET route, as each role that can open it: never cacheable (only /static may be cached)."""
    roles = {"regie": "casusregisseur", "privacy": "privacy-officer", "beheer": "beheerder"}
    clients = {}
    for naam, rol in roles.items():
        add_user(naam, rol)
        clients[naam] = client_factory()
        login(clients[naam], naam)
    clients["anoniem"] = client_factory()
    seen_ok = set()
    for route in all_routes(app):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        path = _fill(app, route)
        for naam, c in clients.items():
            r = c.get(path, follow_redirects=False)
            assert r.headers.get("cache-control") == "no-store", (naam, path, r.status_code)
            if r.status_code == 200:
                seen_ok.add(route.path)
    # the sweep really reached the pages with personal data
    assert {"/", "/adres/{vbo}", "/partij/{entiteit_id}", "/export/adressen.csv", "/export/partijen.csv",
            "/rapport/{wijk}", "/audit", "/beheer", "/api/adressen", "/api/partijen/{entiteit_id}"} <= seen_ok
    assert "no-store" not in clients["anoniem"].get("/static/app.css").headers.get("cache-control", "")


@pytest.mark.parametrize("path", ["/", "/inloggen", "/static", "/zaken/", "/melden"])
def test_a_foreign_host_header_is_refused_not_redirected(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 400 and "evil.example" not in r.headers.get("location", "")
    r = client.get(path, follow_redirects=False)
    assert r.status_code != 400  # the configured name still works


def test_host_names_default_and_from_the_command_line(world, db_url, monkeypatch) -> None:
    monkeypatch.delenv("PANDZICHT_HOST_NAMEN", raising=False)
    assert Settings.from_env(None, db_url).host_names == ["localhost", "127.0.0.1"]
    monkeypatch.setenv("PANDZICHT_HOST_NAMEN", "a.example, b.example")
    assert Settings.from_env(None, db_url).host_names == ["a.example", "b.example"]
    monkeypatch.delenv("PANDZICHT_HOST_NAMEN")
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: served.update(app=application, **kw))
    result = CliRunner().invoke(cli, ["serve", "--database", db_url, "--host-naam", "pandzicht.gemeente.example",
                                      "--host-naam", "pandzicht.intern"])
    assert result.exit_code == 0, result.output
    with TestClient(served["app"], base_url="https://pandzicht.gemeente.example") as c:
        assert c.get("/melden").status_code == 200
        assert c.get("/melden", headers={"Host": "pandzicht.intern"}).status_code == 200
        assert c.get("/melden", headers={"Host": "localhost"}).status_code == 400
    served["app"].state.ctx.engine.dispose()


def test_hsts_only_over_tls(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="https://testserver") as tls, TestClient(app, base_url="http://testserver") as plain:
        assert tls.get("/melden").headers["strict-transport-security"] == "max-age=31536000"
        assert "strict-transport-security" not in plain.get("/melden").headers


def test_api_docs_are_served_locally_and_no_page_loads_anything_from_elsewhere(app, analyst: TestClient) -> None:
    assert analyst.get("/api/docs").status_code == 200  # served from the vendored Swagger UI
    assert analyst.get("/api/openapi.json").status_code == 200
    for path in ("/", f"/adres/{top_unit(app)}", "/zaken", "/rapport", "/melden", "/indicatoren", "/inloggen",
                 "/api/docs"):
        html = analyst.get(path).text
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path
