"""The casustafel's typology, finding and deadline filters and its assignee sort, and the case page's network,
saved charts and address timeline, through the real HTTP app (issue 14)."""

from __future__ import annotations

import datetime as dt
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.cases.models import Organisation
from pandzicht.privacy.models import User

from .conftest import csrf_of, login


def _post(c: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/zaken").text)
    return c.post(path, data={**data, "csrf": token}, follow_redirects=False)


def _open(c: TestClient, vbo: str) -> int:
    r = _post(c, "/zaken", onderwerp_soort="adres", onderwerp_id=vbo, titel="Werkzaak", doel_code="opiumwet_13b",
              kenmerk="RIEC-2024-0012")
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["location"].split("#")[0].rsplit("/", 1)[1])


def _ids(c: TestClient, query: str) -> list[int]:
    page = c.get(f"/zaken?{query}").text
    table = page[page.index('id="zaaklijst"'):page.index("</table>", page.index('id="zaaklijst"'))]
    return [int(i) for i in re.findall(r'<a href="/zaken/(\d+)">', table)]


def test_casustafel_filters_by_suspicion_finding_and_deadline_and_sorts_by_assignee(
        app, add_user, client_factory) -> None:  # type: ignore[no-untyped-def]
    add_user("regie", "casusregisseur")
    add_user("anouk", "casusregisseur")
    add_user("bram", "casusregisseur")
    team = client_factory()
    login(team, "regie")
    store = app.state.ctx.analysis
    kinds = [r["vermoeden"] for r in store.rows(
        "SELECT vermoeden, min(rang) AS r FROM adres_score WHERE vermoeden <> '' GROUP BY 1 ORDER BY r LIMIT 2")]
    assert len(kinds) == 2, "the test world has fewer than two suspected typologies"
    units = [store.one("SELECT verblijfsobject_id FROM adres_score WHERE vermoeden = ? ORDER BY rang LIMIT 1",
                       [k])["verblijfsobject_id"] for k in kinds]
    first, second, third = _open(team, units[0]), _open(team, units[1]), _open(team, units[0])
    with app.state.ctx.sessions() as s:
        anouk, bram = (s.scalar(select(User.id).where(User.naam == n)) for n in ("anouk", "bram"))
    today = dt.date.today()
    _post(team, f"/zaken/{first}/toewijzing", gebruiker_id=str(bram),
          termijn=(today + dt.timedelta(days=3)).isoformat())
    _post(team, f"/zaken/{second}/toewijzing", gebruiker_id=str(anouk),
          termijn=(today + dt.timedelta(days=30)).isoformat())
    r = _post(team, f"/zaken/{second}/uitkomst", verblijfsobject_id=units[1], datum=today.isoformat(),
              instrument="controle", bevinding="niets_gevonden")
    assert r.status_code == 303

    assert _ids(team, "") == [third, second, first]
    assert _ids(team, f"vermoeden={kinds[0]}") == [third, first]
    assert _ids(team, f"vermoeden={kinds[1]}") == [second]
    assert _ids(team, "bevinding=niets_gevonden") == [second]
    assert _ids(team, "bevinding=hennepkwekerij") == []
    assert _ids(team, "termijn=week") == [first]
    assert _ids(team, "termijn=geen") == [third]
    assert _ids(team, "termijn=verstreken") == []
    assert _ids(team, "sorteer=toegewezen") == [second, first, third]  # anouk, bram, nobody last
    assert _ids(team, f"vermoeden={kinds[0]}&termijn=week") == [first]
    assert _ids(team, "vermoeden=onzin&bevinding=onzin&termijn=onzin&sorteer=onzin") == [third, second, first]
    page = team.get(f"/zaken?vermoeden={kinds[1]}").text
    assert "filters wissen" in page and f'value="{kinds[1]}" selected' in page


def test_case_page_shows_network_saved_charts_and_the_address_timeline(
        app, add_user, client_factory) -> None:  # type: ignore[no-untyped-def]
    add_user("regie", "casusregisseur")
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    team = client_factory()
    login(team, "regie")
    store = app.state.ctx.analysis
    vbo = next(u["verblijfsobject_id"] for u in store.top_units(50)
               if store.edges_touching([u["verblijfsobject_id"]]) and store.unit_timeline(u["verblijfsobject_id"]))
    zid = _open(team, vbo)
    page = team.get(f"/zaken/{zid}").text
    assert 'id="netwerk"' in page and f'data-knoop="{vbo}"' in page and 'id="adrestijdlijn"' in page
    assert "Nog geen netwerkweergave bewaard" in page
    # the timeline is the dossier's: same events, same order
    dossier = team.get(f"/adres/{vbo}").text
    titles = re.findall(r"<li class=\"ev-[a-z]+[^\"]*\">\s*<time>[^<]*</time>\s*<div><strong>([^<]+)</strong>",
                        dossier)
    section = page[page.index('id="adrestijdlijn"'):page.index("</section>", page.index('id="adrestijdlijn"'))]
    assert titles and re.findall(r"<div><strong>([^<]+)</strong>", section) == titles
    # a chart saved into the case is listed on the case page
    token = csrf_of(page)
    state = {"kern": vbo, "posities": {vbo: [0.0, 0.0]}, "vast": [vbo], "selectie": [], "uitgeklapt": {},
             "filters": {}}
    r = team.post(f"/api/zaken/{zid}/netwerk", data={"titel": "eigenaar en huurders", "opname": json.dumps(state),
                                                     "csrf": token})
    assert r.status_code == 200, r.text[:300]
    page = team.get(f"/zaken/{zid}").text
    listed = page[page.index('id="opnames"'):]
    assert "eigenaar en huurders" in listed and "regie" in listed
    # a partner sees the shared case but neither the network nor the address timeline
    with app.state.ctx.sessions() as s:
        org = s.scalar(select(Organisation.id).where(Organisation.naam == "Politie Eenheid Rotterdam"))
    _post(team, f"/zaken/{zid}/delen", organisatie_id=str(org))
    partner = client_factory()
    login(partner, "politie")
    seen = partner.get(f"/zaken/{zid}").text
    assert "Werkzaak" in seen and 'id="netwerk"' not in seen and 'id="adrestijdlijn"' not in seen
