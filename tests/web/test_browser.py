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
AXE = "/static/vendor/axe-core/axe.min.js"
AXE_TOTP = pyotp.random_base32()
AXE_USERS = {"analist-axe": "analist", "privacy-axe": "privacy-officer", "beheer-axe": "beheerder"}


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
        for naam, rol in AXE_USERS.items():
            create_user(s, naam, PASSWORD, rol, totp_geheim=AXE_TOTP)
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


def watched_page(browser, viewport: dict | None = None):  # type: ignore[no-untyped-def]
    """A new page with its script and console errors collected in the returned list (a test ends asserting none)."""
    errors: list[str] = []
    page = browser.new_context(viewport=viewport or {"width": 1440, "height": 900}).new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def regie_page(browser, server: str, viewport: dict | None = None):  # type: ignore[no-untyped-def]
    """A page logged in as the casusregisseur (enrolling the second factor at first login), with the page's
    script and console errors collected in the returned list."""
    page, errors = watched_page(browser, viewport)
    page.goto(server + "/inloggen")
    page.fill("input[name=naam]", "regie")
    page.fill("input[name=wachtwoord]", PASSWORD)
    page.click("form.formulier button[type=submit]")
    page.wait_for_url(re.compile(r".*/inloggen/koppelen"))
    page.fill("input[name=code]", pyotp.TOTP(page.locator("code").inner_text().replace(" ", "")).now())
    page.click("form.formulier button[type=submit]")
    page.wait_for_url(server + "/")
    return page, errors


def test_analyst_flow_and_anonymous_signal(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    page, errors = watched_page(browser, {"width": 1400, "height": 900})
    ctx = page.context

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

    # open the link chart and expand a node from the keyboard
    page.click(".netwerk-open")
    page.wait_for_selector(".netwerk-knopen .knoop-knop")
    before = page.locator(".knoop-knop").count()
    assert before >= 2
    expandable = page.locator(".knoop-knop").filter(has_text=re.compile(r"\(\+\d+\)"))
    if expandable.count():
        expandable.first.focus()
        page.keyboard.press("Enter")
        for _ in range(50):  # polled from Python: the page's CSP forbids evaluating strings
            if page.locator(".knoop-knop").count() > before:
                break
            page.wait_for_timeout(200)
        assert page.locator(".knoop-knop").count() > before
    page.locator("#netwerk").screenshot(path=str(ARTEFACTS / "03-netwerk.png"))

    # file a signal anonymously (a fresh browser context: no session)
    anon = browser.new_context(viewport={"width": 1000, "height": 900})
    ap = anon.new_page()
    ap.on("pageerror", lambda e: errors.append(str(e)))
    ap.goto(server + "/melden")
    ap.fill("#adres_tekst", address.split(",")[0])
    ap.wait_for_selector("#adres-keuzes [role=option]")
    ap.locator("#adres-keuzes [role=option]", has_text=address).first.click()
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


def login_page(page, server: str, naam: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the form with the pre-enrolled second factor."""
    page.goto(server + "/inloggen")
    page.fill("input[name=naam]", naam)
    page.fill("input[name=wachtwoord]", PASSWORD)
    page.click("form.formulier button[type=submit]")
    page.wait_for_load_state("load")
    if "/inloggen/code" in page.url:  # the roles that need a second factor
        page.fill("input[name=code]", pyotp.TOTP(AXE_TOTP).now())
        page.click("form.formulier button[type=submit]")
        page.wait_for_load_state("load")
    assert "/inloggen" not in page.url, page.url


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Serious and critical axe-core violations on the current page (axe served by the app itself)."""
    page.add_script_tag(url=AXE)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def wait_until(page, predicate: str, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    """Poll a predicate from Python (Playwright's wait_for_function compiles strings, which the CSP forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + predicate)
        page.wait_for_timeout(100)


def chart_positions(page) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    return {k: tuple(v) for k, v in page.evaluate(
        "() => Object.fromEntries(window.pandzichtNetwerk.cy.nodes().map(n => [n.id(), [n.position('x'), "
        "n.position('y')]]))").items()}


def test_link_chart_keeps_nodes_in_place_and_keeps_focus(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    page, errors = watched_page(browser, {"width": 1440, "height": 900})
    ctx = page.context
    login_page(page, server, "analist-axe")
    page.locator("#adressen tbody tr").first.locator("a").click()
    page.wait_for_selector("#netwerk")
    page.click(".netwerk-open")
    page.wait_for_selector(".knoop-knop")
    wait_until(page, "() => Boolean(window.pandzichtNetwerk) && window.pandzichtNetwerk.cy.nodes().length > 1 "
                     "&& !window.pandzichtNetwerk.busy")
    page.locator(".netwerk-vak").screenshot(path=str(ARTEFACTS / "10-netwerk-voor.png"))
    before = chart_positions(page)
    # the node with the most hidden edges, expanded from the keyboard
    target = page.evaluate("""() => { const c = window.pandzichtNetwerk;
        return c.cy.nodes().filter(n => !n.data('kern') && !n.id().startsWith('melding:'))
                .sort((a, b) => c.hidden(b.id()) - c.hidden(a.id()))[0].id(); }""")
    hidden = page.evaluate("id => window.pandzichtNetwerk.hidden(id)", target)
    assert hidden > 0
    page.locator(f".knoop-knop[data-id='{target}']").focus()
    page.keyboard.press("Enter")
    wait_until(page, f"() => window.pandzichtNetwerk.cy.nodes().length > {len(before)} "
                     "&& !window.pandzichtNetwerk.busy")
    after = chart_positions(page)
    assert len(after) > len(before)
    moved = {k: (before[k], after[k]) for k in before
             if abs(before[k][0] - after[k][0]) > 0.5 or abs(before[k][1] - after[k][1]) > 0.5}
    assert not moved, moved  # new nodes were laid out around the fixed old ones
    assert page.evaluate("() => document.activeElement.dataset.id") == target  # focus stays on the expanded node
    # the honest count: what the selected node still hides is what the "toon meer" button says
    left = page.evaluate("id => window.pandzichtNetwerk.hidden(id)", target)
    if left:
        assert page.locator(".netwerk-meer").inner_text() == f"toon meer ({left})"
    page.locator(".netwerk-vak").screenshot(path=str(ARTEFACTS / "11-netwerk-na-uitklappen.png"))
    # the home at the centre reads as a probability in the dossier's format, never a bare "score 1,000"
    page.evaluate("() => { const c = window.pandzichtNetwerk; c.renderInfo(c.cy.nodes('[?kern]')[0]); }")
    info = page.locator(".netwerk-info").inner_text()
    assert re.search(r"kans (> 99,9|\d{1,2},\d{1,3})%", info), info
    assert "score 1,000" not in info
    page.evaluate(f"() => {{ const c = window.pandzichtNetwerk; c.renderInfo(c.cy.getElementById('{target}')); }}")
    # pin a node, re-layout: it stays where it was
    page.locator(".netwerk-info button", has_text="Vastzetten").click()
    pinned = chart_positions(page)[target]
    page.locator(".netwerk-balk button", has_text="Herschikken").click()
    page.wait_for_timeout(500)
    assert chart_positions(page)[target] == pinned
    # filter by edge kind and date, then export
    page.locator(".netwerk-filters input[value=rents]").uncheck()
    # cytoscape settles an edge's visibility at its next render, not when its class changes
    wait_until(page, "() => window.pandzichtNetwerk.cy.edges('[soort = \"rents\"]').every(e => !e.visible())")
    page.fill(".netwerk-datum", "1990-01-01")
    with page.expect_download() as png:
        page.locator(".netwerk-balk button", has_text="PNG").click()
    assert png.value.suggested_filename.endswith(".png")
    with page.expect_download() as svg:
        page.locator(".netwerk-balk button", has_text="SVG").click()
    svg_path = ARTEFACTS / "12-netwerk.svg"
    svg.value.save_as(str(svg_path))
    assert svg_path.read_text().startswith("<svg")
    ctx.close()
    assert not errors, errors


def test_axe_finds_no_serious_violation_on_any_screen(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    found: dict[str, list[str]] = {}

    def check(page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_load_state("load")
        v = axe_violations(page)
        if v:
            found[name] = v

    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(server + "/melden")
    check(page, "meldpunt")
    page.goto(server + "/inloggen")
    check(page, "inloggen")
    login_page(page, server, "analist-axe")
    check(page, "overzicht")
    page.locator("#adressen tbody tr").first.locator("a").click()
    vbo = page.url.rsplit("/", 1)[1]
    check(page, "adresdossier")
    page.click(".netwerk-open")
    page.wait_for_selector(".knoop-knop")
    check(page, "adresdossier met netwerk")
    party = page.locator("#netwerk .netwerk-tabel a[href^='/partij/']").first.get_attribute("href")
    page.goto(server + party)
    check(page, "partijdossier")
    page.goto(server + "/zaken")
    check(page, "zaken")
    page.goto(server + f"/adres/{vbo}")
    page.locator("details.zaak-openen summary").click()
    page.select_option("details.zaak-openen select[name=doel_code]", "opiumwet_13b")
    page.fill("details.zaak-openen input[name=kenmerk]", "RIEC-2024-0012")
    page.click("details.zaak-openen button[type=submit]")
    page.wait_for_url(re.compile(r".*/zaken/\d+$"))
    check(page, "zaak")
    page.goto(server + "/rapport")
    check(page, "rapporten")
    page.locator(".kolommen a").first.click()
    check(page, "wijkrapport")
    page.goto(server + "/indicatoren")
    check(page, "indicatoren")
    ctx.close()
    for naam, path in (("beheer-axe", "/beheer"), ("privacy-axe", "/audit")):
        c = browser.new_context(viewport={"width": 1440, "height": 900})
        p = c.new_page()
        login_page(p, server, naam)
        p.goto(server + path)
        check(p, path)
        c.close()
    assert not found, found


def test_map_zooms_opens_dossiers_and_follows_the_wijk_filter(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    page, errors = watched_page(browser, {"width": 1440, "height": 900})
    ctx = page.context
    login_page(page, server, "analist-axe")
    wait_until(page, "() => document.querySelector('.kaart-interactief')?.dataset.klaar === '1'")
    drawn = page.locator(".kaart-leaflet path.kaart-buurt").evaluate_all("ps => ps.map(p => p.dataset.naam)")
    assert len(set(drawn)) == 92  # every buurt (a buurt of several parts has several paths)
    assert page.locator(".kaart-svg").is_hidden()  # the SVG fallback stays in the page for no-JS and print
    legend = page.locator(".kaart-interactief .kaart-legenda").last.inner_text()
    assert "hoogste" in legend and "laagste" in legend
    assert not re.search(r"(?<![\d,])(\d+(?:,\d+)?) tot \1(?![\d,])", legend)  # never "0,003 tot 0,003"
    # zoom in with the control: buurt names appear as labels
    z0 = page.evaluate("() => window.pandzichtKaart.map.getZoom()")
    for _ in range(3):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(350)
    assert page.evaluate("() => window.pandzichtKaart.map.getZoom()") > z0
    assert page.locator(".kaart-leaflet.namen-zichtbaar").count() == 1
    assert page.locator(".buurtlabel", has_text="Stadsdriehoek").count() == 1
    assert not axe_violations(page)
    page.locator(".kaartvak").screenshot(path=str(ARTEFACTS / "30-kaart-ingezoomd.png"))
    # a click on a point opens that home's dossier
    page.evaluate("() => window.pandzichtKaart.map.fitBounds(window.pandzichtKaart.buurten.getBounds())")
    page.wait_for_timeout(400)
    # a point not covered by another one (points of neighbouring homes overlap at this zoom)
    free = page.evaluate("""() => [...document.querySelectorAll('.kaart-leaflet path.kaart-punt')].findIndex(p => {
        const r = p.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p; })""")
    assert free >= 0
    first = page.locator(".kaart-leaflet path.kaart-punt").nth(free)
    url = first.get_attribute("data-url")
    assert url and url.startswith("/adres/")
    first.click()
    page.wait_for_url(server + url)
    assert page.locator("h1").count() == 1
    # the wijk filter drives map, party table and address list together
    page.goto(server + "/")
    options = page.locator("form.filters select[name=wijk] option")
    values = [v for v in options.evaluate_all("os => os.map(o => o.value)") if v]
    names = options.evaluate_all("os => Object.fromEntries(os.map(o => [o.value, o.textContent]))")
    counts = {v: page.evaluate("async v => (await (await fetch('/api/kaart?punten=200&wijk=' + v)).json())"
                               ".punten.length", v) for v in values}
    wijk = max(counts, key=counts.get)
    page.select_option("form.filters select[name=wijk]", wijk)  # no button press: the choice reloads
    page.wait_for_url(re.compile(rf".*wijk={wijk}.*"))
    wait_until(page, "() => document.querySelector('.kaart-interactief')?.dataset.klaar === '1'")
    kaart = page.evaluate("() => ({focus: window.pandzichtKaart.data.focus.length, "
                          "punten: window.pandzichtKaart.data.punten.map(p => p.url)})")
    assert kaart["focus"] > 0
    rows = page.locator("#adressen tbody tr")
    assert rows.count() > 0
    assert all(names[wijk].strip() in rows.nth(i).inner_text() for i in range(rows.count()))
    assert rows.first.locator("a[href^='/adres/']").first.get_attribute("href") == kaart["punten"][0]
    assert "met een woning in deze wijk" in page.locator("h2", has_text="Partijen").inner_text()
    page.screenshot(path=str(ARTEFACTS / "31-overzicht-wijk.png"), full_page=False)
    ctx.close()
    assert not errors, errors


def test_meldpunt_combobox_errors_and_date_on_a_phone(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    c = browser.new_context(viewport={"width": 1440, "height": 900})
    p = c.new_page()
    login_page(p, server, "analist-axe")
    address = p.locator("#adressen tbody tr").first.locator("a").first.inner_text()
    c.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/melden")
    box = page.locator("#adres_tekst")
    box.fill(address.split(",")[0])
    page.wait_for_selector("#adres-keuzes [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    opts = page.locator("#adres-keuzes [role=option]")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == opts.nth(0).get_attribute("id")
    assert opts.nth(0).get_attribute("aria-selected") == "true"
    if opts.count() > 1:
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == opts.nth(1).get_attribute("id")
        box.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.id") == "adres_tekst"  # focus stays in the input
    shot(page, "32-melden-combobox")
    assert not axe_violations(page)
    chosen = opts.nth(0).inner_text()
    box.press("Enter")
    assert box.input_value() == chosen and page.input_value("#verblijfsobject_id")
    assert box.get_attribute("aria-expanded") == "false"
    box.fill(address.split(",")[0][:-1])  # reopen, then Escape closes without choosing
    page.wait_for_selector("#adres-keuzes [role=option]")
    box.press("Escape")
    assert page.locator("#adres-keuzes").is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.fill(chosen)
    # targets of at least 24 px on a phone
    for sel in ("input[type=checkbox]", "#meldformulier button[type=submit]"):
        bb = page.locator(sel).first.bounding_box()
        assert bb and bb["width"] >= 24 and bb["height"] >= 24, (sel, bb)
    # all errors at once, listed on top with links, each tied to its field
    page.fill("#gezien_op", "2099-01-01")
    page.click("#meldformulier button[type=submit]")
    page.wait_for_selector("#foutoverzicht")
    assert page.evaluate("() => document.activeElement.id") == "foutoverzicht"
    links = page.locator("#foutoverzicht a")
    assert links.count() == 3  # categories, who you are, the date
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        field = page.locator(f"#{target}")
        assert field.get_attribute("aria-invalid") == "true"
        for ref in field.get_attribute("aria-describedby").split():
            assert page.locator(f"#{ref}").count() == 1
    shot(page, "33-melden-fouten")
    assert not axe_violations(page)
    links.nth(2).click()
    assert page.evaluate("() => document.activeElement.id") == "gezien_op"
    page.fill("#gezien_op", "2024-05-30")
    page.check("input[value=stank]")
    page.select_option("select[name=bron_type]", "anoniem")
    page.click("#meldformulier button[type=submit]")
    page.wait_for_selector("#kenmerk")
    assert "Bij direct gevaar: bel 112." in page.locator("footer").inner_text()
    shot(page, "34-melden-bedankt")
    phone.close()
    assert not errors, errors
