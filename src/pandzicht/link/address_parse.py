"""Parse Dutch free-text addresses as officers, reporters and landlords type them.

'Kastanjelaan 12-B, 3011 AB Rotterdam', 'kastanjeln 12b', '12bis', '3011ab 12',
'Kastanjelaan 12 hs': the parser splits street, house number, letter, addition,
postcode and place, and normalises the street so that abbreviations and case
do not stand between a text and its BAG address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Common abbreviations of street-name endings, as written in Dutch registrations.
_SUFFIXES = {
    "str": "straat", "str.": "straat", "strt": "straat", "ln": "laan", "ln.": "laan", "pl": "plein",
    "pln": "plein", "wg": "weg", "sngl": "singel", "sgl": "singel", "kd": "kade", "dk": "dijk",
    "gr": "gracht", "grt": "gracht", "pk": "park", "hv": "haven", "hvn": "haven", "pd": "pad",
    "stg": "steeg", "plnts": "plantsoen", "wl": "wal", "blvd": "boulevard", "bd": "boulevard",
    "hf": "hof", "drp": "dorp", "drf": "dorp",
}
# Prefixes written short: 'v.' for 'van', 'mr.' kept as a word.
_WORDS = {"v": "van", "v.": "van", "vd": "van der", "v.d.": "van der", "st": "sint", "st.": "sint"}

_POSTCODE = re.compile(r"(?<![0-9])([1-9][0-9]{3})\s?([A-Za-z]{2})(?![A-Za-z])")
# A postcode with a stray space inside ('3 062KH', '3076X R', '3039L QRotterdam'), tried when the strict one fails.
_POSTCODE_LOOSE = re.compile(r"(?<![0-9])([1-9])\s?([0-9]{3})\s?([A-Za-z])\s?([A-Za-z])(?=[\s,]|$|[A-Z][a-z])")
# Something that was meant as a postcode but is malformed ('0354CG', '30155 HT', '3011amm'): taken out of the
# text so that its digits are not read as a house number.
_POSTCODE_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{4,5}\s?[A-Za-z]{2,3}(?![A-Za-z])(?=\s*(,|$|[A-Za-z]{4,}))")
# house number, then an optional letter and an optional addition ('12-B', '12b', '12 bis', '12-1', '12 hs');
# a number may be glued to the street ('Zurichsingel45'), but one after a '/' is an addition, not a number
_NUMBER = re.compile(
    r"(?<![0-9/])([0-9]{1,5})(?:[\s\-,]*([A-Za-z])(?![A-Za-z]))?(?:[\s\-/]*([0-9A-Za-z]{1,4}))?(?![0-9A-Za-z])"
)
# What is left of a postcode after a typo, in the part after the first comma ('3083s', '306x6t', '3194 NAH',
# '016ZI'): three to five digits and one to three letters. Kept, so it can count as a near miss, and its digits
# are never read as the house number.
_POSTCODE_DAMAGED = re.compile(r"^\s*([0-9][0-9A-Za-z]{1,6}(?:\s[A-Za-z]{1,3})?)(?=\s|$)")
# 'Merwedeplein 70 te Dordrecht': 'te' after the number (and its letter or addition) introduces the place. Only
# after a number: in a street name it is part of the name ('Huis te Landelaan').
_PLACE_MARKER = re.compile(r"(?<![0-9A-Za-z])([0-9]{1,5}[0-9A-Za-z\-]*(?:\s+[A-Za-z]{1,4})?)\s+te\s+(?=\S)",
                           re.IGNORECASE)
# '45 hs 1': a number, 'huis' and a second number is number 45 with addition 1 (not number 1 of street '45 hs')
_HOUSE_WORD_ADDITION = re.compile(r"(?<![0-9A-Za-z])([0-9]{1,5})\s+(?:hs|huis)\s+([0-9]{1,4})(?![0-9A-Za-z])",
                                  re.IGNORECASE)
_ADDITION_WORDS = {"bis", "hs", "huis", "boven", "bov", "bg", "beneden", "rood", "zw", "a", "b", "c", "d"}


@dataclass(frozen=True)
class ParsedAddress:
    """The parts of a free-text address; any part may be unknown (None)."""

    straat: str | None
    huisnummer: int | None
    huisletter: str | None
    toevoeging: str | None
    postcode: str | None
    woonplaats: str | None
    # the text shows a letter or addition was there but not what it was ('22-,'): no unit is preferred for it
    achtervoegsel_onleesbaar: bool = False


_NO_DECOMPOSITION = str.maketrans({"ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L",
                                    "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE"})


def fold(text: str) -> str:
    """Lower case without diacritics: the form two spellings of one name share. ASCII text (nearly every address
    and name) has nothing to decompose or drop, so it is only lowered (fold runs millions of times at 1M units)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def normalise_street(name: str) -> str:
    """A street name in a canonical form: folded, abbreviations expanded, punctuation removed."""
    words = re.split(r"[\s\-]+", fold(name).replace("'", "").strip())
    out: list[str] = []
    for i, w in enumerate(words):
        if not w:
            continue
        last = i == len(words) - 1
        if w in _WORDS:
            out.append(_WORDS[w])
            continue
        w = w.rstrip(".,")
        if last:
            for short, full in sorted(_SUFFIXES.items(), key=lambda kv: -len(kv[0].rstrip("."))):
                short = short.rstrip(".")
                if w.endswith(short) and w != short and len(w) > len(short) + 2 and not w.endswith(full):
                    w = w[: -len(short)] + full
                    break
                if w == short and out:
                    w = full
                    break
        out.append(w)
    return re.sub(r"[^a-z0-9 ]", "", " ".join(out)).replace(" ", "")


def _damaged_postcode(rest: str) -> tuple[str | None, str]:
    """A postcode a typo broke, in a segment after the first comma when the first one holds the number.

    'Timmermankade 47, 3083s Rotterdam': the 3083 is not a house number. Returned upper case without spaces,
    so the scorer can weigh it as a near miss; the rest of the text without it."""
    first, sep, after = rest.partition(",")
    if not sep or not re.search(r"[0-9]", first):
        return None, rest
    m = _POSTCODE_DAMAGED.match(after)
    if not m:
        return None, rest
    token = m.group(1).replace(" ", "")
    digits, letters = sum(c.isdigit() for c in token), sum(c.isalpha() for c in token)
    if not (3 <= digits <= 5 and 1 <= letters <= 3):
        return None, rest
    return token.upper(), f"{first} , {after[m.end():]}".strip()


def parse_address(text: str, known_places: frozenset[str] = frozenset()) -> ParsedAddress:
    """Split a free-text address into its parts; parts it cannot find are None."""
    if not text or not text.strip():
        return ParsedAddress(None, None, None, None, None, None)
    rest = " ".join(text.replace(",", " , ").split())
    postcode = None
    m = _POSTCODE.search(rest) or _POSTCODE_LOOSE.search(rest)
    if m:
        postcode = "".join(m.groups()).upper()
        rest = (rest[: m.start()] + " , " + rest[m.end():]).strip()
    elif (bad := _POSTCODE_LIKE.search(rest)) and re.search(r"[0-9]", rest[: bad.start()]):
        rest = (rest[: bad.start()] + " , " + rest[bad.end():]).strip()
    else:
        postcode, rest = _damaged_postcode(rest)
    # only once the postcode is out: its letters may read 'TE' or 'HS' ('1000 TE 1', '3011 HS 12')
    rest = _HOUSE_WORD_ADDITION.sub(r"\1-\2", _PLACE_MARKER.sub(r"\1 , ", rest))
    place = None
    if known_places:
        segments = [seg.strip() for seg in rest.split(",")]
        kept = []
        for seg in segments:
            if place is None and fold(seg) in known_places:
                place = fold(seg)
            else:
                kept.append(seg)
        rest = " , ".join(s for s in kept if s)
        words = rest.split()
        for n in (4, 3, 2, 1):
            if place is None and len(words) > n and fold(" ".join(words[-n:])) in known_places:
                place = fold(" ".join(words[-n:]))
                rest = " ".join(words[:-n])
    number = letter = addition = None
    street = None
    matches = list(_NUMBER.finditer(rest))
    m = matches[-1] if matches else None
    lost_suffix = False
    if m and re.search(r"(?:^|\s)-$", rest[: m.start()]):
        m = None  # 'Baarloweg -1': the number itself was lost, only its addition is left
        rest = re.sub(r"(?:^|\s)-[0-9]+[A-Za-z]?", " ", rest)
    if m:
        lost_suffix = not m.group(2) and not m.group(3) and bool(re.match(r"-\s*(?:,|$)", rest[m.end():]))
        number = int(m.group(1))
        letter = m.group(2).upper() if m.group(2) else None
        addition = m.group(3)
        if addition:
            addition = addition.lower()
            if letter is None and len(addition) == 1 and addition.isalpha():
                letter, addition = addition.upper(), None
        street_text = rest[: m.start()].strip(" ,")
        lone = re.search(r"(?:^|\s)([A-Za-z])$", street_text)
        if lone and letter is None and len(street_text) > 2:  # 'Eesveensingel A7': the letter typed first
            letter, street_text = lone.group(1).upper(), street_text[: lone.start()].strip(" ,")
        trailing = rest[m.end():].strip(" ,")
        if not street_text and trailing:
            street_text = trailing  # '12 Kastanjelaan'
        street = normalise_street(street_text) or None
    else:
        street = normalise_street(rest.strip(" ,")) or None
    if addition in {"huis", "hs", "bg", "beneden"}:
        addition = "hs" if addition in {"huis", "hs"} else addition
    return ParsedAddress(street, number, letter, addition, postcode, place, lost_suffix)


def number_digits(text: str) -> str:
    """The digits a text gives for its house number and addition: every digit outside what reads as a
    postcode ('Hemmenkade3 2, 3067 RB' gives '32'). Used to check a unit found by other evidence against
    the text, where the parse of a damaged number cannot be trusted."""
    rest = " ".join((text or "").replace(",", " , ").split())
    for pattern in (_POSTCODE, _POSTCODE_LOOSE, _POSTCODE_LIKE):
        rest = pattern.sub(" ", rest)
    return "".join(ch for ch in rest if ch.isdigit())
