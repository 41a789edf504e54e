"""Keyed pseudonyms for BSNs: HMAC-SHA256 with a key from configuration.

A plain hash of a 9-digit BSN can be reversed by trying all BSNs; a keyed hash
cannot without the key. The same key gives the same token for the same person
across sources and deliveries, so records still link. The key itself is never
written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from pandzicht.errors import PandzichtError

DEFAULT_KEY_ENV = "PANDZICHT_PSEUDONIEM_SLEUTEL"
MIN_KEY_LENGTH = 16


def key_from_env(env_name: str = DEFAULT_KEY_ENV) -> bytes:
    """Read the pseudonymisation key from an environment variable; refuse to run without a usable key."""
    value = os.environ.get(env_name, "")
    if not value.strip():
        raise PandzichtError(
            f"geen pseudonimiseringssleutel: zet omgevingsvariabele {env_name} (minstens {MIN_KEY_LENGTH} tekens)"
        )
    if len(value) < MIN_KEY_LENGTH:
        raise PandzichtError(f"pseudonimiseringssleutel in {env_name} is te kort (minstens {MIN_KEY_LENGTH} tekens)")
    return value.encode("utf-8")


def pseudonymise(key: bytes, bsn: str) -> str:
    """The person token for a BSN: 32 hex characters of HMAC-SHA256(key, 'bsn:' + BSN)."""
    digits = bsn.strip().zfill(9)  # a BSN stored as a number loses its leading zero
    return hmac.new(key, b"bsn:" + digits.encode("ascii"), hashlib.sha256).hexdigest()[:32]
