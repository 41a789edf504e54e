"""Linking quality against a synthetic bundle's truth: pairwise precision/recall/F1 and address accuracy.

Pairwise counts come from cluster-intersection sizes (sum of n*(n-1)/2), so a
million mentions are measured without listing pairs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def pairwise_scores(entiteiten_csv: Path, persoon_sleutel_csv: Path) -> dict[str, float]:
    """Precision, recall and F1 over all pairs of party mentions that truth and result both hold."""
    con = duckdb.connect()
    con.execute(f"""
        CREATE TEMP TABLE j AS
        SELECT e.entiteit_id AS pred, t.ware_persoon AS waar
        FROM read_csv({_q(entiteiten_csv)}, all_varchar = true) e
        JOIN read_csv({_q(persoon_sleutel_csv)}, all_varchar = true) t USING (bron, record_sleutel)
    """)
    tp, pp, tt, n = con.execute("""
        SELECT
          (SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) c FROM j GROUP BY pred, waar)),
          (SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) c FROM j GROUP BY pred)),
          (SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) c FROM j GROUP BY waar)),
          (SELECT count(*) FROM j)
    """).fetchone()
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precisie": precision, "recall": recall, "f1": f1, "vermeldingen": int(n), "ware_paren": int(tt),
            "voorspelde_paren": int(pp)}


def address_accuracy(adreskoppeling_csv: Path, adres_tekst_csv: Path) -> dict[str, float]:
    """Share of free-text address records linked to the right unit, to a wrong one, and left empty."""
    con = duckdb.connect()
    right, wrong, empty, n = con.execute(f"""
        SELECT count(*) FILTER (WHERE k.verblijfsobject_id = t.verblijfsobject_id),
               count(*) FILTER (WHERE k.verblijfsobject_id IS NOT NULL
                                AND k.verblijfsobject_id <> t.verblijfsobject_id),
               count(*) FILTER (WHERE k.verblijfsobject_id IS NULL),
               count(*)
        FROM read_csv({_q(adres_tekst_csv)}, all_varchar = true) t
        JOIN read_csv({_q(adreskoppeling_csv)}, all_varchar = true) k USING (bron, record_sleutel)
    """).fetchone()
    return {"goed": right / n if n else 1.0, "fout": wrong / n if n else 0.0, "leeg": empty / n if n else 0.0,
            "records": int(n)}


def entity_truth(entiteiten_csv: Path, persoon_sleutel_csv: Path) -> dict[str, str]:
    """{entiteit_id: ware_persoon}: the true party most of an entity's records belong to (ties: the smallest id)."""
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT e.entiteit_id, t.ware_persoon, count(*) AS n
        FROM read_csv({_q(entiteiten_csv)}, all_varchar = true) e
        JOIN read_csv({_q(persoon_sleutel_csv)}, all_varchar = true) t USING (bron, record_sleutel)
        GROUP BY 1, 2
        ORDER BY 1, n DESC, 2
    """).fetchall()
    out: dict[str, str] = {}
    for entity, ware, _ in rows:
        out.setdefault(entity, ware)
    return out
