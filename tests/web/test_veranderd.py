"""Two monthly deliveries of one demo world through the running web app: a case opened on delivery 1 still shows
the same party after delivery 2 is published, the 'Wat is er veranderd' screen lists the changes (pseudonymised
and audited), and the dossiers show the score history and the merges and splits."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pandzicht.pipeline import analyse
from pandzicht.privacy.models import AuditEntry
from pandzicht.privacy.users import create_user
from pandzicht.synth.deliveries import generate_deliveries
from pandzicht.web.app import create_app
from pandzicht.web.formatting import datum
from pandzicht.web.maps import real_data_dir

from .conftest import PASSWORD, TOTP_SECRET, login, make_settings
from .test_cases import open_case

pytestmark = pytest.mark.slow


def _entities(out: Path) -> dict[str, str]:
    with (out / "entiteiten.csv").open(encoding="utf-8", newline="") as fh:
        return {f"{r['bron']}/{r['record_sleutel']}": r["entiteit_id"] for r in csv.DictReader(fh)}


def _merge(run: dict) -> tuple[str, str]:
    """The id the two merged companies carry now, and the id of the other one (whichever kept its id)."""
    merged = run["events"]["samengevoegd"]
    olds = {run["before"][f"kvk_vestiging/{merged[k]}"] for k in ("behouden_kvk", "opgeheven_kvk")}
    now = run["after"][f"kvk_vestiging/{merged['behouden_kvk']}"]
    assert now in olds and len(olds) == 2
    return now, next(iter(olds - {now}))


@pytest.fixture(scope="module")
def run(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Delivery 1 analysed and served; a case opened on the agent that is re-founded in delivery 2; the screen
    seen on delivery 1; then delivery 2 analysed into the same folder while the app keeps running."""
    if not (real_data_dir() / "rotterdam-buurten" / "buurten.geojson").is_file():
        pytest.skip("real public data not found")
    base = tmp_path_factory.mktemp("leveringen_web")
    generate_deliveries(base, 600, 21, 2)
    out = base / "uitvoer"
    analyse(base / "levering-01", out)
    events = json.loads((base / "levering-02" / "truth" / "levering.json").read_text(encoding="utf-8"))
    before = _entities(out)
    app = create_app(make_settings({"out": out}, f"sqlite:///{base / 'operationeel.sqlite'}"))
    with app.state.ctx.sessions.begin() as s:
        create_user(s, "regie", PASSWORD, "casusregisseur", "", totp_geheim=TOTP_SECRET)
    client = TestClient(app, base_url="https://testserver")
    login(client, "regie")
    agent = before[f"kvk_vestiging/{events['feniks']['oud_kvk']}"]
    dossier_before = client.get(f"/partij/{agent}")
    assert dossier_before.status_code == 200
    case_id = open_case(client, "partij", agent)
    first_screen = client.get("/veranderd")
    shown = client.get("/api/meta").json()["peildatum"]
    analyse(base / "levering-02", out)
    # the app opens the new version in the background and switches once its lookups are built
    deadline = time.monotonic() + 120
    while client.get("/api/meta").json()["peildatum"] == shown and time.monotonic() < deadline:
        time.sleep(0.2)
    yield {"base": base, "out": out, "app": app, "client": client, "events": events, "before": before,
           "after": _entities(out), "agent": agent, "case": case_id, "first_screen": first_screen,
           "dossier_before": dossier_before.text}
    client.close()
    app.state.ctx.analysis.close()
    app.state.ctx.engine.dispose()


def test_a_case_opened_on_delivery_1_shows_the_same_party_after_delivery_2(run) -> None:  # type: ignore[no-untyped-def]
    client, agent = run["client"], run["agent"]
    # delivery 2 continued delivery 1 incrementally: only its new and changed records were linked
    koppeling = json.loads((run["out"] / "laadrapport.json").read_text(encoding="utf-8"))["analyse"]["koppeling"]
    assert (koppeling["modus"], koppeling["model"]) == ("incrementeel", "hergebruikt")
    assert run["after"][f"kvk_vestiging/{run['events']['feniks']['oud_kvk']}"] == agent
    page = client.get(f"/zaken/{run['case']}").text
    assert f"/partij/{agent}" in page
    dossier = client.get(f"/partij/{agent}")
    assert dossier.status_code == 200
    # the app serves delivery 2 now: the re-founded company is among the agent's officers' companies
    assert run["events"]["feniks"]["naam"] in dossier.text
    assert run["events"]["feniks"]["naam"] not in run["dossier_before"]


def test_the_first_delivery_has_nothing_to_compare_with(run) -> None:  # type: ignore[no-untyped-def]
    assert run["first_screen"].status_code == 200
    assert 'id="geen-vorige"' in run["first_screen"].text


def test_what_changed_lists_homes_and_parties_and_is_audited(run) -> None:  # type: ignore[no-untyped-def]
    client, out, events = run["client"], run["out"], run["events"]
    r = client.get("/veranderd")
    assert r.status_code == 200
    html = r.text
    assert 'id="geen-vorige"' not in html and "vorige levering (peildatum" in html
    with (out / "wijzigingen.csv").open(encoding="utf-8", newline="") as fh:
        changes = list(csv.DictReader(fh))
    assert changes
    for row in changes:
        assert f"/adres/{row['verblijfsobject_id']}" in html
    merged_into, other = _merge(run)
    section = html.split('id="samengevoegd"')[1].split('id="gesplitst"')[0]
    assert f"/partij/{merged_into}" in section and other in section
    split_from = run["after"][f"kvk_vestiging/{events['gesplitst']['oud_kvk']}"]
    split_new = run["after"][f"kvk_vestiging/{events['gesplitst']['nieuw_kvk']}"]
    section = html.split('id="gesplitst"')[1]
    assert f"/partij/{split_from}" in section and f"/partij/{split_new}" in section
    with run["app"].state.ctx.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.actie == "wijzigingen_bekeken")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.aantal >= len(changes)
    assert f"adressen={len(changes)}" in entry.doel


def test_what_changed_shows_no_registered_persons_name(run) -> None:  # type: ignore[no-untyped-def]
    html = run["client"].get("/veranderd").text
    with (run["base"] / "levering-02" / "brp_inschrijving.csv").open(encoding="utf-8", newline="") as fh:
        names = {f"{r['voornamen']} {r['geslachtsnaam']}" for r in csv.DictReader(fh) if r["voornamen"]}
    leaked = [n for n in names if n in html]
    assert not leaked, leaked[:3]


def test_the_address_dossier_shows_the_score_per_delivery(run) -> None:  # type: ignore[no-untyped-def]
    client, out = run["client"], run["out"]
    with (out / "wijzigingen.csv").open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["rang_vorige"] and r["rang"])
    html = client.get(f"/adres/{row['verblijfsobject_id']}").text
    section = html.split('id="scorehistorie"')[1].split("</section>")[0]
    cells = section.split("<tr>")[2:]  # header row first
    assert len(cells) == 2
    newest, oldest = cells
    assert f">{row['rang']}<" in newest and f">{row['rang_vorige']}<" in oldest
    assert datum(run["events"]["peildatum"]) in newest and datum(run["events"]["peildatum_vorige"]) in oldest


def test_the_party_dossier_shows_merges_and_splits(run) -> None:  # type: ignore[no-untyped-def]
    client, events, after = run["client"], run["events"], run["after"]
    kept, other = _merge(run)
    html = client.get(f"/partij/{kept}").text
    section = html.split('id="samenvoegingen"')[1].split("</ul>")[0]
    assert other in section and "samengevoegd" in section
    split_new = after[f"kvk_vestiging/{events['gesplitst']['nieuw_kvk']}"]
    html = client.get(f"/partij/{split_new}").text
    section = html.split('id="samenvoegingen"')[1].split("</ul>")[0]
    assert "afgesplitst van" in section


def test_the_model_page_says_delivery_2_continued_the_models_of_delivery_1(run) -> None:  # type: ignore[no-untyped-def]
    page = run["client"].get("/indicatoren")
    assert page.status_code == 200
    # the score weights fitted on the kept training rows, the typology model searched from last month's solution
    assert "hergebruikt" in page.text.split("Waarop de scores zijn geschat")[1][:1500]
    assert "Typologiemodel geschat vanaf de oplossing van de vorige levering" in page.text
