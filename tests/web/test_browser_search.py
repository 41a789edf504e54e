"""The header search in real headless Chromium: type in the box, pick a result with the keyboard, land on it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.privacy.users import create_user
from pandzicht.web.analysis import AnalysisStore

from .conftest import PASSWORD
from .test_browser import CHROMIUM, browser, free_port, shot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
TOTP = pyotp.random_base32()


@pytest.fixture(scope="module")
def search_server(world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian chromium not installed (run `make browser`)")
    db_url = f"sqlite:///{tmp_path_factory.mktemp('zoek-e2e') / 'ops.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine).begin() as s:
        create_user(s, "ana", PASSWORD, "analist", totp_geheim=TOTP)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PANDZICHT_SECRET": "e2e-" + "z" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "pandzicht.web.commands", "serve", "--analysis", str(world["out"]),
                             "--database", db_url, "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/melden", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("server did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_type_in_header_box_and_follow_a_result(search_server: str, browser, world) -> None:  # noqa: F811
    store = AnalysisStore(world["out"])
    try:
        u = store.one("SELECT openbare_ruimte, huisnummer, verblijfsobject_id FROM raw_bag_verblijfsobject "
                      "WHERE huisletter IS NULL AND huisnummertoevoeging IS NULL ORDER BY verblijfsobject_id LIMIT 1")
    finally:
        store.close()
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(search_server + "/inloggen")
    page.fill("input[name=naam]", "ana")
    page.fill("input[name=wachtwoord]", PASSWORD)
    page.click("form.formulier button[type=submit]")
    page.wait_for_load_state()
    if "/inloggen/code" in page.url:  # when the role asks for a second factor
        page.fill("input[name=code]", pyotp.TOTP(TOTP).now())
        page.click("form.formulier button[type=submit]")
    page.wait_for_url(search_server + "/")

    box = page.locator("#zoek-kop")
    box.click()
    query = f"{u['openbare_ruimte'][:6].lower()} {u['huisnummer']}"
    box.type(query, delay=40)
    # a slow machine may pause long enough while typing for the list of a shorter query to show first
    page.wait_for_selector(f'#zoek-keuzes[data-q="{query}"] li')
    assert box.get_attribute("aria-busy") is None
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#zoek-keuzes li")
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    assert any(f"{u['openbare_ruimte']} {u['huisnummer']}," in label for label in labels), labels
    shot(page, "10-zoeken-kop")
    target = next(i for i, label in enumerate(labels) if f"{u['openbare_ruimte']} {u['huisnummer']}," in label)
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    assert options.nth(target).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/adres/{u['verblijfsobject_id']}$"))
    assert page.locator("h1").inner_text().startswith(f"{u['openbare_ruimte']} {u['huisnummer']}")
    assert page.locator("#uitleg .score-zin").inner_text().startswith("De score is een kans van")
    shot(page, "11-zoeken-gevolgd-adresdossier")

    # without script the same box submits to the results page
    page.goto(search_server + f"/zoek?q={u['verblijfsobject_id']}")
    assert page.locator(".zoekresultaten a").first.get_attribute("href") == f"/adres/{u['verblijfsobject_id']}"
    assert not errors, errors
