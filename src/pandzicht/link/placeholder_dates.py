"""Birth dates that stand for "unknown": a partner's placeholder is not evidence that two people are one.

Registers that must fill a date field often write one fixed date when they do not know it (1900-01-01,
1970-01-01, the first of January of some year). To the linking model that date looks like any other, and
matching birth dates is its strongest evidence: every 'J. de Vries' with the placeholder would merge into one
party, and blocking on birth date would put all of them in one block. A real date is carried by few people;
a placeholder by implausibly many. So a date carried by at least MIN_NAMES different surnames, and by at least
FACTOR times as many as the delivery's dates on average, is read as unknown while linking (the mention keeps
it; the dossier shows what the source said). The report names how many dates and mentions, never the dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from pandzicht.fallback import record as record_fallback
from pandzicht.fallback import recorded
from pandzicht.store.engine import Store

TABLE = "_plaatshouder_geboortedatum"
# Set on the demo world (session 37): the busiest real date of a 20,000-unit world carries 21 surnames against
# 2.4 on an average date (8.8 times), and of 36 worlds of 2,500 units at most 6.5 times the average. A
# placeholder for the persons a source has no date for is carried by hundreds (2,159 surnames in that world).
MIN_NAMES = 50
FACTOR = 20
STEP = "partijen.geboortedatum.plaatshouder"

_SQL = """
CREATE OR REPLACE TEMP TABLE {table} AS
WITH n AS (
  SELECT geboortedatum, count(DISTINCT achternaam_sleutel) AS namen, count(*) AS vermeldingen
  FROM partij_vermelding
  WHERE soort = 'persoon' AND geboortedatum IS NOT NULL AND achternaam_sleutel IS NOT NULL
  GROUP BY geboortedatum),
g AS (SELECT sum(namen) * 1.0 / count(*) AS gemiddeld FROM n)
SELECT n.geboortedatum, n.namen, n.vermeldingen, g.gemiddeld
FROM n CROSS JOIN g
WHERE n.namen >= {min_names} AND n.namen >= {factor} * g.gemiddeld
"""


@dataclass(frozen=True)
class PlaceholderDates:
    """What `mark` found: how many dates were read as unknown, carried by how many mentions and surnames."""

    dates: int
    mentions: int
    largest: int  # surnames on the busiest placeholder
    average: float  # surnames on an average date of the delivery

    def reason(self) -> str:
        return (f"{self.dates} geboortedatum(s) gedeeld door onwaarschijnlijk veel personen (de drukste door "
                f"{self.largest} verschillende achternamen; een gemiddelde datum in deze levering door "
                f"{self.average:.1f}; grens: minstens {MIN_NAMES} en {FACTOR} keer het gemiddelde); "
                f"{self.mentions} vermeldingen")

    @staticmethod
    def fallback() -> str:
        return ("zo'n datum staat voor 'onbekend' en telt bij het koppelen als onbekend (geen bewijs voor of "
                "tegen dezelfde persoon); de vermelding en het dossier tonen de datum zoals de bron hem gaf")


def mark(store: Store) -> PlaceholderDates:
    """Write TABLE (the placeholder dates of this delivery's person mentions) and record the fallback if any."""
    store.execute(_SQL.format(table=TABLE, min_names=MIN_NAMES, factor=FACTOR))
    dates, mentions, largest, average = store.rows(
        f"SELECT count(*), coalesce(sum(vermeldingen), 0), coalesce(max(namen), 0), coalesce(max(gemiddeld), 0) "
        f"FROM {TABLE}")[0]
    found = PlaceholderDates(int(dates), int(mentions), int(largest), float(average))
    # a continued delivery that falls back to a full resolution builds its profiles twice: reported once
    if found.dates and not any(f.stap == STEP for f in recorded(store)):
        record_fallback(store, STEP, found.reason(), found.fallback())
    return found
