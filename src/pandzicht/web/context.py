"""What every request needs: settings, the analysis store, the operational database, templates, limits."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pandzicht.link.address_match import AddressIndex
from pandzicht.web.analysis import AnalysisStore
from pandzicht.web.config import Settings
from pandzicht.web.maps import BaseMap, load_basemap
from pandzicht.web.ratelimit import RateLimiter
from pandzicht.web.sessions import SessionCodec


class _TupleRows:
    """The `rows()` interface AddressIndex.from_store expects, on the shared read-only analysis connection."""

    def __init__(self, store: AnalysisStore) -> None:
        self.store = store

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        with self.store.cursor() as cur:
            return cur.execute(sql, params or []).fetchall()


@dataclass
class WebContext:
    settings: Settings
    analysis: AnalysisStore | None
    engine: Engine
    sessions: sessionmaker[Session]
    templates: Jinja2Templates
    codec: SessionCodec
    melding_limiter: RateLimiter
    login_limiter: RateLimiter
    revoked: set[str] = field(default_factory=set)
    _index: AddressIndex | None = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)

    def address_index(self) -> AddressIndex | None:
        """The BAG address index for linking signals, built on first use."""
        if self.analysis is None:
            return None
        with self._index_lock:
            if self._index is None:
                self._index = AddressIndex.from_store(_TupleRows(self.analysis))  # type: ignore[arg-type]
            return self._index

    def basemap(self) -> BaseMap | None:
        path = Path(self.settings.real_data) / "rotterdam-buurten" / "buurten.geojson"
        return load_basemap(path) if path.is_file() else None


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx
