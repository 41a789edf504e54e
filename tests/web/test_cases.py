"""Casustafel: open, triage, share, interventions, outcomes, reveal; partner isolation; FollowTheMoney export."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import select

from pandzicht.cases.catalogue import CATALOGUE
from pandzicht.cases.models import Organisation
from pandzicht.privacy.audit import search

from .conftest import csrf_of, login, top_unit


def open_case(c: TestClient, soort: str, onderwerp: str, doel: str = "opiumwet_13b",
              kenmerk: str = "RIEC-2024-0012") -> int:
    token = csrf_of(c.get("/zaken").text)
    r = c.post("/zaken", data={"onderwerp_soort": soort, "onderwerp_id": onderwerp, "titel": "Testzaak",
                               "doel_code": doel, "kenmerk": kenmerk, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    return int(r.headers["location"].rsplit("/", 1)[1])


def org_id(app, naam: str) -> str:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions() as s:
        return str(s.scalar(select(Organisation.id).where(Organisation.naam == naam)))


def post(c: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/zaken").text)
    return c.post(path, data={**data, "csrf": token}, follow_redirects=False)


def test_case_needs_a_purpose(app, director: TestClient) -> None:
    token = csrf_of(director.get("/zaken").text)
    r = director.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": top_unit(app), "titel": "x",
                                      "doel": "kort", "csrf": token})
    assert r.status_code == 400 and "doelbinding" in r.text
    r = director.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": "0599999999999999", "titel": "x",
                                      "doel_code": "opiumwet_13b", "kenmerk": "RIEC-2024-1", "csrf": token})
    assert r.status_code == 400


def test_full_case_flow(app, director: TestClient) -> None:
    vbo = top_unit(app)
    zid = open_case(director, "adres", vbo)
    assert post(director, f"/zaken/{zid}/triage", verkeerslicht="rood", reden="stroom en incident").status_code == 303
    assert post(director, f"/zaken/{zid}/delen",
                organisatie_id=org_id(app, "Politie Eenheid Rotterdam")).status_code == 303
    assert post(director, f"/zaken/{zid}/interventie", instrument="sluiting_13b").status_code == 303
    assert post(director, f"/zaken/{zid}/interventie", instrument="bestaat_niet").status_code == 400
    page = director.get(f"/zaken/{zid}").text
    assert "Opiumwet art. 13b" in page and "burgemeester" in page
    iid = re.search(r'name="interventie_id"><option value="">—</option><option value="(\d+)"', page).group(1)
    r = post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-05-01", instrument="sluiting_13b",
             bevinding="hennepkwekerij", interventie_id=iid, toelichting="kwekerij met 300 planten")
    assert r.status_code == 303
    r = post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-05-02", instrument="controle",
             bevinding="niets_gevonden")
    assert r.status_code == 303
    page = director.get(f"/zaken/{zid}").text
    assert "hennepkwekerij" in page and "niets gevonden" in page and "uitgevoerd" in page
    assert "rood" in page and "Politie Eenheid Rotterdam" in page
    # the outcome shows on the unit's dossier timeline
    assert f"Uitkomst zaak {zid}" in director.get(f"/adres/{vbo}").text
    # invalid outcomes are refused
    assert post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id="123", datum="2024-05-01",
                instrument="controle", bevinding="niets_gevonden").status_code == 400
    assert post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2024-05-01",
                instrument="controle", bevinding="alles").status_code == 400
    assert post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=vbo, datum="2999-01-01",
                instrument="controle", bevinding="niets_gevonden").status_code == 400


def test_catalogue_has_one_entry_per_instrument_of_the_domain_table() -> None:
    assert len(CATALOGUE) == 13
    assert len({c.code for c in CATALOGUE}) == 13
    assert all(c.grondslag and c.wie and c.voorwaarden for c in CATALOGUE)


def test_partner_sees_only_cases_shared_with_their_organisation(app, director: TestClient, client_factory,
                                                               add_user) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    add_user("corporatie", "partner", "Woningcorporatie")
    vbo = top_unit(app)
    shared = open_case(director, "adres", vbo)
    private = open_case(director, "adres", vbo, "woonfraude", "Z/2024/7")
    post(director, f"/zaken/{shared}/delen", organisatie_id=org_id(app, "Politie Eenheid Rotterdam"))
    police, corp = client_factory(), client_factory()
    login(police, "politie")
    login(corp, "corporatie")
    assert police.get(f"/zaken/{shared}").status_code == 200
    assert police.get(f"/zaken/{private}").status_code == 404  # not even its existence
    assert corp.get(f"/zaken/{shared}").status_code == 404
    listing = police.get("/zaken").text
    assert f'href="/zaken/{shared}"' in listing and f'href="/zaken/{private}"' not in listing
    assert [c["id"] for c in police.get("/api/zaken").json()] == [shared]
    assert corp.get("/api/zaken").json() == []
    # a partner may record an outcome on a shared case, but not triage it or touch another case
    assert post(police, f"/zaken/{shared}/uitkomst", verblijfsobject_id=vbo, datum="2024-04-01",
                instrument="huisbezoek", bevinding="niets_gevonden").status_code == 303
    assert post(police, f"/zaken/{shared}/triage", verkeerslicht="groen", reden="niets").status_code == 403
    assert post(police, f"/zaken/{private}/uitkomst", verblijfsobject_id=vbo, datum="2024-04-01",
                instrument="huisbezoek", bevinding="niets_gevonden").status_code == 404
    # partners never reach the analysis screens, not even through a shared case
    assert police.get(f"/adres/{vbo}").status_code == 403
    assert police.get(f"/zaken/{shared}/ftm.jsonl").status_code == 403


def test_reveal_only_inside_a_case_and_audited(app, director: TestClient) -> None:
    store = app.state.ctx.analysis
    row = store.one("SELECT r.naar AS vbo, r.van AS pid FROM relatie r WHERE r.soort = 'registered_at' "
                    "AND r.naar IN (SELECT verblijfsobject_id FROM adres_score) ORDER BY 1 LIMIT 1")
    vbo, pid = row["vbo"], row["pid"]
    name = store.party_refs([pid])[pid].naam
    assert name not in director.get(f"/adres/{vbo}").text
    zid = open_case(director, "adres", vbo, "adresonderzoek", "BRP-2024-0042")
    assert name not in director.get(f"/zaken/{zid}").text
    assert post(director, f"/zaken/{zid}/onthul", entiteit_id="E-niet-bij-deze-zaak").status_code == 400
    assert post(director, f"/zaken/{zid}/onthul", entiteit_id=pid).status_code == 303
    assert name in director.get(f"/zaken/{zid}").text
    assert name not in director.get(f"/adres/{vbo}").text  # outside the case it stays a pseudonym
    with app.state.ctx.sessions() as s:
        entries, n = search(s, actie="naam_onthuld")
    assert n == 1 and entries[0].object_id == pid and entries[0].zaak_id == zid
    assert entries[0].doel == "adresonderzoek"  # the purpose's code, never text a user typed
    assert name not in json.dumps([e.doel + e.object_id for e in entries])


def test_analyst_cannot_manage_cases(app, analyst: TestClient) -> None:
    zid = open_case(analyst, "adres", top_unit(app))
    assert post(analyst, f"/zaken/{zid}/triage", verkeerslicht="rood", reden="waarom niet").status_code == 403
    assert post(analyst, f"/zaken/{zid}/uitkomst", verblijfsobject_id=top_unit(app), datum="2024-01-01",
                instrument="controle", bevinding="niets_gevonden").status_code == 403


def test_case_from_a_party_and_ftm_export_is_valid(app, director: TestClient) -> None:
    store = app.state.ctx.analysis
    agent = store.top_parties(1, rol="bemiddelaar")[0]["entiteit_id"]
    zid = open_case(director, "partij", agent, "ondermijning_riec", "RIEC-2024-0099")
    unit = store.portfolio(agent)[0]["verblijfsobject_id"]
    post(director, f"/zaken/{zid}/interventie", instrument="bibob")
    post(director, f"/zaken/{zid}/uitkomst", verblijfsobject_id=unit, datum="2024-03-01", instrument="bibob",
         bevinding="safehouse")
    r = director.get(f"/zaken/{zid}/ftm.jsonl")
    assert r.status_code == 200
    entities = [model.get_proxy(json.loads(line), cleaned=False) for line in r.text.splitlines()]
    schemata = {e.schema.name for e in entities}
    assert {"RealEstate", "Address", "Note"} <= schemata
    assert schemata & {"Company", "LegalEntity"}
    assert schemata & {"UnknownLink", "Ownership"}
    ids = {e.id for e in entities}
    for e in entities:
        assert e.id and e.schema.name
        for prop in e.schema.properties.values():
            if prop.type.name == "entity":
                for ref in e.get(prop):
                    assert ref in ids, f"{e.schema.name}.{prop.name} points outside the export"
        for required in e.schema.required:
            assert e.get(required), f"{e.schema.name} lacks {required}"
    with app.state.ctx.sessions() as s:
        assert search(s, actie="export_zaak")[1] == 1
    # persons are pseudonymised in the export unless revealed
    persons = [e for e in entities if e.schema.name == "Person"]
    for p in persons:
        assert re.search(r"#[0-9a-f]{6}$", p.first("name"))


def test_case_from_a_signal(app, director: TestClient, client: TestClient) -> None:
    from .test_meldpunt import send_signal

    vbo = top_unit(app)
    kenmerk = send_signal(client, vbo=vbo).split("kenmerk\">")[1].split("<")[0]
    page = director.get("/zaken").text
    assert kenmerk in page
    zid = open_case(director, "melding", kenmerk, "melding_opvolgen", "M-2024-001")
    page = director.get(f"/zaken/{zid}").text
    assert kenmerk in page and f'value="{vbo}"' in page  # outcome form defaults to the signal's unit
