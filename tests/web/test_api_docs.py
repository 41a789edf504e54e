"""/api/docs: Swagger UI from the package's vendored copy, for analysts only, working under the app's own CSP."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import login
from .test_browser import ARTEFACTS, browser, login_page, server  # noqa: F401  (browser and server are fixtures)

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "pandzicht" / "web" / "static" / "vendor"
SWAGGER = "/static/vendor/swagger-ui-dist"


def test_docs_page_uses_the_vendored_swagger_ui_and_a_static_init_script(analyst: TestClient) -> None:
    r = analyst.get("/api/docs")
    assert r.status_code == 200
    html = r.text
    assert f'src="{SWAGGER}/swagger-ui-bundle.js"' in html
    assert f'href="{SWAGGER}/swagger-ui.css"' in html
    assert 'src="/static/api-docs.js"' in html
    assert 'data-spec="/api/openapi.json"' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from elsewhere
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script: the CSP would block it
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_the_assets_are_served_and_match_the_lock(analyst: TestClient) -> None:
    lock = json.loads((VENDOR / "vendor-lock.json").read_text())["packages"]["swagger-ui-dist"]
    assert lock["licence"] == "Apache-2.0" and lock["version"].count(".") == 2
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        r = analyst.get(f"{SWAGGER}/{name}")
        assert r.status_code == 200, name
        assert hashlib.sha256(r.content).hexdigest() == lock["files"][name]
    assert analyst.get(f"{SWAGGER}/LICENSE.txt").status_code == 200
    js = analyst.get("/static/api-docs.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text and "validatorUrl: null" in js.text


def test_vendor_check_passes() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor-js"), "--check"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_anonymous_users_are_sent_to_login_and_other_roles_refused(client_factory, add_user) -> None:  # type: ignore[no-untyped-def]
    anon = client_factory()
    r = anon.get("/api/docs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    assert "swagger" not in anon.get("/api/docs").text.lower()
    add_user("regie", "casusregisseur")
    director = client_factory()
    login(director, "regie")
    assert director.get("/api/docs").status_code == 200
    for naam, rol in (("privacy", "privacy-officer"), ("beheer", "beheerder")):
        add_user(naam, rol)
        c = client_factory()
        login(c, naam)
        assert c.get("/api/docs").status_code == 403, rol


@pytest.mark.browser
def test_swagger_ui_renders_the_operations_without_csp_errors(server: str, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(server) else None)
    login_page(page, server, "analist-axe")
    page.goto(server + "/api/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 10
    assert page.locator(".opblock-summary-path", has_text="/api/zoek").count() >= 1
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("pandzicht")
    # an operation opens and shows its parameters
    page.locator(".opblock-summary-path", has_text="/api/zoek").first.click()
    page.wait_for_selector(".opblock.is-open .parameters")
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "40-api-docs.png"), full_page=False)
    ctx.close()
    assert not outside, outside
    assert not errors, errors
