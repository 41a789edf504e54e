"""Link charts saved into a case (`netwerk_opname`): node ids, positions, pins and selection, never names.

A chart is stored as ids only; labels are fetched (and pseudonymised) again when it
is opened, so a saved chart cannot leak a name the viewer may not see, and
re-opening it goes through the audited network API like any other view.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from pandzicht.cases.models import NetworkSnapshot
from pandzicht.errors import PandzichtError

NODE_RE = re.compile(r"^[A-Za-z0-9_:.\-]{1,120}$")
MAX_NODES = 2000


class ChartState(BaseModel):
    """What the chart needs to come back as it was: which nodes were expanded, where each node stood."""

    kern: str
    posities: dict[str, tuple[float, float]] = Field(default_factory=dict)
    vast: list[str] = Field(default_factory=list)  # pinned nodes
    selectie: list[str] = Field(default_factory=list)
    uitgeklapt: dict[str, int] = Field(default_factory=dict)  # node -> how many edges were paged in
    filters: dict[str, Any] = Field(default_factory=dict)  # edge kinds switched off, "geldig op" date

    @field_validator("kern")
    @classmethod
    def _kern(cls, v: str) -> str:
        if not NODE_RE.match(v):
            raise ValueError("ongeldige knoop")
        return v

    @field_validator("posities", "uitgeklapt")
    @classmethod
    def _ids(cls, v: dict) -> dict:
        if len(v) > MAX_NODES or not all(NODE_RE.match(k) for k in v):
            raise ValueError("ongeldige knopen")
        return v

    @field_validator("vast", "selectie")
    @classmethod
    def _list(cls, v: list[str]) -> list[str]:
        if len(v) > MAX_NODES or not all(NODE_RE.match(k) for k in v):
            raise ValueError("ongeldige knopen")
        return v


def parse_state(raw: str) -> ChartState:
    """The chart state from the browser, or one Dutch line saying it is not a chart."""
    try:
        return ChartState.model_validate(json.loads(raw))
    except (ValueError, TypeError) as exc:
        raise PandzichtError("de netwerkweergave kon niet worden gelezen") from exc


def save(session: Session, zaak_id: int, user_id: int, state: ChartState, titel: str = "") -> NetworkSnapshot:
    snap = NetworkSnapshot(zaak_id=zaak_id, kern=state.kern, titel=titel.strip()[:120],
                           inhoud=state.model_dump_json(), aangemaakt_door=user_id)
    session.add(snap)
    session.flush()
    return snap


def for_case(session: Session, zaak_id: int) -> list[NetworkSnapshot]:
    """The charts saved into a case, newest first."""
    return list(session.scalars(select(NetworkSnapshot).where(NetworkSnapshot.zaak_id == zaak_id)
                                .order_by(NetworkSnapshot.id.desc())))
