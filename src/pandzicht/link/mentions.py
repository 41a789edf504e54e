"""Every party mention in the bundle, in one uniform table.

A person or company appears in many sources under many spellings. Before they
can be resolved, each mention is put in the same shape: role, kind, parsed name
parts, birth date, KvK number, BRP token and the unit it was seen at. Names are
parsed once per distinct spelling.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa

from pandzicht.link.names import is_company_name, normalise_company, parse_person, person_from_parts
from pandzicht.store.engine import Store, raw_table

MENTION_COLUMNS = (
    "bron", "record_sleutel", "rol", "soort", "naam", "voornamen", "initialen", "achternaam_sleutel",
    "bedrijf_sleutel", "geboortedatum", "kvk_nummer", "persoon_token", "verblijfsobject_id",
)

# (source, select list producing: record_sleutel, rol, naam, soort_hint, geboortedatum, kvk, token, unit)
_QUERIES: dict[str, list[str]] = {
    "brp_inschrijving": [
        "SELECT persoon_id, 'ingeschrevene', arg_max(concat_ws('|', coalesce(voornamen, ''), coalesce(voorvoegsel, ''),"
        " geslachtsnaam), datum_aanvang), 'persoon', arg_max(geboortedatum, datum_aanvang), NULL, persoon_id, "
        "arg_max(verblijfsobject_id, datum_aanvang) FROM {t} GROUP BY persoon_id",
    ],
    "kadaster_eigendom": [
        "SELECT eigendom_id, 'eigenaar', eigenaar_naam, CASE eigenaar_type WHEN 'rechtspersoon' THEN 'bedrijf' "
        "ELSE 'persoon' END, eigenaar_geboortedatum, eigenaar_kvk, NULL, verblijfsobject_id FROM {t}",
    ],
    "kvk_vestiging": [
        "SELECT kvk_nummer, 'bedrijf', naam, 'bedrijf', NULL, kvk_nummer, NULL, verblijfsobject_id FROM {t}",
    ],
    "kvk_functionaris": [
        "SELECT functionaris_id, 'functionaris', naam, 'persoon', geboortedatum, NULL, NULL, NULL FROM {t}",
    ],
    "huurcontract": [
        "SELECT contract_id || ':huurder', 'huurder', huurder_naam, CASE WHEN huurder_kvk IS NOT NULL THEN 'bedrijf' "
        "END, huurder_geboortedatum, huurder_kvk, NULL, verblijfsobject_id FROM {t}",
        "SELECT contract_id || ':verhuurder', 'verhuurder', verhuurder_naam, CASE WHEN verhuurder_kvk IS NOT NULL "
        "THEN 'bedrijf' END, NULL, verhuurder_kvk, NULL, verblijfsobject_id FROM {t}",
        "SELECT contract_id || ':bemiddelaar', 'bemiddelaar', bemiddelaar_naam, CASE WHEN bemiddelaar_kvk IS NOT NULL "
        "THEN 'bedrijf' END, NULL, bemiddelaar_kvk, NULL, verblijfsobject_id FROM {t} WHERE bemiddelaar_naam IS NOT "
        "NULL OR bemiddelaar_kvk IS NOT NULL",
    ],
    "politie_betrokkene": [
        "SELECT b.betrokkene_id, 'betrokkene', b.naam, 'persoon', b.geboortedatum, NULL, NULL, i.verblijfsobject_id "
        "FROM {t} b LEFT JOIN raw_politie_incident i USING (incident_id)",
    ],
}


@lru_cache(maxsize=500_000)
def _person(name: str) -> tuple[str, str, str]:
    p = parse_person(name)
    return p.voornamen, p.initialen, p.achternaam_sleutel


@lru_cache(maxsize=200_000)
def _brp_person(packed: str) -> tuple[str, str, str]:
    given, prefix, surname = packed.split("|", 2)
    p = person_from_parts(given, prefix, surname)
    return p.voornamen, p.initialen, p.achternaam_sleutel


def collect_mentions(store: Store) -> int:
    """Build table `partij_vermelding` from every source present; returns the number of mentions."""
    cols: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    for source, queries in _QUERIES.items():
        if not store.has_table(raw_table(source)):
            continue
        if source == "politie_betrokkene" and not store.has_table("raw_politie_incident"):
            continue
        for q in queries:
            for key, rol, naam, hint, birth, kvk, token, unit in store.rows(q.format(t=raw_table(source))):
                kind = hint or ("bedrijf" if is_company_name(naam or "") else "persoon")
                if source == "brp_inschrijving":
                    given, initials, surname = _brp_person(naam)
                    display = " ".join(x for x in naam.split("|") if x)
                else:
                    display = naam or ""
                    given, initials, surname = _person(display) if kind == "persoon" else ("", "", "")
                cols["bron"].append(source)
                cols["record_sleutel"].append(key)
                cols["rol"].append(rol)
                cols["soort"].append(kind)
                cols["naam"].append(display)
                cols["voornamen"].append(given or None)
                cols["initialen"].append(initials or None)
                cols["achternaam_sleutel"].append(surname or None)
                cols["bedrijf_sleutel"].append(normalise_company(display) if kind == "bedrijf" else None)
                cols["geboortedatum"].append(birth)
                cols["kvk_nummer"].append(kvk)
                cols["persoon_token"].append(token)
                cols["verblijfsobject_id"].append(unit)
    table = pa.table(cols, schema=pa.schema(
        [(c, pa.date32() if c == "geboortedatum" else pa.string()) for c in MENTION_COLUMNS]
    ))
    store.write_arrow("partij_vermelding", table, order_by="bron, record_sleutel")
    return table.num_rows
