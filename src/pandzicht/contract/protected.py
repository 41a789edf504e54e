"""Refusal of protected attributes at the door.

The analysis never uses nationality, origin, religion, sex, health or
criminal-record categories; refusing such columns at load makes that visible
to the supplier (SyRI ruling, Rechtbank Den Haag 2020). Matching is on name
tokens so that e.g. ``geslachtsnaam`` (surname) is not mistaken for
``geslacht`` (sex).
"""

from __future__ import annotations

import re
import unicodedata

# A column token that starts with one of these stems is protected.
_STEMS = (
    "nationalit", "geboorteland", "countryofbirth", "birthcountry", "etnic", "etnis", "ethnic",
    "herkomst", "afkomst", "religi", "geloof", "kerkgenootschap", "geslacht", "gender",
    "gezondheid", "health", "medisch", "medical", "handicap", "beperking", "strafbla",
    "justitiele", "criminalrecord", "strafrechtelijk", "seksuele", "sexual", "moedertaal",
    "nationality", "migratieachtergrond",
    "landvangeboorte", "landgeboorte",  # country of birth written out (`Land van geboorte`), as the joined token
)
# A token equal to one of these is protected (too short to use as a stem).
_EXACT = {"sex", "ras", "race", "taal", "language", "geloofsovertuiging", "afkomst", "origin", "religion", "ethnicity"}
# Column names that merely look like a protected one.
_ALLOWED = {"geslachtsnaam", "geslachtsnaam_partner"}


def _tokens(column: str) -> list[str]:
    text = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode().lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", text) if p]
    joined = "".join(parts)
    return [*parts, joined]


def protected_reason(column: str) -> str | None:
    """Return why a column name denotes a protected attribute, or None when it does not."""
    norm = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    if norm in _ALLOWED:
        return None
    for tok in _tokens(column):
        if tok in _ALLOWED:
            continue
        if tok in _EXACT:
            return tok
        for stem in _STEMS:
            if tok.startswith(stem) or (len(tok) > len(stem) + 3 and tok.endswith(stem)):
                return stem
    return None


def protected_columns(columns: list[str]) -> list[str]:
    """The columns of a header that hold protected attributes."""
    return [c for c in columns if protected_reason(c) is not None]
