"""Render the source reference for data stewards from the contract declarations.

docs/bronnen.md is generated, not written, so what partners read is what the
validator enforces; a test fails when the two drift apart.
"""

from __future__ import annotations

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Column, Kind
from pandzicht.contract.validate import all_reasons

_KIND_TEXT = {
    Kind.TEXT: "text", Kind.BAG_ID: "BAG id, 16 digits", Kind.KVK: "KvK number, 8 digits",
    Kind.POSTCODE: "postcode `3011AB`", Kind.INT: "whole number", Kind.FLOAT: "number", Kind.DATE: "date `YYYY-MM-DD`",
    Kind.MONTH: "month `YYYY-MM`", Kind.ENUM: "one of a list", Kind.ENUM_LIST: "`;`-separated values from a list",
    Kind.TEXT_LIST: "`;`-separated text", Kind.GEMEENTE: "municipality code `GM0599`", Kind.WIJK: "`WK059901`",
    Kind.BUURT: "`BU05990110`", Kind.SHARE: "share `1/2`",
}


def _rules(col: Column) -> str:
    parts = ["required" if col.required else "optional"]
    if col.non_negative:
        parts.append("not negative")
    if col.not_after_peildatum:
        parts.append("not after the peildatum")
    if col.references:
        parts.append(f"must exist in `{col.references[0]}.{col.references[1]}`")
    if col.values:
        parts.append("values: " + ", ".join(f"`{v}`" for v in col.values))
    return "; ".join(parts)


def render_sources() -> str:
    """Markdown reference of every intake source: columns, kinds, rules and quarantine reasons."""
    lines = [
        "# Intake sources: reference",
        "",
        "Generated from `src/pandzicht/contract/sources.py` by `pandzicht docs`; do not edit by hand.",
        "",
    ]
    for name in LOAD_ORDER:
        s = SOURCES[name]
        lines += [f"## {name}", "", s.description, ""]
        flags = ["**required source**" if s.required else "optional source"]
        flags.append("holds personal data: needs a `grondslag` in manifest.json" if s.personal_data
                     else "no personal data")
        if s.key:
            flags.append("unique key: " + " + ".join(f"`{k}`" for k in s.key))
        lines += ["; ".join(flags), "", "| column | kind | rules |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_KIND_TEXT[c.kind]} | {_rules(c)} |" for c in s.columns]
        lines += ["", "Quarantine reasons this source can report:", ""]
        lines += [f"- `{r}`" for r in all_reasons(s)]
        lines.append("")
    return "\n".join(lines)
