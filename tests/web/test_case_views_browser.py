"""The case page's link chart (save into the case, restore it, listed on the page), its address timeline, and the
casustafel's typology, finding and deadline filters and assignee sort, in Debian Chromium with axe-core (issue 14).

Reuses the server and browser fixtures of test_browser (imported, not copied); screenshots go to test-artefacten/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .test_browser import ARTEFACTS, axe_violations, browser, regie_page, server, shot, wait_until  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_case_page_network_timeline_and_casustafel_filters(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, errors = regie_page(browser, server)

    # one case for the top row of the ranked list
    row = page.locator("#adressen tbody tr").first
    row.locator("input[name=vbo]").check()
    page.locator("#selectie details.zaak-openen summary").click()
    page.select_option("#selectie select[name=doel_code]", "woonfraude")
    page.fill("#selectie input[name=kenmerk]", "RIEC-2024-0101")
    page.click("#selectie button[value=zaak]")
    page.wait_for_url(re.compile(r".*/zaken/\d+$"))
    case_url = page.url

    # the address timeline and the network section are on the case page
    assert page.locator("#adrestijdlijn ol.tijdlijn li").count() >= 1
    assert "Nog geen netwerkweergave bewaard" in page.inner_text("#opnames")
    page.click("#netwerk .netwerk-open")
    wait_until(page, "() => Boolean(window.pandzichtNetwerk) && window.pandzichtNetwerk.cy.nodes().length > 1 "
                     "&& !window.pandzichtNetwerk.busy")
    kern = page.get_attribute("#netwerk .netwerk-vak", "data-knoop")
    assert page.evaluate("k => window.pandzichtNetwerk.cy.getElementById(k).length", kern) == 1
    # move the centre, save into this case, reload: the saved view is listed and restores the position
    page.evaluate("k => window.pandzichtNetwerk.cy.getElementById(k).position({x: 123, y: 45})", kern)
    page.locator("#netwerk .netwerk-bewaar").click()
    wait_until(page, "() => document.querySelector('#netwerk').innerText.includes('bewaard in de zaak')")
    page.goto(case_url)
    assert "regie" in page.inner_text("#opnames") and "Nog geen" not in page.inner_text("#opnames")
    page.click("#netwerk .netwerk-open")
    wait_until(page, "() => Boolean(window.pandzichtNetwerk) && !window.pandzichtNetwerk.busy")
    page.locator("#netwerk .netwerk-herstel").click()
    wait_until(page, f"() => Math.round(window.pandzichtNetwerk.cy.getElementById('{kern}').position('x')) === 123")
    assert not axe_violations(page)
    page.locator("#netwerk .netwerk-vak").screenshot(path=str(ARTEFACTS / "30-zaak-netwerk.png"))
    shot(page, "31-zaak-netwerk-tijdlijn")

    # assignee and deadline, then an outcome: the casustafel's filters find the case by each
    page.select_option("#toewijzing select[name=gebruiker_id]", label="regie")
    page.fill("#toewijzing input[name=termijn]", (dt.date.today() + dt.timedelta(days=5)).isoformat())
    page.click("#toewijzing button[type=submit]")
    page.wait_for_selector("#bevestiging")
    page.select_option("#uitkomstformulier select[name=verblijfsobject_id]", index=0)
    page.select_option("#uitkomstformulier select[name=bevinding]", "niets_gevonden")
    page.click("#uitkomstformulier button[type=submit]")
    page.wait_for_selector("#bevestiging")
    case_id = case_url.rsplit("/", 1)[1]

    page.goto(server + "/zaken")
    page.select_option("#zaakfilters select[name=termijn]", "week")
    page.select_option("#zaakfilters select[name=bevinding]", "niets_gevonden")
    page.select_option("#zaakfilters select[name=sorteer]", "toegewezen")
    page.click("#zaakfilters button[type=submit]")
    page.wait_for_load_state("load")
    assert "termijn=week" in page.url and "bevinding=niets_gevonden" in page.url
    listed = page.locator("#zaaklijst tbody tr a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert listed == [f"/zaken/{case_id}"]
    suspected = page.locator("#zaaklijst tbody tr td:nth-child(9)").inner_text().strip()
    assert page.locator("#zaaklijst tbody tr td:nth-child(10)").inner_text().strip() == "niets gevonden"
    assert not axe_violations(page)
    shot(page, "32-casustafel-filters")
    page.goto(server + "/zaken?bevinding=hennepkwekerij")
    assert "Geen zaken" in page.inner_text("#zaaklijst")
    if suspected != "—":  # the typology filter finds the case by what the analysis suspects at its address
        page.goto(server + "/zaken")
        page.select_option("#zaakfilters select[name=vermoeden]", label=suspected.split(",")[0].strip())
        page.click("#zaakfilters button[type=submit]")
        page.wait_for_load_state("load")
        assert page.locator(f"#zaaklijst a[href='/zaken/{case_id}']").count() == 1
    page.context.close()
    assert not errors, errors
