"""Fixtures for the web tests: one real ~2000-unit analysis store per session, a fresh operational DB per test."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from pandzicht.pipeline import analyse
from pandzicht.privacy.models import User
from pandzicht.privacy.users import create_user
from pandzicht.synth import generate
from pandzicht.web.app import create_app
from pandzicht.web.config import DEFAULT_HOSTS, Settings
from pandzicht.web.maps import real_data_dir

SECRET = b"test-secret-" + b"x" * 40
PASSWORD = "correct-horse-battery"
TOTP_SECRET = pyotp.random_base32()  # the second factor of the test accounts made by add_user
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
ENROL_RE = re.compile(r"<code>([A-Z2-7 ]+)</code>")


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server at 127.0.0.1:5432, dropped afterwards; skips without a server."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
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


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo world of 2000 units, analysed once for the whole session."""
    if not (real_data_dir() / "rotterdam-buurten" / "buurten.geojson").is_file():
        pytest.skip(f"real public data not found at {real_data_dir()} (set PANDZICHT_REAL_DATA)")
    base = tmp_path_factory.mktemp("webwereld")
    bundle, out = base / "bundel", base / "uitvoer"
    generate(bundle, 2000, 5, "base")
    analyse(bundle, out)
    return {"bundle": bundle, "out": out, "db": out / "pandzicht.duckdb"}


def make_settings(world: dict[str, Path], db_url: str, **overrides: object) -> Settings:
    s = Settings(analysis=world["out"], database_url=db_url, secret=SECRET, real_data=real_data_dir(),
                 host_names=["testserver", *DEFAULT_HOSTS])
    for k, v in overrides.items():
        setattr(s, k, v)
    return s


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'operationeel.sqlite'}"


@pytest.fixture
def app(world: dict[str, Path], db_url: str):  # type: ignore[no-untyped-def]
    application = create_app(make_settings(world, db_url))
    yield application
    application.state.ctx.analysis.close()
    application.state.ctx.engine.dispose()


@pytest.fixture
def add_user(app) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    def add(naam: str, rol: str, organisatie: str = "") -> str:
        with app.state.ctx.sessions.begin() as s:
            create_user(s, naam, PASSWORD, rol, organisatie, totp_geheim=TOTP_SECRET)
        return naam

    return add


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def totp_code(app, naam: str, secret: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """A valid, not yet used TOTP code for the account (the next time step when this one was just used)."""
    with app.state.ctx.sessions() as s:
        user = s.scalar(select(User).where(User.naam == naam))
        secret = secret or user.totp_geheim
        last = user.totp_laatste_stap
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    if last is not None and last >= now + 1:  # two logins in this step already: wait for the next one
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
        now = totp.timecode(time.time())
    return totp.generate_otp(now if last is None or last < now else last + 1)


def login(client: TestClient, naam: str, password: str = PASSWORD) -> None:
    """Log in through the form, giving the second factor (or enrolling one) when the role asks for it."""
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": naam, "wachtwoord": password, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    step = r.headers["location"].split("?")[0]
    if step in ("/inloggen/code", "/inloggen/koppelen"):
        page = client.get(step).text
        enrol = ENROL_RE.search(page)
        code = totp_code(client.app, naam, enrol.group(1).replace(" ", "") if enrol else None)
        r = client.post(step, data={"code": code, "csrf": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303 and not r.headers["location"].startswith("/inloggen"), r.text[:300]


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def client_factory(app) -> Iterator[Callable[[], TestClient]]:  # type: ignore[no-untyped-def]
    made: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(app, base_url="https://testserver")
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def analyst(client: TestClient, add_user) -> TestClient:  # type: ignore[no-untyped-def]
    add_user("ana", "analist")
    login(client, "ana")
    return client


@pytest.fixture
def director(client_factory, add_user) -> TestClient:  # type: ignore[no-untyped-def]
    add_user("regie", "casusregisseur")
    c = client_factory()
    login(c, "regie")
    return c


def all_routes(app):  # type: ignore[no-untyped-def]
    """Every route of the app, also those inside included routers (FastAPI keeps those nested)."""
    def walk(routes):  # type: ignore[no-untyped-def]
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            else:
                yield route

    return list(walk(app.routes))


def top_unit(app) -> str:  # type: ignore[no-untyped-def]
    return app.state.ctx.analysis.top_units(1)[0]["verblijfsobject_id"]
