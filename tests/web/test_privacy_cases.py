"""Issue 12, findings 4, 5 and 10: who may reveal and for which purpose, outcomes bound to the case's units and
confirmed before they train the model, partner organisations as managed records."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.cases.export import outcomes_as_labels
from pandzicht.cases.models import Case, Organisation, Outcome
from pandzicht.privacy.audit import search

from .conftest import csrf_of, login, top_unit
from .test_cases import open_case, org_id, post


def _pid_at(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    row = app.state.ctx.analysis.one(
        "SELECT r.naar AS vbo, r.van AS pid FROM relatie r WHERE r.soort = 'registered_at' "
        "AND r.naar IN (SELECT verblijfsobject_id FROM adres_score) ORDER BY 1 LIMIT 1")
    return row["vbo"], row["pid"]


def test_an_analyst_cannot_reveal_a_name(app, analyst: TestClient) -> None:
    vbo, pid = _pid_at(app)
    zid = open_case(analyst, "adres", vbo, "adresonderzoek", "BRP-2024-0042")
    assert post(analyst, f"/zaken/{zid}/onthul", entiteit_id=pid).status_code == 403
    assert "naam onthullen" not in analyst.get(f"/zaken/{zid}").text
    with app.state.ctx.sessions() as s:
        assert search(s, actie="naam_onthuld")[1] == 0


def test_a_purpose_is_a_code_from_the_list_with_a_reference(app, director: TestClient) -> None:
    vbo = top_unit(app)
    token = csrf_of(director.get("/zaken").text)
    for doel_code, kenmerk in (("abcdefghij", "RIEC-2024-1"), ("", "RIEC-2024-1"), ("opiumwet_13b", ""),
                               ("opiumwet_13b", "Jan Jansen"), ("opiumwet_13b", "xxxxxxxxxx")):
        r = director.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": vbo, "titel": "x",
                                          "doel_code": doel_code, "kenmerk": kenmerk, "doel": "Jan Jansen woont hier",
                                          "csrf": token})
        assert r.status_code == 400 and "doelbinding" in r.text, (doel_code, kenmerk)
    zid = open_case(director, "adres", vbo, "opiumwet_13b", "riec-2024-0012")
    page = director.get(f"/zaken/{zid}").text
    assert "Opiumwet art. 13b" in page and "RIEC-2024-0012" in page


def test_audit_rows_hold_no_text_a_user_typed(app, director: TestClient) -> None:
    vbo, pid = _pid_at(app)
    token = csrf_of(director.get("/zaken").text)
    director.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": vbo, "titel": "Pietje Puk Onderzoek",
                                  "doel_code": "adresonderzoek", "kenmerk": "BRP-2024-7",
                                  "doel": "Pietje Puk woont hier", "csrf": token})
    with app.state.ctx.sessions() as s:
        zid = s.scalar(select(Case.id).order_by(Case.id.desc()))
    post(director, f"/zaken/{zid}/onthul", entiteit_id=pid)
    post(director, f"/zaken/{zid}/triage", verkeerslicht="rood", reden="Pietje Puk zegt van wel")
    post(director, f"/zaken/{zid}/interventie", instrument="adresonderzoek", verantwoordelijke="Pietje Puk",
         toelichting="Pietje Puk")
    director.get(f"/zaken/{zid}")
    director.get("/export/adressen.csv", params={"buurt": "Pietje Puk"})
    with app.state.ctx.sessions() as s:
        entries, n = search(s, limit=1000)
    assert n >= 6
    logged = " ".join(f"{e.object_soort} {e.object_id} {e.doel}" for e in entries)
    assert "Pietje" not in logged and "Puk" not in logged
    assert {e.doel for e in entries if e.zaak_id == zid and e.actie != "zaak_gewijzigd"} == {"adresonderzoek"}


def test_outcomes_only_for_the_units_of_the_case(app, director: TestClient, client_factory, add_user) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    store = app.state.ctx.analysis
    vbo, other = [u["verblijfsobject_id"] for u in store.top_units(2)]
    zid = open_case(director, "adres", vbo)
    post(director, f"/zaken/{zid}/delen", organisatie_id=org_id(app, "Politie Eenheid Rotterdam"))
    police = client_factory()
    login(police, "politie")
    r = post(police, f"/zaken/{zid}/uitkomst", verblijfsobject_id=other, datum="2024-04-01",
             instrument="huisbezoek", bevinding="hennepkwekerij")
    assert r.status_code == 400 and "hoort niet bij" in r.text
    assert post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=other, datum="2024-04-01",
                instrument="controle", bevinding="niets_gevonden").status_code == 400
    assert f"Uitkomst zaak {zid}" not in director.get(f"/adres/{other}").text


def test_a_partner_outcome_is_a_label_once_a_director_confirms_it(app, db_url: str, director: TestClient,
                                                                  client_factory, add_user) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    vbo = top_unit(app)
    zid = open_case(director, "adres", vbo)
    post(director, f"/zaken/{zid}/delen", organisatie_id=org_id(app, "Politie Eenheid Rotterdam"))
    police = client_factory()
    login(police, "politie")
    assert post(police, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-04-01",
                instrument="huisbezoek", bevinding="hennepkwekerij").status_code == 303
    assert outcomes_as_labels(db_url) == []  # not a label yet
    assert "nog niet bevestigd" in director.get(f"/adres/{vbo}").text
    with app.state.ctx.sessions() as s:
        oid = s.scalar(select(Outcome.id).where(Outcome.zaak_id == zid))
    assert post(police, f"/zaken/{zid}/uitkomst/{oid}/bevestig").status_code == 403  # not by the partner
    assert post(director, f"/zaken/{zid}/uitkomst/{oid}/bevestig").status_code == 303
    assert outcomes_as_labels(db_url) == [{"verblijfsobject_id": vbo, "datum": "2024-04-01",
                                           "instrument": "huisbezoek", "bevinding": "hennepkwekerij"}]
    with app.state.ctx.sessions() as s:
        o = s.get(Outcome, oid)
        users = dict(s.execute(select(Outcome.id, Outcome.vastgelegd_door)).all())
        assert o.bevestigd_door is not None and o.bevestigd_door != users[oid]
        assert isinstance(o.bevestigd_op, dt.datetime)
        assert search(s, actie="uitkomst_bevestigd")[1] == 1


def test_sharing_picks_a_managed_organisation(app, director: TestClient, client_factory, add_user) -> None:
    zid = open_case(director, "adres", top_unit(app))
    r = post(director, f"/zaken/{zid}/delen", organisatie="Wie dan ook")
    assert r.status_code == 422  # a name is no longer accepted, only an organisation's id
    assert post(director, f"/zaken/{zid}/delen", organisatie_id="99999").status_code == 400
    add_user("beheer", "beheerder")
    admin = client_factory()
    login(admin, "beheer")
    token = csrf_of(admin.get("/beheer").text)
    assert admin.post("/beheer/organisaties", data={"naam": "Gemeente Schiedam", "csrf": token},
                      follow_redirects=False).status_code == 303
    assert admin.post("/beheer/organisaties", data={"naam": "gemeente schiedam", "csrf": token}).status_code == 400
    new = org_id(app, "Gemeente Schiedam")
    assert "Gemeente Schiedam" in director.get(f"/zaken/{zid}").text
    assert post(director, f"/zaken/{zid}/delen", organisatie_id=new).status_code == 303
    assert admin.post(f"/beheer/organisaties/{new}", data={"actief": "nee", "csrf": token},
                      follow_redirects=False).status_code == 303
    other = open_case(director, "adres", top_unit(app))
    assert post(director, f"/zaken/{other}/delen", organisatie_id=new).status_code == 400  # inactive
    assert director.post("/beheer/organisaties", data={"naam": "X BV", "csrf": token}).status_code == 403
    with app.state.ctx.sessions() as s:
        assert s.scalar(select(Organisation.actief).where(Organisation.id == int(new))) is False
        assert [p.organisatie for p in s.get(Case, zid).partners] == ["Gemeente Schiedam"]
