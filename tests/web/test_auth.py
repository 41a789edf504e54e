"""Login, sessions, CSRF, roles and need-to-know, as an attacker or a curious colleague would try them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pandzicht.web.sessions import COOKIE

from .conftest import PASSWORD, csrf_of, login, top_unit


def test_pages_need_login(client: TestClient, app) -> None:
    for path in ("/", f"/adres/{top_unit(app)}", "/zaken", "/audit", "/rapport"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/inloggen"), path
    assert client.get("/api/adressen").status_code == 401


def test_wrong_password_is_refused_and_audited(client: TestClient, add_user, app) -> None:
    add_user("ana", "analist")
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": "ana", "wachtwoord": "fout-wachtwoord", "csrf": token})
    assert r.status_code == 401
    r = client.post("/inloggen", data={"naam": "niemand", "wachtwoord": "x", "csrf": token})
    assert r.status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303
    from pandzicht.privacy.audit import search

    with app.state.ctx.sessions() as s:
        assert search(s, actie="inloggen_mislukt")[1] == 2


def test_session_cookie_flags(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": "ana", "wachtwoord": PASSWORD, "csrf": token}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_login_rotates_session_token(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    before = csrf_of(client.get("/inloggen").text)
    client.post("/inloggen", data={"naam": "ana", "wachtwoord": PASSWORD, "csrf": before})
    after = csrf_of(client.get("/").text)
    assert before != after


def test_post_without_or_with_wrong_csrf_is_refused(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    r = client.post("/inloggen", data={"naam": "ana", "wachtwoord": PASSWORD})
    assert r.status_code == 403
    client.get("/inloggen")
    r = client.post("/inloggen", data={"naam": "ana", "wachtwoord": PASSWORD, "csrf": "geraden"})
    assert r.status_code == 403
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": "ana", "wachtwoord": PASSWORD, "csrf": token},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_csrf_token_is_bound_to_the_session(client_factory, add_user, app) -> None:
    add_user("regie", "casusregisseur")
    a, b = client_factory(), client_factory()
    login(a, "regie")
    login(b, "regie")
    token_b = csrf_of(b.get("/zaken").text)
    r = a.post("/zaken", data={"onderwerp_soort": "adres", "onderwerp_id": top_unit(app), "titel": "x",
                               "doel": "controle op hennepteelt", "csrf": token_b})
    assert r.status_code == 403


def test_tampered_cookie_is_ignored(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    login(client, "ana")
    value = client.cookies.get(COOKIE)
    body, sig = value.split(".")
    client.cookies.clear()
    client.cookies.set(COOKIE, value, domain="testserver.local")  # the jar's name for the test host
    assert client.get("/", follow_redirects=False).status_code == 200  # the cookie does reach the app
    client.cookies.clear()
    client.cookies.set(COOKIE, body + "." + sig[:-2] + ("AA" if not sig.endswith("AA") else "BB"),
                       domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_revokes_the_session(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    login(client, "ana")
    old = client.cookies.get(COOKIE)
    token = csrf_of(client.get("/").text)
    client.post("/uitloggen", data={"csrf": token})
    client.cookies.clear()
    client.cookies.set(COOKIE, old, domain="testserver.local")  # replaying the old cookie does not work
    assert client.get("/", follow_redirects=False).status_code == 303


def test_roles_see_only_their_screens(client_factory, add_user, app) -> None:
    add_user("partner1", "partner", "Politie Eenheid Rotterdam")
    add_user("privacy", "privacy-officer")
    add_user("beheer", "beheerder")
    add_user("ana", "analist")
    vbo = top_unit(app)
    cases = {
        "partner1": {"/": 403, f"/adres/{vbo}": 403, "/audit": 403, "/zaken": 200, "/export/adressen.csv": 403},
        "privacy": {"/": 403, f"/adres/{vbo}": 403, "/audit": 200, "/zaken": 403, "/beheer": 403},
        "beheer": {"/": 403, "/audit": 403, "/beheer": 200},
        "ana": {"/": 200, f"/adres/{vbo}": 200, "/audit": 403, "/beheer": 403, "/zaken": 200},
    }
    for naam, expected in cases.items():
        c = client_factory()
        login(c, naam)
        for path, status in expected.items():
            assert c.get(path).status_code == status, (naam, path)


def test_login_is_rate_limited(client: TestClient, add_user) -> None:
    add_user("ana", "analist")
    token = csrf_of(client.get("/inloggen").text)
    codes = [client.post("/inloggen", data={"naam": "ana", "wachtwoord": "nee", "csrf": token}).status_code
             for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]  # more in test_security_login.py


def test_admin_adds_user_via_the_page(client_factory, add_user) -> None:
    add_user("beheer", "beheerder")
    c = client_factory()
    login(c, "beheer")
    token = csrf_of(c.get("/beheer").text)
    r = c.post("/beheer/gebruikers", data={"naam": "nieuw", "wachtwoord": "kort", "rol": "analist", "csrf": token})
    assert r.status_code == 400 and "minstens 12" in r.text
    r = c.post("/beheer/gebruikers", data={"naam": "nieuw", "wachtwoord": PASSWORD, "rol": "analist",
                                           "csrf": token})
    assert r.status_code == 200 and "nieuw" in r.text
    d = client_factory()
    login(d, "nieuw")
    assert d.get("/").status_code == 200
