"""The operational store on a real PostgreSQL server: migrations, login, cases, outcomes, labels, isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pandzicht.cases.db import migrations_dir
from pandzicht.cases.export import outcomes_as_labels
from pandzicht.cases.models import Organisation
from pandzicht.privacy.users import create_user
from pandzicht.web.app import create_app

from .conftest import PASSWORD, csrf_of, login, make_settings, postgres_database, top_unit

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_database("pandzicht_test") as url:
        yield url


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
                                   "doel_code": "opiumwet_13b", "kenmerk": "RIEC-2024-0012", "csrf": token},
                   follow_redirects=False)
        zid = int(r.headers["location"].rsplit("/", 1)[1])
        with app.state.ctx.sessions() as s:
            org = s.scalar(select(Organisation.id).where(Organisation.naam == "Politie Eenheid Rotterdam"))
        c.post(f"/zaken/{zid}/delen", data={"organisatie_id": str(org), "csrf": token})
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
        # the database stands at every head of the migration scripts (today one, after the merge revision)
        heads = set(ScriptDirectory(str(migrations_dir())).get_heads())
        assert set(con.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads
        assert con.execute(text("SELECT count(*) FROM audit WHERE actie = 'adres_bekeken'")).scalar() == 1
    app.state.ctx.analysis.close()
    app.state.ctx.engine.dispose()


def test_audit_on_postgresql_refuses_update_and_delete_and_keeps_one_chain(world, pg_url: str) -> None:
    import threading

    from sqlalchemy.exc import DatabaseError
    from typer.testing import CliRunner

    from pandzicht.cli import app as cli_app
    from pandzicht.privacy import audit
    from pandzicht.privacy.models import User

    app = create_app(make_settings(world, pg_url))
    with app.state.ctx.sessions.begin() as s:
        if s.scalar(select(User).where(User.naam == "ana")) is None:
            create_user(s, "ana", PASSWORD, "analist")

    def writer() -> None:
        for i in range(25):
            with app.state.ctx.sessions.begin() as s:
                u = s.scalar(select(User).where(User.naam == "ana"))
                audit.record(s, u, "adres_bekeken", "adres", f"05990000000{i:05d}")

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.state.ctx.sessions() as s:
        check = audit.verify(s)
    assert check.intact and check.rijen >= 75
    assert CliRunner().invoke(cli_app, ["audit", "controleer", "--database", pg_url]).exit_code == 0
    for statement in ("UPDATE audit SET object_id = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
        try:
            with app.state.ctx.engine.begin() as con:
                con.execute(text(statement))
        except DatabaseError as exc:
            assert "alleen-toevoegen" in str(exc)
        else:
            raise AssertionError(f"{statement} was allowed on PostgreSQL")
    with app.state.ctx.engine.begin() as con:  # a superuser may drop the trigger; the chain still tells
        con.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_geen_wijziging"))
        first = con.execute(text("SELECT min(id) FROM audit")).scalar()
        con.execute(text("UPDATE audit SET doel = 'anders' WHERE id = :i"), {"i": first + 3})
    result = CliRunner().invoke(cli_app, ["audit", "controleer", "--database", pg_url])
    assert result.exit_code == 1 and f"rij {first + 3}" in result.output
    app.state.ctx.analysis.close()
    app.state.ctx.engine.dispose()
