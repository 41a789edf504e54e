"""Issue 12 findings 2 and 7 on a real PostgreSQL server: sessions and login blocks shared by two workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import text

from pandzicht.cases.db import migrations_dir
from pandzicht.privacy.users import create_user
from pandzicht.web.app import create_app
from pandzicht.web.sessions import COOKIE

from .conftest import PASSWORD, TOTP_SECRET, csrf_of, login, make_settings, postgres_database

pytestmark = pytest.mark.postgres
BASE = "https://testserver"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database("pandzicht_sec") as url:
        yield url


def test_sessions_and_login_blocks_on_postgresql(world, pg_url: str) -> None:
    first, second = create_app(make_settings(world, pg_url)), create_app(make_settings(world, pg_url))
    try:
        with first.state.ctx.sessions.begin() as s:
            create_user(s, "regie", PASSWORD, "casusregisseur", totp_geheim=TOTP_SECRET)
            create_user(s, "politie", PASSWORD, "partner", "Politie Eenheid Rotterdam")
        with TestClient(first, base_url=BASE) as a, TestClient(second, base_url=BASE) as b:
            login(a, "regie")
            cookie = a.cookies.get(COOKIE)
            b.cookies.set(COOKIE, cookie, domain="testserver.local")
            assert b.get("/", follow_redirects=False).status_code == 200
            b.post("/uitloggen", data={"csrf": csrf_of(b.get("/").text)})
            a.cookies.clear()
            a.cookies.set(COOKIE, cookie, domain="testserver.local")
            assert a.get("/", follow_redirects=False).status_code == 303
            token = csrf_of(a.get("/inloggen").text)
            codes = [a.post("/inloggen", data={"naam": "politie", "wachtwoord": "fout-wachtwoord-x", "csrf": token}
                            ).status_code for _ in range(5)]
            assert codes == [401] * 5
            token = csrf_of(b.get("/inloggen").text)
            r = b.post("/inloggen", data={"naam": "politie", "wachtwoord": PASSWORD, "csrf": token})
            assert r.status_code == 429  # the other worker sees the block
        with first.state.ctx.engine.connect() as con:
            # the database stands at every head of the migration scripts, so the sessions migration ran too
            heads = set(ScriptDirectory(str(migrations_dir())).get_heads())
            assert set(con.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads
            assert con.execute(text("SELECT count(*) FROM sessie WHERE reden = 'uitgelogd'")).scalar() == 1
    finally:
        for app in (first, second):
            app.state.ctx.analysis.close()
            app.state.ctx.engine.dispose()
