"""The header search through the real app: every kind of query, the audit row, and no person found by name."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.privacy.models import AuditEntry
from pandzicht.privacy.pseudonym import token
from pandzicht.web.search import kind_of, normalise

from .conftest import SECRET


def _unit(app, letter: bool = False) -> dict:  # type: ignore[no-untyped-def]
    where = "huisletter IS NOT NULL" if letter else "huisletter IS NULL AND huisnummertoevoeging IS NULL"
    return app.state.ctx.analysis.one(f"SELECT * FROM raw_bag_verblijfsobject WHERE {where} "
                                      "ORDER BY verblijfsobject_id LIMIT 1")


def _search(client: TestClient, q: str) -> list[dict]:
    r = client.get("/api/zoek", params={"q": q})
    assert r.status_code == 200, r.text
    return r.json()


def _urls(hits: list[dict]) -> list[str]:
    return [h["url"] for h in hits]


def test_free_text_address_with_and_without_letter(app, analyst: TestClient) -> None:
    u = _unit(app)
    hits = _search(analyst, f"{u['openbare_ruimte']} {u['huisnummer']}")
    assert f"/adres/{u['verblijfsobject_id']}" in _urls(hits)
    assert all(h["soort"] == "adres" for h in hits if h["url"].startswith("/adres/"))
    v = _unit(app, letter=True)
    short = normalise(v["openbare_ruimte"])[:6]  # abbreviated, lower case, letter glued to the number
    hits = _search(analyst, f"{short} {v['huisnummer']}{v['huisletter'].lower()}")
    assert f"/adres/{v['verblijfsobject_id']}" in _urls(hits)
    assert all(str(v["huisnummer"]) + v["huisletter"] in h["label"] for h in hits if h["soort"] == "adres")


def test_street_name_with_a_typo(app, analyst: TestClient) -> None:
    u = _unit(app)
    street = u["openbare_ruimte"]
    typo = street[:3] + street[4] + street[3] + street[5:]  # two letters swapped
    assert f"/adres/{u['verblijfsobject_id']}" in _urls(_search(analyst, f"{typo} {u['huisnummer']}"))


def test_postcode_and_number_in_both_spellings(app, analyst: TestClient) -> None:
    u = _unit(app)
    pc = u["postcode"].replace(" ", "")
    for q in (f"{pc[:4]} {pc[4:]} {u['huisnummer']}", f"{pc}{u['huisnummer']}".lower()):
        hits = _search(analyst, q)
        assert f"/adres/{u['verblijfsobject_id']}" in _urls(hits), q
        assert all(pc in h["label"] for h in hits)


def test_bag_ids_of_unit_and_nummeraanduiding(app, analyst: TestClient) -> None:
    u = _unit(app)
    for q in (u["verblijfsobject_id"], str(u["nummeraanduiding_id"])):
        assert _urls(_search(analyst, q)) == [f"/adres/{u['verblijfsobject_id']}"]


def test_company_by_kvk_prefix_and_fuzzy_name(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    c = store.one("SELECT entiteit_id, naam, kvk FROM memory.partij_kort WHERE bedrijf = 1 AND kvk IS NOT NULL "
                  "AND length(naam) >= 10 ORDER BY entiteit_id LIMIT 1")
    url = f"/partij/{c['entiteit_id']}"
    hits = _search(analyst, c["kvk"])
    assert url in _urls(hits) and hits[0]["soort"] == "bedrijf"
    assert url in _urls(analyst.get("/api/zoek", params={"q": c["naam"][:7], "limiet": 50}).json())
    name = c["naam"]
    typo = name[:2] + name[3:]  # one letter dropped
    assert url in _urls(analyst.get("/api/zoek", params={"q": typo, "limiet": 50}).json())


def test_person_by_pseudonym_token_never_by_name(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    p = store.one("SELECT entiteit_id, naam FROM memory.partij_kort WHERE bedrijf = 0 AND length(naam) > 8 "
                  "ORDER BY entiteit_id LIMIT 1")
    tok = token(SECRET, p["entiteit_id"])
    for q in (f"#{tok}", tok.upper()):
        hits = _search(analyst, q)
        assert f"/partij/{p['entiteit_id']}" in _urls(hits)
        mine = next(h for h in hits if h["url"] == f"/partij/{p['entiteit_id']}")
        assert mine["soort"] == "persoon" and mine["label"].endswith(f"#{tok}")
    surname = p["naam"].split()[-1]
    for q in (p["naam"], surname):
        hits = _search(analyst, q)
        assert not any(h["soort"] == "persoon" for h in hits)
        assert f"/partij/{p['entiteit_id']}" not in _urls(hits)
        assert not any(p["naam"] in h["label"] for h in hits)
    # no label ever holds a registered person's full name
    names = {r["naam"] for r in store.rows("SELECT naam FROM memory.partij_kort WHERE bedrijf = 0")}
    for q in ("a", "van", "de", "jan", "#" + tok):
        for h in _search(analyst, q):
            assert h["label"] not in names


def test_each_search_is_audited_once_without_the_query(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    p = store.one("SELECT naam FROM memory.partij_kort WHERE bedrijf = 0 ORDER BY entiteit_id LIMIT 1")
    u = _unit(app)
    queries = [p["naam"], u["verblijfsobject_id"], f"{u['openbare_ruimte']} {u['huisnummer']}"]
    with app.state.ctx.sessions() as s:
        before = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    counts = [len(_search(analyst, q)) for q in queries]
    with app.state.ctx.sessions() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)))
    searches = [r for r in rows if r.actie == "gezocht"]
    assert len(searches) == len(queries)
    assert [r.aantal for r in searches] == counts
    assert [r.object_id for r in searches] == [kind_of(q) for q in queries] == ["naam", "bag_id", "adres"]
    for r in rows:
        text = " ".join(str(x) for x in (r.object_soort, r.object_id, r.doel))
        for q in queries:
            assert q not in text and q.split()[-1] not in text


def test_results_page_without_js_and_header_box(app, analyst: TestClient) -> None:
    u = _unit(app)
    r = analyst.get("/zoek", params={"q": u["verblijfsobject_id"]})
    assert r.status_code == 200
    assert f'href="/adres/{u["verblijfsobject_id"]}"' in r.text
    party = app.state.ctx.analysis.top_parties(1)[0]["entiteit_id"]
    for page in ("/", f"/partij/{party}", "/zoek", "/rapport"):
        assert 'id="zoek-kop"' in analyst.get(page).text, page
    assert "Niets gevonden" in analyst.get("/zoek", params={"q": "zzzzqqqq 999"}).text
    assert html.escape("<script>") in analyst.get("/zoek", params={"q": "<script>"}).text


def test_search_needs_an_analyst(client: TestClient) -> None:
    assert client.get("/api/zoek", params={"q": "abc"}).status_code == 401
    r = client.get("/zoek", params={"q": "abc"}, follow_redirects=False)
    assert r.status_code in (303, 307) and "/inloggen" in r.headers["location"]


def test_closing_a_store_waits_for_the_token_table_built_beside_the_requests(world) -> None:  # type: ignore[no-untyped-def]
    """A store closed right after its search index was made (a newer analysis published at that moment) must
    not pull the connection from under the thread still writing the token table."""
    from pandzicht.web.analysis import AnalysisStore
    from pandzicht.web.search import SearchIndex

    for _ in range(3):
        store = AnalysisStore(world["db"], write_missing=False)
        SearchIndex(store, SECRET)
        store.close()
        assert store._background and not any(t.is_alive() for t in store._background)
