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


# -- issue 12, finding 6: append-only, hash-chained, every read of personal data, failed logins ---------------------

def _audit_cli(db_url: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from pandzicht.cli import app as cli_app

    return CliRunner().invoke(cli_app, ["audit", "controleer", "--database", db_url])


def test_list_reads_are_audited_with_their_count(app, analyst: TestClient) -> None:
    assert len(analyst.get("/api/adressen", params={"limiet": 1000}).json()) > 0
    n_parties = len(analyst.get("/api/partijen", params={"limiet": 1000}).json())
    with app.state.ctx.sessions() as s:
        units, n_u = search(s, actie="adressen_gelijst")
        parties, n_p = search(s, actie="partijen_gelijst")
    assert n_u == 1 and n_p == 1
    assert units[0].aantal == min(1000, app.state.ctx.analysis.meta()["adressen"]) and parties[0].aantal == n_parties
    assert units[0].gebruikersnaam == "ana"


def test_failed_login_is_audited_with_the_account_never_the_typed_name(app, add_user) -> None:
    from pandzicht.privacy.audit import record_login_failure

    add_user("ana", "analist")
    with app.state.ctx.sessions.begin() as s:
        record_login_failure(s, "ana")
        record_login_failure(s, "mijnwachtwoord123")
    with app.state.ctx.sessions() as s:
        entries, n = search(s, actie="inloggen_mislukt")
    assert n == 2
    known, unknown = sorted(entries, key=lambda e: e.id)
    assert known.gebruikersnaam == "ana" and known.gebruiker_id is not None
    assert unknown.object_id == "onbekend" and "mijnwachtwoord" not in f"{unknown.gebruikersnaam}{unknown.object_id}"


def test_chain_is_intact_and_the_table_refuses_update_and_delete(app, analyst: TestClient, db_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    vbo = top_unit(app)
    for _ in range(3):
        analyst.get(f"/adres/{vbo}")
    result = _audit_cli(db_url)
    assert result.exit_code == 0, result.output
    engine = app.state.ctx.engine
    for statement in ("UPDATE audit SET object_id = 'x'", "DELETE FROM audit WHERE actie = 'adres_bekeken'"):
        try:
            with engine.begin() as con:
                con.execute(text(statement))
        except DatabaseError as exc:
            assert "alleen-toevoegen" in str(exc)
        else:
            raise AssertionError(f"{statement} was allowed")


def test_controleer_names_the_first_broken_row(app, analyst: TestClient, db_url: str) -> None:
    from sqlalchemy import text

    vbo = top_unit(app)
    for _ in range(4):
        analyst.get(f"/adres/{vbo}")
    engine = app.state.ctx.engine
    with engine.begin() as con:  # someone with file access drops the guard and removes one view
        ids = list(con.execute(text("SELECT id FROM audit WHERE actie = 'adres_bekeken' ORDER BY id")).scalars())
        con.execute(text("DROP TRIGGER audit_geen_delete"))
        con.execute(text("DELETE FROM audit WHERE id = :i"), {"i": ids[1]})
    result = _audit_cli(db_url)
    assert result.exit_code == 1 and f"rij {ids[2]}" in result.output, result.output
    with engine.begin() as con:  # or edits one
        con.execute(text("DROP TRIGGER audit_geen_update"))
        con.execute(text("UPDATE audit SET object_id = '0599000000000000' WHERE id = :i"), {"i": ids[0]})
    result = _audit_cli(db_url)
    assert result.exit_code == 1 and f"rij {ids[0]}" in result.output, result.output


def test_two_writers_at_once_do_not_fork_the_chain(app, add_user) -> None:
    import threading

    from pandzicht.privacy import audit
    from pandzicht.privacy.models import User

    add_user("ana", "analist")
    errors: list[Exception] = []

    def writer() -> None:
        try:
            for i in range(40):
                with app.state.ctx.sessions.begin() as s:
                    u = s.query(User).filter_by(naam="ana").one()
                    audit.record(s, u, "adres_bekeken", "adres", f"05990000000{i:05d}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.state.ctx.sessions() as s:
        check = audit.verify(s)
    assert check.intact and check.rijen >= 80
