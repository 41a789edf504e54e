"""Realistic Dutch and Rotterdam names: given names, surnames with prefixes, street names.

Provider lists are read once from Faker (never called per row) and the real
Meertens surname counts are used as weights, so frequent names are frequent.
Name origin groups are an internal sampling device only; no origin column is
ever written.
"""

from __future__ import annotations

import csv
import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PREFIXES = (
    "van der",
    "van den",
    "van de",
    "van 't",
    "in 't",
    "op de",
    "op den",
    "uit de",
    "uit den",
    "van",
    "de",
    "den",
    "der",
    "ter",
    "ten",
    "te",
    "'t",
    "'s",
    "la",
    "le",
    "du",
    "d'",
    "el",
    "al",
)


def split_prefix(natural: str) -> tuple[str, str]:
    """Split 'van der Berg' into ('van der', 'Berg'); names without prefix give ('', name)."""
    low = natural.lower()
    for p in PREFIXES:
        if low.startswith(p + " ") and len(natural) > len(p) + 1:
            return p, natural[len(p) + 1 :].strip()
    return "", natural.strip()


def _provider(module: str):
    return importlib.import_module(f"faker.providers.{module}").Provider


def _clean(values) -> list[str]:
    return sorted({v.strip() for v in values if v and v.strip() and v.strip().isprintable()})


# group -> (share of the population, faker locale for given names, faker surname attrs)
_GROUPS: dict[str, tuple[float, str, tuple[str, ...]]] = {
    "nl": (0.66, "nl_NL", ()),
    "tr": (0.08, "tr_TR", ("last_names",)),
    "ma": (0.08, "fr_DZ", ("last_names",)),
    "pl": (0.04, "pl_PL", ("unisex_last_names", "male_last_names")),
    "ro": (0.02, "ro_RO", ("last_names",)),
    "cv": (0.04, "pt_BR", ("last_names",)),
    "es": (0.04, "es_ES", ("last_names",)),
    "gb": (0.04, "en_GB", ("last_names",)),
}
GROUP_NAMES = tuple(_GROUPS)
GROUP_SHARES = np.array([v[0] for v in _GROUPS.values()]) / sum(v[0] for v in _GROUPS.values())


@dataclass(frozen=True)
class NamePools:
    """Per-group arrays of given names (by sex) and surnames (prefix, name) with sampling weights."""

    given_m: dict[str, np.ndarray]
    given_f: dict[str, np.ndarray]
    sur_prefix: dict[str, np.ndarray]
    sur_name: dict[str, np.ndarray]
    sur_p: dict[str, np.ndarray]


@lru_cache(maxsize=4)
def load_name_pools(real: Path) -> NamePools:
    """Read the Faker provider lists and the Meertens surname files once."""
    given_m, given_f, sp, sn, spp = {}, {}, {}, {}, {}
    for g, (_, loc, attrs) in _GROUPS.items():
        prov = _provider(f"person.{loc}")
        given_m[g] = np.array(_clean(prov.first_names_male), dtype=object)
        given_f[g] = np.array(_clean(prov.first_names_female), dtype=object)
        if g == "nl":
            continue
        names: list[str] = []
        for a in attrs:
            names.extend(getattr(prov, a))
        names = _clean(names)
        pre, nam = zip(*(split_prefix(n) for n in names), strict=True)
        sp[g] = np.array(pre, dtype=object)
        sn[g] = np.array(nam, dtype=object)
        spp[g] = np.full(len(names), 1.0 / len(names))
    # Dutch surnames: top 1000 with 2007 counts, plus a long tail of rarer names
    top_names, counts = [], []
    with open(real / "namen" / "achternamen_top1000_2007.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            top_names.append(row["natural name"].strip())
            counts.append(float(row["count in 2007"]))
    top = set(top_names)
    tail = [
        n
        for n in (line.strip() for line in (real / "namen" / "achternamen_freq5plus.lst").open(encoding="utf-8"))
        if n and n not in top and n.isprintable() and not n[0].isdigit()
    ]
    cnt = np.array(counts)
    w_top = 0.62 * cnt / cnt.sum()
    w_tail = np.full(len(tail), 0.38 / len(tail))
    allnames = top_names + tail
    pre, nam = zip(*(split_prefix(n) for n in allnames), strict=True)
    sp["nl"] = np.array(pre, dtype=object)
    sn["nl"] = np.array(nam, dtype=object)
    spp["nl"] = np.concatenate([w_top, w_tail])
    return NamePools(given_m, given_f, sp, sn, spp)


def sample_groups(rng: np.random.Generator, n: int, shares: np.ndarray | None = None) -> np.ndarray:
    """Internal name-origin group per household (indices into GROUP_NAMES)."""
    return rng.choice(len(GROUP_NAMES), size=n, p=GROUP_SHARES if shares is None else shares)


def sample_surnames(rng: np.random.Generator, pools: NamePools, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surname (prefix, name) per entry of groups."""
    pre = np.empty(len(groups), dtype=object)
    nam = np.empty(len(groups), dtype=object)
    for gi, g in enumerate(GROUP_NAMES):
        m = groups == gi
        k = int(m.sum())
        if k == 0:
            continue
        idx = rng.choice(len(pools.sur_name[g]), size=k, p=pools.sur_p[g])
        pre[m] = pools.sur_prefix[g][idx]
        nam[m] = pools.sur_name[g][idx]
    return pre, nam


def sample_given(rng: np.random.Generator, pools: NamePools, groups: np.ndarray, female: np.ndarray) -> np.ndarray:
    """All given names ('Johannes Petrus') per person; Dutch people more often have several."""
    n = len(groups)
    out = np.empty(n, dtype=object)
    for gi, g in enumerate(GROUP_NAMES):
        for fem, pool in ((True, pools.given_f[g]), (False, pools.given_m[g])):
            m = (groups == gi) & (female == fem)
            k = int(m.sum())
            if k == 0:
                continue
            n_names = rng.choice([1, 2, 3], size=k, p=[0.35, 0.45, 0.2] if g == "nl" else [0.7, 0.28, 0.02])
            a = pool[rng.integers(0, len(pool), k)]
            b = pool[rng.integers(0, len(pool), k)]
            c = pool[rng.integers(0, len(pool), k)]
            out[m] = [
                x if nn == 1 else (f"{x} {y}" if nn == 2 or y == z else f"{x} {y} {z}")
                for x, y, z, nn in zip(a.tolist(), b.tolist(), c.tolist(), n_names.tolist(), strict=True)
            ]
    return out


_STREET_SUFFIXES = (
    "straat",
    "straat",
    "straat",
    "laan",
    "weg",
    "singel",
    "plein",
    "kade",
    "dijk",
    "hof",
    "dreef",
    "pad",
    "steeg",
    "plantsoen",
    "erf",
)


def street_name_pool(rng: np.random.Generator, real: Path, n: int) -> np.ndarray:
    """n distinct street names: Faker-style name+suffix, Dutch place names, and real Doesburg street names."""
    pool: set[str] = set()
    with open(real / "bag-xml-doesburg" / "doesburg_openbareruimte.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["type"] == "Weg" and row["naam"].strip():
                pool.add(row["naam"].strip())
    nl = _provider("person.nl_NL")
    stems = _clean(list(nl.first_names_male) + list(nl.first_names_female))
    places: set[str] = set()
    with open(real / "postcodes-pc4" / "pc4_woonplaats_centroid.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            w = row["woonplaats"].strip()
            if w.isalpha() and " " not in w and len(w) < 14:
                places.add(w)
    surnames = []
    with open(real / "namen" / "achternamen_top1000_2007.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            p, s = split_prefix(row["natural name"])
            if not p and s.isalpha():
                surnames.append(s)
    for s in stems:
        for suf in ("straat", "laan", "hof", "pad"):
            pool.add(s + suf)
    for p in sorted(places):
        for suf in ("straat", "laan", "weg", "singel", "plein", "kade"):
            pool.add(p + suf)
        pool.add(p + "sestraat" if not p.endswith("e") else p + "straat")
    for s in surnames:
        for suf in _STREET_SUFFIXES[:8]:
            pool.add(s + suf)
    arr = np.array(sorted(pool), dtype=object)
    if n > len(arr):
        extra = [f"{a} {b}" for a in ("Oude", "Nieuwe", "Korte", "Lange") for b in arr.tolist()]
        arr = np.concatenate([arr, np.array(extra, dtype=object)])
    return arr[rng.permutation(len(arr))[:n]]
