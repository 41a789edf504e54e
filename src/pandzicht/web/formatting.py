"""Dutch formatting filters for the templates: dates, numbers, scores, labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment

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


def getal(value: Any, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def score(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}".replace(".", ",")


def install(env: Environment) -> None:
    env.filters.update(datum=datum, getal=getal, score=score,
                       typologie=lambda v: TYPOLOGY_LABELS.get(v or "", v or "—"),
                       bron=lambda v: SOURCE_LABELS.get(v, v), rol=lambda v: ROLE_LABELS.get(v, v),
                       categorie=lambda v: SIGNAL_CATEGORY_LABELS.get(v, v),
                       melder=lambda v: REPORTER_LABELS.get(v, v),
                       instrument=lambda v: OUTCOME_INSTRUMENT_LABELS.get(v, v),
                       bevinding=lambda v: FINDING_LABELS.get(v, v),
                       verkeerslicht=lambda v: TRAFFIC_LIGHTS.get(v or "", "nog niet beoordeeld"))
