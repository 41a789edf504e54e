"""The screens through HTTP against a real analysis store: overview, dossiers, report, catalogue, errors."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pandzicht.indicators.catalogue import load_catalogue

from .conftest import top_unit

TITLES = {i.code: i.titel for i in load_catalogue()}


def test_overview_lists_top_units_with_explanations(app, analyst: TestClient) -> None:
    r = analyst.get("/")
    assert r.status_code == 200
    store = app.state.ctx.analysis
    top = store.top_units(3)
    for u in top:
        assert f'href="/adres/{u["verblijfsobject_id"]}"' in r.text
        for code, _ in [(b["code"], b["bijdrage"]) for b in u["bijdragen"]]:
            assert TITLES[code] in r.text  # explanation shown with the Dutch title, not the code
    # the real neighbourhood polygons, as inline SVG, each linking to a filter
    assert r.text.count("<path d=") == 92
    assert "/?buurt=BU0599" in r.text


def test_overview_filters_by_wijk_and_source(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    wijk = store.wijken()[0]["wijk_code"]
    expected = {u["verblijfsobject_id"] for u in store.top_units(25, wijk=wijk)}
    r = analyst.get(f"/?wijk={wijk}")
    shown = set(re.findall(r'href="/adres/(\d{16})"', r.text))
    assert shown == expected
    other = {u["verblijfsobject_id"] for u in store.top_units(25) if u["wijk_code"] != wijk}
    assert not (shown & other)
    r = analyst.get("/?bron=energie_verbruik")
    codes = store.indicator_codes_for_source("energie_verbruik")
    for vbo in re.findall(r'href="/adres/(\d{16})"', r.text):
        assert any(c + ":" in (store.unit(vbo)["uitleg"] or "") for c in codes)


def test_overview_shows_the_parties_of_one_role_with_their_rank_in_the_whole_list(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    agents = store.top_parties(10, rol="bemiddelaar")
    everyone = [p["entiteit_id"] for p in store.top_parties(10)]
    assert agents and all(p["rol"] == "bemiddelaar" for p in agents)
    assert [p["entiteit_id"] for p in agents] != everyone  # the filter changes what is shown
    r = analyst.get("/?partijrol=bemiddelaar")
    section = r.text[r.text.index("Partijen met de meeste reden om te kijken"):]
    shown = re.findall(r'href="/partij/([^"]+)"', section)
    assert shown == [p["entiteit_id"] for p in agents]
    assert "alleen bemiddelaars" in section and "alle partijen, alle rollen samen" in section
    assert 'value="bemiddelaar" selected' in r.text and "partijrol=bemiddelaar&amp;pagina=2" in r.text
    # an unknown role is ignored, not an error: the whole list
    r = analyst.get("/?partijrol=koning")
    section = r.text[r.text.index("Partijen met de meeste reden om te kijken"):]
    assert r.status_code == 200 and re.findall(r'href="/partij/([^"]+)"', section) == everyone


def test_unit_dossier_shows_timeline_energy_explanation_and_network(app, analyst: TestClient) -> None:
    vbo = top_unit(app)
    store = app.state.ctx.analysis
    r = analyst.get(f"/adres/{vbo}")
    assert r.status_code == 200
    unit = store.unit(vbo)
    assert unit["adres"] in r.text
    for b in unit["bijdragen"]:
        assert TITLES[b["code"]] in r.text
        for innocent in b["onschuldig"]:
            assert html.escape(innocent) in r.text
    assert 'aria-label="Maandelijks stroomverbruik"' in r.text
    assert "mediaan vergelijkbaar" in r.text
    assert 'id="tijdlijn"' in r.text and "bron:" in r.text
    assert 'class="netwerk-vak" data-knoop="' + vbo in r.text


def test_unit_dossier_pseudonymises_registered_persons(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    row = store.one("SELECT verblijfsobject_id, voornamen, geslachtsnaam FROM raw_brp_inschrijving "
                    "WHERE verblijfsobject_id IN (SELECT verblijfsobject_id FROM adres_score) LIMIT 1")
    r = analyst.get(f"/adres/{row['verblijfsobject_id']}")
    assert r.status_code == 200
    assert row["geslachtsnaam"] not in r.text
    assert re.search(r"[A-Za-z.]+ #[0-9a-f]{6}", r.text), "persons appear as initials + token"


def test_party_dossier_shows_portfolio_officers_history(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    company = store.one("SELECT naar AS id FROM relatie WHERE soort = 'director_of' GROUP BY 1 "
                        "ORDER BY count(*) DESC, 1 LIMIT 1")["id"]
    r = analyst.get(f"/partij/{company}")
    assert r.status_code == 200
    assert "Functionarissen" in r.text and "Bedrijfshistorie" in r.text
    for h in store.phoenix_history(company):
        assert h["kvk_nummer"] in r.text
    agent = store.top_parties(1, rol="bemiddelaar")[0]["entiteit_id"]
    r = analyst.get(f"/partij/{agent}")
    for u in store.portfolio(agent)[:5]:
        assert f'href="/adres/{u["verblijfsobject_id"]}"' in r.text
    assert "<circle" in r.text  # portfolio dots on the map


def test_report_per_wijk_is_printable(app, analyst: TestClient) -> None:
    # the largest wijk: the first by name may be one with fewer than 10 homes, whose report shows no figures
    wijk = max(app.state.ctx.analysis.wijken(), key=lambda w: w["n"])
    r = analyst.get(f"/rapport/{wijk['wijk_code']}")
    assert r.status_code == 200
    assert wijk["wijk_naam"] in r.text
    assert 'aria-label="Verdeling van de kans per woning, als veelvoud van het regiogemiddelde"' in r.text
    assert "/static/app.css" in r.text
    css = analyst.get("/static/app.css").text
    assert "@media print" in css and ".pagina-breuk" in css
    assert analyst.get("/rapport/WK9999").status_code == 404


@pytest.mark.browser
def test_report_downloads_as_pdf_printed_by_chromium(app, analyst: TestClient) -> None:
    from pandzicht.web.pdf import chromium

    if chromium() is None:
        pytest.skip("Debian chromium is not installed (make browser)")
    wijk = app.state.ctx.analysis.wijken()[0]
    r = analyst.get(f"/rapport/{wijk['wijk_code']}.pdf")
    assert r.status_code == 200, r.text[:200]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 10_000
    artefacts = Path(__file__).resolve().parents[2] / "test-artefacten"
    artefacts.mkdir(exist_ok=True)
    (artefacts / "08-rapport-server.pdf").write_bytes(r.content)
    assert analyst.get("/rapport/WK9999.pdf").status_code == 404


def test_indicator_catalogue_is_public(client: TestClient) -> None:
    r = client.get("/indicatoren")
    assert r.status_code == 200
    for titel in TITLES.values():
        assert titel.replace("'", "&#39;") in r.text
    # what the scores were fitted on: the past checks as the training computed them
    assert "Waarop de scores zijn geschat" in r.text and "controles" in r.text.split("Waarop de scores")[1][:600]


def test_unknown_pages_show_dutch_error_without_trace(analyst: TestClient) -> None:
    r = analyst.get("/adres/0000000000000000")
    assert r.status_code == 404
    assert "Niet gevonden" in r.text and "Traceback" not in r.text
    r = analyst.get("/adres/abc")
    assert r.status_code == 404
    r = analyst.get("/partij/<script>")
    assert r.status_code == 404 and "<script>" not in r.text


def test_security_headers(client: TestClient) -> None:
    r = client.get("/melden")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_all_assets_are_local(analyst: TestClient, app) -> None:
    for path in ("/", f"/adres/{top_unit(app)}", "/melden", "/indicatoren"):
        html = analyst.get(path).text
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http://", "https://", "//")), url


def test_shortlist_csv_export_is_audited(app, analyst: TestClient) -> None:
    r = analyst.get("/export/adressen.csv?limiet=50")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Rang;BAG-id verblijfsobject;Adres;Wijk;Buurt;Kans (score)")
    assert len(lines) == 51
    r = analyst.get("/export/partijen.csv?limiet=20")
    assert len(r.text.strip().splitlines()) == 21
    from pandzicht.privacy.audit import search

    with app.state.ctx.sessions() as s:
        entries, _ = search(s, actie="export_shortlist")
    assert len(entries) == 2


def test_unit_dossier_says_how_a_free_text_address_was_linked(app, analyst: TestClient) -> None:
    """A record that reached the dossier through its address text says how: through the text, or through the
    BRP registration of a person on it; records that carried their own BAG id say nothing."""
    store = app.state.ctx.analysis
    row = store.one("SELECT a.verblijfsobject_id, a.methode, a.zekerheid FROM contract_adres a "
                    "WHERE a.methode = 'tekst+inschrijving' LIMIT 1") or store.one(
        "SELECT verblijfsobject_id, methode, zekerheid FROM contract_adres WHERE NOT bag_id_geleverd LIMIT 1")
    assert row, "the world has contracts linked by their address text"
    r = analyst.get(f"/adres/{row['verblijfsobject_id']}")
    assert r.status_code == 200
    assert f"zekerheid {row['zekerheid']:.2f}".replace(".", ",") in r.text
    words = {"tekst+inschrijving": "via de BRP-inschrijving", "postcode_straat": "op postcode en straat",
             "postcode": "op postcode", "straat": "op straatnaam"}[row["methode"]]
    assert words in r.text


@pytest.mark.parametrize(("grond", "words"), [
    ("opheffing", "de andere bedrijven met deze naam waren bij de ingangsdatum al opgeheven"),
    ("schrijfwijze", "de naam is anders gespeld (een typefout of andere spaties) en past bij precies één ingeschreven "
                     "bedrijf"),
])
def test_party_dossier_says_which_kvk_numbers_were_inferred_from_the_home(world, tmp_path: Path, db_url, grond: str,
                                                                           words: str) -> None:
    """A contract mention whose KvK number the resolver inferred from its home (link/company_context.py) is
    counted in the dossier as inferred, not presented as what the source wrote."""
    import os
    import shutil

    import duckdb

    from pandzicht.privacy.users import create_user
    from pandzicht.web.app import create_app

    from .conftest import PASSWORD, TOTP_SECRET, login, make_settings

    copy = tmp_path / "versie"
    shutil.copytree(Path(os.path.realpath(world["db"])).parent, copy)
    con = duckdb.connect(str(copy / "pandzicht.duckdb"))
    eid, bron, key, kvk = con.execute("""
        SELECT e.entiteit_id, v.bron, v.record_sleutel, k.kvk_nummer FROM entiteit e
        JOIN partij_vermelding v USING (bron, record_sleutel)
        JOIN (SELECT e2.entiteit_id, min(v2.kvk_nummer) AS kvk_nummer FROM entiteit e2
              JOIN partij_vermelding v2 USING (bron, record_sleutel) WHERE v2.kvk_nummer IS NOT NULL GROUP BY 1) k
          USING (entiteit_id)
        WHERE v.bron = 'huurcontract' AND v.soort = 'bedrijf' ORDER BY 1, 3 LIMIT 1""").fetchone()
    con.execute("INSERT INTO vermelding_kvk_afgeleid VALUES (?, ?, ?, ?)", [bron, key, kvk, grond])
    con.close()
    app = create_app(make_settings({**world, "out": copy}, db_url))
    try:
        with app.state.ctx.sessions.begin() as s:
            create_user(s, "ana", PASSWORD, "analist", "", totp_geheim=TOTP_SECRET)
        with TestClient(app, base_url="https://testserver") as c:
            login(c, "ana", PASSWORD)
            page = html.unescape(c.get(f"/partij/{eid}").text)
    finally:
        app.state.ctx.analysis.close()
        app.state.ctx.engine.dispose()
    assert f"bij 1 zonder KvK-nummer afgeleid: {words}" in page
