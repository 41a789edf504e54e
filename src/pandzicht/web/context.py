"""What every request needs: settings, the analysis store, the operational database, templates, limits."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pandzicht.errors import PandzichtError
from pandzicht.link.address_match import AddressIndex
from pandzicht.web.analysis import AnalysisStore, resolve_db
from pandzicht.web.config import Settings
from pandzicht.web.maps import BaseMap, load_basemap
from pandzicht.web.ratelimit import RateLimiter
from pandzicht.web.sessions import SessionCodec

log = logging.getLogger(__name__)


class PublishedAnalysis:
    """The published analysis store, reopened when `pandzicht analyse` publishes a new version.

    `analyse` never writes a published store: it builds a new version and switches `DIR/huidig` to it
    (`pandzicht.publish`). The store is keyed by the file `DIR/pandzicht.duckdb` resolves to; at most once a
    second a request checks that key, and when it changed the new version is opened in a background thread
    while every request, the noticing one included, keeps answering from the old one (its file stays readable
    after it is unlinked): opening maps the lookup tables `analyse` wrote beside the store (a fraction of a
    second), but for an analysis without valid ones (an older pandzicht wrote it, an upgrade changed the
    builder) this thread writes them first (`AnalysisStore._write_lookup_files`), minutes at 1M units, which no
    request should wait for. A version that cannot be opened is logged and the old one kept; it is not tried again
    until the published version changes once more."""

    CHECK_EVERY_S = 1.0

    def __init__(self, location: Path, opened: AnalysisStore) -> None:
        self.location = location
        self.store = opened
        self._key = self._current_key()
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._failed: tuple[str, int] | None = None

    def _current_key(self) -> tuple[str, int] | None:
        try:
            real = os.path.realpath(resolve_db(self.location))
            return real, os.stat(real).st_ino
        except (OSError, PandzichtError):
            return None

    def current(self) -> AnalysisStore:
        now = time.monotonic()
        if now - self._checked < self.CHECK_EVERY_S:
            return self.store
        self._checked = now
        key = self._current_key()
        if key is None or key in (self._key, self._failed) or not self._lock.acquire(blocking=False):
            return self.store
        threading.Thread(target=self._reopen, args=(key,), name="pandzicht-heropenen", daemon=True).start()
        return self.store

    def _reopen(self, key: tuple[str, int]) -> None:
        """Open the new version and switch to it; runs in its own thread, holding the lock taken by `current`."""
        try:
            opened = AnalysisStore(key[0])
            self.store, self._key = opened, key
            AnalysisStore._buurt_stats_cached.cache_clear()  # its cache holds the old store
            log.info("published analysis changed; reopened")
        except Exception as exc:  # whatever broke the new version, keep serving the old one
            self._failed = key
            log.warning("new analysis version could not be opened (%s); still serving the previous one",
                        type(exc).__name__)
        finally:
            self._lock.release()


class _ArrowReader:
    """The `arrow()` interface AddressIndex.from_store expects, on the shared read-only analysis connection."""

    def __init__(self, store: AnalysisStore) -> None:
        self.store = store

    def arrow(self, sql: str) -> pa.Table:
        with self.store.cursor() as cur:
            return cur.sql(sql).to_arrow_table()


@dataclass
class WebContext:
    settings: Settings
    analysis: AnalysisStore | None  # a property below: the published version, reopened when it changes
    engine: Engine
    sessions: sessionmaker[Session]
    templates: Jinja2Templates
    codec: SessionCodec
    melding_limiter: RateLimiter
    _index: AddressIndex | None = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _index_of: AnalysisStore | None = None

    def address_index(self) -> AddressIndex | None:
        """The BAG address index for linking signals, built on first use (and again for a new version)."""
        store = self.analysis
        if store is None:
            return None
        with self._index_lock:
            if self._index is None or self._index_of is not store:
                self._index = AddressIndex.from_store(_ArrowReader(store))  # type: ignore[arg-type]
                self._index_of = store
            return self._index

    def basemap(self) -> BaseMap | None:
        path = Path(self.settings.real_data) / "rotterdam-buurten" / "buurten.geojson"
        return load_basemap(path) if path.is_file() else None


def _get_analysis(self: WebContext) -> AnalysisStore | None:
    published = self.__dict__.get("_published")
    return published.current() if published is not None else None


def _set_analysis(self: WebContext, store: AnalysisStore | None) -> None:
    location = self.settings.analysis
    published: PublishedAnalysis | _Fixed | None = None
    if store is not None:
        published = PublishedAnalysis(Path(location), store) if location else _Fixed(store)
    self.__dict__["_published"] = published


class _Fixed:
    """A store given without a location to watch (tests, benchmarks): served as it is."""

    def __init__(self, store: AnalysisStore) -> None:
        self.store = store

    def current(self) -> AnalysisStore:
        return self.store


# A property over the dataclass field: `WebContext(analysis=...)` stays as it was, every read sees the
# published version.
WebContext.analysis = property(_get_analysis, _set_analysis)  # type: ignore[assignment,method-assign]


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx
