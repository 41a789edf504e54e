"""Case work in real headless Chromium: sort and tick rows on the overview, open one case for them, act on the case
page and see each confirmation; axe-core on the case page. Reuses the server and browser of test_browser.py.
Screenshots go to test-artefacten/."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .test_browser import axe_violations, browser, regie_page, server, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _confirmation(page) -> str:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#bevestiging")
    return page.inner_text("#bevestiging")


def test_case_flow_from_a_selection_with_confirmations(server: str, browser, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, errors = regie_page(browser, server)

    # compact rows: the explanation opens on demand; sorting by wijk reorders the page's rows
    rows = page.locator("#adressen tbody tr")
    assert rows.count() == 25
    first = rows.first.locator("details.uitleg-rij")
    assert not first.evaluate("d => d.open")
    first.locator("summary").click()
    assert first.locator("ol.bijdragen li").count() >= 1
    page.click("#adressen button[data-sorteer=wijk]")
    wijken = rows.evaluate_all("rs => rs.map(r => r.dataset.wijk)")
    assert wijken == page.evaluate("w => [...w].sort((a, b) => a.localeCompare(b, 'nl'))", wijken)
    assert len(set(wijken)) > 1
    assert page.get_attribute("#adressen th:nth-child(4)", "aria-sort") == "ascending"
    page.click("#adressen button[data-sorteer=score]")
    scores = [float(s) for s in rows.evaluate_all("rs => rs.map(r => r.dataset.score)")]
    assert scores == sorted(scores, reverse=True)
    shot(page, "20-overzicht-selectie")

    # tick two rows and open one case for them
    ticked = [rows.nth(i).locator("input[name=vbo]").get_attribute("value") for i in (0, 1)]
    for i in (0, 1):
        rows.nth(i).locator("input[name=vbo]").check()
    page.locator("#selectie details.zaak-openen summary").click()
    page.select_option("#selectie select[name=doel_code]", "woonfraude")
    page.fill("#selectie input[name=kenmerk]", "RIEC-2024-0077")
    page.click("#selectie button[value=zaak]")
    page.wait_for_url(re.compile(r".*/zaken/\d+$"))
    assert _confirmation(page) == "Zaak geopend"
    assert page.locator("#uitkomstformulier select[name=verblijfsobject_id] option").count() == 3  # kies… + 2

    # an intervention, its status, an outcome, a note, assignee and deadline: each confirmed
    page.select_option("#interventies select[name=instrument]", "adresonderzoek")
    page.click("#interventies form.formulier button[type=submit]")
    assert _confirmation(page) == "Interventie toegevoegd"
    page.select_option("#interventies form.interventiestatus select[name=status]", "lopend")
    page.click("#interventies form.interventiestatus button[type=submit]")
    assert _confirmation(page) == "Status van de interventie gewijzigd"
    assert page.eval_on_selector("#interventies form.interventiestatus select", "s => s.value") == "lopend"
    finding = page.locator("#uitkomstformulier select[name=bevinding]")
    assert finding.evaluate("s => s.value") == "" and finding.get_attribute("required") is not None
    page.select_option("#uitkomstformulier select[name=verblijfsobject_id]", ticked[1])
    page.select_option("#uitkomstformulier select[name=instrument]", "huisbezoek")
    page.select_option("#uitkomstformulier select[name=bevinding]", "niets_gevonden")
    page.fill("#uitkomstformulier input[name=datum]", "2024-06-01")
    page.click("#uitkomstformulier button[type=submit]")
    assert _confirmation(page) == "Uitkomst vastgelegd"
    assert not re.search(r"\b\d{16}\b", page.inner_text("#uitkomsten table"))  # the address as text
    page.fill("#notities textarea[name=tekst]", "Eigenaar belt terug na de zomer")
    page.click("#notities button[type=submit]")
    assert _confirmation(page) == "Notitie toegevoegd"
    page.select_option("#toewijzing select[name=gebruiker_id]", label="regie")
    page.fill("#toewijzing input[name=termijn]", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.click("#toewijzing button[type=submit]")
    assert _confirmation(page) == "Toewijzing vastgelegd"
    timeline = page.inner_text("#tijdlijn")
    assert all(w in timeline for w in ("zaak geopend", "interventie gekozen", "lopend", "uitkomst vastgelegd",
                                       "Eigenaar belt terug"))
    assert not axe_violations(page)
    shot(page, "21-zaak-met-bevestiging")

    # the casustafel: filtered on the assignee, sorted by deadline, bookmarkable
    page.goto(server + "/zaken?toegewezen=ik&sorteer=termijn")
    assert page.locator("#zaaklijst tbody tr").count() == 1 and "woonfraude" not in page.url
    assert not axe_violations(page)
    shot(page, "22-casustafel-filters")
    page.context.close()
    assert not errors, errors
