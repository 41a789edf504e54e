"""The audit log: every dossier view, reveal and export is there; the privacy officer reads it; no names in it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pandzicht.privacy.audit import search

from .conftest import login, top_unit


def test_views_are_logged_and_readable_by_the_privacy_officer(app, analyst: TestClient, client_factory,
                                                             add_user) -> None:
    store = app.state.ctx.analysis
    vbo = top_unit(app)
    party = store.top_parties(1)[0]["entiteit_id"]
    analyst.get(f"/adres/{vbo}")
    analyst.get(f"/adres/{vbo}")
    analyst.get(f"/partij/{party}")
    analyst.get(f"/api/netwerk/{vbo}")
    with app.state.ctx.sessions() as s:
        entries, _ = search(s, gebruiker="ana")
    actions = [e.actie for e in entries]
    assert actions.count("adres_bekeken") == 2 and "partij_bekeken" in actions and "netwerk_bekeken" in actions
    assert all(e.rol == "analist" for e in entries)
    add_user("privacy", "privacy-officer")
    po = client_factory()
    login(po, "privacy")
    page = po.get("/audit", params={"object_id": vbo}).text
    assert page.count(vbo) >= 2 and "adresdossier bekeken" in page and "ana" in page
    # the access request question: who saw this unit?
    page = po.get("/audit", params={"object_id": vbo, "actie": "adres_bekeken"}).text
    assert "2 regels" in page


def test_audit_entries_hold_no_names(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    names = [r["naam"] for r in store.rows("SELECT DISTINCT naam FROM partij_vermelding WHERE naam IS NOT NULL "
                                           "AND soort = 'persoon' LIMIT 500")]
    for vbo in [u["verblijfsobject_id"] for u in store.top_units(5)]:
        analyst.get(f"/adres/{vbo}")
    with app.state.ctx.sessions() as s:
        entries, _ = search(s, limit=1000)
    text = " ".join(f"{e.object_id} {e.doel}" for e in entries)
    assert entries and not any(n in text for n in names)
