"""Render the source reference for data stewards from the contract declarations, in Dutch.

docs/bronnen.md is generated, not written, so what partners read is what the
validator enforces; a test fails when the two drift apart. Data stewards read
Dutch, so the text here is Dutch; the source descriptions in sources.py are
English for developers, hence the Dutch ones below (a test requires one for
every source).
"""

from __future__ import annotations

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Column, Kind
from pandzicht.contract.validate import all_reasons

_KIND_TEXT = {
    Kind.TEXT: "tekst", Kind.BAG_ID: "BAG-id, 16 cijfers", Kind.KVK: "KvK-nummer, 8 cijfers",
    Kind.POSTCODE: "postcode `3011AB`", Kind.INT: "geheel getal", Kind.FLOAT: "getal", Kind.DATE: "datum `YYYY-MM-DD`",
    Kind.MONTH: "maand `YYYY-MM`", Kind.ENUM: "één waarde uit een lijst", Kind.ENUM_LIST: "waarden uit een lijst, "
    "gescheiden door `;`", Kind.TEXT_LIST: "tekst, gescheiden door `;`", Kind.GEMEENTE: "gemeentecode `GM0599`",
    Kind.WIJK: "`WK059901`", Kind.BUURT: "`BU05990110`", Kind.SHARE: "aandeel `1/2`",
}

# The Dutch description of each source, shown under its heading (sources.py keeps the English one).
DESCRIPTIONS_NL = {
    "bag_verblijfsobject": "Adressen en verblijfsobjecten (BAG).",
    "kvk_vestiging": "Bedrijven (Handelsregister van de KvK).",
    "politie_incident": "Registraties van de politie, gedeeld onder het RIEC-convenant.",
    "brp_inschrijving": "Wie waar ingeschreven staat (BRP), één rij per inschrijvingsperiode.",
    "kadaster_eigendom": "Wie wat bezit (Kadaster).",
    "kvk_functionaris": "Functionarissen van bedrijven (KvK).",
    "huurcontract": "Huurcontracten: woningcorporaties en het register van de Wet goed verhuurderschap.",
    "energie_verbruik": "Gemeten energieverbruik per verblijfsobject per maand (netbeheerder).",
    "politie_betrokkene": "Personen in die politieregistraties.",
    "melding": "Meldingen van mensen uit de buurt.",
    "handhaving_uitkomst": "Uitkomsten van eerdere controles en interventies (de labels).",
    "kortverblijf_advertentie": "Advertenties voor kortverblijfverhuur (optionele uitbreiding van v1); de locatie "
                                "is met maximaal ongeveer 150 m verschoven.",
}


def _rules(col: Column) -> str:
    parts = ["verplicht" if col.required else "optioneel"]
    if col.non_negative:
        parts.append("niet negatief")
    if col.not_after_peildatum:
        parts.append("niet na de peildatum")
    if col.references:
        parts.append(f"moet bestaan in `{col.references[0]}.{col.references[1]}`")
    if col.values:
        parts.append("waarden: " + ", ".join(f"`{v}`" for v in col.values))
    return "; ".join(parts)


def render_sources() -> str:
    """Markdown reference of every intake source: columns, kinds, rules and quarantine reasons (in Dutch)."""
    lines = [
        "# Bronnen voor de intake: naslag",
        "",
        "Gegenereerd uit `src/pandzicht/contract/sources.py` door `pandzicht docs`; niet met de hand bewerken.",
        "",
    ]
    for name in LOAD_ORDER:
        s = SOURCES[name]
        lines += [f"## {name}", "", DESCRIPTIONS_NL.get(name, s.description), ""]
        flags = ["**verplichte bron**" if s.required else "optionele bron"]
        flags.append("bevat persoonsgegevens: vraagt een `grondslag` in manifest.json" if s.personal_data
                     else "geen persoonsgegevens")
        if s.key:
            flags.append("unieke sleutel: " + " + ".join(f"`{k}`" for k in s.key))
        lines += ["; ".join(flags), "", "| kolom | soort | regels |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_KIND_TEXT[c.kind]} | {_rules(c)} |" for c in s.columns]
        lines += ["", "Redenen voor quarantaine die deze bron kan geven:", ""]
        lines += [f"- `{r}`" for r in all_reasons(s)]
        lines.append("")
    return "\n".join(lines)
