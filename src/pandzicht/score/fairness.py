"""Fairness audit per neighbourhood: is the shortlist aimed at places rather than at behaviour?

The SyRI ruling found a risk model aimed at poor neighbourhoods. For every
buurt this compares its share of the top-k with its share of homes and with its
share of confirmed findings, names the indicators that lift it, and says in
plain Dutch where the shortlist over-represents a neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass

from pandzicht.store.engine import Store

OVER = 2.0  # a buurt is called over-represented above twice its share


@dataclass
class BuurtRow:
    buurt: str
    naam: str
    woningen: int
    in_top: int
    bevindingen: int
    aandeel_woningen: float
    aandeel_top: float
    aandeel_bevindingen: float
    drijvers: list[tuple[str, float]]

    @property
    def ratio_woningen(self) -> float:
        return self.aandeel_top / self.aandeel_woningen if self.aandeel_woningen else 0.0

    @property
    def ratio_bevindingen(self) -> float | None:
        return self.aandeel_top / self.aandeel_bevindingen if self.aandeel_bevindingen else None


def audit(store: Store, top_k: int | None = None) -> dict:
    """Per buurt: shares of homes, top-k and confirmed findings; driving indicators; a plain summary."""
    n_units = store.scalar("SELECT count(*) FROM adres_score")
    k = top_k or max(50, n_units // 100)
    has_names = "buurt_naam" in store.columns("raw_bag_verblijfsobject")
    name_sql = "any_value(b.buurt_naam)" if has_names else "any_value(b.buurt_code)"
    findings = (
        "SELECT DISTINCT verblijfsobject_id FROM raw_handhaving_uitkomst WHERE bevinding <> 'niets_gevonden'"
        if store.has_table("raw_handhaving_uitkomst") else "SELECT NULL::VARCHAR AS verblijfsobject_id WHERE false"
    )
    rows = store.rows(f"""
        WITH s AS (SELECT s.verblijfsobject_id, s.rang <= {k} AS top, coalesce(b.buurt_code, 'onbekend') AS buurt
                   FROM adres_score s LEFT JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id)),
        f AS ({findings})
        SELECT s.buurt, {name_sql}, count(*), count(*) FILTER (WHERE s.top),
               count(*) FILTER (WHERE s.verblijfsobject_id IN (SELECT verblijfsobject_id FROM f))
        FROM s LEFT JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id)
        GROUP BY 1 ORDER BY 1
    """)
    total_top = sum(r[3] for r in rows) or 1
    total_found = sum(r[4] for r in rows)
    # Mean contribution per indicator among the buurt's top-k units, against the whole top-k.
    drivers = store.rows(f"""
        WITH top AS (SELECT s.verblijfsobject_id, coalesce(b.buurt_code, 'onbekend') AS buurt
                     FROM adres_score s LEFT JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id)
                     WHERE s.rang <= {k}),
        c AS (SELECT t.buurt, d.indicator, d.bijdrage FROM top t JOIN bijdrage_adres d
              ON d.entiteit_id = t.verblijfsobject_id),
        overall AS (SELECT indicator, sum(bijdrage) / {total_top} AS gem FROM c GROUP BY 1),
        per AS (SELECT buurt, indicator, sum(bijdrage) AS som FROM c GROUP BY 1, 2),
        n AS (SELECT buurt, count(*) AS n FROM top GROUP BY 1)
        SELECT per.buurt, per.indicator, per.som / n.n - coalesce(o.gem, 0) AS verschil
        FROM per JOIN n USING (buurt) LEFT JOIN overall o USING (indicator)
        ORDER BY 1, 3 DESC
    """)
    by_buurt: dict[str, list[tuple[str, float]]] = {}
    for buurt, ind, diff in drivers:
        if diff > 0 and len(by_buurt.setdefault(buurt, [])) < 3:
            by_buurt[buurt].append((ind, round(diff, 3)))
    table = [
        BuurtRow(b, naam or b, n, top, found, n / n_units, top / total_top, found / total_found if total_found else 0.0,
                 by_buurt.get(b, []))
        for b, naam, n, top, found in rows
    ]
    return {"top_k": k, "woningen": n_units, "bevindingen": total_found, "buurten": table,
            "samenvatting": summary(table, k)}


def summary(table: list[BuurtRow], k: int) -> str:
    """Plain Dutch: where the top-k over-represents neighbourhoods, and whether the findings bear it out."""
    over = sorted((r for r in table if r.ratio_woningen >= OVER and r.in_top >= 3), key=lambda r: -r.ratio_woningen)
    if not over:
        return (f"Geen buurt staat meer dan {OVER:g}× zo vaak in de top {k} als haar aandeel woningen: "
                "de ranglijst wijst niet opvallend naar bepaalde buurten.")
    unsupported = [r for r in over if r.ratio_bevindingen is None or r.ratio_bevindingen >= OVER]
    worst = over[0]
    drivers = ", ".join(d for d, _ in worst.drijvers) or "geen enkele indicator in het bijzonder"
    text = (
        f"{len(over)} van de {len(table)} buurten (met minstens 3 woningen in de top) staan meer dan {OVER:g}× zo "
        f"vaak in de top {k} als hun aandeel woningen. Het sterkst: {worst.naam} ({worst.aandeel_top:.1%} van de "
        f"top tegen {worst.aandeel_woningen:.1%} van de woningen), vooral door {drivers}. "
    )
    if unsupported:
        names = ", ".join(r.naam for r in unsupported[:5])
        text += (f"In {len(unsupported)} daarvan is de oververtegenwoordiging ook groter dan het aandeel bevestigde "
                 f"bevindingen ({names}): kijk daar of de indicatoren gedrag meten of de buurt zelf.")
    else:
        text += "In al deze buurten past dat bij hun aandeel bevestigde bevindingen uit eerdere controles."
    return text


def render_markdown(result: dict) -> str:
    lines = ["# Fairness-audit per buurt", "", result["samenvatting"], "",
             f"Top {result['top_k']} van {result['woningen']} woningen; {result['bevindingen']} woningen met een "
             "bevestigde bevinding.", "",
             "| buurt | woningen | in top | aandeel woningen | aandeel top | × woningen | aandeel bevindingen | "
             "× bevindingen | drijvende indicatoren |", "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(result["buurten"], key=lambda r: -r.ratio_woningen):
        rb = f"{r.ratio_bevindingen:.1f}" if r.ratio_bevindingen is not None else "–"
        lines.append(
            f"| {r.naam} | {r.woningen} | {r.in_top} | {r.aandeel_woningen:.1%} | {r.aandeel_top:.1%} | "
            f"{r.ratio_woningen:.1f} | {r.aandeel_bevindingen:.1%} | {rb} | "
            + ", ".join(f"{d} (+{v:.2f})" for d, v in r.drijvers) + " |")
    return "\n".join(lines) + "\n"
