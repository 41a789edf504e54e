"""Every party mention in the bundle, in one uniform table.

A person or company appears in many sources under many spellings. Before they
can be resolved, each mention is put in the same shape: role, kind, parsed name
parts, birth date, KvK number, BRP token and the unit it was seen at. Names are
parsed once per distinct spelling. The derived keys (first given name, surname
without prefix and its sound key, a swap-proof birth-date key, the company
core) are what the probabilistic resolver blocks and compares on.

A mention is a function of its source row (the fields the queries below select, the address link filling a
missing unit) and of this code. Table `vermelding_invoer` keeps, per mention, a hash of exactly that; a delivery
that continues an earlier analysis takes a mention whose hash is unchanged from the earlier
`partij_vermelding` instead of deriving it again. Mentions whose kind is guessed are always derived again,
because whether a guessed name is a known company depends on every other mention.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa

from pandzicht.link import address_parse, names
from pandzicht.link import previous as prev
from pandzicht.link.names import (
    KnownCompanies,
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


INPUT_TABLE = "vermelding_invoer"
_INPUT_COLUMNS = ("record_sleutel", "rol", "naam", "hint", "geboortedatum", "kvk", "token", "eenheid")


@cache
def _code_fingerprint() -> str:
    """What derives a mention from its row besides the row: this module, the name parsing, the phonetic code,
    and DuckDB, whose `hash` makes `invoer`."""
    digest = hashlib.sha256(f"{version('jellyfish')} {version('duckdb')}".encode())
    for module in (__file__, names.__file__, address_parse.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _source_tables(store: Store) -> dict[str, str]:
    tables = {source: raw_table(source) for source in _QUERIES}
    for source, key in (("huurcontract", "contract_id"), ("politie_incident", "incident_id")):
        if store.has_table(raw_table(source)):
            tables[source] = _with_resolved_units(store, source, key)
    return tables


def _source_queries(store: Store) -> list[tuple[str, str]]:
    """(source, SQL) of every mention query whose source is present."""
    tables = _source_tables(store)
    out = []
    for source, queries in _QUERIES.items():
        if not store.has_table(raw_table(source)):
            continue
        if source == "politie_betrokkene" and not store.has_table("raw_politie_incident"):
            continue
        for q in queries:
            out.append((source, q.format(t=tables[source],
                                         incident=tables.get("politie_incident", raw_table("politie_incident")))))
    return out


def _inputs(store: Store) -> None:
    """Table `_mv_in`: every mention's source row as the queries select it (`q` numbers the query), with
    `invoer` (a 64-bit hash of the row and the code: DuckDB's `hash`, four times faster than the md5 of the joined
    text it replaced, and a changed row that hashes alike is a 1-in-2^64 chance) and `geraden` (its kind is
    guessed)."""
    selects = [f"SELECT '{source}' AS bron, {n} AS q, * FROM ({sql}) AS r({', '.join(_INPUT_COLUMNS)})"
               for n, (source, sql) in enumerate(_source_queries(store))]
    if not selects:
        selects = [f"SELECT NULL::VARCHAR AS bron, 0 AS q, {', '.join(f'NULL::VARCHAR AS {c}' for c in _INPUT_COLUMNS)}"
                   " WHERE false"]
    fields = ", ".join(f"CAST({c} AS VARCHAR)" for c in _INPUT_COLUMNS)
    guessed = ", ".join(f"'{g}'" for g in _GUESSED_KIND)
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _mv_in AS
        SELECT *, hash('{_code_fingerprint()}', bron, {fields}) AS invoer,
               bron IN ({guessed}) AND hint IS NULL AS geraden
        FROM ({' UNION ALL '.join(selects)})""")


def _carry(store: Store, previous: Path) -> tuple[int, str]:
    """Table `_pv_over`: the keys (and the kind, name and company core later steps ask for) of the earlier
    delivery's mentions whose source row and code hash the same now; one whose kind was guessed only as the person
    it was taken for then (`_settle_guessed` decides it again). Their full rows are read from the earlier analysis
    once, when `partij_vermelding` is written. Returns their number and, when there are none, why."""
    with prev.attached(store, previous) as alias:
        if not (prev.has_table(store, INPUT_TABLE) and prev.has_table(store, "partij_vermelding")):
            return 0, "de vorige analyse bewaarde de invoer van haar vermeldingen niet"
        kind = store.scalar(f"SELECT data_type FROM information_schema.columns WHERE table_catalog = '{alias}' "
                            f"AND table_name = '{INPUT_TABLE}' AND column_name = 'invoer'")
        if kind != "UBIGINT":  # an analysis by an earlier version kept an md5 (text): nothing compares with it
            return 0, "de vorige analyse legde de invoer van haar vermeldingen anders vast (een eerdere versie)"
        store.execute(f"""
            INSERT INTO _pv_over SELECT v.bron, v.record_sleutel, v.soort, v.naam, v.bedrijf_kern FROM _mv_in n
            JOIN {alias}.{INPUT_TABLE} i ON i.bron = n.bron AND i.record_sleutel = n.record_sleutel
                                        AND i.invoer = n.invoer
            JOIN {alias}.partij_vermelding v ON v.bron = n.bron AND v.record_sleutel = n.record_sleutel
            WHERE NOT n.geraden OR v.soort = 'persoon'""")
    n = int(store.scalar("SELECT count(*) FROM _pv_over"))
    return n, "" if n else "geen vermelding met een ongewijzigde bronrij"


def collect_mentions(store: Store, previous: Path | None = None) -> tuple[int, dict]:
    """Build table `partij_vermelding` from every source present, and `vermelding_invoer` for the next delivery.
    With `previous` (the store of the earlier delivery this one continues), a mention whose source row is
    unchanged is taken from it. Returns the number of mentions and what was taken over."""
    if store.name != "duckdb":  # the Spark store: derived in full, nothing kept for a next delivery
        return _collect(store), {"modus": "volledig", "reden": "overnemen draait alleen op de DuckDB-opslag"}
    _inputs(store)
    schema = _schema()
    store.execute("CREATE OR REPLACE TEMP TABLE _pv_over (bron VARCHAR, record_sleutel VARCHAR, soort VARCHAR, "
                  "naam VARCHAR, bedrijf_kern VARCHAR)")
    carried, why = (0, "geen eerdere levering of --opnieuw") if previous is None else _carry(store, previous)
    # the rows to derive, in no particular order (the table is sorted when written)
    rest = ("" if not carried else "WHERE NOT EXISTS (SELECT 1 FROM _pv_over o WHERE o.bron = n.bron "
            "AND o.record_sleutel = n.record_sleutel)")
    rows = store.rows(f"SELECT bron, {', '.join(_INPUT_COLUMNS)} FROM _mv_in n {rest}")
    known = {r[0] for r in store.rows("SELECT DISTINCT bedrijf_kern FROM _pv_over WHERE soort = 'bedrijf' "
                                      "AND bedrijf_kern IS NOT NULL")}
    derived = _derive(rows, known, schema)
    derived = _settle_guessed(store, derived, known, schema)
    carried = int(store.scalar("SELECT count(*) FROM _pv_over"))
    columns = ", ".join(MENTION_COLUMNS)
    store.con.register("_pv_nieuw", derived)
    try:
        if carried and previous is not None:  # the carried rows straight from the earlier analysis, written once
            with prev.attached(store, previous) as alias:
                store.execute(f"CREATE OR REPLACE TABLE partij_vermelding AS SELECT * FROM ("
                              f"SELECT {', '.join('v.' + c for c in MENTION_COLUMNS)} FROM {alias}.partij_vermelding v "
                              f"SEMI JOIN _pv_over o ON o.bron = v.bron AND o.record_sleutel = v.record_sleutel "
                              f"UNION ALL SELECT {columns} FROM _pv_nieuw) ORDER BY bron, record_sleutel")
        else:
            store.execute(f"CREATE OR REPLACE TABLE partij_vermelding AS SELECT {columns} FROM _pv_nieuw "
                          "ORDER BY bron, record_sleutel")
    finally:
        store.con.unregister("_pv_nieuw")
    # only ever joined on its key, so written in no particular order
    store.execute(f"CREATE OR REPLACE TABLE {INPUT_TABLE} AS SELECT bron, record_sleutel, invoer FROM _mv_in")
    for table in ("_mv_in", "_pv_over"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    reuse = {"modus": "incrementeel" if carried else "volledig", "overgenomen": carried,
             "afgeleid": derived.num_rows,
             "reden": "vermeldingen met een ongewijzigde bronrij overgenomen uit de vorige analyse" if carried
             else why}
    return carried + derived.num_rows, reuse


def _settle_guessed(store: Store, derived: pa.Table, known: set[str], schema: pa.Schema) -> pa.Table:
    """A carried mention of guessed kind is a person unless its name is now a known company: such mentions
    leave `_pv_over` and are derived again (as that company); returns `derived` with them."""
    # Each distinct name is judged once: at 1M units some 670k carried mentions of guessed kind hold about a
    # third as many names, and judging one costs a company-core parse (most of this stage's time).
    store.execute("CREATE OR REPLACE TEMP TABLE _geraden AS SELECT o.bron, o.record_sleutel, coalesce(o.naam, '') "
                  "AS naam FROM _pv_over o JOIN _mv_in n ON n.bron = o.bron AND n.record_sleutel = o.record_sleutel "
                  "WHERE n.geraden")
    try:
        names = [r[0] for r in store.rows("SELECT DISTINCT naam FROM _geraden")]
        if not names:
            return derived
        kinds, cores = derived.column("soort").to_pylist(), derived.column("bedrijf_kern").to_pylist()
        known = known | {core for kind, core in zip(kinds, cores, strict=True) if kind == "bedrijf" and core}
        matcher = KnownCompanies(known)
        companies = [naam for naam in names if matcher.knows(naam)]
        if not companies:
            return derived
        store.write_arrow("_bedrijfsnaam", pa.table({"naam": pa.array(companies, pa.string())}))
        store.execute("CREATE OR REPLACE TEMP TABLE _omslag AS SELECT g.bron, g.record_sleutel FROM _geraden g "
                      "SEMI JOIN _bedrijfsnaam USING (naam)")
    finally:
        for table in ("_geraden", "_bedrijfsnaam"):
            store.execute(f"DROP TABLE IF EXISTS {table}")
    store.execute("DELETE FROM _pv_over o WHERE EXISTS (SELECT 1 FROM _omslag f WHERE f.bron = o.bron "
                  "AND f.record_sleutel = o.record_sleutel)")
    rows = store.rows(f"SELECT n.bron, {', '.join('n.' + c for c in _INPUT_COLUMNS)} FROM _mv_in n "
                      "JOIN _omslag f ON f.bron = n.bron AND f.record_sleutel = n.record_sleutel")
    store.execute("DROP TABLE _omslag")
    return pa.concat_tables([derived, _derive(rows, known, schema)])


def _schema() -> pa.Schema:
    return pa.schema([(c, pa.date32() if c == "geboortedatum" else pa.string()) for c in MENTION_COLUMNS])


def _collect(store: Store) -> int:
    """Every mention derived from the source rows, on any engine (the Spark store)."""
    # `arrow_bulk`: at 1M units BRP alone is 3.5M rows, more than Spark collects through the driver by default
    rows = [(source, *row) for source, sql in _source_queries(store)
            for row in zip(*(c.to_pylist() for c in store.arrow_bulk(sql).columns), strict=True)]
    table = _derive(rows, set(), _schema())
    store.write_arrow("partij_vermelding", table, order_by="bron, record_sleutel")
    return table.num_rows


def _derive(rows: list[tuple], known: set[str], schema: pa.Schema) -> pa.Table:
    """The mentions of source rows (bron, record_sleutel, rol, naam, hint, birth, kvk, token, unit); `known`:
    company cores of mentions taken over, which a guessed name may also be."""
    cols: dict[str, list] = {c: [] for c in MENTION_COLUMNS}
    guessed: list[int] = []  # rows without evidence of their kind: persons unless a register knows the name
    for source, key, rol, naam, hint, birth, kvk, token, unit in rows:
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
    _reclassify_known_companies(cols, guessed, known)
    return pa.table(cols, schema=schema)


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


def _reclassify_known_companies(cols: dict[str, list], guessed: list[int], also: set[str]) -> None:
    """A mention without evidence of its kind whose name is, once its legal form is set aside, the name of a
    company some register knows (every 'bedrijf' mention here comes from a register or a KvK number;
    'Woonkracht Maasstad' without 'Stichting', 'St. Woonkracht Maasstad', or with one typo:
    `names.KnownCompanies`), is that company: one corporation can have thousands of mentions, so every stray
    one matters."""
    known = KnownCompanies(also | {core for kind, core in zip(cols["soort"], cols["bedrijf_kern"], strict=True)
                                   if kind == "bedrijf" and core})
    for i in guessed:
        if cols["soort"][i] == "persoon" and known.knows(cols["naam"][i]):
            _set_kind(cols, "bedrijf", cols["naam"][i], _NO_PERSON, row=i)
