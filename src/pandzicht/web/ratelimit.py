"""Rate limits: an in-memory sliding window for the public form, and failed-login blocks in the database.

The public form keeps only a count of recent timestamps per client key, in
memory, as long as the window; nothing about the reporter is stored.

Logins are guarded by `LoginGuard`: failed attempts (never successful ones, so a
team behind one NAT address is not locked out by its own logins) are counted in
the operational database, shared by every worker and kept across restarts, per
account name and per client address. From a threshold on, each further failure
blocks that key for a doubling time (backoff up to a lockout of an hour); while a
key is blocked the password is not even checked. Keys are hashes: the account
name's SHA-256 and an HMAC of the address under the app secret, so the table
holds no addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict, deque
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pandzicht.privacy.models import InlogFout
from pandzicht.privacy.users import account_key
from pandzicht.web import sessions
from pandzicht.web.config import Settings


class RateLimiter:
    def __init__(self, limit: int, window_s: float, max_clients: int = 50_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one attempt for this client; False when it is over the limit in the window."""
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.get(key)
            if q is None:
                q = deque()
                self._hits[key] = q
                while len(self._hits) > self.max_clients:
                    self._hits.popitem(last=False)
            self._hits.move_to_end(key)
            while q and now - q[0] > self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class LoginGuard:
    """Failed-login counting with backoff and lockout, per account and per client address, in the database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ip_key = hashlib.sha256(b"pandzicht-inlogfout:" + settings.secret).digest()

    def keys(self, naam: str, client: str) -> list[tuple[str, str, int]]:
        ip = hmac.new(self._ip_key, client.encode("utf-8"), hashlib.sha256).hexdigest()
        s = self.settings
        return [(account_key(naam), "account", s.login_account_threshold), (ip, "ip", s.login_ip_threshold)]

    def blocked_for(self, db: Session, naam: str, client: str) -> float:
        """Seconds until a login for this account from this client may be tried again (0 when it may now)."""
        t = sessions.now()
        wait = 0.0
        for key, _soort, _threshold in self.keys(naam, client):
            until = db.scalar(select(InlogFout.geblokkeerd_tot).where(InlogFout.sleutel == key))
            if until is not None and until > t:
                wait = max(wait, (until - t).total_seconds())
        return wait

    def failure(self, db: Session, naam: str, client: str) -> float:
        """Count one failed attempt on both keys; the block it starts (seconds, 0 for none). The caller commits."""
        block = 0.0
        for key, soort, threshold in self.keys(naam, client):
            block = max(block, self._count(db, key, soort, threshold))
        return block

    def success(self, db: Session, naam: str) -> None:
        """A complete login (password and any second factor) clears the account's count, not the address's."""
        db.execute(delete(InlogFout).where(InlogFout.sleutel == account_key(naam)))

    def _count(self, db: Session, key: str, soort: str, threshold: int) -> float:
        s = self.settings
        t = sessions.now()
        stale = t - timedelta(seconds=s.login_forget_s)
        db.execute(update(InlogFout)
                   .where(InlogFout.sleutel == key, InlogFout.laatste_op < stale,
                          or_(InlogFout.geblokkeerd_tot.is_(None), InlogFout.geblokkeerd_tot < t))
                   .values(aantal=0, geblokkeerd_tot=None))
        bump = update(InlogFout).where(InlogFout.sleutel == key).values(aantal=InlogFout.aantal + 1, laatste_op=t)
        if not db.execute(bump).rowcount:  # type: ignore[attr-defined]
            try:
                with db.begin_nested():
                    db.add(InlogFout(sleutel=key, soort=soort, aantal=1, laatste_op=t))
            except IntegrityError:  # another worker counted the first failure at the same moment
                db.execute(bump)
        n = int(db.scalar(select(InlogFout.aantal).where(InlogFout.sleutel == key)) or 0)
        if threshold <= 0 or n < threshold:
            return 0.0
        block = min(s.login_block_base_s * 2 ** min(n - threshold, 30), s.login_block_max_s)
        db.execute(update(InlogFout).where(InlogFout.sleutel == key)
                   .values(geblokkeerd_tot=t + timedelta(seconds=block)))
        return block
