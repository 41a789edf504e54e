"""A company mention without KvK number, whose name several registered companies carry, takes the number the
same name carries at the same home.

A landlord on a rent contract is written 'Merwede Beleggingen' without a number, and the KvK register holds
three companies of that name. By name alone the mention cannot be any of them, so it used to become a party of
its own: the same landlord twice in the party list, each with half its homes. The home itself often settles
it: the Kadaster records the owner of the unit with its KvK number, or another source names the same company
at that unit with a number (a tenant company registered at the home it rents). When exactly one number of that
name is seen at the mention's unit, the mention is resolved as that company.

Only names that carry two or more numbers are touched: a name with one number already joins its company by
name. Nothing is inferred from dates (a contract brokered before the agent's registration is common in the
data: contracts are re-papered, registers lag) or from the name alone. The recorded mention is not changed;
table `vermelding_kvk_afgeleid` holds the inferred numbers, which the resolver uses as if recorded (the same
number is the same company) and the party dossier shows as inferred.
"""

from __future__ import annotations

from pandzicht.store.engine import Engine

TABLE = "vermelding_kvk_afgeleid"

_SQL = f"""
CREATE OR REPLACE TABLE {TABLE} AS
WITH ambigu AS (
  SELECT bedrijf_kern FROM partij_vermelding
  WHERE soort = 'bedrijf' AND kvk_nummer IS NOT NULL AND bedrijf_kern IS NOT NULL
  GROUP BY bedrijf_kern HAVING count(DISTINCT kvk_nummer) > 1
),
genummerd AS (
  SELECT DISTINCT p.bedrijf_kern, p.verblijfsobject_id, p.kvk_nummer, p.bron
  FROM partij_vermelding p JOIN ambigu a ON a.bedrijf_kern = p.bedrijf_kern
  WHERE p.soort = 'bedrijf' AND p.kvk_nummer IS NOT NULL AND p.verblijfsobject_id IS NOT NULL
)
SELECT v.bron, v.record_sleutel, min(g.kvk_nummer) AS kvk_nummer,
       string_agg(DISTINCT g.bron, ',' ORDER BY g.bron) AS via
FROM partij_vermelding v
JOIN genummerd g ON g.bedrijf_kern = v.bedrijf_kern AND g.verblijfsobject_id = v.verblijfsobject_id
WHERE v.soort = 'bedrijf' AND v.kvk_nummer IS NULL
GROUP BY v.bron, v.record_sleutel
HAVING count(DISTINCT g.kvk_nummer) = 1
ORDER BY v.bron, v.record_sleutel
"""


def infer_company_numbers(store: Engine) -> int:
    """Write table `vermelding_kvk_afgeleid(bron, record_sleutel, kvk_nummer, via)`: the KvK number of each
    unnumbered company mention that one number of its name settles at its unit (`via`: the sources that name
    it there). Returns the number of mentions."""
    store.execute(_SQL)
    return int(store.scalar(f"SELECT count(*) FROM {TABLE}"))
