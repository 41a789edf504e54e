"""Settings of the web app, from arguments or the environment.

The session secret must come from configuration for a team (several workers,
restarts); without one a random secret is made per process, which is fine for
a demo but logs everyone out on restart.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pandzicht.cases.db import default_url
from pandzicht.web.maps import real_data_dir

log = logging.getLogger(__name__)
MIN_SECRET = 32
DEFAULT_HOSTS = ("localhost", "127.0.0.1")


@dataclass
class Settings:
    analysis: Path | None
    database_url: str
    secret: bytes
    real_data: Path
    cookie_secure: bool = True
    session_hours: float = 10.0  # absolute lifetime of a login
    session_idle_min: float = 30.0  # a login ends after this long without a request
    melding_limit: int = 5  # signals per client per window
    melding_window_s: float = 600.0
    # Failed logins, counted in the database per account name and per client address (successes are not counted):
    # from the threshold on, each failure blocks the key for base x 2^(n - threshold) seconds, at most max.
    login_account_threshold: int = 5
    login_ip_threshold: int = 20
    login_block_base_s: float = 30.0
    login_block_max_s: float = 3600.0
    login_forget_s: float = 3600.0  # a count starts again after this long without failures (and no block)
    max_body: int = 64 * 1024
    # Host names the app answers to (the Host header); anything else gets a 400, never a redirect.
    host_names: list[str] = field(default_factory=lambda: list(DEFAULT_HOSTS))

    @property
    def session_idle_s(self) -> float:
        return self.session_idle_min * 60

    @classmethod
    def from_env(cls, analysis: str | Path | None = None, database_url: str | None = None, **overrides: object
                 ) -> Settings:
        """Arguments first, then PANDZICHT_ANALYSE, PANDZICHT_DATABASE, PANDZICHT_SECRET, PANDZICHT_REAL_DATA,
        PANDZICHT_HOST_NAMEN (comma-separated)."""
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
        hosts = [h.strip() for h in os.environ.get("PANDZICHT_HOST_NAMEN", "").split(",") if h.strip()]
        if hosts:
            s.host_names = hosts
        for k, v in overrides.items():
            setattr(s, k, v)
        return s
