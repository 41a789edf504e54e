"""End to end: a small demo world through `pandzicht analyse`, checked by the shared output checker."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pandzicht.pipeline import analyse
from pandzicht.synth import generate

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO.parent / "shared" / "tools" / "check-outputs"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    bundle = base / "bundel"
    generate(bundle, 3000, 11, "base")
    out = base / "uitvoer"
    result = analyse(bundle, out)
    return bundle, out, result


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_outputs_pass_the_contract_checker(world):
    bundle, out, _ = world
    if not CHECKER.exists():
        pytest.skip(f"shared output checker not found at {CHECKER}")
    done = subprocess.run([sys.executable, str(CHECKER), str(bundle), str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok")


def test_every_broken_row_is_quarantined_and_counted(world):
    bundle, out, _ = world
    report = json.loads((out / "laadrapport.json").read_text(encoding="utf-8"))
    broken: dict[str, int] = {}
    for r in _rows(bundle / "truth" / "kapotte_rijen.csv"):
        broken[r["bron"]] = broken.get(r["bron"], 0) + 1
    for source, entry in report["bronnen"].items():
        with (bundle / f"{source}.csv").open(encoding="utf-8") as fh:
            records = sum(1 for _ in csv.reader(fh)) - 1
        assert entry["gelezen"] == records, source
        assert entry["gelezen"] == entry["geladen"] + entry["quarantaine"], source
        assert entry["quarantaine"] == broken.get(source, 0), source


def test_shortlist_concentrates_the_true_cases(world):
    bundle, out, _ = world
    truth = {r["verblijfsobject_id"] for r in _rows(bundle / "truth" / "adres_typologie.csv")}
    ranked = [r["verblijfsobject_id"] for r in _rows(out / "adressen.csv")]
    top = ranked[: max(len(ranked) // 20, 1)]
    base_rate = len(truth) / len(ranked)
    lift = (sum(u in truth for u in top) / len(top)) / base_rate
    assert lift >= 5, f"top 5% holds only {lift:.1f}x the base rate of true cases"


def test_malafide_agents_rank_high(world):
    bundle, out, _ = world
    agents = {r["kvk_nummer"] for r in _rows(bundle / "truth" / "malafide_partij.csv") if r["rol"] == "bemiddelaar"}
    top = {r["kvk_nummer"] for r in _rows(out / "partijen.csv")[:10]}
    assert agents and agents <= top


def test_explanations_name_catalogue_indicators(world):
    from pandzicht.indicators.catalogue import load_catalogue

    _, out, _ = world
    codes = {i.code for i in load_catalogue()}
    for r in _rows(out / "adressen.csv")[:100]:
        for part in filter(None, r["uitleg"].split(";")):
            code, value = part.split(":")
            assert code in codes and float(value) > 0


def test_a_residents_past_alone_adds_nothing_to_a_home(world):
    """Homes where only evidence about people fires (`alleen_met_woningsignaal`) carry no contribution from it; beside
    a signal about the home itself it does count. Both kinds occur in this world, so neither half is vacuous."""
    import duckdb

    from pandzicht.indicators.catalogue import load_catalogue

    _, out, _ = world
    marked = [i.code for i in load_catalogue() if i.alleen_met_woningsignaal]
    con = duckdb.connect(str(out / "pandzicht.duckdb"), read_only=True)
    rows = con.execute("""
        WITH f AS (SELECT entiteit_id, bool_and(list_contains(?, indicator)) AS alleen_verleden,
                          bool_or(list_contains(?, indicator)) AS verleden
                   FROM indicator_waarde WHERE waarde > 0 GROUP BY 1)
        SELECT f.alleen_verleden, count(DISTINCT f.entiteit_id), count(b.indicator)
        FROM f LEFT JOIN bijdrage_adres b ON b.entiteit_id = f.entiteit_id AND list_contains(?, b.indicator)
        WHERE f.verleden GROUP BY 1 ORDER BY 1""", [marked, marked, marked]).fetchall()
    got = {alone: (homes, contributions) for alone, homes, contributions in rows}
    assert got[True][0] > 0 and got[True][1] == 0
    assert got[False][0] > 0 and got[False][1] > 0


def test_cli_refuses_protected_column_in_one_line(tmp_path):
    from bundles import minimal_bundle

    bundle = minimal_bundle(tmp_path / "b")
    path = bundle / "brp_inschrijving.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",geboorteland"] + [x + ",NL" for x in lines[1:]]) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pandzicht.cli", "load", str(bundle), "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    err = done.stderr.strip()
    assert "brp_inschrijving.csv" in err and "'geboorteland'" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_review_queue_puts_what_matters_for_the_shortlists_first(world):
    """Each queued pair weighs as much as the highest-scoring party or home either side belongs to, and the
    queue is read in that order (at 1M units it holds over a million pairs)."""
    _, out, _ = world
    from pandzicht.link.parties_splink import prioritise_review_queue
    from pandzicht.store.engine import Store

    with Store(out / "pandzicht.duckdb") as store:
        rows = store.rows(
            "SELECT belang, bron_links, record_sleutel_links, bron_rechts, record_sleutel_rechts, "
            "verblijfsobject_id_links, verblijfsobject_id_rechts FROM beoordeling_wachtrij")
        assert rows and any(r[0] > 0 for r in rows)
        assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)
        # recomputed here per pair from the score tables
        for belang, bl, kl, br, kr, vl, vr in rows[:50]:
            scores = [0.0]
            for b, k in ((bl, kl), (br, kr)):
                scores.append(store.scalar(
                    "SELECT max(p.score) FROM entiteit e JOIN partij_score p USING (entiteit_id) "
                    "WHERE e.bron = ? AND e.record_sleutel = ?", [b, k]) or 0.0)
            for vbo in (vl, vr):
                scores.append(store.scalar("SELECT max(score) FROM adres_score WHERE verblijfsobject_id = ?",
                                           [vbo]) or 0.0)
            assert belang == pytest.approx(max(scores))
        # a second run replaces the column instead of adding one
        prioritise_review_queue(store)
        assert [r[0] for r in store.rows("SELECT belang FROM beoordeling_wachtrij")] == [r[0] for r in rows]


def test_address_links_say_how_they_were_made(world):
    """adreskoppeling.csv keeps the v1 columns first and adds `methode`: a link names how it was made, and an
    empty one why it stayed empty."""
    _, out, _ = world
    with (out / "adreskoppeling.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["bron", "record_sleutel", "adres_tekst", "verblijfsobject_id", "zekerheid", "methode"]
    linked = {"postcode_straat", "postcode", "straat", "tekst+inschrijving", "inschrijving_corrigeert_tekst"}
    rows = _rows(out / "adreskoppeling.csv")
    for r in rows:
        if r["verblijfsobject_id"]:
            assert r["methode"] in linked, r
            assert float(r["zekerheid"]) >= 0.8, r
        else:
            assert r["methode"] in linked | {"geen_huisnummer", "geen_kandidaat"}, r
    assert any(r["methode"] == "tekst+inschrijving" for r in rows)
