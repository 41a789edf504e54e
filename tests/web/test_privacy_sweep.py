"""Issue 12, finding 3: no page, API route or export shows a registered person's full name, for any role.

The routes are enumerated from the app itself, so a route added later is swept too (or must be named below
with the reason it is not). Path parameters are filled with real ids from the analysis: the top address, an
address with registered people, the top party, the top person, a wijk and a case opened here. The one place a
full name may appear is the case in which the casusregisseur revealed it (for a purpose from the list), and
that reveal must be in the audit log.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from pandzicht.privacy.audit import search
from pandzicht.privacy.roles import Role

from .conftest import CSRF_RE, login
from .test_cases import open_case, org_id, post

# POST routes change state and answer with a redirect to a page this sweep requests (or, for a saved network
# chart, with the object the swept GET route lists); the reveal is exercised.
STATE_CHANGING = {
    "/inloggen", "/inloggen/code", "/inloggen/koppelen", "/uitloggen", "/uitloggen/overal", "/melden", "/zaken",
    "/zaken/{zaak_id}/triage", "/zaken/{zaak_id}/status", "/zaken/{zaak_id}/doel", "/zaken/{zaak_id}/delen",
    "/zaken/{zaak_id}/interventie", "/zaken/{zaak_id}/uitkomst", "/zaken/{zaak_id}/uitkomst/{uitkomst_id}/bevestig",
    "/zaken/{zaak_id}/onthul", "/beheer/gebruikers", "/beheer/gebruikers/{gebruiker_id}/actief",
    "/beheer/gebruikers/{gebruiker_id}/rol", "/beheer/gebruikers/{gebruiker_id}/wachtwoord",
    "/beheer/gebruikers/{gebruiker_id}/tweede-factor", "/beheer/organisaties", "/beheer/organisaties/{organisatie_id}",
    "/api/zaken/{zaak_id}/netwerk", "/selectie", "/zaken/{zaak_id}/interventie/{interventie_id}/status",
    "/zaken/{zaak_id}/notitie", "/zaken/{zaak_id}/toewijzing", "/zaken/{zaak_id}/netwerk",
}
# POST routes that answer with data (an export of the rows ticked on the overview): swept below with a selection.
POST_EXPORTS = {"/selectie.csv", "/selectie.xlsx"}
# GET routes not requested, each with why: the PDF is the swept /rapport/{wijk} page printed by Chromium
# (compressed bytes, nothing to search); static assets hold no data.
NOT_SWEPT = {"/rapport/{wijk}.pdf", "/static"}
PARAM = re.compile(r"{(\w+)}")
ORGANISATION = "Politie Eenheid Rotterdam"


def app_routes(routes):  # type: ignore[no-untyped-def]
    """Every route of the app, also those inside included routers (FastAPI may keep those nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from app_routes(inner.routes)
        else:
            yield route


def registered_names(bundle: Path) -> dict[str, str]:
    """Full name (voornamen, voorvoegsel, geslachtsnaam) of every person in the BRP extract, by persoon_id."""
    out: dict[str, str] = {}
    with (bundle / "brp_inschrijving.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parts = [row["voornamen"], row.get("voorvoegsel") or "", row["geslachtsnaam"]]
            name = " ".join(p.strip() for p in parts if p and p.strip())
            if len(name.split()) >= 2:
                out[row["persoon_id"]] = name
    return out


def _texts(body: str) -> list[str]:
    """The response as sent and as a reader sees it: HTML entities and JSON escapes undone."""
    texts = [body, html.unescape(body)]
    for line in body.splitlines() or [body]:
        try:
            texts.append(json.dumps(json.loads(line), ensure_ascii=False))
        except ValueError:
            continue
    return texts


def _found(body: str, names: list[str], pattern: re.Pattern[str]) -> set[str]:
    found: set[str] = set()
    for t in _texts(body):
        found.update(m.group(0) for m in pattern.finditer(t))
    return found & set(names)


@pytest.mark.slow  # about 15 s on an idle machine, well over 30 s on a busy one (every route x every role)
def test_no_page_api_or_export_shows_a_registered_name(app, world, client_factory, add_user) -> None:
    store = app.state.ctx.analysis
    names = sorted(set(registered_names(world["bundle"]).values()), key=len, reverse=True)
    assert len(names) > 500
    pattern = re.compile("|".join(re.escape(n) for n in names))

    # Real ids: the top address, an address with people registered, the top party, the top person, a wijk.
    top_vbo = store.top_units(1)[0]["verblijfsobject_id"]
    registered = store.one(
        "SELECT r.naar AS vbo, r.van AS pid FROM relatie r WHERE r.soort = 'registered_at' "
        "AND r.naar IN (SELECT verblijfsobject_id FROM adres_score) "
        "ORDER BY (SELECT count(*) FROM relatie x WHERE x.naar = r.naar) DESC, 1, 2 LIMIT 1")
    parties = store.top_parties(200)
    top_party = parties[0]["entiteit_id"]
    top_person = next(p["entiteit_id"] for p in parties if p["soort"] != "bedrijf")
    wijk = store.one("SELECT wijk_code FROM raw_bag_verblijfsobject WHERE verblijfsobject_id = ?", [top_vbo])[
        "wijk_code"]

    # One account per role; the casusregisseur opens a case on the address and reveals one registered person.
    clients: dict[Role, TestClient] = {}
    for role in Role:
        add_user(f"sweep-{role.value}", role.value, ORGANISATION if role is Role.PARTNER else "")
        clients[role] = client_factory()
        login(clients[role], f"sweep-{role.value}")
    director = clients[Role.CASUSREGISSEUR]
    zid = open_case(director, "adres", registered["vbo"], "adresonderzoek", "BRP-2024-0042")
    party_case = open_case(director, "partij", top_person)
    for case in (zid, party_case):
        assert post(director, f"/zaken/{case}/delen", organisatie_id=org_id(app, ORGANISATION)).status_code == 303
    assert post(director, f"/zaken/{zid}/onthul", entiteit_id=registered["pid"]).status_code == 303
    revealed_name = store.party(registered["pid"])["naam"]

    values = {"vbo": [top_vbo, registered["vbo"]], "entiteit_id": [top_party, top_person, registered["pid"]],
              "knoop": [top_vbo, registered["vbo"], top_person, registered["pid"]], "wijk": [wijk],
              "zaak_id": [str(zid), str(party_case)]}
    swept: list[str] = []
    for route in app_routes(app.routes):
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or set()
        if path in NOT_SWEPT or not methods:
            continue
        if "GET" not in methods:
            assert path in STATE_CHANGING | POST_EXPORTS, f"new route {sorted(methods)} {path}: sweep it or say why not"
            continue
        params = PARAM.findall(path)
        missing = [p for p in params if p not in values]
        assert not missing, f"no real id for {missing} in {path}: add one to the sweep"
        for combo in itertools.product(*(values[p] for p in params)):
            url = path
            for p, v in zip(params, combo, strict=True):
                url = url.replace("{" + p + "}", v)
            swept.append(url)
    assert len(swept) > 20 and {"/", "/export/partijen.csv", "/api/partijen", f"/zaken/{zid}"} <= set(swept)

    queries = {"/api/adressen": {"limiet": 1000}, "/api/partijen": {"limiet": 1000},
               "/export/adressen.csv": {"limiet": 100_000}, "/export/partijen.csv": {"limiet": 100_000}}
    leaks: list[str] = []
    answered: dict[Role, set[str]] = {role: set() for role in Role}
    allowed_seen = False
    for role, client in clients.items():
        for url in swept:
            params = dict(queries.get(url, {}))
            if url.startswith("/api/netwerk/"):
                params["stappen"] = 2
            r = client.get(url, params=params, follow_redirects=True)
            assert r.status_code < 500, (role, url, r.status_code)
            if r.status_code == 200 and not r.url.path.startswith("/inloggen"):
                answered[role].add(url)
            found = _found(r.text, names, pattern)
            if role is Role.CASUSREGISSEUR and url.startswith(f"/zaken/{zid}") and found == {revealed_name}:
                allowed_seen = True
                continue
            leaks.extend(f"{role.value} {url}: {n}" for n in sorted(found))
    # The exports of a selection: the homes where people are registered, as CSV and as a workbook.
    selection = [r["naar"] for r in store.rows(
        "SELECT DISTINCT naar FROM relatie WHERE soort = 'registered_at' ORDER BY 1 LIMIT 200")]
    for role, client in clients.items():
        for url in sorted(POST_EXPORTS):
            page = client.get("/zaken")
            token = CSRF_RE.search(page.text) if page.status_code == 200 else None
            if token is None:  # a role without the case table (privacy officer, beheerder) has no form to post
                continue
            r = client.post(url, data={"vbo": selection, "csrf": token.group(1)}, follow_redirects=True)
            assert r.status_code < 500, (role, url, r.status_code)
            if r.status_code != 200 or r.url.path.startswith("/inloggen"):
                continue
            answered[role].add(url)
            body = r.text if url.endswith(".csv") else "\n".join(
                str(c) for ws in openpyxl.load_workbook(io.BytesIO(r.content)).worksheets
                for row in ws.iter_rows(values_only=True) for c in row if c is not None)
            leaks.extend(f"{role.value} {url}: {n}" for n in sorted(_found(body, names, pattern)))
    assert answered[Role.ANALIST] >= POST_EXPORTS
    # The sweep saw real content: every role its own pages, the analyst and director the dossiers and exports.
    must = {f"/adres/{top_vbo}", f"/partij/{top_person}", f"/api/netwerk/{top_person}", "/export/partijen.csv",
            "/api/partijen", "/api/adressen", f"/rapport/{wijk}", "/"}
    assert must <= answered[Role.ANALIST] and must <= answered[Role.CASUSREGISSEUR]
    assert f"/zaken/{zid}" in answered[Role.PARTNER] and f"/zaken/{zid}/ftm.jsonl" in answered[Role.CASUSREGISSEUR]
    assert "/audit" in answered[Role.PRIVACY_OFFICER] and "/beheer" in answered[Role.BEHEERDER]
    assert not leaks, "full names of registered persons shown:\n" + "\n".join(leaks[:40])
    assert allowed_seen, "the name revealed in the case is not shown to the casusregisseur there"
    with app.state.ctx.sessions() as s:
        reveals, n = search(s, actie="naam_onthuld")
    assert n == 1 and reveals[0].object_id == registered["pid"] and reveals[0].zaak_id == zid
    assert reveals[0].rol == Role.CASUSREGISSEUR.value and reveals[0].doel == "adresonderzoek"
