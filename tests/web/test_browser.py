"""End to end in real headless Chromium against a real uvicorn server: the analyst's and the reporter's flows.

Screenshots go to test-artefacten/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
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

from .conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacten"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian chromium not installed (run `make browser`)")
    db_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'ops.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine).begin() as s:
        create_user(s, "regie", PASSWORD, "casusregisseur")
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PANDZICHT_SECRET": "e2e-" + "s" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "pandzicht.web.commands", "serve", "--analysis", str(world["out"]),
                             "--database", db_url, "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        pytest.fail("server did not start: " + (proc.stderr.read().decode()[-2000:] if proc.stderr else ""))
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_analyst_flow_and_anonymous_signal(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # log in
    page.goto(server + "/inloggen")
    page.fill("input[name=naam]", "regie")
    page.fill("input[name=wachtwoord]", PASSWORD)
    page.click("form.formulier button[type=submit]")
    # a casusregisseur enrols a second factor at the first login: QR code plus the key to type
    page.wait_for_url(re.compile(r".*/inloggen/koppelen"))
    assert page.locator("img[alt^='QR-code']").count() == 1
    shot(page, "00-tweede-factor")
    secret = page.locator("code").inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form.formulier button[type=submit]")
    page.wait_for_url(server + "/")
    assert page.locator("svg.kaart path").count() == 92
    shot(page, "01-overzicht")

    # open the top unit and read its explanation
    first = page.locator("#adressen tbody tr").first.locator("a")
    address = first.inner_text()
    first.click()
    page.wait_for_selector("#uitleg")
    assert page.locator("h1").inner_text() == address
    explanation = page.locator("#uitleg .bijdragen li").first
    assert explanation.locator("strong").inner_text()  # a Dutch indicator title
    explanation.locator("summary").click()
    assert explanation.locator("details p").first.is_visible()
    vbo = page.url.rsplit("/", 1)[1]
    shot(page, "02-adresdossier")

    # open the network and expand a node
    page.click(".netwerk-start")
    page.wait_for_selector(".netwerk-svg .knoop")
    before = page.locator(".netwerk-svg .knoop").count()
    assert before >= 2
    expandable = page.locator(".netwerk-svg .knoop").filter(has_text=re.compile(r"\(\+\d+\)"))
    if expandable.count():
        expandable.first.focus()  # keyboard works too, and no label can be in the way
        page.keyboard.press("Enter")
        for _ in range(50):  # polled from Python: the page's CSP forbids evaluating strings
            if page.locator(".netwerk-svg .knoop").count() > before:
                break
            page.wait_for_timeout(200)
        assert page.locator(".netwerk-svg .knoop").count() > before
    page.locator("#netwerk").screenshot(path=str(ARTEFACTS / "03-netwerk.png"))

    # file a signal anonymously (a fresh browser context: no session)
    anon = browser.new_context(viewport={"width": 1000, "height": 900})
    ap = anon.new_page()
    ap.on("pageerror", lambda e: errors.append(str(e)))
    ap.goto(server + "/melden")
    ap.fill("#adres_tekst", address.split(",")[0])
    ap.wait_for_selector("#adres-keuzes button")
    ap.locator("#adres-keuzes button", has_text=address).first.click()
    assert ap.input_value("#verblijfsobject_id") == vbo
    ap.check("input[value=stank]")
    ap.check("input[value=nachtelijk_bezoek]")
    ap.select_option("select[name=bron_type]", "pakketbezorger")
    ap.fill("textarea[name=tekst]", "Sterke geur en 's nachts veel bezoek <b>echt</b>")
    shot(ap, "04-melden")
    ap.click("#meldformulier button[type=submit]")
    ap.wait_for_selector("#kenmerk")
    kenmerk = ap.inner_text("#kenmerk")
    assert kenmerk.startswith("M-")
    shot(ap, "05-melding-ontvangen")
    anon.close()

    # the signal shows in the unit's dossier, escaped
    page.reload()
    assert page.locator("text=Melding via meldpunt: stank, nachtelijk_bezoek").count() == 1
    assert page.locator("text=<b>echt</b>").count() == 1

    # open a case from the unit
    page.locator("details.zaak-openen summary").click()
    page.select_option("details.zaak-openen select[name=doel_code]", "opiumwet_13b")
    page.fill("details.zaak-openen input[name=kenmerk]", "RIEC-2024-0012")
    page.click("details.zaak-openen button[type=submit]")
    page.wait_for_url(re.compile(r".*/zaken/\d+$"))

    # triage, choose an intervention, record an outcome
    page.check("input[name=verkeerslicht][value=oranje]")
    page.fill("textarea[name=reden]", "hoog stroomverbruik en een melding van een bezorger")
    page.click("#triage form.formulier button[type=submit]")
    page.select_option("select[name=instrument]", "adresonderzoek")
    page.click("#interventies button[type=submit]")
    page.select_option("#uitkomstformulier select[name=instrument]", "huisbezoek")
    page.select_option("#uitkomstformulier select[name=bevinding]", "niets_gevonden")
    page.fill("#uitkomstformulier input[name=datum]", "2024-06-01")
    page.click("#uitkomstformulier button[type=submit]")
    page.wait_for_selector("#uitkomsten td strong")
    assert page.inner_text("#uitkomsten td strong") == "niets gevonden"
    assert "oranje" in page.inner_text(".kenmerken")
    assert "Adresonderzoek" in page.inner_text("#interventies")
    shot(page, "06-zaak")

    # the neighbourhood report prints to A4 PDF (print CSS hides navigation and forms)
    page.goto(server + "/rapport")
    page.locator(".kolommen a").first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text().startswith("Wijkrapport")
    shot(page, "07-rapport")
    pdf = page.pdf(path=str(ARTEFACTS / "07-rapport.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    ctx.close()
    assert not errors, errors
