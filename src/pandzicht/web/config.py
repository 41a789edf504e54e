"""Settings of the web app, from arguments or the environment.

The session secret must come from configuration for a team (several workers,
restarts); without one a random secret is made per process, which is fine for
a demo but logs everyone out on restart.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pandzicht.cases.db import default_url
from pandzicht.web.maps import real_data_dir

log = logging.getLogger(__name__)
MIN_SECRET = 32


@dataclass
class Settings:
    analysis: Path | None
    database_url: str
    secret: bytes
    real_data: Path
    cookie_secure: bool = True
    session_hours: float = 10.0
    melding_limit: int = 5  # signals per client per window
    melding_window_s: float = 600.0
    login_limit: int = 10
    login_window_s: float = 300.0
    max_body: int = 64 * 1024

    @classmethod
    def from_env(cls, analysis: str | Path | None = None, database_url: str | None = None, **overrides: object
                 ) -> Settings:
        """Arguments first, then PANDZICHT_ANALYSE, PANDZICHT_DATABASE, PANDZICHT_SECRET, PANDZICHT_REAL_DATA."""
        analysis = analysis or os.environ.get("PANDZICHT_ANALYSE") or None
        url = database_url or os.environ.get("PANDZICHT_DATABASE") or default_url()
        raw = os.environ.get("PANDZICHT_SECRET", "")
        if len(raw) >= MIN_SECRET:
            secret = raw.encode("utf-8")
        else:
            if raw:
                log.warning("PANDZICHT_SECRET is shorter than %d characters; using a random per-process secret",
                            MIN_SECRET)
            else:
                log.warning("PANDZICHT_SECRET not set; using a random per-process secret (sessions end on restart)")
            secret = secrets.token_bytes(32)
        insecure = os.environ.get("PANDZICHT_INSECURE_COOKIES", "") == "1"
        s = cls(analysis=Path(analysis) if analysis else None, database_url=url, secret=secret,
                real_data=real_data_dir(), cookie_secure=not insecure)
        limit = os.environ.get("PANDZICHT_MELDING_LIMIET", "")
        if limit.isdigit():  # 0 switches the per-client limit off: only for load tests on loopback
            s.melding_limit = int(limit)
        for k, v in overrides.items():
            setattr(s, k, v)
        return s
