"""Meldpunt: anonymous signals, linking and enrichment, and abuse resistance."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.cases.catalogue import SIGNAL_CATEGORY_LABELS
from pandzicht.cases.models import Signal
from pandzicht.web.app import create_app

from .conftest import csrf_of, make_settings, top_unit


def send_signal(c: TestClient, vbo: str = "", adres: str = "", tekst: str = "Sterke hennepgeur bij de voordeur",
                categorieen: tuple[str, ...] = ("stank", "loopvolk"), bron_type: str = "pakketbezorger"):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/melden").text)
    data = {"adres_tekst": adres or "ergens", "verblijfsobject_id": vbo, "categorieen": list(categorieen),
            "bron_type": bron_type, "tekst": tekst, "csrf": token}
    r = c.post("/melden", data=data)
    return r.text if r.status_code == 200 else r


def signals(app) -> list[Signal]:  # type: ignore[no-untyped-def]
    with app.state.ctx.sessions() as s:
        return list(s.scalars(select(Signal).order_by(Signal.id)))


def test_anonymous_signal_is_linked_enriched_and_shown_in_the_dossier(app, client: TestClient, add_user) -> None:
    store = app.state.ctx.analysis
    vbo = top_unit(app)
    unit = store.unit(vbo)
    page = send_signal(client, adres=unit["adres"])  # typed text, no autocomplete choice
    assert "Bedankt" in page
    [s] = signals(app)
    assert s.verblijfsobject_id == vbo and s.koppeling_zekerheid >= 0.8
    assert s.rang_bij_ontvangst == unit["rang"] and s.score_bij_ontvangst == unit["score"]
    assert s.categorieen == "stank;loopvolk" and s.bron_type == "pakketbezorger"
    add_user("ana", "analist")
    from .conftest import login

    login(client, "ana")
    dossier = client.get(f"/adres/{vbo}").text
    assert "Melding via meldpunt: stank, loopvolk" in dossier and "Sterke hennepgeur" in dossier


def test_autocomplete_choice_links_with_certainty(app, client: TestClient) -> None:
    store = app.state.ctx.analysis
    u = store.one("SELECT postcode, huisnummer FROM raw_bag_verblijfsobject LIMIT 1")
    hits = client.get("/api/adressen/zoek", params={"q": f"{u['postcode']} {u['huisnummer']}"}).json()
    assert hits and all(u["postcode"] in h["adres"] for h in hits)
    street = store.one("SELECT openbare_ruimte FROM raw_bag_verblijfsobject LIMIT 1")["openbare_ruimte"]
    hits2 = client.get("/api/adressen/zoek", params={"q": street[:5]}).json()
    assert hits2 and all(h["adres"].lower().startswith(street[:5].lower()) for h in hits2)
    send_signal(client, vbo=hits[0]["verblijfsobject_id"], adres=hits[0]["adres"])
    [s] = signals(app)
    assert s.verblijfsobject_id == hits[0]["verblijfsobject_id"] and s.koppeling_methode == "gekozen_uit_bag"
    assert client.get("/api/adressen/zoek", params={"q": "ab"}).status_code == 422


def test_unmatched_address_is_kept_unlinked(app, client: TestClient) -> None:
    page = send_signal(client, adres="Nergensstraat 9999, 9999ZZ Nergenshuizen")
    assert "niet met zekerheid vinden" in page
    [s] = signals(app)
    assert s.verblijfsobject_id is None


def test_html_is_stored_as_text_and_always_escaped(app, client: TestClient, add_user) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    vbo = top_unit(app)
    send_signal(client, vbo=vbo, tekst=evil)
    [s] = signals(app)
    assert s.tekst == evil  # stored verbatim as plain text, not sanitised into something else
    add_user("regie", "casusregisseur")
    from .conftest import login

    login(client, "regie")
    for path in (f"/adres/{vbo}", "/zaken"):
        html = client.get(path).text
        assert evil not in html and "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_validation_of_the_form(app, client: TestClient) -> None:
    r = send_signal(client, vbo=top_unit(app), categorieen=())
    assert r.status_code == 400 and "categorie" in r.text
    r = send_signal(client, vbo=top_unit(app), categorieen=("bestaat_niet",))
    assert r.status_code == 400
    r = send_signal(client, vbo=top_unit(app), bron_type="hacker")
    assert r.status_code == 400
    r = send_signal(client, vbo=top_unit(app), tekst="x" * 2001)
    assert r.status_code == 400 and "te lang" in r.text
    assert signals(app) == []


def test_size_limits(app, client: TestClient) -> None:
    token = csrf_of(client.get("/melden").text)
    big = {"adres_tekst": "x", "categorieen": "stank", "bron_type": "anoniem", "tekst": "y" * 100_000,
           "csrf": token}
    assert client.post("/melden", data=big).status_code == 413
    assert signals(app) == []


def test_rate_limit_per_client(world, db_url: str) -> None:
    app = create_app(make_settings(world, db_url, melding_limit=3, melding_window_s=600))
    with TestClient(app, base_url="https://testserver") as c:
        vbo = top_unit(app)
        codes = []
        for _ in range(5):
            r = send_signal(c, vbo=vbo)
            codes.append(200 if isinstance(r, str) else r.status_code)
        assert codes == [200, 200, 200, 429, 429]
        assert len(signals(app)) == 3
    app.state.ctx.analysis.close()


def _post(c: TestClient, **fields) -> object:  # type: ignore[no-untyped-def]
    data = {"adres_tekst": "Coolsingel 40", "verblijfsobject_id": "", "categorieen": ["stank"],
            "bron_type": "buurtbewoner", "tekst": "", "gezien_op": "", **fields}
    data["csrf"] = csrf_of(c.get("/melden").text)
    return c.post("/melden", data=data)


def test_every_error_is_listed_on_top_and_tied_to_its_field(app, client: TestClient) -> None:
    import datetime as dt
    import html
    import re

    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = _post(client, adres_tekst="", categorieen=[], bron_type="hacker", gezien_op=future, tekst="x" * 2001)
    assert r.status_code == 400
    page = html.unescape(r.text)
    summary = page.split('id="foutoverzicht"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    first_category = next(iter(SIGNAL_CATEGORY_LABELS))
    assert [a for a, _ in links] == ["adres_tekst", f"cat-{first_category}", "bron_type", "gezien_op", "tekst"]
    assert f'id="cat-{first_category}"' in page
    assert "Er zijn 5 dingen om aan te passen" in summary and "toekomst" in summary
    for field in ("adres_tekst", "bron_type", "gezien_op", "tekst"):
        tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field}"[^>]*>', page, re.S).group(0)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"{field}-fout" in described and f'id="{field}-fout"' in page
    for box in re.findall(r'<input type="checkbox"[^>]*>', page):
        assert 'aria-invalid="true"' in box and 'aria-describedby="categorieen-fout"' in box
    assert 'value="Coolsingel 40"' not in page and signals(app) == []  # nothing stored
    # one problem: only that field is marked, the others keep what was typed
    r = _post(client, bron_type="")
    page = html.unescape(r.text)
    assert r.status_code == 400 and page.count('aria-invalid="true"') == 1 and 'value="Coolsingel 40"' in page


def test_when_seen_is_optional_stored_and_never_in_the_future(app, client: TestClient) -> None:
    import datetime as dt

    from pandzicht.cases.signals import parse_seen

    today = dt.date.today()
    assert _post(client, gezien_op=(today + dt.timedelta(days=1)).isoformat()).status_code == 400
    assert _post(client, gezien_op="31-02-2024").status_code == 400
    assert signals(app) == []
    assert _post(client, gezien_op=(today - dt.timedelta(days=2)).isoformat()).status_code == 200
    assert _post(client, gezien_op=today.isoformat()).status_code == 200
    assert _post(client).status_code == 200
    assert [s.gezien_op for s in signals(app)] == [today - dt.timedelta(days=2), today, None]
    assert parse_seen("") is None and parse_seen("2024-06-01", dt.date(2024, 6, 1)) == dt.date(2024, 6, 1)
    page = client.get("/melden").text
    assert f'max="{today.isoformat()}"' in page and "Wanneer zag u dit?" in page


def test_the_form_is_a_combobox_with_a_plain_footer(client: TestClient) -> None:
    page = client.get("/melden").text
    tag = page.split('id="adres_tekst"', 1)[1].split(">", 1)[0]
    for attr in ('role="combobox"', 'aria-expanded="false"', 'aria-controls="adres-keuzes"',
                 'aria-autocomplete="list"'):
        assert attr in tag
    assert 'id="adres-keuzes" class="keuzes" role="listbox"' in page
    assert "Bij direct gevaar: bel 112." in page and "Wat gebeurt er met uw melding?" in page
    assert "Elke inzage wordt gelogd" not in page  # the analysts' footer is not the public's
