"""Learned linking steps without enough evidence fall back to documented defaults, say so, and still link.

Shapes from other partners' data: no company profile shares a KvK number with another (spelling variants carry
none), no birth dates anywhere, a delivery too small to learn from."""

from __future__ import annotations

import itertools
import logging
import shutil
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.evaluation.linking import pairwise_scores
from pandzicht.fallback import recorded
from pandzicht.link.parties_splink import _unobserved_levels, pairs_sharing, resolve_parties
from pandzicht.store.engine import Store


def _copy(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.duckdb"
    shutil.copy(db, target)
    return target


def _f1(store: Store, bundle: Path, out: Path) -> dict[str, float]:
    store.execute(f"COPY (SELECT * FROM entiteit) TO '{out}' (HEADER)")
    return pairwise_scores(out, bundle / "truth" / "persoon_sleutel.csv")


def test_companies_sharing_no_kvk_number_fall_back_and_still_link(world_base, tmp_path):
    bundle, db = world_base
    with Store(_copy(db, tmp_path)) as store:
        # only the register itself carries the numbers: no two company profiles share one
        store.execute("UPDATE partij_vermelding SET kvk_nummer = NULL WHERE bron <> 'kvk_vestiging'")
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")
        steps = {f.stap: f for f in recorded(store)}
        scores = _f1(store, bundle, tmp_path / "e.csv")
    assert "partijen.bedrijven.a-priorikans" in steps
    assert "0 paren" in steps["partijen.bedrijven.a-priorikans"].reden
    assert "partijen.bedrijven.em" in steps
    # the names' first word still pairs spelling variants, so EM learns the name levels from those
    assert "partijen.bedrijven.em-naam" not in steps
    assert scores["precisie"] >= 0.99, scores
    assert scores["f1"] >= 0.95, scores


def test_no_birth_dates_anywhere_skips_that_em_and_says_so(world_base, tmp_path):
    _, db = world_base
    with Store(_copy(db, tmp_path)) as store:
        store.execute("UPDATE partij_vermelding SET geboortedatum = NULL, geboortedatum_sleutel = NULL")
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")
        steps = [f for f in recorded(store) if f.stap.startswith("partijen.personen")]
        assert store.scalar("SELECT count(*) FROM entiteit") == store.scalar("SELECT count(*) FROM partij_vermelding")
    reasons = " ".join(f.reden for f in steps)
    assert "geboortedatum + initiaal vindt 0 paren" in reasons
    assert any(f.stap == "partijen.personen.a-priorikans" for f in steps)


def test_a_delivery_too_small_for_a_model_is_resolved_on_keys_and_says_so(world_base, tmp_path):
    _, db = world_base
    with Store(_copy(db, tmp_path)) as store:
        store.execute("CREATE OR REPLACE TABLE partij_vermelding AS "
                      "SELECT * FROM partij_vermelding ORDER BY bron, record_sleutel LIMIT 120")
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")
        steps = recorded(store)
    assert [f.stap for f in steps] == ["partijen.model"]
    assert steps[0].reden.startswith("120 partijvermeldingen")


def test_a_name_level_no_em_pair_shows_keeps_its_start_value_and_says_so(world_base, tmp_path, caplog):
    # a company with a KvK number is spelled only as the register does with up to three letters added: the
    # pairs EM sees (those sharing a KvK number) never show a wholly different name, so that level is not learned
    _, db = world_base
    with Store(_copy(db, tmp_path)) as store:
        store.execute("""UPDATE partij_vermelding v
                         SET bedrijf_kern = f.bedrijf_kern || repeat('x', (hash(v.record_sleutel) % 4)::INT)
                         FROM (SELECT kvk_nummer, min(bedrijf_kern) AS bedrijf_kern FROM partij_vermelding
                               WHERE kvk_nummer IS NOT NULL AND bedrijf_kern IS NOT NULL GROUP BY 1) f
                         WHERE v.kvk_nummer = f.kvk_nummer AND v.bedrijf_kern IS NOT NULL""")
        resolve_parties(store, judgements=tmp_path / "geen.sqlite")
        steps = {f.stap: f for f in recorded(store)}
    assert "partijen.bedrijven.em" not in steps  # EM ran
    levels = steps["partijen.bedrijven.em.niveaus"]
    assert "bedrijfsnaam: All other comparisons (m)" in levels.reden and "startwaarde" in levels.terugval
    assert "bedrijfsnaam: Jaro-Winkler distance of kern_compact >= 0.95" not in levels.reden  # seen and learned
    # Splink's own English warning is not printed to the user; the recorded fallback is
    assert not [r for r in caplog.records if r.name.startswith("splink") and "not observed" in r.getMessage()]


def test_only_the_unobserved_level_warnings_are_taken_out_of_splinks_log(caplog):
    logger = logging.getLogger("splink.internals.expectation_maximisation")
    with caplog.at_level(logging.WARNING), _unobserved_levels() as collector:
        logger.warning("WARNING:\nLevel Exact match on naam on comparison naam not observed in dataset, "
                       "unable to train m value\n")
        logger.warning("EM did not converge")
    logger.warning("Level x on comparison y not observed in dataset, unable to train m value")  # after: passes
    assert collector.levels == [("naam", "Exact match on naam", "m")]
    assert [r.getMessage() for r in caplog.records] == [
        "EM did not converge", "Level x on comparison y not observed in dataset, unable to train m value"]


_value = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_value, _value), max_size=25))
def test_pairs_sharing_counts_the_pairs_a_rule_would_find(rows):
    frame = pa.table({"x": [r[0] for r in rows], "y": [r[1] for r in rows]})
    brute = sum(1 for a, b in itertools.combinations(rows, 2)
                if a[0] is not None and a[1] is not None and a == b)
    assert pairs_sharing(frame, ("x", "y")) == brute
    assert pairs_sharing(frame, ("x",)) == sum(
        1 for a, b in itertools.combinations(rows, 2) if a[0] is not None and a[0] == b[0])
