"""What changed on the shortlist since the previous delivery: table `adres_wijziging`, file wijzigingen.csv.

An analyst who worked the list last month needs the difference, not a new list of thousands: the homes
that came onto the shortlist (the top TOP), left it, rose or fell markedly on it, or carry signals they
did not carry before. "Markedly" is MARKED_RANKS places or MARKED_SCORE of score; a signal is an
indicator code in the home's `uitleg`. Without a previous analysis the table is empty (no difference to
show), so the file always exists with its header.

`adres_score_historie(levering, verblijfsobject_id, rang, score)` keeps each home's score and rank per
delivery, carried from the previous published store like `entiteit_historie` is: the address dossier shows
how a home moved over the months, which no single analysis can tell.
"""

from __future__ import annotations

from pathlib import Path

from pandzicht.link import previous as prev
from pandzicht.store.engine import Store

TOP = 200
MARKED_RANKS = 50
MARKED_SCORE = 0.10
TABLE = "adres_wijziging"
HISTORY = "adres_score_historie"
COLUMNS = "verblijfsobject_id, rang_vorige, rang, score_vorige, score, reden"

_EMPTY = (f"CREATE OR REPLACE TABLE {TABLE} (verblijfsobject_id VARCHAR, rang_vorige BIGINT, rang BIGINT, "
          "score_vorige DOUBLE, score DOUBLE, reden VARCHAR)")


def _codes(col: str) -> str:
    """The indicator codes of an `uitleg` value, as a list."""
    return f"list_transform(string_split(coalesce({col}, ''), ';'), lambda x: split_part(x, ':', 1))"


def build_changes(store: Store, previous: Path | None) -> int:
    """Write `adres_wijziging` comparing `adres_score` with the previous analysis, and extend the score
    history; returns the number of changes."""
    build_score_history(store, previous)
    if previous is None:
        store.execute(_EMPTY)
        return 0
    with prev.attached(store, previous) as alias:
        if not prev.has_table(store, "adres_score"):
            store.execute(_EMPTY)
            return 0
        store.execute(f"""
            CREATE OR REPLACE TABLE {TABLE} AS
            WITH j AS (
                SELECT coalesce(n.verblijfsobject_id, o.verblijfsobject_id) AS verblijfsobject_id,
                       o.rang AS rang_vorige, n.rang, o.score AS score_vorige, n.score,
                       list_filter({_codes('n.uitleg')},
                                   lambda c: c <> '' AND NOT list_contains({_codes('o.uitleg')}, c)) AS nieuw_signaal
                FROM adres_score n FULL OUTER JOIN {alias}.adres_score o USING (verblijfsobject_id)
                WHERE n.rang <= {TOP} OR o.rang <= {TOP}
            ),
            r AS (
                SELECT *, concat_ws(';',
                    CASE WHEN rang <= {TOP} AND (rang_vorige IS NULL OR rang_vorige > {TOP}) THEN 'nieuw_op_lijst' END,
                    CASE WHEN rang_vorige <= {TOP} AND (rang IS NULL OR rang > {TOP}) THEN 'van_lijst' END,
                    CASE WHEN rang <= {TOP} AND rang_vorige <= {TOP}
                          AND (rang_vorige - rang >= {MARKED_RANKS} OR score - score_vorige >= {MARKED_SCORE})
                         THEN 'gestegen' END,
                    CASE WHEN rang <= {TOP} AND rang_vorige <= {TOP}
                          AND (rang - rang_vorige >= {MARKED_RANKS} OR score_vorige - score >= {MARKED_SCORE})
                         THEN 'gedaald' END,
                    CASE WHEN rang <= {TOP} AND rang_vorige IS NOT NULL AND len(nieuw_signaal) > 0
                         THEN 'nieuwe_signalen:' || array_to_string(list_sort(nieuw_signaal), ',') END
                ) AS reden
                FROM j
            )
            SELECT verblijfsobject_id, rang_vorige, rang, score_vorige, score, reden FROM r
            WHERE reden <> '' ORDER BY rang NULLS LAST, rang_vorige, verblijfsobject_id""")
    return store.scalar(f"SELECT count(*) FROM {TABLE}")


def build_score_history(store: Store, previous: Path | None) -> int:
    """Write `adres_score_historie`: the previous store's history (or, for a store from before the history,
    its scores at its peildatum) and this delivery's scores. A rerun of the same delivery replaces its rows."""
    levering = store.scalar("SELECT peildatum FROM bundel_meta") if store.has_table("bundel_meta") else None
    store.execute(f"CREATE OR REPLACE TABLE {HISTORY} (levering DATE, verblijfsobject_id VARCHAR, rang BIGINT, "
                  "score DOUBLE)")
    if previous is not None:
        with prev.attached(store, previous) as alias:
            if prev.has_table(store, HISTORY):
                store.execute(f"INSERT INTO {HISTORY} SELECT levering, verblijfsobject_id, rang, score "
                              f"FROM {alias}.{HISTORY}")
            elif prev.has_table(store, "adres_score") and prev.has_table(store, "bundel_meta"):
                store.execute(f"INSERT INTO {HISTORY} SELECT (SELECT peildatum FROM {alias}.bundel_meta LIMIT 1), "
                              f"verblijfsobject_id, rang, score FROM {alias}.adres_score")
    if levering is not None:
        store.execute(f"DELETE FROM {HISTORY} WHERE levering >= CAST(? AS DATE)", [levering])
    store.execute(f"INSERT INTO {HISTORY} SELECT CAST(? AS DATE), verblijfsobject_id, rang, score FROM adres_score",
                  [levering])
    store.execute(f"CREATE OR REPLACE TABLE {HISTORY} AS SELECT * FROM {HISTORY} "
                  "ORDER BY verblijfsobject_id, levering")
    return store.scalar(f"SELECT count(*) FROM {HISTORY}")
