"""Issue 12, finding 10 for accounts: creating a user or changing a role picks an active partner organisation from the
managed list, never free text (a typo would make a partner account that matches no shared case, or another one)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.cases import organisations
from pandzicht.privacy.models import User

from .conftest import csrf_of, login

STRONG = "vlinder-kade-47-Oeverzwaluw"
ACTIVE = "Politie Eenheid Rotterdam"


@pytest.fixture
def admin(client_factory, add_user) -> TestClient:  # type: ignore[no-untyped-def]
    add_user("beheer", "beheerder")
    c = client_factory()
    login(c, "beheer")
    return c


def _inactive(app) -> str:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions.begin() as s:
        org = organisations.add(s, "Oude Partner BV")
        organisations.set_active(s, org.id, False)
    return "Oude Partner BV"


def _user(app, naam: str) -> User | None:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions() as s:
        return s.scalar(select(User).where(User.naam == naam))


def _add(admin: TestClient, naam: str, rol: str, organisatie: str):  # type: ignore[no-untyped-def]
    return admin.post("/beheer/gebruikers", data={"naam": naam, "wachtwoord": STRONG, "rol": rol,
                                                  "organisatie": organisatie,
                                                  "csrf": csrf_of(admin.get("/beheer").text)}, follow_redirects=False)


def test_the_form_offers_active_organisations_only_and_no_free_text(app, admin: TestClient) -> None:
    old = _inactive(app)
    page = admin.get("/beheer").text
    assert not re.search(r'<input[^>]*name="organisatie"', page)
    selects = re.findall(r'<select name="organisatie"[^>]*>(.*?)</select>', page, re.S)
    assert len(selects) >= 2  # the add form and each account's role form
    for options in selects:
        assert f'value="{ACTIVE}"' in options and f'value="{old}"' not in options


def test_a_new_partner_needs_an_active_organisation_from_the_list(app, admin: TestClient) -> None:
    old = _inactive(app)
    for organisatie in ("Politie Eenhied Rotterdam", old, ""):
        r = _add(admin, "politie1", "partner", organisatie)
        assert r.status_code == 400, organisatie
        assert _user(app, "politie1") is None
    assert _add(admin, "politie1", "partner", ACTIVE).status_code == 303
    assert _user(app, "politie1").organisatie == ACTIVE
    # a role without an organisation may have none; a typed one is still checked
    assert _add(admin, "analist2", "analist", "").status_code == 303
    assert _add(admin, "analist3", "analist", "Zomaar Iets").status_code == 400


def test_a_role_change_picks_an_active_organisation(app, admin: TestClient, add_user) -> None:
    add_user("wisselaar", "analist")
    uid = _user(app, "wisselaar").id
    old = _inactive(app)

    def change(organisatie: str):  # type: ignore[no-untyped-def]
        return admin.post(f"/beheer/gebruikers/{uid}/rol", data={"rol": "partner", "organisatie": organisatie,
                                                                 "csrf": csrf_of(admin.get("/beheer").text)},
                          follow_redirects=False)

    assert change("Gemeente Rotterdm").status_code == 400
    assert change(old).status_code == 400
    assert _user(app, "wisselaar").rol == "analist"
    assert change(ACTIVE).status_code == 303
    u = _user(app, "wisselaar")
    assert (u.rol, u.organisatie) == ("partner", ACTIVE)
