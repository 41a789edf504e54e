"""The operational store on a real PostgreSQL server: migrations, login, cases, outcomes, labels, isolation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from pandzicht.cases.export import outcomes_as_labels
from pandzicht.privacy.users import create_user
from pandzicht.web.app import create_app

from .conftest import PASSWORD, csrf_of, login, make_settings, top_unit

pytestmark = pytest.mark.postgres
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    name = f"pandzicht_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is not there: say so, do not fail the suite
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 not reachable ({type(exc).__name__})")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_team_flow_on_postgresql(world, pg_url: str) -> None:
    app = create_app(make_settings(world, pg_url))
    create_app(make_settings(world, pg_url)).state.ctx.engine.dispose()  # migrating twice is a no-op
    with app.state.ctx.sessions.begin() as s:
        create_user(s, "regie", PASSWORD, "casusregisseur")
        create_user(s, "politie", PASSWORD, "partner", "Politie Eenheid Rotterdam")
    vbo = top_unit(app)
    with TestClient(app, base_url="https://testserver") as c, TestClient(app, base_url="https://testserver") as p:
        login(c, "regie")
        token = csrf_of(c.get("/zaken").text)
        r = c.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": vbo, "titel": "pg",
                                   "doel": "controle op hennepteelt", "csrf": token}, follow_redirects=False)
        zid = int(r.headers["location"].rsplit("/", 1)[1])
        c.post(f"/zaken/{zid}/delen", data={"organisatie": "Politie Eenheid Rotterdam", "csrf": token})
        r = c.post(f"/zaken/{zid}/uitkomst", data={"verblijfsobject_id": vbo, "datum": "2024-05-01",
                                                   "instrument": "sluiting_13b", "bevinding": "hennepkwekerij",
                                                   "csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        login(p, "politie")
        assert [z["id"] for z in p.get("/api/zaken").json()] == [zid]
        c.get(f"/adres/{vbo}")
    assert outcomes_as_labels(pg_url) == [{"verblijfsobject_id": vbo, "datum": "2024-05-01",
                                           "instrument": "sluiting_13b", "bevinding": "hennepkwekerij"}]
    with app.state.ctx.engine.connect() as con:
        assert con.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        assert con.execute(text("SELECT count(*) FROM audit WHERE actie = 'adres_bekeken'")).scalar() == 1
    app.state.ctx.analysis.close()
    app.state.ctx.engine.dispose()
