"""Issue 12, finding 2: sessions live in the operational database, so revocation holds for every worker and restart.

Two app instances on one database stand for two uvicorn workers, or for the same server before and after a
restart; one test also runs the real `pandzicht serve --workers 2`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.privacy.audit import search
from pandzicht.privacy.users import create_user
from pandzicht.web import sessions
from pandzicht.web.app import create_app
from pandzicht.web.sessions import COOKIE

from .conftest import PASSWORD, csrf_of, login, make_settings

BASE = "https://testserver"


def replay(client: TestClient, cookie: str) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie, domain="testserver.local")  # the jar's name for the test host


def logged_in(client: TestClient, path: str = "/") -> bool:
    r = client.get(path, follow_redirects=False)
    assert r.status_code in (200, 303), (path, r.status_code)
    return r.status_code == 200


@pytest.fixture
def second_app(world, db_url):  # type: ignore[no-untyped-def]
    """Another app on the same operational database: a second worker, or the server after a restart."""
    other = create_app(make_settings(world, db_url))
    yield other
    other.state.ctx.analysis.close()
    other.state.ctx.engine.dispose()


def test_logout_holds_on_another_worker_and_after_a_restart(app, second_app, world, db_url, add_user) -> None:
    add_user("ana", "analist")
    with TestClient(app, base_url=BASE) as a, TestClient(second_app, base_url=BASE) as b:
        login(a, "ana")
        cookie = a.cookies.get(COOKIE)
        replay(b, cookie)
        assert logged_in(b)  # one session, valid on both workers
        b.post("/uitloggen", data={"csrf": csrf_of(b.get("/").text)})  # logged out through worker b
        replay(a, cookie)
        assert not logged_in(a)  # worker a knows
    restarted = create_app(make_settings(world, db_url))
    try:
        with TestClient(restarted, base_url=BASE) as c:
            replay(c, cookie)
            assert not logged_in(c)  # and so does the server after a restart
            login(c, "ana")
            assert logged_in(c)
    finally:
        restarted.state.ctx.analysis.close()
        restarted.state.ctx.engine.dispose()


def test_session_ends_after_30_minutes_idle(app, add_user, client, monkeypatch) -> None:
    add_user("ana", "analist")
    login(client, "ana")
    start = sessions.now()
    for minutes in (20, 45, 70, 95):  # a request every 25 minutes keeps the session alive
        monkeypatch.setattr(sessions, "now", lambda m=minutes: start + timedelta(minutes=m))
        assert logged_in(client), minutes
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=95 + 31))
    assert not logged_in(client)
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=95 + 32))
    assert not logged_in(client)  # ended, not merely asleep


def test_session_ends_10_hours_after_login_however_active(app, add_user, client, monkeypatch) -> None:
    add_user("ana", "analist")
    login(client, "ana")
    start = sessions.now()
    for minutes in range(20, 600, 20):
        monkeypatch.setattr(sessions, "now", lambda m=minutes: start + timedelta(minutes=m))
        assert logged_in(client), minutes
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(hours=10, minutes=1))
    assert not logged_in(client)


def test_log_out_everywhere(app, client_factory, add_user) -> None:
    add_user("ana", "analist")
    add_user("regie", "casusregisseur")
    laptop, phone, colleague = client_factory(), client_factory(), client_factory()
    login(laptop, "ana")
    login(phone, "ana")
    login(colleague, "regie")
    page = laptop.get("/").text
    assert 'formaction="/uitloggen/overal"' in page  # the button is on every page
    r = laptop.post("/uitloggen/overal", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inloggen"
    assert not logged_in(laptop) and not logged_in(phone)
    assert logged_in(colleague)  # only ana's sessions
    with app.state.ctx.sessions() as s:
        entries, n = search(s, actie="overal_uitgelogd")
    assert n == 1 and entries[0].gebruikersnaam == "ana" and entries[0].doel == "sessies=2"


def test_cookie_token_is_not_stored_in_the_database(app, client, add_user) -> None:
    add_user("ana", "analist")
    login(client, "ana")
    payload = app.state.ctx.codec.loads(client.cookies.get(COOKIE))
    with app.state.ctx.engine.connect() as con:
        dump = " ".join(str(v) for row in con.exec_driver_sql("SELECT * FROM sessie").fetchall() for v in row)
    assert payload["s"] not in dump and sessions.token_hash(payload["s"]) in dump


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_revocation_with_two_real_workers(tmp_path) -> None:
    """The probe's case: `pandzicht serve --workers 2`, log out, replay the cookie 40 times: never let in.

    Also finding 8 end to end: an out-of-range id is 404 and the server writes no traceback."""
    db_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine).begin() as s:
        create_user(s, "politie", PASSWORD, "partner", "Politie Eenheid Rotterdam")
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "PANDZICHT_SECRET": "workers-" + "s" * 40, "PANDZICHT_INSECURE_COOKIES": "1"}
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "pandzicht.web.commands", "serve", "--database", db_url,
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # two workers each build the app; slow on a busy machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/melden", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        with httpx.Client(base_url=base, timeout=10) as c:
            token = csrf_of(c.get("/inloggen").text)
            r = c.post("/inloggen", data={"naam": "politie", "wachtwoord": PASSWORD, "csrf": token})
            assert r.status_code == 303
            cookie = c.cookies.get(COOKIE)
            assert all(c.get("/zaken").status_code == 200 for _ in range(10))
            assert c.get("/zaken/9223372036854775808").status_code == 404
            c.post("/uitloggen", data={"csrf": csrf_of(c.get("/zaken").text)})
        codes = []
        for _ in range(40):  # fresh connections, so both workers answer some of them
            with httpx.Client(base_url=base, timeout=10, cookies={COOKIE: cookie}) as replayer:
                codes.append(replayer.get("/zaken").status_code)
        assert codes == [303] * 40
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.seek(0)
        output = log.read()
        log.close()
    assert "Traceback" not in output and "9223372036854775808" not in output
