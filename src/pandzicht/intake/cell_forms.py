"""Cell forms that partners' own exports write where the contract asks another, read as the value they are.

Only forms that are one contract value without any doubt are rewritten, in SQL on the cleaned cell, and every
rewrite is counted per column for a warning in the load report, so the data steward sees what was read otherwise
than the file says. Anything else stays as it is and meets the contract's rules (quarantine, never a guess).
"""

from __future__ import annotations

from pandzicht.contract.sources import SOURCES, Column, Kind, Source
from pandzicht.contract.validate import cleaned, quote_ident, value_expr
from pandzicht.store.engine import Store

# The BAG object types whose id each BAG-id column of the contract holds (a unit is a verblijfsobject, or a
# ligplaats or standplaats: an address of a houseboat or a caravan).
_BAG_TYPES = {
    "verblijfsobject_id": "verblijfsobject|ligplaats|standplaats",
    "nummeraanduiding_id": "nummeraanduiding",
    "pand_id": "pand",
}


# What an export or a clerk writes in a cell without a value: a database's NULL (SQL Server, MySQL), "niet van
# toepassing", a dash, "onbekend", "geen", n/a; in a date column also MySQL's zero date.
_EMPTY_WORDS = ("null", "n.v.t.", "n.v.t", "nvt", "-", "--", "onbekend", "geen", "n/a")
_ZERO_DATES = ("0000-00-00", "0000-00-00 00:00:00", "00-00-0000")


def _is_empty_word(col: Column, value: str) -> str:
    """SQL condition: the cell is one of the words for 'no value'. The first character and the byte length are
    tested first: no such word starts with a digit or is longer than 8 bytes, so a number, id or date (nearly every
    cell of a delivery) is passed over without the comparisons with every word."""
    words = {v for w in _EMPTY_WORDS for v in (w, w.upper(), w.capitalize())}
    listed = ", ".join("'" + w + "'" for w in sorted(words))
    condition = (f"(NOT (substring({value}, 1, 1) BETWEEN '0' AND '9') AND strlen({value}) <= {_LONGEST_WORD} "
                 f"AND {value} IN ({listed}))")
    if col.kind == Kind.DATE:
        condition = f"({condition} OR {value} IN ({', '.join(repr(d) for d in _ZERO_DATES)}))"
    return condition


_LONGEST_WORD = max(len(w.encode()) for w in _EMPTY_WORDS)


def without_empty_words(col: Column, value: str) -> str:
    """A cell that says it has no value (`NULL`, `n.v.t.`, `-`, `onbekend`, `geen`, `n/a`, a zero date) as empty.

    Why: the contract's empty cell is what a partner's export writes as one of these. In a name column it was read
    as a name: `n.v.t.` for 'no agent' in `bemiddelaar_naam` made hundreds of agents called 'n.v.t.', ranked in the
    top of partijen.csv; a `voorvoegsel` of `-` split a surname from itself. In a typed column the row was
    quarantined for a format it never tried to have (`NULL` in `datum_einde`: every registration still running,
    as `geen geldige datum`). Read as empty, an optional field is unknown and a required typed one is quarantined
    as `ontbreekt`, which is what happened. A required text column keeps the text, as before: quarantining a
    company whose `rechtsvorm` says `onbekend` would take its officers with it."""
    if not reads_empty_words(col):
        return value
    return f"CASE WHEN {_is_empty_word(col, value)} THEN NULL ELSE {value} END"


def reads_empty_words(col: Column) -> bool:
    """Whether a column reads the words for 'no value' as empty (every column but a required text one)."""
    return not (col.required and col.kind == Kind.TEXT)


# The end of a period that has not ended, as registers and data warehouses write it, in the end-date columns.
_OPEN_ENDS = ("9999-12-31", "9999-12-31 00:00:00", "9999-12-31 23:59:59", "9999-12-31T00:00:00", "31-12-9999")
_END_COLUMNS = frozenset(end for s in SOURCES.values() for _, end in s.periods)


def _open_end(col: Column) -> str | None:
    """The open-end texts of an end-date column, as an SQL list; None for any other column."""
    if col.kind != Kind.DATE or col.name not in _END_COLUMNS:
        return None
    return ", ".join("'" + w + "'" for w in _OPEN_ENDS)


def has_open_end(col: Column) -> bool:
    """Whether a column is an end date, where 9999-12-31 means the period has not ended."""
    return _open_end(col) is not None


def without_open_end(col: Column, value: str) -> str:
    """An end date of 31 December 9999 as empty: the period has not ended.

    Why: many registers and every data warehouse close a running period with 9999-12-31 instead of an empty cell.
    That date lies past the contract's range, so every running registration, contract, officer or company was
    quarantined as `datum_einde: geen geldige datum`: the people living at an address, and the companies still
    registered, were dropped. The contract's empty end date means exactly what 9999-12-31 means, so it is read as
    empty, in the end-date columns only (`datum_einde`, `datum_opheffing`); elsewhere it stays a date out of range."""
    ends = _open_end(col)
    return value if ends is None else f"CASE WHEN {value} IN ({ends}) THEN NULL ELSE {value} END"


# A postcode as people and PostNL write it: a space (or two) between digits and letters, letters in lower case.
_LAX_POSTCODE = "[1-9][0-9]{3} {0,2}[A-Za-z]{2}"
_POSTCODE = "[1-9][0-9]{3}[A-Z]{2}"


def _lax_postcode(value: str) -> str:
    """Whether a cell is a postcode in another spelling than the contract's (SQL condition)."""
    return (f"(length({value}) BETWEEN 6 AND 8 AND NOT regexp_full_match({value}, '{_POSTCODE}') "
            f"AND regexp_full_match({value}, '{_LAX_POSTCODE}'))")


def postcode_as_contract(col: Column, value: str) -> str:
    """A postcode written `3011 AB`, `3011ab` or `3011  ab` as `3011AB`.

    Why: PostNL's own notation has a space and many registrations store lower case; the contract asks `3011AB`.
    Every such BAG row was quarantined as `geen postcode als 3011AB`, and a BAG file written so loaded no unit (all
    other sources then went to quarantine as `onbekend in bag_verblijfsobject`). Four digits and two letters are one
    postcode however they are spaced or cased, so they are read as it; anything else stays and is quarantined."""
    if col.kind != Kind.POSTCODE:
        return value
    return f"CASE WHEN {_lax_postcode(value)} THEN upper(replace({value}, ' ', '')) ELSE {value} END"


# A calendar date, optionally with the time 00:00, where the contract asks a month.
_DATE_IN_MONTH = "[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}([ T]0?0:00(:00)?)?"


def _date_in_month(value: str) -> str:
    """Whether a cell of a month column holds a whole calendar date (SQL condition)."""
    return (f"(length({value}) >= 10 AND regexp_full_match({value}, '{_DATE_IN_MONTH}') "
            f"AND TRY_CAST(left({value}, 10) AS DATE) IS NOT NULL)")


def month_of_date(col: Column, value: str) -> str:
    """A date in a month column (`2024-01-01`, `2024-01-31 00:00:00`) as its month `2024-01`.

    Why: a database stores a period as a date, and an export writes it so. Every such energy row was quarantined
    as `periode: geen geldige maand (JJJJ-MM)`, so a grid operator's file written that way gave no energy evidence
    at all, while the same column in Parquet or a workbook (a date) was already read as its month. Only a real
    calendar date is read so; anything else stays and is quarantined."""
    if col.kind != Kind.MONTH:
        return value
    return f"CASE WHEN {_date_in_month(value)} THEN left({value}, 7) ELSE {value} END"


# How many digits an identifier of each kind has.
_DIGITS = {Kind.KVK: 8, Kind.BAG_ID: 16}


def _grouped(col: Column, value: str) -> str | None:
    """Whether a cell is an identifier written in groups of digits (SQL condition); None for other kinds."""
    n = _DIGITS.get(col.kind)
    if n is None:
        return None
    return (f"(length({value}) > {n} AND regexp_full_match({value}, '[0-9]+([ .][0-9]+)+') "
            f"AND length(regexp_replace({value}, '[ .]', '', 'g')) = {n})")


def ungrouped(col: Column, value: str) -> str:
    """A KvK number or BAG id written in groups (`12 34 56 78`, `1234.5678`) as its digits.

    Why: the KvK writes its numbers in groups on its own documents and clerks copy them so; every such row was
    quarantined as `geen KvK-nummer van 8 cijfers`, and a company quarantined so took its officers with it (as
    `onbekend in kvk_vestiging`, a cause that was not theirs). Groups of digits separated by single spaces or points
    that together are exactly the identifier's digits are that identifier; any other count stays and is
    quarantined (a missing leading zero is not added)."""
    grouped = _grouped(col, value)
    if grouped is None:
        return value
    return f"CASE WHEN {grouped} THEN regexp_replace({value}, '[ .]', '', 'g') ELSE {value} END"


def _bag_uri(column: str) -> str | None:
    """The pattern of the URI form of a BAG id (`NL.IMBAG.Verblijfsobject.0599010000012345`) for a column."""
    types = _BAG_TYPES.get(column)
    return None if types is None else f"NL[.]IMBAG[.]({types})[.][0-9]{{16}}"


def without_bag_uri(col: Column, value: str) -> str:
    """A BAG id in its URI form as the 16 digits in it.

    Why: BAG exports (the LV BAG extract, the BAG API, PDOK) name objects by their URI
    `NL.IMBAG.Verblijfsobject.0599010000012345`. Every such row was quarantined as `geen BAG-id van 16 cijfers`, and
    a BAG file written so loaded no unit at all: every other source's rows then went to quarantine as `onbekend in
    bag_verblijfsobject` and an empty shortlist was published. The URI is the id with its object type before it, so
    it is read as the id when the type is the one the column holds (a `Pand` URI in `verblijfsobject_id` stays as
    it is and is quarantined). Case does not matter (`nl.imbag.verblijfsobject.…`)."""
    pattern = _bag_uri(col.name) if col.kind == Kind.BAG_ID else None
    if pattern is None:
        return value
    return (f"CASE WHEN length({value}) > 16 AND regexp_full_match({value}, '{pattern}', 'i') "
            f"THEN right({value}, 16) ELSE {value} END")


def notes(store: Store, source: Source, present: set[str], table: str = "_checked") -> list[str]:
    """A warning per column in which cells were read from one of these forms (one scan of the rows, each cell
    trimmed once in a subquery so that every count reads a column, not the trimming again)."""
    columns = [c for c in source.columns if c.name in present and reads_empty_words(c)]
    uris = [(c.name, _bag_uri(c.name)) for c in source.columns
            if c.name in present and c.kind == Kind.BAG_ID and _bag_uri(c.name)]
    ends = [c for c in source.columns if c.name in present and _open_end(c)]
    postcodes = [c for c in source.columns if c.name in present and c.kind == Kind.POSTCODE]
    groups = [c for c in source.columns if c.name in present and c.kind in _DIGITS]
    months = [c for c in source.columns if c.name in present and c.kind == Kind.MONTH]
    if not columns and not uris and not ends and not postcodes and not groups and not months:
        return []
    names = sorted({c.name for c in (*columns, *ends, *postcodes, *groups, *months)} | {c for c, _ in uris})
    # Only a column in which some cell was read otherwise than the file has it can hold one of these forms: one
    # comparison per cell finds them (in a clean delivery none), and only those columns are counted per form.
    changed = store.rows("SELECT " + ", ".join(f"count_if({cleaned(n)} IS DISTINCT FROM NULLIF({quote_ident(n)}, ''))"
                                               for n in names) + f" FROM {table}")[0]
    names = [n for n, k in zip(names, changed, strict=True) if k]
    columns, ends, postcodes, groups, months = ([c for c in group if c.name in names]
                                                for group in (columns, ends, postcodes, groups, months))
    uris = [(c, p) for c, p in uris if c in names]
    if not names:
        return []
    t = {name: f"_n{i}" for i, name in enumerate(names)}
    trimmed = ", ".join(f"{value_expr(name)} AS {t[name]}" for name in names)
    counts = store.rows("SELECT " + ", ".join(
        [f"count_if({_is_empty_word(c, t[c.name])})" for c in columns]
        + [f"count_if(length({t[c]}) > 16 AND regexp_full_match({t[c]}, '{p}', 'i'))" for c, p in uris]
        + [f"count_if({t[c.name]} IN ({_open_end(c)}))" for c in ends]
        + [f"count_if({_lax_postcode(t[c.name])})" for c in postcodes]
        + [f"count_if({_grouped(c, t[c.name])})" for c in groups]
        + [f"count_if({_date_in_month(t[c.name])})" for c in months]) + f" FROM (SELECT {trimmed} FROM {table})")[0]
    cuts = [len(columns), len(uris), len(ends), len(postcodes), len(groups), len(months)]
    empty, uri, open_ends, lax, grouped, dated = (counts[sum(cuts[:i]):sum(cuts[:i + 1])] for i in range(len(cuts)))
    return [f"kolom '{c.name}': {n} {'cel' if n == 1 else 'cellen'} met 'NULL', 'n.v.t.', '-', 'onbekend', 'geen' of "
            "'n/a' (of een nuldatum als 0000-00-00) gelezen als leeg, het 'onbekend' van het contract"
            for c, n in zip(columns, empty, strict=True) if n] + [
        f"kolom '{c}': {n} BAG-{'id' if n == 1 else 'ids'} in de URI-vorm (zoals "
        "NL.IMBAG.Verblijfsobject.0599010000012345) gelezen als de 16 cijfers erin; het contract vraagt alleen "
        "de 16 cijfers" for (c, _), n in zip(uris, uri, strict=True) if n] + [
        f"kolom '{c.name}': {n} {'einddatum' if n == 1 else 'einddatums'} 9999-12-31 gelezen als leeg (nog niet "
        "beëindigd), zoals het contract dat schrijft" for c, n in zip(ends, open_ends, strict=True) if n] + [
        f"kolom '{c.name}': {n} {'postcode' if n == 1 else 'postcodes'} met een spatie of kleine letters (zoals "
        "3011 ab) gelezen als 3011AB, de schrijfwijze van het contract" for c, n in zip(postcodes, lax, strict=True)
        if n] + [
        f"kolom '{c.name}': {n} {'nummer' if n == 1 else 'nummers'} in groepjes cijfers (zoals 12 34 56 78 of "
        "1234.5678) gelezen als alleen de cijfers; het contract vraagt de cijfers zonder spaties of punten"
        for c, n in zip(groups, grouped, strict=True) if n] + [
        f"kolom '{c.name}': {n} {'datum' if n == 1 else 'datums'} (zoals 2024-01-01) gelezen als "
        f"{'zijn' if n == 1 else 'hun'} maand (2024-01); het contract vraagt JJJJ-MM"
        for c, n in zip(months, dated, strict=True) if n]
