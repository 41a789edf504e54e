"""The score text at its edges, from the arithmetic alone: saturated probabilities near 100%, ties, tiny scores,
and the log-odds that must add up to what the text says."""

from __future__ import annotations

import itertools
import math

from pandzicht.web.formatting import keer, procent
from pandzicht.web.scoretext import (
    SATURATED,
    logit,
    multiple_text,
    odds_text,
    tie_text,
    unit_arithmetic,
)

INTERCEPT = -5.3756
MEAN = 0.012


def _score(logodds: float) -> float:
    """As the analysis stores it: the probability rounded to six decimals."""
    return round(1 / (1 + math.exp(-logodds)), 6)


def _rows(*values: float) -> list[dict]:
    return [{"code": f"i{k}", "bijdrage": v, "titel": f"indicator {k}"} for k, v in enumerate(values)]


def test_saturated_homes_read_apart_by_their_evidence() -> None:
    strong, weaker = _rows(3.7, 3.6, 3.0, 2.8, 2.0, 2.0), _rows(3.7, 3.4, 2.8, 2.7, 2.0)
    a = unit_arithmetic(_score(INTERCEPT + 17.1), strong, INTERCEPT, MEAN)
    b = unit_arithmetic(_score(INTERCEPT + 14.6), weaker, INTERCEPT, MEAN)
    assert a.verzadigd and b.verzadigd
    # the probabilities read the same, the evidence does not, and it orders them
    assert procent(a.score) == procent(b.score) == "> 99,9%"
    assert a.logodds is not None and b.logodds is not None and a.logodds > b.logodds
    assert math.isclose(a.logodds, INTERCEPT + 17.1, abs_tol=1e-9)
    # the six-decimal rounding of a saturated score invents no "other indicators" factor
    assert a.rest_factor is None and b.rest_factor is None
    assert a.kansverhouding == "123.550 tegen 1" and b.kansverhouding == odds_text(INTERCEPT + 14.6)
    # the multiple of the mean is at its ceiling, and the text says so instead of implying a difference
    assert a.keer is not None and a.keer <= 1 / MEAN + 1e-9
    assert "vrijwel het hoogste wat hier kan" in a.keer_tekst and keer(1 / MEAN) in a.keer_tekst


def test_below_saturation_the_text_is_plain_and_adds_up() -> None:
    rows = _rows(2.0, 1.1, 0.4)
    score = _score(INTERCEPT + 3.5)
    e = unit_arithmetic(score, rows, INTERCEPT, MEAN)
    assert score < SATURATED and not e.verzadigd
    assert e.keer_tekst == f"{keer(score / MEAN)} het gemiddelde"
    # start + contributions = log-odds of the score shown (to the stored rounding), factors multiply the odds
    assert math.isclose(e.logodds, logit(score), abs_tol=1e-4)
    odds = math.exp(INTERCEPT) * math.prod(r["factor"] for r in e.regels)
    assert math.isclose(odds / (1 + odds), score, rel_tol=1e-5)


def test_contributions_not_listed_show_as_one_factor_and_the_evidence_follows_the_score() -> None:
    listed = _rows(2.0, 1.0)  # the home also has 0.8 in contributions not itemised
    score = _score(INTERCEPT + 3.8)
    e = unit_arithmetic(score, listed, INTERCEPT, MEAN)
    assert e.rest_factor is not None and math.isclose(math.log(e.rest_factor), 0.8, abs_tol=1e-3)
    assert math.isclose(e.logodds, INTERCEPT + 3.8, abs_tol=1e-3)
    # given the full sum, there is nothing left over
    full = unit_arithmetic(score, listed, INTERCEPT, MEAN, som=3.8)
    assert full.rest_factor is None and math.isclose(full.som, 3.8)


def test_tiny_scores_keep_their_digits_and_their_multiple() -> None:
    e = unit_arithmetic(_score(INTERCEPT - 4.0), [], INTERCEPT, MEAN)
    assert e.score is not None and 0 < e.score < 0.001
    assert procent(e.score) not in ("0,0%", "0%") and procent(e.score).startswith("0,0")
    assert e.keer is not None and e.keer < 0.05 and e.keer_tekst == "< 0,1× het gemiddelde"
    assert e.band == "gewoon" and not e.verzadigd
    assert odds_text(e.logodds).startswith("1 tegen ")
    assert procent(0.0) == "0,0%" and procent(None) == "—"


def test_percentages_never_round_to_certainty() -> None:
    assert procent(0.9994) == "99,9%"
    assert procent(0.9995) == "> 99,9%" and procent(1.0) == "> 99,9%"
    assert procent(0.5) == "50,0%"


def test_ties_are_shown_as_ties_and_saturated_ties_say_what_orders_them() -> None:
    ties = {0.999999: (3, 6), 0.42: (40, 2)}
    top = tie_text("adres", 0.999999, 7, ties)
    assert top["kort"] == "3=" and top["gedeeld"] == 6
    assert "gedeeld 3e (6 adressen met precies deze score)" in top["lang"] and "totale bewijs" in top["lang"]
    mid = tie_text("adres", 0.42, 41, ties)
    assert mid["kort"] == "40=" and "totale bewijs" not in mid["lang"]
    alone = tie_text("adres", 0.3, 55, ties)
    assert alone == {"rang": 55, "gedeeld": 0, "kort": "55", "lang": "55e"}
    party = tie_text("partij", 0.42, 12, {0.42: (9, 9)})
    assert party["lang"] == "gedeeld 9e (9 partijen met precies deze score)"
    assert tie_text("adres", None, None, ties)["kort"] == "—"


def test_odds_and_multiples_in_words() -> None:
    assert odds_text(math.log(3)) == "3,0 tegen 1"
    assert odds_text(math.log(1.2e6)) == "1,2 miljoen tegen 1"
    assert odds_text(math.log(2.5e9)) == "2,5 miljard tegen 1"
    assert odds_text(-math.log(40)) == "1 tegen 40,0"
    assert odds_text(None) == "—"
    assert multiple_text(None, 80.0, True) == ""
    assert multiple_text(14.2, 80.0, False) == "14× het gemiddelde"
    assert logit(1.0) is None and logit(0.0) is None


def test_the_ranked_list_orders_shared_scores_by_evidence_and_the_dossier_says_why(app, analyst) -> None:  # type: ignore[no-untyped-def]
    from pandzicht.web.formatting import getal
    from pandzicht.web.scoretext import region

    store = app.state.ctx.analysis
    rows = store.top_units(200)
    assert rows and all(r["bewijs"] is not None for r in rows if r["bijdragen"])
    for a, b in itertools.pairwise(rows):
        assert a["score"] >= b["score"]
        if a["score"] == b["score"]:
            assert (a["bewijs"] or 0.0) >= (b["bewijs"] or 0.0)
    top = rows[0]
    unit = store.unit(top["verblijfsobject_id"])
    intercept = float(region(store).model.get("intercept", 0.0))
    logodds = intercept + sum(b["bijdrage"] for b in unit["bijdragen"])
    assert math.isclose(logodds, intercept + top["bewijs"], abs_tol=1e-6)
    page = analyst.get(f"/adres/{top['verblijfsobject_id']}").text
    # the arithmetic line on the log-odds scale adds up to the evidence shown
    assert f"= {getal(logodds, 2, True)}, een kansverhouding van {odds_text(logodds)}" in page
    assert ("totale bewijs" in page) == (top["score"] >= SATURATED)
