"""A company mention without KvK number is resolved as a registered company only when the data leaves one: the
number its name carries at the same home, the one namesake that had not been dissolved when the contract began,
or the one company whose name it misspells.

A landlord on a rent contract is written 'Merwede Beleggingen' without a number, and the KvK register holds
three companies of that name. By name alone the mention cannot be any of them, so it used to become a party of
its own: the same landlord twice in the party list, each with half its homes. Two facts often settle it:

- `adres`: another source names the same company at the mention's unit with a number (the Kadaster's owner
  of the home, a company registered there, another contract): when exactly one number of that name is seen
  at the unit, the mention is that company;
- `opheffing`: a company dissolved before a contract began cannot be a party to it. When every namesake but
  one had been dissolved by the contract's start date, the mention is the one left, just as a name with a
  single number joins that company.

Only names that carry two or more numbers are touched by these two: a name with one number already joins its
company by name. A registration *after* the contract's start excludes nothing: contracts are re-papered and
registers lag (on the independent generator's exploration world that rule chose the wrong company 62 times in
137).

A third ground, `schrijfwijze`, is a name no numbered mention carries, written for the name of exactly one
numbered company: the same letters spaced otherwise ('Havensteden Wonen' for 'HavenstedenWonen'), or a typo
within the bound the company recognition uses (`names.KnownCompanies`: one edit in a name of 10 to 15 letters,
two in a longer one). The register and most contracts spell an agent right; the one contract that wrote
'Reeland Verhuurmkelaars' became a party of its own, and the model cannot join it by name alone (where spelling
variants of one name carry several numbers, name agreement weighs little). When the near names carry two
numbers, or one of them is itself a name with namesakes, nothing is inferred; nor for names of fewer than 10
letters, spaced otherwise too: short names and acronyms collide ('Kogg Oed' was another company than 'KOG Goed'
in the independent generator's exploration world).

The recorded mention is not changed; table `vermelding_kvk_afgeleid` holds the inferred numbers with their
ground, which the resolver uses as if recorded (the same number is the same company) and the party dossier
reports.
"""

from __future__ import annotations

import pyarrow as pa

from pandzicht.link.names import KnownCompanies
from pandzicht.store.engine import Engine, raw_table

TABLE = "vermelding_kvk_afgeleid"
SPELLING = "schrijfwijze"
MIN_LETTERS = 10  # a name written otherwise is read as a registered one only from this many letters on

_AMBIGUOUS = """
ambigu AS (
  SELECT bedrijf_kern FROM partij_vermelding
  WHERE soort = 'bedrijf' AND kvk_nummer IS NOT NULL AND bedrijf_kern IS NOT NULL
  GROUP BY bedrijf_kern HAVING count(DISTINCT kvk_nummer) > 1
),
genummerd AS (
  SELECT DISTINCT p.bedrijf_kern, p.verblijfsobject_id, p.kvk_nummer
  FROM partij_vermelding p JOIN ambigu a ON a.bedrijf_kern = p.bedrijf_kern
  WHERE p.soort = 'bedrijf' AND p.kvk_nummer IS NOT NULL
),
open AS (  -- a contract party's key is contract_id || ':' || rol: the contract, for an equi-join on it
  SELECT bron, record_sleutel, rol, bedrijf_kern, verblijfsobject_id,
         CASE WHEN bron = 'huurcontract' THEN left(record_sleutel, length(record_sleutel) - length(rol) - 1)
         END AS contract_id
  FROM partij_vermelding
  WHERE soort = 'bedrijf' AND kvk_nummer IS NULL AND bedrijf_kern IN (SELECT bedrijf_kern FROM ambigu)
),
adres AS (
  SELECT o.bron, o.record_sleutel, o.contract_id, min(g.kvk_nummer) AS kvk_nummer, 'adres' AS grond
  FROM open o JOIN genummerd g ON g.bedrijf_kern = o.bedrijf_kern AND g.verblijfsobject_id = o.verblijfsobject_id
  GROUP BY o.bron, o.record_sleutel, o.contract_id
  HAVING count(DISTINCT g.kvk_nummer) = 1
)"""

# the namesakes still in existence when the contract began (a number the register does not hold is never excluded)
_DISSOLVED = """,
opgeheven AS (SELECT kvk_nummer, max(datum_opheffing) AS op FROM {kvk} GROUP BY kvk_nummer),
opheffing AS (
  SELECT o.bron, o.record_sleutel, min(n.kvk_nummer) AS kvk_nummer, 'opheffing' AS grond
  FROM open o
  JOIN {contract} c ON c.contract_id = o.contract_id
  JOIN (SELECT DISTINCT bedrijf_kern, kvk_nummer FROM genummerd) n ON n.bedrijf_kern = o.bedrijf_kern
  LEFT JOIN opgeheven x ON x.kvk_nummer = n.kvk_nummer
  WHERE x.op IS NULL OR x.op >= c.datum_aanvang
  GROUP BY o.bron, o.record_sleutel
  HAVING count(DISTINCT n.kvk_nummer) = 1
),
-- a home that names a company dissolved before the contract began is stale evidence (the Kadaster still lists
-- the old owner): the dates overrule it
adres_geldig AS (
  SELECT a.* FROM adres a
  LEFT JOIN {contract} c ON c.contract_id = a.contract_id
  LEFT JOIN opgeheven x ON x.kvk_nummer = a.kvk_nummer
  WHERE c.contract_id IS NULL OR x.op IS NULL OR x.op >= c.datum_aanvang
)"""


def _sql(store: Engine) -> str:
    kvk, contract = raw_table("kvk_vestiging"), raw_table("huurcontract")
    if not (store.has_table(kvk) and store.has_table(contract)):
        parts, ctes = ["SELECT bron, record_sleutel, kvk_nummer, grond FROM adres"], _AMBIGUOUS
    else:
        ctes = _AMBIGUOUS + _DISSOLVED.format(kvk=kvk, contract=contract)
        parts = ["SELECT bron, record_sleutel, kvk_nummer, grond FROM adres_geldig",
                 "SELECT h.bron, h.record_sleutel, h.kvk_nummer, h.grond FROM opheffing h "
                 "LEFT JOIN adres_geldig a ON a.bron = h.bron AND a.record_sleutel = h.record_sleutel "
                 "WHERE a.record_sleutel IS NULL"]
    return (f"CREATE OR REPLACE TABLE {TABLE} AS WITH {ctes}\n"
            f"SELECT * FROM ({' UNION ALL '.join(parts)}) t ORDER BY bron, record_sleutel")


def infer_company_numbers(store: Engine) -> int:
    """Write table `vermelding_kvk_afgeleid(bron, record_sleutel, kvk_nummer, grond)`: the KvK number of each
    unnumbered company mention that the data settles, and how (`adres`, `opheffing` or `schrijfwijze`). Returns
    the number of mentions."""
    store.execute(_sql(store))
    _infer_from_spelling(store)
    return int(store.scalar(f"SELECT count(*) FROM {TABLE}"))


_NUMBERED = f"""
SELECT p.bedrijf_kern, coalesce(p.kvk_nummer, a.kvk_nummer) AS kvk_nummer
FROM partij_vermelding p LEFT JOIN {TABLE} a ON a.bron = p.bron AND a.record_sleutel = p.record_sleutel
WHERE p.soort = 'bedrijf' AND p.bedrijf_kern IS NOT NULL"""


def spelling_numbers(numbered: dict[str, set[str]], open_cores: list[str]) -> dict[str, str]:
    """For each open core (a name no numbered mention carries), the one KvK number its near names carry, if there
    is exactly one and none of those names carries more (`numbered`: name core -> its numbers)."""
    by_squeezed: dict[str, set[str]] = {}
    for core, numbers in numbered.items():
        by_squeezed.setdefault(core.replace(" ", ""), set()).update(numbers)
    known = KnownCompanies(by_squeezed)
    found: dict[str, str] = {}
    for core in open_cores:
        squeezed = core.replace(" ", "")
        if len(squeezed) < MIN_LETTERS:  # short names and acronyms collide: 'Kogg Oed' is not 'KOG Goed'
            continue
        near = known.near(squeezed)
        if not near or any(len(by_squeezed[s]) != 1 for s in near):
            continue
        numbers = set().union(*(by_squeezed[s] for s in near))
        if len(numbers) == 1:
            found[core] = next(iter(numbers))
    return found


def _infer_from_spelling(store: Engine) -> None:
    """Add the `schrijfwijze` ground to the table (see the module's docstring)."""
    numbered: dict[str, set[str]] = {}
    unnumbered: set[str] = set()
    for core, number in store.rows(f"SELECT DISTINCT * FROM ({_NUMBERED}) t"):  # one pass over the mentions
        if number is None:
            unnumbered.add(core)
        else:
            numbered.setdefault(core, set()).add(number)
    open_cores = sorted(unnumbered - numbered.keys())
    found = spelling_numbers(numbered, open_cores)
    if not found:
        return
    store.write_arrow("_kern_schrijfwijze", pa.table({"bedrijf_kern": list(found), "kvk_nummer": list(found.values())}))
    store.execute(f"""
        INSERT INTO {TABLE}
        SELECT p.bron, p.record_sleutel, s.kvk_nummer, '{SPELLING}' AS grond
        FROM partij_vermelding p JOIN _kern_schrijfwijze s ON s.bedrijf_kern = p.bedrijf_kern
        WHERE p.soort = 'bedrijf' AND p.kvk_nummer IS NULL
        ORDER BY 1, 2""")
    store.execute("DROP TABLE _kern_schrijfwijze")
