"""Per-row contract validation, written as SQL so it runs where the data is.

Each column's rules become one SQL expression that yields the first reason a
row breaks the contract (or NULL). Reasons name the field and the rule, never
the value, because values can be personal data. The same expressions serve
the typed projection of valid rows, so what is checked is exactly what is cast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pandzicht.contract.sources import Column, Kind, Source

# Reasons, in Dutch as the load report shows them to a data steward.
MISSING = "ontbreekt"
BAD_FORMAT = {
    Kind.BAG_ID: "geen BAG-id van 16 cijfers",
    Kind.KVK: "geen KvK-nummer van 8 cijfers",
    Kind.POSTCODE: "geen postcode als 3011AB",
    Kind.INT: "geen geheel getal",
    Kind.FLOAT: "geen getal",
    Kind.DATE: "geen geldige datum",
    Kind.MONTH: "geen geldige maand (JJJJ-MM)",
    Kind.ENUM: "onbekende waarde",
    Kind.ENUM_LIST: "onbekende waarde in lijst",
    Kind.GEMEENTE: "geen gemeentecode als GM0599",
    Kind.WIJK: "geen wijkcode als WK059901",
    Kind.BUURT: "geen buurtcode als BU05990110",
    Kind.SHARE: "geen aandeel als 1/2",
}
NEGATIVE = "negatief"
DATE_MIN, DATE_MAX = "1800-01-01", "2199-12-31"
AFTER_PEILDATUM = "na peildatum"
DUPLICATE = "dubbel"
BAD_FIELD_COUNT = "rij: verkeerd aantal velden"
UNREADABLE_LINE = "rij: onleesbare CSV-regel"  # a quote left open, or text after a closing quote
CUT_LAST_LINE = "rij: laatste regel afgebroken"  # the file stops in the middle of its last row

_PATTERNS = {
    Kind.BAG_ID: "[0-9]{16}",
    Kind.KVK: "[0-9]{8}",
    Kind.POSTCODE: "[1-9][0-9]{3}[A-Z]{2}",
    Kind.INT: "[+-]?[0-9]{1,18}",
    Kind.DATE: "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    Kind.MONTH: "[0-9]{4}-(0[1-9]|1[0-2])",
    Kind.GEMEENTE: "GM[0-9]{4}",
    Kind.WIJK: "WK[0-9]{6}",
    Kind.BUURT: "BU[0-9]{8}",
    Kind.SHARE: "[0-9]+/[1-9][0-9]*",
}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Spaces, tabs, line ends and the non-breaking space that spreadsheet exports leave around values.
WHITESPACE = " \t\n\r\x0b\x0c\xa0"
_WS_SQL = " || ".join(f"chr({ord(c)})" for c in WHITESPACE)


def value_expr(column: str) -> str:
    """The cleaned text of a cell: trimmed of white space, with an empty cell as NULL (the contract's 'unknown').

    TRIM with a set of characters is slow (about a third of loading the energy file), and almost no cell
    starts or ends with white space: only those are trimmed, which gives the same text. The first and last
    character are taken with `substring`, the same character as `left`/`right` give at a tenth of the cost
    (23M energy cells: 0.05 against 0.66 s per column)."""
    col = quote_ident(column)
    return (f"NULLIF(CASE WHEN contains({_WS_SQL}, substring({col}, 1, 1)) "
            f"OR contains({_WS_SQL}, substring({col}, -1, 1)) THEN TRIM({col}, {_WS_SQL}) ELSE {col} END, '')")


def clean_name(column: str) -> str:
    """Where the loader keeps a column's cleaned text, so each cell is trimmed once, not once per rule."""
    return f"_v_{column}"


def cleaned(column: str) -> str:
    """The cleaned column as an expression (see `clean_name`)."""
    return quote_ident(clean_name(column))


Value = Callable[[str], str]


def _bad_format(col: Column, value: Value = value_expr) -> str | None:
    v = value(col.name)
    pattern = _PATTERNS.get(col.kind)
    if col.kind == Kind.DATE:
        # a real calendar date in a plausible range (year 0 or 9999 is a placeholder, not a date)
        return (f"NOT regexp_full_match({v}, '{pattern}') OR TRY_CAST({v} AS DATE) IS NULL "
                f"OR TRY_CAST({v} AS DATE) NOT BETWEEN DATE '{DATE_MIN}' AND DATE '{DATE_MAX}'")
    if col.kind == Kind.FLOAT:
        return f"TRY_CAST({v} AS DOUBLE) IS NULL OR isnan(TRY_CAST({v} AS DOUBLE)) OR isinf(TRY_CAST({v} AS DOUBLE))"
    if col.kind == Kind.ENUM:
        return f"{v} NOT IN ({', '.join(_lit(x) for x in col.values)})"
    if col.kind == Kind.ENUM_LIST:
        allowed = ", ".join(_lit(x) for x in col.values)
        return f"len(list_filter(string_split({v}, ';'), lambda x: TRIM(x, {_WS_SQL}) NOT IN ({allowed}))) > 0"
    if col.kind == Kind.SHARE:
        return (
            f"NOT regexp_full_match({v}, '{pattern}') OR "
            f"TRY_CAST(split_part({v}, '/', 1) AS BIGINT) > TRY_CAST(split_part({v}, '/', 2) AS BIGINT)"
        )
    if pattern:
        return f"NOT regexp_full_match({v}, '{pattern}')"
    return None


def typed_expr(col: Column, value: Value = value_expr) -> str:
    """The SQL that turns a valid cell into its contract type."""
    v = value(col.name)
    if col.kind == Kind.INT:
        return f"CAST({v} AS BIGINT)"
    if col.kind == Kind.FLOAT:
        return f"CAST({v} AS DOUBLE)"
    if col.kind == Kind.DATE:
        return f"CAST({v} AS DATE)"
    if col.kind in (Kind.ENUM_LIST, Kind.TEXT_LIST):
        return f"array_to_string(list_transform(string_split({v}, ';'), lambda x: TRIM(x, {_WS_SQL})), ';')"
    return v


def column_checks(col: Column, peildatum: dt.date, value: Value = value_expr) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in the order they are tried."""
    v = value(col.name)
    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append((f"{v} IS NULL", f"{col.name}: {MISSING}"))
    bad = _bad_format(col, value)
    if bad:
        checks.append((f"{v} IS NOT NULL AND ({bad})", f"{col.name}: {BAD_FORMAT[col.kind]}"))
    if col.non_negative:
        checks.append((f"{v} IS NOT NULL AND TRY_CAST({v} AS DOUBLE) < 0", f"{col.name}: {NEGATIVE}"))
    if col.not_after_peildatum and col.kind == Kind.DATE:
        checks.append(
            (f"{v} IS NOT NULL AND TRY_CAST({v} AS DATE) > DATE '{peildatum.isoformat()}'",
             f"{col.name}: {AFTER_PEILDATUM}")
        )
    return checks


def period_checks(source: Source, value: Value = value_expr) -> list[tuple[str, str]]:
    """An end date may not lie before its start date."""
    checks = []
    for start, end in source.periods:
        s, e = value(start), value(end)
        checks.append(
            (f"{e} IS NOT NULL AND TRY_CAST({e} AS DATE) < TRY_CAST({s} AS DATE)", f"{end}: voor {start}")
        )
    return checks


def reference_checks(source: Source, loaded: dict[str, str], value: Value = value_expr) -> list[tuple[str, str]]:
    """Values that must exist in an already loaded source; `loaded` maps source name to its table."""
    checks = []
    for col in source.columns:
        if not col.references or col.references[0] not in loaded:
            continue
        ref_source, ref_col = col.references
        v = value(col.name)
        table = loaded[ref_source]
        checks.append(
            (f"{v} IS NOT NULL AND {v} NOT IN (SELECT {quote_ident(ref_col)} FROM {quote_ident(table)})",
             f"{col.name}: onbekend in {ref_source}")
        )
    return checks


def reason_expr(source: Source, peildatum: dt.date, loaded: dict[str, str], value: Value = value_expr) -> str:
    """One CASE expression giving the first reason a row breaks the contract, or NULL."""
    checks: list[tuple[str, str]] = []
    for col in source.columns:
        checks.extend(column_checks(col, peildatum, value))
    checks.extend(period_checks(source, value))
    checks.extend(reference_checks(source, loaded, value))
    if not checks:
        return "CAST(NULL AS VARCHAR)"
    whens = "\n    ".join(f"WHEN {cond} THEN {_lit(reason)}" for cond, reason in checks)
    return f"CASE\n    {whens}\n    ELSE NULL END"


def all_reasons(source: Source) -> list[str]:
    """Every reason a row of this source can be quarantined for (documentation and tests)."""
    far = dt.date(9999, 12, 31)
    reasons = [r for col in source.columns for _, r in column_checks(col, far)]
    reasons += [r for _, r in period_checks(source)]
    reasons += [f"{c.name}: onbekend in {c.references[0]}" for c in source.columns if c.references]
    if source.key:
        reasons.append(f"{'+'.join(source.key)}: {DUPLICATE}")
    reasons += [BAD_FIELD_COUNT, UNREADABLE_LINE, CUT_LAST_LINE]
    return reasons
