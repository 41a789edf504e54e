"""Pseudonyms for persons in analyst views: initials plus a keyed token.

The token is HMAC-SHA256 of the party id under the app secret, so the same
person has the same pseudonym across pages (an analyst can follow them through
the network) while the name itself stays hidden until revealed inside a case.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "op", "la", "le", "du", "da", "di"}


def initials(name: str) -> str:
    """'Jan van der Berg' -> 'J.v.d.B.'; empty for an empty name."""
    parts = [p for p in re.split(r"[\s\-]+", name.strip()) if p]
    out = []
    for p in parts:
        ch = p[0]
        out.append(ch.lower() if p.lower() in _PARTICLES else ch.upper())
    return ".".join(out) + "." if out else ""


def token(secret: bytes, entiteit_id: str) -> str:
    return hmac.new(secret, b"partij:" + entiteit_id.encode("utf-8"), hashlib.sha256).hexdigest()[:6]


def pseudonym(secret: bytes, entiteit_id: str, name: str) -> str:
    """What an analyst sees instead of a person's name: initials and a stable token, e.g. 'J.v.d.B. #3fa9c1'."""
    ini = initials(name) or "?"
    return f"{ini} #{token(secret, entiteit_id)}"


def shown_name(secret: bytes, entiteit_id: str, name: str, soort: str) -> str:
    """What any screen or terminal shows for a party outside a case: a company's registered name, else a
    pseudonym (anything not known to be a company is treated as a person)."""
    return name if soort == "bedrijf" else pseudonym(secret, entiteit_id or name, name)
