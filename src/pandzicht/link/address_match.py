"""Resolve free-text addresses to BAG units, with a confidence.

Candidates come from two keys, postcode + house number and (fuzzy) street +
house number within the place; each candidate is scored on what agrees and
what contradicts. A link below the threshold stays empty rather than wrong:
a wrong unit in a dossier costs more than a missing one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
from rapidfuzz import fuzz, process

from pandzicht.contract.sources import ADDRESS_TEXT_SOURCES
from pandzicht.link.address_parse import ParsedAddress, fold, normalise_street, parse_address
from pandzicht.link.address_reuse import REPLACED, previous_links
from pandzicht.store.engine import Store, raw_table

LINK_THRESHOLD = 0.80
STREET_CUTOFF = 84.0


class Unit(NamedTuple):
    """One BAG address, normalised for matching (a tuple: a region's million are built in seconds)."""

    vbo: str
    straat: str
    huisnummer: int
    huisletter: str | None
    toevoeging: str | None
    postcode: str
    woonplaats: str


@dataclass(frozen=True)
class Match:
    verblijfsobject_id: str | None
    zekerheid: float
    methode: str


class AddressIndex:
    """BAG addresses indexed for candidate generation."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_pc_nr: dict[tuple[str, int], list[Unit]] = defaultdict(list)
        self.by_street_nr: dict[tuple[str, int], list[Unit]] = defaultdict(list)
        streets_by_place: dict[str, set[str]] = defaultdict(set)
        by_pc_nr, by_street_nr = self.by_pc_nr, self.by_street_nr
        for u in units:
            _, straat, nr, _, _, postcode, place = u
            by_pc_nr[(postcode, nr)].append(u)
            by_street_nr[(straat, nr)].append(u)
            streets_by_place[place].add(straat)
        # 'Rotterdam' is also what people write for Hoogvliet Rotterdam or Pernis Rotterdam: a place's pool
        # holds the streets of every place whose name ends in it
        self.places_within = {
            k: frozenset(q for q in streets_by_place if q == k or q.endswith(" " + k)) for k in streets_by_place
        }
        self.streets_by_place = {
            k: sorted(set().union(*(streets_by_place[q] for q in qs))) for k, qs in self.places_within.items()
        }
        self.street_sets = {k: frozenset(v) for k, v in self.streets_by_place.items()}
        self.all_streets = sorted({s for v in streets_by_place.values() for s in v})
        self.all_street_set = frozenset(self.all_streets)
        self._street_cache: dict[tuple[str, str | None], list[tuple[str, float]]] = {}
        self.places = frozenset(self.streets_by_place)

    @classmethod
    def from_store(cls, store: Store) -> AddressIndex:
        table = store.arrow(
            f"SELECT verblijfsobject_id, openbare_ruimte, huisnummer, huisletter, huisnummertoevoeging, postcode, "
            f"woonplaats FROM {raw_table('bag_verblijfsobject')}"
        )
        vbo, street, nr, letter, addition, postcode, place = (table.column(i).to_pylist() for i in range(7))
        # a region has a few thousand street names, a handful of places and of letters and additions: each
        # distinct value is normalised once
        streets = {s: normalise_street(s) for s in set(street)}
        places = {s: fold(s) for s in set(place)}
        letters = {x: (x or "").upper() or None for x in set(letter)}
        additions = {x: (x or "").lower() or None for x in set(addition)}
        return cls(
            Unit(v, streets[s], int(n), letters[lt], additions[ad], pc, places[wp])
            for v, s, n, lt, ad, pc, wp in zip(vbo, street, nr, letter, addition, postcode, place, strict=True)
        )

    @classmethod
    def given(cls, store: Store, index: AddressIndex | Callable[[], AddressIndex] | None) -> AddressIndex:
        """The caller's index, or the function that gives it (built once per analysis,
        `StageInput.address_index`), else one built from the store."""
        if callable(index):
            return index()
        return index if index is not None else cls.from_store(store)

    def units_by_id(self) -> dict[str, Unit]:
        """Every indexed unit by its BAG id."""
        return {u.vbo: u for units in self.by_pc_nr.values() for u in units}

    def street_candidates(self, street: str, place: str | None) -> list[tuple[str, float]]:
        """Streets that may be meant, with a similarity 0..1; exact first.

        A name that is a street of the place is taken as it stands; only a name that is not is compared
        with every street (the expensive part), and each distinct spelling only once."""
        key = (street, place)
        if key not in self._street_cache:
            pool_set = self.street_sets.get(place, self.all_street_set) if place else self.all_street_set
            if street in pool_set:
                found = [(street, 1.0)]
            else:
                pool = self.streets_by_place.get(place, self.all_streets) if place else self.all_streets
                hits = process.extract(street, pool, scorer=fuzz.ratio, score_cutoff=STREET_CUTOFF, limit=3)
                found = [(name, score / 100.0) for name, score, _ in hits]
            self._street_cache[key] = found
        return self._street_cache[key]


_W_POSTCODE, _W_STREET, _W_SUFFIX = 0.45, 0.45, 0.10
_FLOOR_WORDS = frozenset({"hs", "bg", "boven", "bov", "beneden", "huis", "rood", "zw"})


def _suffix(letter: str | None, addition: str | None) -> str:
    """Letter and addition as one string: '9-H' is written as a letter or as an addition, both mean 'H'."""
    return ((letter or "") + (addition or "")).lower().lstrip("0")


def _score(u: Unit, p: ParsedAddress, street_sim: float) -> float:
    """Evidence for one candidate as a share of what the text could show, 0..1.

    Agreement on a part the text gives adds its weight, contradiction subtracts;
    a part the text leaves out counts neither way, except that the unit without
    letter or addition is the one a text without them most likely means."""
    score, possible = 0.0, _W_SUFFIX
    if p.postcode:
        possible += _W_POSTCODE
        if p.postcode == u.postcode:
            score += _W_POSTCODE
        elif fuzz.ratio(p.postcode, u.postcode) >= 80 or sorted(p.postcode) == sorted(u.postcode):
            score += 0.35  # one character off or two swapped: a typo more likely than another address
        else:
            score -= 0.25
    if p.straat:
        possible += _W_STREET
        score += _W_STREET * street_sim if street_sim > 0 else -0.2
    text_sfx, unit_sfx = _suffix(p.huisletter, p.toevoeging), _suffix(u.huisletter, u.toevoeging)
    if p.achtervoegsel_onleesbaar:
        pass  # a suffix was typed but lost: no unit is the likelier one
    elif text_sfx == unit_sfx:
        score += _W_SUFFIX
    elif text_sfx and unit_sfx:
        score -= 0.3
    elif text_sfx:
        # a floor word ('hs', 'bg') is often typed where BAG has none; a letter or number the unit lacks is not
        score -= 0.1 if text_sfx in _FLOOR_WORDS else 0.2
    return max(0.0, score / possible)


def _candidates(p: ParsedAddress, index: AddressIndex) -> dict[str, tuple[Unit, float]]:
    cands: dict[str, tuple[Unit, float]] = {}
    if p.postcode:
        for u in index.by_pc_nr.get((p.postcode, p.huisnummer), []):
            cands[u.vbo] = (u, fuzz.ratio(p.straat, u.straat) / 100.0 if p.straat else 0.0)
    if p.straat:
        for street, sim in index.street_candidates(p.straat, p.woonplaats):
            for u in index.by_street_nr.get((street, p.huisnummer), []):
                if p.woonplaats and u.woonplaats not in index.places_within.get(p.woonplaats, (p.woonplaats,)):
                    continue
                if u.vbo not in cands or cands[u.vbo][1] < sim:
                    cands[u.vbo] = (u, sim)
    return cands


def _glued_readings(p: ParsedAddress) -> list[ParsedAddress]:
    """'Ochtenkade 321' may be 32-1 and 'Marithof 5301' 53-01: a number with its addition typed without a
    separator."""
    digits = str(p.huisnummer)
    if p.huisletter or p.toevoeging or len(digits) < 2:
        return []
    return [replace(p, huisnummer=int(digits[:i]), toevoeging=digits[i:]) for i in range(len(digits) - 1, 0, -1)]


def _typo_readings(text: str) -> list[str]:
    """The texts one keystroke away that undo a slip around a digit: two neighbours swapped ('1c9' for 19c,
    'Kade1 47' for Kade 147) or a digit typed twice ('499' for 49). The usual slips of a hand-typed number."""
    out: list[str] = []
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a != b and (a.isdigit() or b.isdigit()) and (a.isalnum() or a in " -,") and (b.isalnum() or b in " -,"):
            out.append(text[:i] + b + a + text[i + 2:])
        if a == b and a.isdigit():
            out.append(text[:i] + text[i + 1:])
    for m in _DOUBLED_SUFFIX.finditer(text):  # '4-aa' for 4-a
        out.append(text[: m.start()] + m.group(1) + m.group(2) + text[m.end():])
    return list(dict.fromkeys(out))


# Signs of a slip, which make the number as written doubtful: digits glued to a word and then a number
# ('Zwartsluiskade1 47', a slipped space), or a number with a leading zero ('staalkade 04' for 40)
_SLIP = re.compile(r"[A-Za-z][0-9]+\s+[0-9]|[A-Za-z.]\s+0[0-9]")
_DOUBLED_SUFFIX = re.compile(r"(?<=[0-9])([\s-]?)([A-Za-z])\2(?![A-Za-z])")


def _scored(p: ParsedAddress, index: AddressIndex, factor: float, pool: dict[str, float]) -> None:
    """Add one reading's candidates to the pool, keeping each unit's best score."""
    for u, sim in _candidates(p, index).values():
        score = _score(u, p, sim) * factor
        if score > pool.get(u.vbo, -1.0):
            pool[u.vbo] = score


def _best(pool: dict[str, float]) -> tuple[float, str | None]:
    """The best candidate and its confidence; two near-equal candidates cap it at 0.5 (don't guess)."""
    if not pool:
        return 0.0, None
    scored = sorted(((score, vbo) for vbo, score in pool.items()), reverse=True)
    conf, vbo = scored[0]
    if len(scored) > 1:
        margin = conf - scored[1][0]
        if margin < 0.05 - 1e-9:
            conf = min(conf, 0.5)
        elif margin < 0.15 - 1e-9:
            conf *= 0.9
    return conf, vbo


def match_address(text: str, index: AddressIndex) -> Match:
    """The BAG unit a text most likely means, or an empty link with the best confidence found.

    The text is read as written first. Only when that gives no confident link, or the text shows a slip,
    are the readings one typo away added; all readings then compete, so two of them pointing at different
    units leave the link empty."""
    p = parse_address(text, index.places)
    if p.huisnummer is None:
        return Match(None, 0.0, "geen_huisnummer")
    slipped = bool(_SLIP.search(text))
    pool: dict[str, float] = {}
    _scored(p, index, 0.9 if slipped else 1.0, pool)
    # a lost suffix ('22-,') is the slip already found: re-reading would only guess the suffix away
    if (slipped or _best(pool)[0] < LINK_THRESHOLD) and not p.achtervoegsel_onleesbaar:
        for alt in _glued_readings(p):
            _scored(alt, index, 0.95, pool)
        for alt_text in _typo_readings(text):
            q = parse_address(alt_text, index.places)
            # a reading that no longer shows the postcode the text gives is still held to it: swapped to '0316AD',
            # '3016AD' is no postcode, and the street alone linked Hiemstrakade 1 in another postcode
            if p.postcode and not q.postcode:
                q = replace(q, postcode=p.postcode)
            if q.huisnummer is not None:  # below a glued reading: a typo is the less common way to write it
                _scored(q, index, 0.9, pool)
    conf, vbo = _best(pool)
    if vbo is None:
        return Match(None, 0.0, "geen_kandidaat")
    conf = round(min(conf, 1.0), 3)
    method = "postcode_straat" if p.postcode and p.straat else ("postcode" if p.postcode else "straat")
    return Match(vbo if conf >= LINK_THRESHOLD else None, conf, method)


def link_addresses(
    store: Store, progress: Callable[[int, int], None] | None = None, resolve: bool = True,
    previous: Path | None = None, index: AddressIndex | Callable[[], AddressIndex] | None = None,
) -> int:
    """Resolve every free-text address without a BAG id; writes table `adres_koppeling`.

    With `resolve` off the table lists the records but links none (the exact-key baseline). With `previous`
    (the store of the delivery this one continues) a record whose text is unchanged keeps its earlier link
    unless a BAG unit it could mean changed (`address_reuse`). `index`: see `AddressIndex.given`."""
    for table in ("adres_koppeling", REPLACED):  # the second filled by the people stage (`address_reuse.py`)
        store.execute(
            f"CREATE OR REPLACE TABLE {table} (bron VARCHAR, record_sleutel VARCHAR, adres_tekst VARCHAR, "
            "verblijfsobject_id VARCHAR, zekerheid DOUBLE, methode VARCHAR)"
        )
    todo: list[tuple[str, str, str]] = []
    for source, key in ADDRESS_TEXT_SOURCES.items():
        if store.has_table(raw_table(source)):
            todo += store.rows(
                f"SELECT '{source}', {key}, adres_tekst FROM {raw_table(source)} "
                f"WHERE verblijfsobject_id IS NULL AND adres_tekst IS NOT NULL ORDER BY {key}"
            )
    if not todo:
        return 0
    bag = AddressIndex.given(store, index) if resolve else None
    # the previous store is read through DuckDB's ATTACH: on another engine every text is matched again
    reuse = bag is not None and previous is not None and isinstance(store, Store)
    kept = previous_links(store, previous, bag.places, STREET_CUTOFF) if reuse else {}
    out = []
    for i, (source, key, text) in enumerate(todo):
        earlier = kept.get((source, key, text))
        if earlier is not None:
            out.append((source, key, text, *earlier))
            continue
        m = match_address(text, bag) if bag else Match(None, 0.0, "niet_gekoppeld")
        out.append((source, key, text, m.verblijfsobject_id, m.zekerheid, m.methode))
        if progress and i % 2000 == 0:
            progress(i, len(todo))
    cols = ["bron", "record_sleutel", "adres_tekst", "verblijfsobject_id", "zekerheid", "methode"]
    store.write_arrow("adres_koppeling", pa.table({c: [r[i] for r in out] for i, c in enumerate(cols)}), append=True)
    return len(out)
