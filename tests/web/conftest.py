"""Fixtures for the web tests: one real ~2000-unit analysis store per session, a fresh operational DB per test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pandzicht.pipeline import analyse
from pandzicht.privacy.users import create_user
from pandzicht.synth import generate
from pandzicht.web.app import create_app
from pandzicht.web.config import Settings
from pandzicht.web.maps import real_data_dir

SECRET = b"test-secret-" + b"x" * 40
PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


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
    s = Settings(analysis=world["out"], database_url=db_url, secret=SECRET, real_data=real_data_dir())
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
            create_user(s, naam, PASSWORD, rol, organisatie)
        return naam

    return add


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client: TestClient, naam: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": naam, "wachtwoord": password, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]


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


def top_unit(app) -> str:  # type: ignore[no-untyped-def]
    return app.state.ctx.analysis.top_units(1)[0]["verblijfsobject_id"]
