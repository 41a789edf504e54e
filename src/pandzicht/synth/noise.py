"""Noise like real extracts: name variants, sloppy free-text addresses, unreliable birth dates.

Every source except BRP writes names and addresses its own way, and people
type them by hand. A NoiseLevel sets how often each distortion happens; the
variants base/quiet/noisy pick different levels on the same world.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

_ABBR = (("straat", "str."), ("laan", "ln"), ("weg", "wg."), ("plein", "pln"), ("singel", "sngl"), ("kade", "kd"))
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class NoiseLevel:
    """Probabilities of each distortion."""

    name_noise: float  # share of names with a distortion beyond the source's own style
    address_noise: float  # share of free-text addresses with a typo/case distortion
    dob_missing: float
    dob_swap: float
    broken_rows: int  # broken rows per file


LEVELS = {
    "base": NoiseLevel(0.12, 0.15, 0.10, 0.02, 4),
    "quiet": NoiseLevel(0.12, 0.15, 0.10, 0.02, 4),
    "noisy": NoiseLevel(0.38, 0.40, 0.22, 0.05, 10),
}


def strip_accents(s: str) -> str:
    """'Çelik' -> 'Celik' (many systems drop diacritics)."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def typo(rng: np.random.Generator, s: str) -> str:
    """One-character edit: substitution, deletion, duplication or transposition (not in the first letter)."""
    if len(s) < 4:
        return s
    i = int(rng.integers(1, len(s) - 1))
    op = int(rng.integers(0, 4))
    if op == 0 and s[i].isalpha():
        c = _LETTERS[int(rng.integers(0, 26))]
        return s[:i] + (c.upper() if s[i].isupper() else c) + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i + 1 :]
    if op == 2:
        return s[:i] + s[i] + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def initials(voornamen: str) -> str:
    return "".join(p[0].upper() + "." for p in voornamen.split() if p)


# name styles: how a source writes a person (before noise)
STYLES = {
    "kadaster": (("surname_first_full", 0.5), ("initials", 0.25), ("full", 0.25)),
    "kvk": (("full", 0.7), ("first_only", 0.3)),
    "huur": (("initials", 0.35), ("first_only", 0.4), ("surname_first_initials", 0.15), ("full", 0.1)),
    "politie": (("surname_first_full", 0.3), ("first_only", 0.5), ("initials_first", 0.2)),
}


def _render(style: str, vn: str, vv: str, gn: str) -> str:
    first = vn.split()[0] if vn else ""
    sur = f"{vv} {gn}" if vv else gn
    if style == "full":
        return f"{vn} {sur}".strip()
    if style == "first_only":
        return f"{first} {sur}".strip()
    if style == "initials":
        return f"{initials(vn)} {sur}".strip()
    if style == "initials_first":
        return f"{first[:1]}. {sur}" if first else sur
    if style == "surname_first_full":
        return f"{gn}, {vn} {vv}".strip() if vv else f"{gn}, {vn}"
    if style == "surname_first_initials":
        return f"{sur}, {initials(vn)}"
    return f"{vn} {sur}"


def _distort(rng: np.random.Generator, name: str, vv: str, gn: str) -> str:
    op = int(rng.integers(0, 7))
    if op == 0:  # 'Van Der Berg' casing
        return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))
    if op == 1 and vv:  # missing prefix
        return " ".join(name.replace(vv + " ", "", 1).split()) if vv + " " in name else name.replace(" " + vv, "")
    if op == 2:
        return strip_accents(name) if strip_accents(name) != name else typo(rng, name)
    if op == 3:
        return typo(rng, name)
    if op == 4:
        return name.upper()
    if op == 5 and not vv and rng.random() < 0.5:  # extra prefix that isn't there
        return name.replace(gn, "van " + gn, 1)
    if op == 6 and vv:  # prefix glued or swapped order 'Vries, Jan de'
        return name.replace(f"{vv} {gn}", f"{gn}, {vv}") if f"{vv} {gn}" in name else name
    return typo(rng, name)


def person_names(
    rng: np.random.Generator,
    source: str,
    level: NoiseLevel,
    voornamen: np.ndarray,
    voorvoegsel: np.ndarray,
    geslachtsnaam: np.ndarray,
    styles: tuple[tuple[str, float], ...] | None = None,
) -> list[str]:
    """How a source writes these persons: its own style (or `styles`) plus hand-typed distortions."""
    styles, probs = zip(*(styles or STYLES[source]), strict=True)
    n = len(voornamen)
    pick = rng.choice(len(styles), size=n, p=np.array(probs))
    noisy = rng.random(n) < level.name_noise
    seeds = rng.integers(0, 2**31, n)
    out = []
    for vn, vv, gn, s, nz, sd in zip(
        voornamen.tolist(),
        voorvoegsel.tolist(),
        geslachtsnaam.tolist(),
        pick.tolist(),
        noisy.tolist(),
        seeds.tolist(),
        strict=True,
    ):
        vv = vv or ""
        name = _render(styles[s], vn or "", vv, gn)
        if nz:
            name = _distort(np.random.default_rng(sd), name, vv, gn)
        out.append(name)
    return out


def company_names(rng: np.random.Generator, level: NoiseLevel, names: np.ndarray) -> list[str]:
    """Company names as others type them: 'B.V.' / 'BV' / 'bv' / dropped, casing, typos."""
    out = []
    r = rng.random((len(names), 3))
    for nm, (a, b, c) in zip(names.tolist(), r.tolist(), strict=True):
        if nm.endswith(" B.V.") and a < 0.35:
            nm = nm[:-5] + (" BV" if a < 0.15 else (" bv" if a < 0.22 else ""))
        if b < level.name_noise * 0.5:
            nm = nm.upper() if b < level.name_noise * 0.15 else typo(rng, nm)
        if c < 0.15 and nm.startswith("Stichting "):
            nm = nm[len("Stichting ") :]
        out.append(nm)
    return out


def dates_with_noise(rng: np.random.Generator, level: NoiseLevel, days: np.ndarray) -> np.ndarray:
    """Birth dates as recorded elsewhere: missing, or day and month swapped."""
    s = np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype(object)
    n = len(days)
    r = rng.random(n)
    swap = r < level.dob_swap
    out = s.copy()
    for i in np.flatnonzero(swap).tolist():
        y, m, d = out[i].split("-")
        if int(d) <= 12 and d != m:
            out[i] = f"{y}-{d}-{m}"
    out[r > 1 - level.dob_missing] = None
    return out


def _house(num: int, letter: str, toev: str, rng: np.random.Generator) -> str:
    r = rng.random()
    s = str(num)
    if letter:
        s += letter if r < 0.45 else (letter.lower() if r < 0.7 else (f"-{letter}" if r < 0.9 else f" {letter}"))
    if toev:
        r2 = rng.random()
        if toev == "bis":
            s += "bis" if r2 < 0.5 else (" bis" if r2 < 0.8 else "-bis")
        else:
            s += f"-{toev}" if r2 < 0.55 else (f" {toev}" if r2 < 0.75 else (f"/{toev}" if r2 < 0.85 else toev))
    return s


def address_texts(
    rng: np.random.Generator,
    level: NoiseLevel,
    street: np.ndarray,
    num: np.ndarray,
    letter: np.ndarray,
    toev: np.ndarray,
    postcode: np.ndarray,
    city: np.ndarray,
    formal: bool = False,
) -> list[str]:
    """Free-text addresses as people type them. formal=True: a register (fewer liberties)."""
    out = []
    seeds = rng.integers(0, 2**31, len(street))
    for st, nu, le, to, pc, ci, sd in zip(
        street.tolist(),
        num.tolist(),
        letter.tolist(),
        toev.tolist(),
        postcode.tolist(),
        city.tolist(),
        seeds.tolist(),
        strict=True,
    ):
        g = np.random.default_rng(sd)
        le = le or ""
        to = to or ""
        r = g.random(8)
        s = st
        if r[0] < (0.08 if formal else 0.3):
            for full, ab in _ABBR:
                if s.endswith(full):
                    s = s[: -len(full)] + ab
                    break
        house = _house(nu, le, to, g)
        pcs = pc if r[1] < 0.6 else f"{pc[:4]} {pc[4:]}"
        form = r[2]
        if formal:
            text = f"{s} {house}, {pcs} {ci}" if form < 0.7 else f"{s} {house}"
        elif form < 0.45:
            text = f"{s} {house}"
        elif form < 0.7:
            text = f"{s} {house} {ci}" if r[3] < 0.5 else f"{s} {house}, {ci.upper()}"
        elif form < 0.85:
            text = f"{s} {house}, {pcs}" + (f" {ci}" if r[3] < 0.5 else "")
        elif form < 0.96:
            text = f"{pcs} {house}"
        elif form < 0.98:
            text = pcs
        else:
            text = s
        if r[4] < level.address_noise * 0.6:
            text = text.lower()
        if r[5] < level.address_noise * 0.5:
            text = typo(g, text)
        out.append(text)
    return out
