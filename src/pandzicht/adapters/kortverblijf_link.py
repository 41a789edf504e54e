"""Link short-stay listings to BAG units, only as far as the jittered location allows.

Inside Airbnb publishes locations moved by up to ~150 m, so a listing can only
be tied to a unit when few homes lie within that radius. The link is a spatial
bucket join on RD coordinates in SQL: 150 m grid cells, each listing compared
with the units in its own and the eight neighbouring cells.
"""

from __future__ import annotations

from typing import Any

JITTER_M = 150.0
MAX_KANDIDATEN = 5  # link when at most this many homes are in range (zekerheid >= 0.2)


def link_listings(con: Any, *, radius_m: float = JITTER_M, max_kandidaten: int = MAX_KANDIDATEN) -> None:
    """Create ``kortverblijf_koppeling(listing_id, verblijfsobject_id, afstand_m, kandidaten, zekerheid)``.

    One row per listing. ``kandidaten`` is the number of distinct units with a woonfunctie within
    ``radius_m``; the listing is linked to the nearest of them only when there are 1..``max_kandidaten``,
    with ``zekerheid`` = 1 / kandidaten (the chance the nearest home is the right one when each home in
    range is equally likely). Otherwise ``verblijfsobject_id``, ``afstand_m`` and ``zekerheid`` are NULL.
    ``con`` is an engine (pandzicht.store.engine.Engine) or a DuckDB connection: both run a statement with
    ``execute``, and the two numbers are written into the SQL as literals.
    """
    con.execute("DROP TABLE IF EXISTS kortverblijf_koppeling")
    con.execute(
        """
        CREATE TABLE kortverblijf_koppeling AS
        WITH homes AS (
            SELECT CAST(verblijfsobject_id AS VARCHAR) AS verblijfsobject_id,
                   CAST(x_rd AS DOUBLE) AS x, CAST(y_rd AS DOUBLE) AS y,
                   CAST(floor(CAST(x_rd AS DOUBLE) / {r}) AS BIGINT) AS cx,
                   CAST(floor(CAST(y_rd AS DOUBLE) / {r}) AS BIGINT) AS cy
            FROM raw_bag_verblijfsobject
            WHERE x_rd IS NOT NULL AND y_rd IS NOT NULL
              AND list_contains(string_split(coalesce(CAST(gebruiksdoel AS VARCHAR), ''), ';'), 'woonfunctie')
        ),
        listings AS (
            SELECT CAST(listing_id AS VARCHAR) AS listing_id,
                   CAST(x_rd AS DOUBLE) AS x, CAST(y_rd AS DOUBLE) AS y,
                   CAST(floor(CAST(x_rd AS DOUBLE) / {r}) AS BIGINT) AS cx,
                   CAST(floor(CAST(y_rd AS DOUBLE) / {r}) AS BIGINT) AS cy
            FROM raw_kortverblijf_advertentie
        ),
        offsets AS (
            SELECT dx, dy FROM (VALUES (-1), (0), (1)) AS a(dx) CROSS JOIN (VALUES (-1), (0), (1)) AS b(dy)
        ),
        pairs AS (
            SELECT l.listing_id, h.verblijfsobject_id,
                   sqrt((l.x - h.x) * (l.x - h.x) + (l.y - h.y) * (l.y - h.y)) AS afstand_m
            FROM listings l
            CROSS JOIN offsets o
            JOIN homes h ON h.cx = l.cx + o.dx AND h.cy = l.cy + o.dy
        ),
        in_range AS (
            SELECT listing_id, verblijfsobject_id, min(afstand_m) AS afstand_m
            FROM pairs WHERE afstand_m <= {r}
            GROUP BY listing_id, verblijfsobject_id
        ),
        ranked AS (
            SELECT listing_id, verblijfsobject_id, afstand_m,
                   count(*) OVER (PARTITION BY listing_id) AS kandidaten,
                   row_number() OVER (PARTITION BY listing_id ORDER BY afstand_m, verblijfsobject_id) AS rang
            FROM in_range
        )
        SELECT l.listing_id,
               CASE WHEN r.kandidaten <= {k} THEN r.verblijfsobject_id END AS verblijfsobject_id,
               CASE WHEN r.kandidaten <= {k} THEN round(r.afstand_m, 1) END AS afstand_m,
               CAST(coalesce(r.kandidaten, 0) AS INTEGER) AS kandidaten,
               CASE WHEN r.kandidaten <= {k} THEN 1.0 / r.kandidaten END AS zekerheid
        FROM listings l
        LEFT JOIN ranked r ON r.listing_id = l.listing_id AND r.rang = 1
        ORDER BY l.listing_id
        """.format(r=repr(float(radius_m)), k=int(max_kandidaten))
    )
