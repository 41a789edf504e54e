"""Every party mention in the bundle, in one uniform table.

A person or company appears in many sources under many spellings. Before they
can be resolved, each mention is put in the same shape: role, kind, parsed name
parts, birth date, KvK number, BRP token and the unit it was seen at. Names are
parsed once per distinct spelling. The derived keys (first given name, surname
without prefix and its sound key, a swap-proof birth-date key, the company
core) are what the probabilistic resolver blocks and compares on.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa

from pandzicht.link.names import (
    PersonName,
    company_core,
    date_swap_key,
    first_given_name,
    normalise_company,
    parse_person,
    person_from_parts,
    surname_phonetic,
)
from pandzicht.store.engine import Store, raw_table

MENTION_COLUMNS = (
    "bron", "record_sleutel", "rol", "soort", "naam", "voornamen", "initialen", "achternaam_sleutel",
    "bedrijf_sleutel", "geboortedatum", "kvk_nummer", "persoon_token", "verblijfsobject_id",
    "voornaam1", "achternaam", "achternaam_fonetisch", "geboortedatum_sleutel", "bedrijf_kern", "achternaam_laatste",
)
# Sources whose rows may carry no evidence of kind (no KvK number, no birth date). Such a party is a person --
# pseudonymised on every screen -- unless its name, legal form set aside, is a company some register knows
# (a KvK establishment, a Kadaster legal person, a mention with a KvK number). A name pattern alone ('Jan Bouw',
# 'C.V. Jansen') never makes a company: that showed persons by full name (issue 12, finding 3).
_GUESSED_KIND = {"huurcontract"}

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
        "WHEN huurder_geboortedatum IS NOT NULL THEN 'persoon' END, huurder_geboortedatum, huurder_kvk, NULL, "
        "verblijfsobject_id FROM {t}",
        "SELECT contract_id || ':verhuurder', 'verhuurder', verhuurder_naam, CASE WHEN verhuurder_kvk IS NOT NULL "
        "THEN 'bedrijf' END, NULL, verhuurder_kvk, NULL, verblijfsobject_id FROM {t}",
        "SELECT contract_id || ':bemiddelaar', 'bemiddelaar', bemiddelaar_naam, CASE WHEN bemiddelaar_kvk IS NOT NULL "
        "THEN 'bedrijf' END, NULL, bemiddelaar_kvk, NULL, verblijfsobject_id FROM {t} WHERE bemiddelaar_naam IS NOT "
        "NULL OR bemiddelaar_kvk IS NOT NULL",
    ],
    "politie_betrokkene": [
        "SELECT b.betrokkene_id, 'betrokkene', b.naam, 'persoon', b.geboortedatum, NULL, NULL, i.verblijfsobject_id "
        "FROM {t} b LEFT JOIN {incident} i USING (incident_id)",
    ],
}


_NO_PERSON = ("", "", "", None, None, None, None)


@lru_cache(maxsize=500_000)
def _person(name: str) -> tuple[str, str, str, str | None, str | None, str | None, str | None]:
    return _features(parse_person(name))


def _features(p: PersonName) -> tuple[str, str, str, str | None, str | None, str | None, str | None]:
    return (p.voornamen, p.initialen, p.achternaam_sleutel, first_given_name(p.voornamen), p.achternaam or None,
            surname_phonetic(p.achternaam), p.laatste_achternaam or None)


@lru_cache(maxsize=200_000)
def _brp_person(packed: str) -> tuple[str, str, str, str | None, str | None, str | None, str | None]:
    given, prefix, surname = packed.split("|", 2)
    return _features(person_from_parts(given, prefix, surname))


@lru_cache(maxsize=200_000)
def _company(name: str) -> tuple[str, str]:
    return normalise_company(name), company_core(name)


def _with_resolved_units(store: Store, source: str, key: str) -> str:
    """The source's rows with a missing BAG id filled from the address linking (when it has run): the unit a
    party was seen at is strong evidence when its name is common."""
    table = raw_table(source)
    if not store.has_table("adres_koppeling"):
        return table
    store.execute(f"""
        CREATE OR REPLACE TEMP VIEW _{source}_eenheid AS
        SELECT r.* REPLACE (coalesce(r.verblijfsobject_id, k.verblijfsobject_id) AS verblijfsobject_id)
        FROM {table} r LEFT JOIN adres_koppeling k ON k.bron = '{source}' AND k.record_sleutel = r.{key}
    """)
    return f"_{source}_eenheid"


def collect_mentions(store: Store) -> int:
    """Build table `partij_vermelding` from every source present; returns the number of mentions."""
    cols: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    tables = {source: raw_table(source) for source in _QUERIES}
    for source, key in (("huurcontract", "contract_id"), ("politie_incident", "incident_id")):
        if store.has_table(raw_table(source)):
            tables[source] = _with_resolved_units(store, source, key)
    guessed: list[int] = []  # rows without evidence of their kind: persons unless a register knows the name
    for source, queries in _QUERIES.items():
        if not store.has_table(raw_table(source)):
            continue
        if source == "politie_betrokkene" and not store.has_table("raw_politie_incident"):
            continue
        for q in queries:
            sql = q.format(t=tables[source], incident=tables.get("politie_incident", raw_table("politie_incident")))
            for key, rol, naam, hint, birth, kvk, token, unit in store.rows(sql):
                kind = hint or "persoon"
                if source in _GUESSED_KIND and not hint:
                    guessed.append(len(cols["bron"]))
                if source == "brp_inschrijving":
                    person = _brp_person(naam)
                    display = " ".join(x for x in naam.split("|") if x)
                else:
                    display = naam or ""
                    person = _person(display) if kind == "persoon" else _NO_PERSON
                cols["bron"].append(source)
                cols["record_sleutel"].append(key)
                cols["rol"].append(rol)
                cols["naam"].append(display)
                cols["geboortedatum"].append(birth)
                cols["geboortedatum_sleutel"].append(date_swap_key(birth))
                cols["kvk_nummer"].append(kvk)
                cols["persoon_token"].append(token)
                cols["verblijfsobject_id"].append(unit)
                _set_kind(cols, kind, display, person)
    _reclassify_known_companies(cols, guessed)
    table = pa.table(cols, schema=pa.schema(
        [(c, pa.date32() if c == "geboortedatum" else pa.string()) for c in MENTION_COLUMNS]
    ))
    store.write_arrow("partij_vermelding", table, order_by="bron, record_sleutel")
    return table.num_rows


def _set_kind(cols: dict[str, list], kind: str, display: str, person: tuple, row: int | None = None) -> None:
    """Fill the kind-dependent columns of one mention (append, or overwrite `row`)."""
    given, initials, surname, first, bare, sound, last = person
    company = _company(display) if kind == "bedrijf" else (None, None)
    values = {
        "soort": kind, "voornamen": given or None, "initialen": initials or None,
        "achternaam_sleutel": surname or None, "voornaam1": first, "achternaam": bare, "achternaam_fonetisch": sound,
        "achternaam_laatste": last,
        "bedrijf_sleutel": company[0], "bedrijf_kern": company[1] or None,
    }
    for col, value in values.items():
        if row is None:
            cols[col].append(value)
        else:
            cols[col][row] = value


def _reclassify_known_companies(cols: dict[str, list], guessed: list[int]) -> None:
    """A mention without evidence of its kind whose name is, once its legal form is set aside, the name of a
    company some register knows (every 'bedrijf' mention here comes from a register or a KvK number;
    'Woonkracht Maasstad' without 'Stichting'), is that company: one corporation can have
    thousands of mentions, so every stray one matters."""
    known = {core for kind, core in zip(cols["soort"], cols["bedrijf_kern"], strict=True) if kind == "bedrijf" and core}
    for i in guessed:
        if cols["soort"][i] == "persoon" and company_core(cols["naam"][i]) in known:
            _set_kind(cols, "bedrijf", cols["naam"][i], _NO_PERSON, row=i)
