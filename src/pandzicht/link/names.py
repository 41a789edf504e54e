"""Dutch personal and company names, split and normalised for matching.

'J.P. de Vries', 'Vries, Jan de', 'Van Der Berg, K.' and 'jan van den berg' must
meet: prefixes (voorvoegsel) in any casing and position, initials against full
given names, diacritics, the 'Surname, Given' order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein

from pandzicht.link.address_parse import fold

PREFIXES = (
    "van der", "van den", "van de", "van het", "van 't", "in 't", "in het", "in de", "op de", "op den", "op 't",
    "uit de", "uit den", "aan de", "aan den", "bij de", "de la", "de le", "del", "della", "von der", "von",
    "van", "de", "den", "der", "het", "'t", "ten", "ter", "te", "le", "la", "da", "du", "di", "al", "el", "op",
    "in", "uit", "aan", "bij",
)
_PREFIX_WORDS = [tuple(p.split()) for p in sorted(PREFIXES, key=lambda p: -len(p.split()))]

COMPANY_MARKERS = re.compile(
    r"\b(b\.?\s?v\.?|n\.?\s?v\.?|v\.?o\.?f\.?|c\.?v\.?|stichting|holding|vastgoed|beheer|verhuur|makelaar\w*|"
    r"wonen|woningcorporatie|woonstichting|vereniging|coöperatie|cooperatie|invest\w*|properties|real estate|"
    r"group|groep|bouw|management|exploitatie|huisvesting|housing|rentals?|living)\b",
    re.IGNORECASE,
)
# Long marker words a clerk may mistype ('Stichtng', 'Vastgoedd'): one edit away still marks a company.
_FUZZY_MARKERS = (
    "stichting", "vastgoed", "beheer", "verhuur", "makelaars", "makelaardij", "holding", "woningcorporatie",
    "woonstichting", "vereniging", "exploitatie", "huisvesting", "properties", "management", "investments",
)
_GENERIC_LEAD = "stichting"
_GENERIC_LEAD_SHORT = frozenset({"st", "stg", "stgn", "sticht"})  # 'St. Woonkracht Maasstad'
_LEGAL_FORMS = re.compile(r"\b(b\.?\s?v\.?|n\.?\s?v\.?|v\.?o\.?f\.?|c\.?v\.?|eenmanszaak)(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class PersonName:
    """A person's name in parts: folded, prefix separate, initials derived."""

    voornamen: str  # folded given names, space-separated; may hold initials only
    initialen: str  # first letters of the given names, e.g. 'jp'
    voorvoegsel: str  # folded prefix, e.g. 'van der'
    achternaam: str  # folded surname without prefix
    laatste_achternaam: str = ""  # last word of a multi-word surname: 'Snouck Hurgronje' -> 'hurgronje'

    @property
    def volledige_achternaam(self) -> str:
        return f"{self.voorvoegsel} {self.achternaam}".strip()

    @property
    def achternaam_sleutel(self) -> str:
        """Prefix and surname run together, without spaces or hyphens: where 'El Amrani' and
        'Amrani, M. el' agree."""
        return re.sub(r"[^a-z0-9]", "", self.voorvoegsel + self.achternaam)


def is_company_name(name: str) -> bool:
    """Whether a free-text party name reads as an organisation, also when a marker word has one typo."""
    if COMPANY_MARKERS.search(name or ""):
        return True
    for token in re.findall(r"[a-z]+", fold(name or "")):
        if len(token) >= 6 and any(
            DamerauLevenshtein.distance(token, m, score_cutoff=1) <= 1 for m in _FUZZY_MARKERS
        ):
            return True
    return False


def company_core(name: str) -> str:
    """The distinctive part of a company name: without legal form and without a leading 'Stichting'
    (also mistyped or abbreviated), because sources drop it: 'St. Woonkracht Maasstad' -> 'woonkracht maasstad'."""
    words = normalise_company(name).split()
    if len(words) > 1 and (words[0] in _GENERIC_LEAD_SHORT
                           or DamerauLevenshtein.distance(words[0], _GENERIC_LEAD, score_cutoff=2) <= 2):
        words = words[1:]
    return " ".join(words)


class KnownCompanies:
    """The company cores some register knows, to tell whether a name without evidence of its kind is one of them.

    A name is a known company when its core equals a known core, also with the spaces left out
    ('HavenstedenWonen'), or differs from one of at least 10 letters by a typo: at most one edit
    (Damerau-Levenshtein, spaces left out) when the name has 10 to 15 letters, two when it is longer
    ('Woonkracht Maassatd'). Shorter names and cores match only exactly. The bounds are deliberately tight: a
    person taken for a company is shown by name (issue 12), so a guessed name becomes a company only when a
    register knows a company written (almost) exactly so. Candidates are those sharing the first or the last
    four letters and a length within the edits allowed."""

    def __init__(self, cores: Iterable[str]) -> None:
        self.cores = {c for c in cores if c}
        self.squeezed = {c.replace(" ", "") for c in self.cores}
        self._block: dict[tuple[str, int], list[str]] = defaultdict(list)
        for s in self.squeezed:
            if len(s) >= 10:
                self._block[("a" + s[:4], len(s))].append(s)
                self._block[("z" + s[-4:], len(s))].append(s)

    def knows(self, name: str) -> bool:
        core = company_core(name or "")
        return core in self.cores or bool(self.near(core.replace(" ", ""), first=True))

    def near(self, squeezed: str, first: bool = False) -> list[str]:
        """The known cores (spaces left out) a squeezed core may be written for: the same letters, or within the
        typo bound above; `first` stops at the first one found."""
        s = squeezed
        found = [s] if s in self.squeezed else []
        if (found and first) or len(s) < 10:
            return found
        limit = 1 if len(s) < 16 else 2
        for key in ("a" + s[:4], "z" + s[-4:]):
            for n in range(len(s) - limit, len(s) + limit + 1):
                for cand in self._block.get((key, n), ()):
                    if cand != s and cand not in found \
                            and DamerauLevenshtein.distance(s, cand, score_cutoff=limit) <= limit:
                        found.append(cand)
                        if first:
                            return found
        return found


def first_given_name(voornamen: str | None) -> str | None:
    """The first given name written out in full, or None when only initials are known."""
    words = (voornamen or "").split()
    return words[0] if words and len(words[0]) > 1 else None


def surname_phonetic(achternaam: str | None) -> str | None:
    """A sound key of the surname without prefix (metaphone), so 'Janssen'/'Jansen' and 'Bakker'/'Baker' meet."""
    letters = re.sub(r"[^a-z]", "", fold(achternaam or ""))
    return jellyfish.metaphone(letters) or None if letters else None


def date_swap_key(day: dt.date | None) -> str | None:
    """A birth-date key that a day/month swap does not change: 1980-03-07 and 1980-07-03 share '1980-03-07'."""
    if day is None:
        return None
    lo, hi = sorted((day.month, day.day))
    return f"{day.year:04d}-{lo:02d}-{hi:02d}"


def normalise_company(name: str) -> str:
    """A company name without legal form, punctuation and case: 'Kade Vastgoed B.V.' -> 'kade vastgoed'."""
    text = _LEGAL_FORMS.sub(" ", fold(name or ""))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def _split_prefix(words: list[str]) -> tuple[str, list[str]]:
    """Take a leading prefix off a word list: ['van', 'der', 'berg'] -> ('van der', ['berg'])."""
    for p in _PREFIX_WORDS:
        if len(words) > len(p) and tuple(words[: len(p)]) == p:
            return " ".join(p), words[len(p):]
    return "", words


def _trailing_prefix(words: list[str]) -> tuple[str, list[str]]:
    """Take a trailing prefix off given names: ['jan', 'de'] -> ('de', ['jan'])."""
    for p in _PREFIX_WORDS:
        if len(words) > len(p) and tuple(words[-len(p):]) == p:
            return " ".join(p), words[: -len(p)]
    return "", words


def _given(tokens: list[str]) -> tuple[str, str]:
    """Given-name tokens -> (given names, initials). 'J.P.' counts as two initials."""
    names: list[str] = []
    for t in tokens:
        if "." in t or (len(t) <= 2 and t.isalpha() and t == t.upper() and len(t) > 0):
            names.extend(ch for ch in t.replace(".", "") if ch.isalpha())
        else:
            names.append(t)
    folded = [fold(n) for n in names if n]
    return " ".join(folded), "".join(n[0] for n in folded if n)


def parse_person(name: str) -> PersonName:
    """Split a full name as written in a register or by a clerk."""
    text = " ".join((name or "").replace(",", " , ").split())
    if "," in text:
        surname_part, _, given_part = text.partition(",")
        s_words = fold(surname_part).split()
        g_tokens = given_part.replace(",", " ").split()
        lead, s_words = _split_prefix(s_words)
        g_words_folded = [fold(t) for t in g_tokens]
        trail, kept = _trailing_prefix(g_words_folded)
        g_tokens = g_tokens[: len(kept)]
        given, initials = _given(g_tokens)
        prefix = lead or trail
        return PersonName(given, initials, prefix, " ".join(s_words).replace(" ", ""), _last_word(s_words))
    tokens = text.split()
    folded = [fold(t) for t in tokens]
    # The surname starts at the first prefix word after at least one given name, else at the last word.
    start = len(tokens) - 1
    lead, rest_words = _split_prefix(folded)
    if lead and len(rest_words) == 1:
        start = 0  # 'de Vries': prefix and surname only
    for i in range(1, len(tokens) - 1 if start else 1):
        if any(tuple(folded[i: i + len(p)]) == p and i + len(p) < len(tokens) for p in _PREFIX_WORDS):
            start = i
            break
    prefix, rest = _split_prefix(folded[start:])
    given, initials = _given(tokens[:start])
    return PersonName(given, initials, prefix, "".join(rest), _last_word(rest))


def person_from_parts(voornamen: str | None, voorvoegsel: str | None, geslachtsnaam: str) -> PersonName:
    """A person's name from BRP's separate fields."""
    given, initials = _given((voornamen or "").split())
    surname = fold(geslachtsnaam or "")
    return PersonName(given, initials, fold(voorvoegsel or "").strip(), surname.replace(" ", ""),
                      _last_word(surname.split()))


def _last_word(words: list[str]) -> str:
    """The last word of a surname, so a double surname ('Snouck Hurgronje') read as given name + surname by
    one clerk and as one surname by another still meets."""
    parts = re.split(r"[\s\-]+", " ".join(words).strip())
    return re.sub(r"[^a-z0-9]", "", parts[-1]) if parts else ""
