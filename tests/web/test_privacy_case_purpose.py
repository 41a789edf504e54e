"""Cases opened before migration 0002b have no purpose code, so no name can be revealed in them. The casusregisseur
gives such a case a purpose from the managed list plus a reference number, once, audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.cases.models import Case
from pandzicht.privacy.audit import search
from pandzicht.privacy.models import User

from .test_cases import post


def _old_case(app, vbo: str) -> int:  # type: ignore[no-untyped-def]
    """A case as an earlier version left it: purpose free text (blanked by 0002b), no code, no reference."""
    with app.state.ctx.sessions.begin() as s:
        owner = s.scalar(select(User.id).where(User.naam == "regie"))
        case = Case(onderwerp_soort="adres", onderwerp_id=vbo, titel="Oude zaak", doel="", doel_code="",
                    doel_kenmerk="", status="open", aangemaakt_door=owner)
        s.add(case)
        s.flush()
        return case.id


def _pid_at(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    row = app.state.ctx.analysis.one(
        "SELECT r.naar AS vbo, r.van AS pid FROM relatie r WHERE r.soort = 'registered_at' "
        "AND r.naar IN (SELECT verblijfsobject_id FROM adres_score) ORDER BY 1 LIMIT 1")
    return row["vbo"], row["pid"]


def test_an_old_case_gets_a_purpose_from_the_list_and_then_allows_a_reveal(app, director: TestClient) -> None:
    vbo, pid = _pid_at(app)
    zid = _old_case(app, vbo)
    page = director.get(f"/zaken/{zid}").text
    assert f'action="/zaken/{zid}/doel"' in page
    assert post(director, f"/zaken/{zid}/onthul", entiteit_id=pid).status_code == 403
    for doel_code, kenmerk in (("abcdefghij", "RIEC-2024-1"), ("opiumwet_13b", ""), ("opiumwet_13b", "Jan Jansen")):
        r = post(director, f"/zaken/{zid}/doel", doel_code=doel_code, kenmerk=kenmerk)
        assert r.status_code == 400 and "doelbinding" in r.text, (doel_code, kenmerk)
    assert post(director, f"/zaken/{zid}/doel", doel_code="opiumwet_13b", kenmerk="riec-2024-0012").status_code == 303
    with app.state.ctx.sessions() as s:
        case = s.get(Case, zid)
        assert (case.doel_code, case.doel_kenmerk) == ("opiumwet_13b", "RIEC-2024-0012")
        assert "Opiumwet art. 13b" in case.doel
        entries, n = search(s, actie="zaak_doel_vastgelegd")
    assert n == 1 and entries[0].zaak_id == zid and entries[0].doel == "opiumwet_13b"
    assert entries[0].gebruikersnaam == "regie"
    page = director.get(f"/zaken/{zid}").text
    assert f'action="/zaken/{zid}/doel"' not in page and "RIEC-2024-0012" in page
    assert post(director, f"/zaken/{zid}/onthul", entiteit_id=pid).status_code == 303


def test_a_purpose_once_set_stays(app, director: TestClient) -> None:
    """Changing the purpose afterwards would let a reveal be justified after the fact."""
    vbo, _ = _pid_at(app)
    zid = _old_case(app, vbo)
    assert post(director, f"/zaken/{zid}/doel", doel_code="bibob", kenmerk="BIB-2023-7").status_code == 303
    r = post(director, f"/zaken/{zid}/doel", doel_code="opiumwet_13b", kenmerk="RIEC-2024-0012")
    assert r.status_code == 400
    with app.state.ctx.sessions() as s:
        assert s.get(Case, zid).doel_code == "bibob"
        assert search(s, actie="zaak_doel_vastgelegd")[1] == 1


def test_only_the_casusregisseur_sets_a_purpose(app, director: TestClient, analyst: TestClient) -> None:
    vbo, _ = _pid_at(app)
    zid = _old_case(app, vbo)
    assert f'action="/zaken/{zid}/doel"' not in analyst.get(f"/zaken/{zid}").text
    assert post(analyst, f"/zaken/{zid}/doel", doel_code="bibob", kenmerk="BIB-2023-7").status_code == 403
    with app.state.ctx.sessions() as s:
        assert s.get(Case, zid).doel_code == ""
        assert search(s, actie="zaak_doel_vastgelegd")[1] == 0
