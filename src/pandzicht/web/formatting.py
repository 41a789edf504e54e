"""Dutch formatting filters for the templates: dates, numbers, scores, labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment, Undefined, pass_context
from jinja2.runtime import Context

from pandzicht.cases.catalogue import (
    FINDING_LABELS,
    OUTCOME_INSTRUMENT_LABELS,
    REPORTER_LABELS,
    SIGNAL_CATEGORY_LABELS,
    TRAFFIC_LIGHTS,
)
from pandzicht.web.analysis import ROLE_LABELS, SOURCE_LABELS, TYPOLOGY_LABELS

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def datum(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def getal(value: Any, decimals: int = 0, teken: bool = False) -> str:
    """The one Dutch number format of every screen and export: decimal comma, thousands point ('1.234,5')."""
    if value is None or value == "":
        return "—"
    text = f"{value:{'+' if teken else ''},.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def score(value: Any) -> str:
    return getal(value, 3)


def procent(value: Any, decimals: int = 1) -> str:
    """A probability as a percentage ('76,6%'); tiny ones keep two significant digits ('0,052%'); one that would
    round to 100% reads '> 99,9%' (a learned probability is never certain)."""
    if value is None:
        return "—"
    pct = float(value) * 100
    if pct >= 100 - 0.5 * 10 ** -decimals:
        return "> " + getal(100 - 10 ** -decimals, decimals) + "%"
    if 0 < pct < 0.1:
        decimals = max(decimals, 3)
    return getal(pct, decimals) + "%"


def factor(value: Any) -> str:
    """A factor on the odds: '× 2,06'."""
    return "—" if value is None else "× " + getal(value, 2)


def keer(value: Any) -> str:
    """A multiple of the region mean: '14×', '2,5×', '0,8×'; below 0,05 '< 0,1×' rather than a bare '0,0×'."""
    if value is None:
        return "—"
    if value < 0.05:
        return "< 0,1×"
    return getal(value, 0 if value >= 10 else 1) + "×"


def woorden(code: Any) -> str:
    """A code as Dutch words where no label exists: 'nachtelijk_bezoek' -> 'nachtelijk bezoek'."""
    return SIGNAL_CATEGORY_LABELS.get(code, str(code or "").replace("_", " "))


def _store(context: Context):  # type: ignore[no-untyped-def]
    return context["request"].app.state.ctx.analysis


@pass_context
def uitleg_adres(context: Context, score_: float | None, bijdragen: list, som: float | None = None) -> Any:
    from pandzicht.web.scoretext import explain_unit

    return explain_unit(_store(context), score_, bijdragen, None if isinstance(som, Undefined) or som is None
                        else float(som))


@pass_context
def uitleg_partij(context: Context, score_: float | None, bijdragen: list) -> Any:
    from pandzicht.web.scoretext import explain_party

    return explain_party(_store(context), score_, bijdragen)


def bewijs_van(events: list, bijdragen: list) -> dict:
    """Per indicator of a dossier, the timeline records it reads (web.evidence)."""
    from pandzicht.web.evidence import evidence

    return evidence(events, [b["code"] for b in bijdragen])


@pass_context
def rang(context: Context, soort: str, score_: float | None, rang_: int | None) -> dict:
    """Rank as shown, ties as ties: {'kort': '7=', 'lang': 'gedeeld 7e (9 adressen ...)'}."""
    from pandzicht.web.scoretext import tie

    return tie(_store(context), soort, score_, rang_)


def install(env: Environment) -> None:
    env.globals.update(uitleg_adres=uitleg_adres, uitleg_partij=uitleg_partij, rang=rang, bewijs_van=bewijs_van)
    env.filters.update(datum=datum, getal=getal, score=score, procent=procent, factor=factor, keer=keer,
                       woorden=woorden,
                       typologie=lambda v: TYPOLOGY_LABELS.get(v or "", v or "—"),
                       bron=lambda v: SOURCE_LABELS.get(v, v), rol=lambda v: ROLE_LABELS.get(v, v),
                       categorie=lambda v: SIGNAL_CATEGORY_LABELS.get(v, v),
                       melder=lambda v: REPORTER_LABELS.get(v, v),
                       instrument=lambda v: OUTCOME_INSTRUMENT_LABELS.get(v, v),
                       bevinding=lambda v: FINDING_LABELS.get(v, v),
                       verkeerslicht=lambda v: TRAFFIC_LIGHTS.get(v or "", "nog niet beoordeeld"))
