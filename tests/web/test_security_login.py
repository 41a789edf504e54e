"""Issue 12, finding 7: failed logins per account and per address with backoff and lockout, in the database;
a password check that refuses guessable passwords; TOTP for the roles that can reveal names or read the audit
log; the account life cycle in /beheer and on the command line, audited."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from pandzicht.errors import PandzichtError
from pandzicht.privacy.audit import search
from pandzicht.privacy.models import User
from pandzicht.privacy.roles import PERMISSIONS, Permission, Role
from pandzicht.privacy.users import check_password, create_user
from pandzicht.web import sessions
from pandzicht.web.app import create_app
from pandzicht.web.commands import app as cli

from .conftest import PASSWORD, csrf_of, login, make_settings, totp_code

BASE = "https://testserver"
NEW_PASSWORD = "lantaarn fiets regenjas"


def attempt(client: TestClient, naam: str, password: str) -> int:
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": naam, "wachtwoord": password, "csrf": token}, follow_redirects=False)
    return r.status_code


def from_ip(app, ip: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url=BASE, client=(ip, 40000))


def logged_in(client: TestClient, path: str = "/") -> bool:
    return client.get(path, follow_redirects=False).status_code == 200


def audit_rows(app, actie: str) -> list:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions() as s:
        return search(s, actie=actie)[0]


def user_row(app, naam: str) -> User:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions() as s:
        return s.scalar(select(User).where(User.naam == naam))


# --- counting failures ------------------------------------------------------------------------------------------

def test_sixty_wrong_passwords_over_twelve_addresses_then_the_right_one_is_refused(app, add_user) -> None:
    add_user("regie", "casusregisseur")
    codes = []
    for i in range(12):
        with from_ip(app, f"198.51.100.{i + 1}") as c:
            codes += [attempt(c, "regie", f"geraden-wachtwoord-{i}-{k}") for k in range(5)]
    assert codes.count(401) == 5 and codes[5:] == [429] * 55  # only 5 passwords were ever checked
    with from_ip(app, "198.51.100.99") as c:
        assert attempt(c, "regie", PASSWORD) == 429 and not logged_in(c)
    assert audit_rows(app, "inloggen_geblokkeerd")


def test_successful_logins_are_not_counted_so_a_team_behind_one_nat_can_work(app, add_user) -> None:
    with from_ip(app, "203.0.113.7") as c:
        for i in range(15):
            add_user(f"medewerker{i}", "partner", "Politie Eenheid Rotterdam")
            assert attempt(c, f"medewerker{i}", PASSWORD) == 303
            c.cookies.clear()


def test_many_failures_from_one_address_block_that_address_only(app, add_user) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    with from_ip(app, "192.0.2.66") as bad:
        codes = [attempt(bad, f"naam{i}", "wat-dan-ook-123") for i in range(20)]  # 20 names, 1 try each
        assert codes == [401] * 20
        assert attempt(bad, "politie", PASSWORD) == 429  # this address is blocked now
    with from_ip(app, "192.0.2.67") as good:
        assert attempt(good, "politie", PASSWORD) == 303  # the account is not


def test_backoff_doubles_and_a_good_login_clears_the_account(app, add_user, monkeypatch) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    start = sessions.now()

    def at(seconds: float) -> None:
        monkeypatch.setattr(sessions, "now", lambda: start + timedelta(seconds=seconds))

    at(0)
    with from_ip(app, "192.0.2.10") as c:
        assert [attempt(c, "politie", "fout-wachtwoord-x") for _ in range(5)] == [401] * 5  # 5th starts a 30 s block
        at(29)
        token = csrf_of(c.get("/inloggen").text)
        r = c.post("/inloggen", data={"naam": "politie", "wachtwoord": PASSWORD, "csrf": token})
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 30
        at(31)
        assert attempt(c, "politie", "fout-wachtwoord-x") == 401  # 6th failure: 60 s
        at(31 + 59)
        assert attempt(c, "politie", PASSWORD) == 429
        at(31 + 61)
        assert attempt(c, "politie", PASSWORD) == 303
        c.cookies.clear()
        assert [attempt(c, "politie", "fout-wachtwoord-x") for _ in range(4)] == [401] * 4  # count started over


def test_failure_counts_are_shared_by_workers(app, world, db_url, add_user) -> None:
    add_user("politie", "partner", "Politie Eenheid Rotterdam")
    other = create_app(make_settings(world, db_url))
    try:
        with from_ip(app, "192.0.2.20") as a, TestClient(other, base_url=BASE, client=("192.0.2.21", 1)) as b:
            assert [attempt(a, "politie", "fout-wachtwoord-x") for _ in range(5)] == [401] * 5
            assert attempt(b, "politie", PASSWORD) == 429
    finally:
        other.state.ctx.analysis.close()
        other.state.ctx.engine.dispose()


# --- password strength ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "aaaaaaaaaaaa", "wachtwoord1234", "P@ssw0rd12345", "Welkom01!",
                                  "qwertyuiop123", "123456789012", "pandzicht2024!", "rotterdam2025", "anna-anna-anna"])
def test_guessable_passwords_are_refused(weak: str) -> None:
    with pytest.raises(PandzichtError):
        check_password(weak, "anna")


@pytest.mark.parametrize("strong", [PASSWORD, NEW_PASSWORD, "Kade9-ijzer-Vlinder"])
def test_good_passwords_pass(strong: str) -> None:
    check_password(strong, "anna")


def test_beheer_refuses_the_probe_password(client_factory, add_user) -> None:
    add_user("beheer", "beheerder")
    c = client_factory()
    login(c, "beheer")
    token = csrf_of(c.get("/beheer").text)
    r = c.post("/beheer/gebruikers", data={"naam": "nieuw", "wachtwoord": "aaaaaaaaaa", "rol": "analist",
                                           "csrf": token})
    assert r.status_code == 400 and "minstens 12" in r.text
    r = c.post("/beheer/gebruikers", data={"naam": "nieuw", "wachtwoord": "aaaaaaaaaaaaaaaa", "rol": "analist",
                                           "csrf": token})
    assert r.status_code == 400 and "te makkelijk te raden" in r.text


# --- second factor ----------------------------------------------------------------------------------------------

def _needs_totp(role: Role) -> bool:
    return bool(PERMISSIONS[role] & {Permission.NAAM_ONTHULLEN, Permission.AUDIT_LEZEN})


@pytest.mark.parametrize("role", list(Role))
def test_roles_that_reveal_names_or_read_the_audit_log_need_a_code(app, add_user, role: Role) -> None:
    add_user("wie", role.value, "Politie Eenheid Rotterdam" if role == Role.PARTNER else "")
    with TestClient(app, base_url=BASE) as c:
        token = csrf_of(c.get("/inloggen").text)
        r = c.post("/inloggen", data={"naam": "wie", "wachtwoord": PASSWORD, "csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        if _needs_totp(role):
            assert r.headers["location"].startswith("/inloggen/code")
            for path in ("/", "/audit", "/zaken", "/api/zaken"):  # the password alone opens nothing
                assert c.get(path, follow_redirects=False).status_code in (303, 401), path
        else:
            assert not r.headers["location"].startswith("/inloggen")


def test_a_code_is_refused_when_wrong_and_when_used_twice(app, add_user) -> None:
    add_user("privacy", "privacy-officer")
    with from_ip(app, "192.0.2.30") as c:
        token = csrf_of(c.get("/inloggen").text)
        c.post("/inloggen", data={"naam": "privacy", "wachtwoord": PASSWORD, "csrf": token})
        token = csrf_of(c.get("/inloggen/code").text)
        assert c.post("/inloggen/code", data={"code": "000000", "csrf": token}).status_code == 401
        code = totp_code(app, "privacy")
        r = c.post("/inloggen/code", data={"code": code, "csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and logged_in(c, "/audit")
        c.post("/uitloggen", data={"csrf": csrf_of(c.get("/audit").text)})
        token = csrf_of(c.get("/inloggen").text)
        c.post("/inloggen", data={"naam": "privacy", "wachtwoord": PASSWORD, "csrf": token})
        token = csrf_of(c.get("/inloggen/code").text)
        assert c.post("/inloggen/code", data={"code": code, "csrf": token}).status_code == 401  # replayed code
        assert not logged_in(c, "/audit")
    assert any(e.doel == "tweede factor" for e in audit_rows(app, "inloggen_mislukt"))


def test_wrong_codes_count_towards_the_account_block(app, add_user) -> None:
    add_user("regie", "casusregisseur")
    with from_ip(app, "192.0.2.31") as c:
        token = csrf_of(c.get("/inloggen").text)
        c.post("/inloggen", data={"naam": "regie", "wachtwoord": PASSWORD, "csrf": token})
        token = csrf_of(c.get("/inloggen/code").text)
        codes = [c.post("/inloggen/code", data={"code": f"{k:06d}", "csrf": token}).status_code for k in range(7)]
        assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_first_login_enrols_the_second_factor(app, client) -> None:
    with app.state.ctx.sessions.begin() as s:
        create_user(s, "nieuw", PASSWORD, "casusregisseur")
    token = csrf_of(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"naam": "nieuw", "wachtwoord": PASSWORD, "csrf": token},
                    follow_redirects=False)
    assert r.headers["location"] == "/inloggen/koppelen"
    page = client.get("/inloggen/koppelen").text
    assert 'src="data:image/svg+xml' in page
    secret = page.split("<code>")[1].split("</code>")[0].replace(" ", "")
    r = client.post("/inloggen/koppelen", data={"code": "123456", "csrf": csrf_of(page)})
    assert r.status_code == 401 and user_row(app, "nieuw").totp_geheim is None
    r = client.post("/inloggen/koppelen", data={"code": pyotp.TOTP(secret).now(), "csrf": csrf_of(page)},
                    follow_redirects=False)
    assert r.status_code == 303 and logged_in(client)
    assert user_row(app, "nieuw").totp_geheim == secret
    assert [e.object_id for e in audit_rows(app, "tweede_factor_gekoppeld")] == [str(user_row(app, "nieuw").id)]


# --- life cycle -------------------------------------------------------------------------------------------------

@pytest.fixture
def admin(client_factory, add_user) -> TestClient:  # type: ignore[no-untyped-def]
    add_user("beheer", "beheerder")
    c = client_factory()
    login(c, "beheer")
    return c


def manage(admin: TestClient, app, naam: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    uid = user_row(app, naam).id
    return admin.post(f"/beheer/gebruikers/{uid}/{action}", data={"csrf": csrf_of(admin.get("/beheer").text), **data},
                      follow_redirects=False)


def test_deactivate_ends_the_sessions_and_the_login(app, admin, client_factory, add_user) -> None:
    add_user("ana", "analist")
    ana = client_factory()
    login(ana, "ana")
    assert manage(admin, app, "ana", "actief", actief="nee").status_code == 303
    assert not logged_in(ana)
    assert attempt(ana, "ana", PASSWORD) == 401
    assert manage(admin, app, "ana", "actief", actief="ja").status_code == 303
    login(ana, "ana")
    uid = str(user_row(app, "ana").id)
    assert [e.object_id for e in audit_rows(app, "gebruiker_gedeactiveerd")] == [uid]
    assert [e.gebruikersnaam for e in audit_rows(app, "gebruiker_geactiveerd")] == ["beheer"]


def test_role_change_applies_at_once(app, admin, client_factory, add_user) -> None:
    add_user("ana", "analist")
    ana = client_factory()
    login(ana, "ana")
    r = manage(admin, app, "ana", "rol", rol="partner", organisatie="")
    assert r.status_code == 400 and "organisatie" in r.text
    r = manage(admin, app, "ana", "rol", rol="partner", organisatie="Politie Eenheid Rotterdam")
    assert r.status_code == 303 and not logged_in(ana)
    login(ana, "ana")
    assert ana.get("/").status_code == 403 and ana.get("/zaken").status_code == 200
    (entry,) = audit_rows(app, "rol_gewijzigd")
    assert entry.object_id == str(user_row(app, "ana").id) and entry.doel == "van=analist;naar=partner"


def test_password_reset(app, admin, client_factory, add_user) -> None:
    add_user("ana", "analist")
    ana = client_factory()
    login(ana, "ana")
    r = manage(admin, app, "ana", "wachtwoord", wachtwoord="aaaaaaaaaaaa")
    assert r.status_code == 400
    assert manage(admin, app, "ana", "wachtwoord", wachtwoord=NEW_PASSWORD).status_code == 303
    assert not logged_in(ana)
    assert attempt(ana, "ana", PASSWORD) == 401
    login(ana, "ana", NEW_PASSWORD)
    assert [e.gebruikersnaam for e in audit_rows(app, "wachtwoord_hersteld")] == ["beheer"]


def test_second_factor_reset(app, admin, add_user) -> None:
    add_user("ana", "analist")
    assert manage(admin, app, "ana", "tweede-factor").status_code == 303
    assert user_row(app, "ana").totp_geheim is None
    assert len(audit_rows(app, "tweede_factor_hersteld")) == 1


def test_the_last_administrator_stays(app, admin) -> None:
    r = manage(admin, app, "beheer", "actief", actief="nee")
    assert r.status_code == 400 and "laatste actieve beheerder" in r.text
    assert user_row(app, "beheer").actief


def test_only_the_administrator_manages_accounts(app, client_factory, add_user) -> None:
    add_user("ana", "analist")
    ana = client_factory()
    login(ana, "ana")
    uid = user_row(app, "ana").id
    r = ana.post(f"/beheer/gebruikers/{uid}/rol", data={"rol": "beheerder", "csrf": csrf_of(ana.get("/").text)})
    assert r.status_code == 403 and user_row(app, "ana").rol == "analist"


def test_life_cycle_on_the_command_line(app, db_url, add_user, monkeypatch) -> None:
    add_user("ana", "analist")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--database", db_url])
        assert result.exit_code == 0, result.output
        return result.output

    run("gebruiker-deactiveren", "ana")
    assert not user_row(app, "ana").actief
    run("gebruiker-activeren", "ana")
    run("gebruiker-rol", "ana", "--rol", "casusregisseur")
    assert user_row(app, "ana").rol == "casusregisseur"
    monkeypatch.setenv("PANDZICHT_WACHTWOORD", "aaaaaaaaaaaa")
    assert runner.invoke(cli, ["gebruiker-wachtwoord", "ana", "--database", db_url]).exit_code == 1
    monkeypatch.setenv("PANDZICHT_WACHTWOORD", NEW_PASSWORD)
    run("gebruiker-wachtwoord", "ana")
    run("gebruiker-tweede-factor", "ana")
    assert user_row(app, "ana").totp_geheim is None
    uid = str(user_row(app, "ana").id)
    for actie in ("gebruiker_gedeactiveerd", "gebruiker_geactiveerd", "rol_gewijzigd", "wachtwoord_hersteld",
                  "tweede_factor_hersteld"):
        (entry,) = audit_rows(app, actie)
        assert entry.object_id == uid and entry.doel.startswith("via commandoregel"), actie
    assert runner.invoke(cli, ["gebruiker-deactiveren", "niemand", "--database", db_url]).exit_code == 1

