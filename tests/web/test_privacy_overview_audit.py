"""Issue 12, finding 6 for the overview page: its lists of top addresses and parties are reads of personal data,
so each request writes one audit row with the count, like the list API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pandzicht.privacy.audit import search


def test_the_overview_writes_one_audit_row_per_request_with_the_count(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    assert analyst.get("/").status_code == 200
    assert analyst.get("/", params={"pagina": 2}).status_code == 200
    with app.state.ctx.sessions() as s:
        entries, n = search(s, actie="overzicht_bekeken")
    assert n == 2
    units_first = len(store.top_units(25, 0))
    parties = len(store.top_parties(10))
    counts = sorted(e.aantal for e in entries)
    assert counts == sorted([units_first + parties, len(store.top_units(25, 25)) + parties])
    assert all(e.gebruikersnaam == "ana" and e.rol == "analist" for e in entries)
    assert {e.doel for e in entries} == {f"pagina=1;adressen={units_first};partijen={parties}",
                                         f"pagina=2;adressen={len(store.top_units(25, 25))};partijen={parties}"}


def test_the_overview_audit_row_holds_no_filter_text_a_user_typed(app, analyst: TestClient) -> None:
    analyst.get("/", params={"buurt": "Pietje Puk", "wijk": "Jan Jansen"})
    with app.state.ctx.sessions() as s:
        entries, n = search(s, actie="overzicht_bekeken")
    assert n == 1
    logged = f"{entries[0].object_soort} {entries[0].object_id} {entries[0].doel}"
    assert "Pietje" not in logged and "Jansen" not in logged


def test_the_privacy_officer_reads_the_overview_row_by_its_label(app, analyst: TestClient, client_factory,
                                                                 add_user) -> None:
    from .conftest import login

    analyst.get("/")
    add_user("privacy", "privacy-officer")
    po = client_factory()
    login(po, "privacy")
    page = po.get("/audit", params={"actie": "overzicht_bekeken"}).text
    assert "overzicht bekeken" in page and "1 regel" in page
