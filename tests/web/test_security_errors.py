"""Issue 12, finding 8: out-of-range ids are 404 on every route, and a crash is logged as type and route only."""

from __future__ import annotations

import logging
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from .conftest import all_routes, csrf_of, top_unit

HUGE = ["9223372036854775808", "-9223372036854775809", "99999999999999999999999999"]


def _int_routes(app):  # type: ignore[no-untyped-def]
    for route in all_routes(app):
        if isinstance(route, APIRoute) and any(p.field_info.annotation is int for p in route.dependant.path_params):
            yield route


def test_out_of_range_ids_are_404_on_every_route(app, director: TestClient) -> None:
    routes = list(_int_routes(app))
    assert len(routes) >= 8  # /zaken/{zaak_id} and its actions, /beheer/gebruikers/{id}/...
    token = csrf_of(director.get("/zaken").text)
    vbo = top_unit(app)
    for route in routes:
        for huge in HUGE:
            path = route.path
            for p in route.dependant.path_params:
                value = huge if p.field_info.annotation is int else vbo
                path = re.sub(r"\{" + p.name + r"(:[^}]*)?\}", value, path)
            for method in route.methods:
                r = director.request(method, path, data={"csrf": token} if method == "POST" else None)
                assert r.status_code == 404, (method, path, r.status_code)


def test_a_crash_is_logged_as_type_and_route_template_only(app, client: TestClient, caplog) -> None:
    secret = "Jan Jansen, Kerkstraat 1"

    @app.get("/proef-kapot/{nummer}")
    def broken(nummer: int) -> None:
        raise RuntimeError(f"kan {secret} niet vinden voor {nummer}")

    with caplog.at_level(logging.DEBUG):
        r = client.get("/proef-kapot/42")  # the test client re-raises anything that escapes the app
    assert r.status_code == 500 and secret not in r.text and "Traceback" not in r.text
    assert r.headers["content-security-policy"] and r.headers["cache-control"] == "no-store"
    assert not [rec for rec in caplog.records if rec.exc_info]
    text = "\n".join(rec.getMessage() for rec in caplog.records if rec.name != "httpx")  # httpx: the test client
    assert secret not in text and "42" not in text
    errors = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert errors == ["internal error RuntimeError on GET /proef-kapot/{nummer}"]
