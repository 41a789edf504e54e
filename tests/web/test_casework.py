"""Case work through the real HTTP app: confirmations, the outcome form, addresses as text, intervention status,
notes (never in the audit log), assignee and deadline, the timeline, the casustafel's filters and sorting, and a
case or export from a selection on the overview. The main flow runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pandzicht.cases.models import Case, CaseIntervention, Organisation
from pandzicht.privacy.models import AuditEntry, User
from pandzicht.privacy.users import create_user
from pandzicht.web.app import create_app

from .conftest import PASSWORD, csrf_of, login, make_settings, postgres_database, top_unit

NOTE = "Buurman zag 's nachts busjes; sleutel ligt bij de beheerder Van Dam"


def _post(c: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/zaken").text)
    return c.post(path, data={**data, "csrf": token}, follow_redirects=False)


def _open(c: TestClient, vbo: str, doel: str = "opiumwet_13b") -> int:
    r = _post(c, "/zaken", onderwerp_soort="adres", onderwerp_id=vbo, titel="Werkzaak", doel_code=doel,
              kenmerk="RIEC-2024-0012")
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["location"].split("#")[0].rsplit("/", 1)[1])


def _confirmation(c: TestClient, location: str) -> str:
    m = re.search(r'<p class="bevestiging" role="status" id="bevestiging">([^<]*)</p>', c.get(location).text)
    return m.group(1) if m else ""


def case_flow(app, c: TestClient) -> int:  # type: ignore[no-untyped-def]
    """Every new case action through HTTP, with its confirmation, storage and audit checked."""
    vbo = top_unit(app)
    address = app.state.ctx.analysis.unit(vbo)["adres"]
    zid = _open(c, vbo)
    assert _confirmation(c, f"/zaken/{zid}") == "Zaak geopend"
    assert _confirmation(c, f"/zaken/{zid}") == ""  # shown once

    page = c.get(f"/zaken/{zid}").text
    finding = re.search(r'<select name="bevinding" required>(.*?)</select>', page, re.S)
    assert finding and '<option value="">kies…</option>' in finding.group(1)
    assert "selected" not in finding.group(1)  # no finding is chosen for the user

    r = _post(c, f"/zaken/{zid}/interventie", instrument="sluiting_13b")
    assert r.status_code == 303 and _confirmation(c, r.headers["location"]) == "Interventie toegevoegd"
    with app.state.ctx.sessions() as s:
        iid = s.scalar(select(CaseIntervention.id).where(CaseIntervention.zaak_id == zid))
    r = _post(c, f"/zaken/{zid}/interventie/{iid}/status", status="lopend")
    assert r.status_code == 303
    assert _confirmation(c, r.headers["location"]) == "Status van de interventie gewijzigd"
    assert _post(c, f"/zaken/{zid}/interventie/{iid}/status", status="vergeten").status_code == 400
    with app.state.ctx.sessions() as s:
        assert s.get(CaseIntervention, iid).status == "lopend"
        assert s.scalar(select(AuditEntry).where(AuditEntry.zaak_id == zid,
                                                 AuditEntry.doel == f"interventie {iid} status lopend")) is not None

    r = _post(c, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-05-01", instrument="controle",
              bevinding="niets_gevonden")
    assert r.status_code == 303 and _confirmation(c, r.headers["location"]) == "Uitkomst vastgelegd"
    page = c.get(f"/zaken/{zid}").text
    outcomes = page[page.index('id="uitkomsten"'):page.index('id="uitkomstformulier"')]
    assert address in outcomes and f">{vbo}<" not in outcomes  # the address as text, not the BAG id

    r = _post(c, f"/zaken/{zid}/notitie", tekst=NOTE)
    assert r.status_code == 303 and _confirmation(c, r.headers["location"]) == "Notitie toegevoegd"
    assert _post(c, f"/zaken/{zid}/notitie", tekst="   ").status_code == 400

    with app.state.ctx.sessions() as s:
        colleague = s.scalar(select(User.id).where(User.naam == "regie2"))
        outsider = s.scalar(select(User.id).where(User.naam == "politie"))
    deadline = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    r = _post(c, f"/zaken/{zid}/toewijzing", gebruiker_id=str(colleague), termijn=deadline)
    assert r.status_code == 303 and _confirmation(c, r.headers["location"]) == "Toewijzing vastgelegd"
    assert _post(c, f"/zaken/{zid}/toewijzing", gebruiker_id=str(outsider), termijn=deadline).status_code == 400
    with app.state.ctx.sessions() as s:
        case = s.get(Case, zid)
        assert (case.toegewezen_aan, case.termijn) == (colleague, dt.date.fromisoformat(deadline))
        assert s.scalar(select(AuditEntry).where(AuditEntry.zaak_id == zid,
                                                 AuditEntry.doel == f"toegewezen aan gebruiker {colleague}"))
        # the note's words are in the case, never in the audit log (which holds identifiers only)
        rows = s.scalars(select(AuditEntry)).all()
        assert rows and not any("busjes" in f"{a.doel} {a.object_id} {a.object_soort}" for a in rows)
        assert any((a.doel or "").startswith("notitie ") for a in rows if a.zaak_id == zid)

    page = c.get(f"/zaken/{zid}").text
    assert "busjes" in page and "verlopen" in page and "regie2" in page
    timeline = page[page.index('id="tijdlijn"'):]
    order = [timeline.index(w) for w in ("zaak geopend", "interventie gekozen", "interventie Sluiting",
                                         "uitkomst vastgelegd", "notitie van")]
    assert order == sorted(order)
    return zid


@pytest.fixture
def team(app, add_user, client_factory) -> TestClient:  # type: ignore[no-untyped-def]
    add_user("regie", "casusregisseur")
    add_user("regie2", "casusregisseur")
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    c = client_factory()
    login(c, "regie")
    return c


def test_case_flow_on_sqlite(app, team: TestClient) -> None:
    case_flow(app, team)


def test_partner_outcome_waits_for_confirmation(app, team: TestClient, client_factory) -> None:  # type: ignore[no-untyped-def]
    vbo = top_unit(app)
    zid = _open(team, vbo)
    with app.state.ctx.sessions() as s:
        org = s.scalar(select(Organisation.id).where(Organisation.naam == "Politie Eenheid Rotterdam"))
    r = _post(team, f"/zaken/{zid}/delen", organisatie_id=str(org))
    assert _confirmation(team, r.headers["location"]) == "Zaak gedeeld met de partner"
    p = client_factory()
    login(p, "politie")
    r = _post(p, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-05-01", instrument="controle",
              bevinding="niets_gevonden")
    assert r.status_code == 303
    assert _confirmation(p, r.headers["location"]) == "Uitkomst vastgelegd — wacht op bevestiging"
    assert _post(p, f"/zaken/{zid}/notitie", tekst="mag niet").status_code == 403


def test_casustafel_filters_and_sorting(app, team: TestClient) -> None:
    units = [u["verblijfsobject_id"] for u in app.state.ctx.analysis.top_units(3)]
    low, high = _open(team, units[2], doel="bibob"), _open(team, units[0])
    mid = _open(team, units[1])
    with app.state.ctx.sessions() as s:
        colleague = s.scalar(select(User.id).where(User.naam == "regie2"))
    past, future = (dt.date.today() + dt.timedelta(days=d) for d in (-1, 10))
    _post(team, f"/zaken/{low}/toewijzing", gebruiker_id=str(colleague), termijn=past.isoformat())
    _post(team, f"/zaken/{mid}/toewijzing", gebruiker_id="", termijn=future.isoformat())
    _post(team, f"/zaken/{mid}/status", status="gesloten")

    def ids(query: str) -> list[int]:
        page = team.get(f"/zaken?{query}").text
        table = page[page.index('id="zaaklijst"'):page.index("</table>", page.index('id="zaaklijst"'))]
        return [int(i) for i in re.findall(r'<a href="/zaken/(\d+)">', table)]

    assert ids("") == [mid, high, low]
    assert ids("status=gesloten") == [mid]
    assert ids(f"toegewezen={colleague}") == [low]
    assert ids("verlopen=1") == [low]
    assert ids("doel=bibob") == [low]
    assert ids("sorteer=termijn") == [low, mid, high]  # no deadline last
    assert ids("sorteer=score") == [high, mid, low]
    assert ids("sorteer=status") == [mid, high, low]  # gesloten before open
    assert ids("status=onzin&sorteer=onzin") == [mid, high, low]  # unknown values are ignored


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database("pandzicht_test") as url:
        yield url


@pytest.mark.postgres
def test_case_flow_on_postgresql(world, pg_url: str) -> None:
    app = create_app(make_settings(world, pg_url))
    try:
        with app.state.ctx.engine.connect() as con:  # the migrations end in exactly one head
            assert list(con.execute(text("SELECT version_num FROM alembic_version")).scalars()) == ["0006s"]
        with app.state.ctx.sessions.begin() as s:
            create_user(s, "regie", PASSWORD, "casusregisseur")
            create_user(s, "regie2", PASSWORD, "casusregisseur")
            create_user(s, "politie", PASSWORD, "partner", "Politie Eenheid Rotterdam")
        with TestClient(app, base_url="https://testserver") as c:
            login(c, "regie")
            case_flow(app, c)
    finally:
        app.state.ctx.analysis.close()
        app.state.ctx.engine.dispose()


def test_overview_rows_select_into_one_case_or_an_export(app, team: TestClient) -> None:
    page = team.get("/").text
    table = page[page.index('id="adressen"'):page.index("</table>", page.index('id="adressen"'))]
    ticked = re.findall(r'name="vbo" value="(\d{16})" form="selectie"', table)[:3]
    assert len(ticked) == 3 and table.count('<details class="uitleg-rij">') == table.count('name="vbo"')
    assert 'data-sorteer="score"' in table and 'data-sorteer="wijk"' in table
    token = csrf_of(page)
    # no CSRF token, no export
    assert team.post("/selectie.csv", data={"vbo": ticked}).status_code in (400, 403)
    r = team.post("/selectie.csv", data={"vbo": ticked, "csrf": token})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").strip().split("\r\n")
    assert len(lines) == 4 and all(any(v in line for line in lines[1:]) for v in ticked)
    with app.state.ctx.sessions() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.actie == "export_shortlist",
                                                 AuditEntry.object_id == "selectie")).aantal == 3
    # one case for the three addresses, with the same purpose rules as any case
    assert team.post("/selectie", data={"vbo": ticked, "csrf": token, "doel_code": "", "kenmerk": ""},
                     follow_redirects=False).status_code == 400
    r = team.post("/selectie", data={"vbo": ticked, "csrf": token, "doel_code": "woonfraude",
                                     "kenmerk": "RIEC-2024-0099"}, follow_redirects=False)
    assert r.status_code == 303
    zid = int(r.headers["location"].rsplit("/", 1)[1])
    assert _confirmation(team, f"/zaken/{zid}") == "Zaak geopend"
    page = team.get(f"/zaken/{zid}").text
    form = page[page.index('id="uitkomstformulier"'):]
    assert all(f'<option value="{v}">' in form for v in ticked)  # an outcome may be recorded at each of them
    with app.state.ctx.sessions() as s:
        opened = s.scalars(select(AuditEntry.object_id).where(AuditEntry.actie == "zaak_geopend",
                                                              AuditEntry.zaak_id == zid)).all()
    assert sorted(opened) == sorted(ticked)
    r = _post(team, f"/zaken/{zid}/uitkomst", verblijfsobject_id=ticked[2], datum="2024-05-01",
              instrument="controle", bevinding="niets_gevonden")
    assert r.status_code == 303
