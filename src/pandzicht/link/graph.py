"""The party–unit graph with provenance: who owns, lets, rents, brokers, lives at, directs.

Every edge keeps the source file and record key it came from and its validity
dates, because provenance is how an analyst checks a claim before acting on it.
"""

from __future__ import annotations

from pandzicht.store.engine import Store

# (edge kind, source table, SQL select giving: van, naar, record_sleutel, geldig_van, geldig_tot)
_EDGES = {
    "owns": ("kadaster_eigendom", """
        SELECT e.entiteit_id, k.verblijfsobject_id, k.eigendom_id, k.datum_verkrijging, CAST(NULL AS DATE)
        FROM raw_kadaster_eigendom k
        JOIN entiteit e ON e.bron = 'kadaster_eigendom' AND e.record_sleutel = k.eigendom_id
    """),
    "lets": ("huurcontract", """
        SELECT e.entiteit_id, u.verblijfsobject_id, h.contract_id, h.datum_aanvang, h.datum_einde
        FROM raw_huurcontract h JOIN contract_adres u USING (contract_id)
        JOIN entiteit e ON e.bron = 'huurcontract' AND e.record_sleutel = h.contract_id || ':verhuurder'
    """),
    "rents": ("huurcontract", """
        SELECT e.entiteit_id, u.verblijfsobject_id, h.contract_id, h.datum_aanvang, h.datum_einde
        FROM raw_huurcontract h JOIN contract_adres u USING (contract_id)
        JOIN entiteit e ON e.bron = 'huurcontract' AND e.record_sleutel = h.contract_id || ':huurder'
    """),
    "brokers": ("huurcontract", """
        SELECT e.entiteit_id, u.verblijfsobject_id, h.contract_id, h.datum_aanvang, h.datum_einde
        FROM raw_huurcontract h JOIN contract_adres u USING (contract_id)
        JOIN entiteit e ON e.bron = 'huurcontract' AND e.record_sleutel = h.contract_id || ':bemiddelaar'
    """),
    "registered_at": ("brp_inschrijving", """
        SELECT e.entiteit_id, b.verblijfsobject_id, b.persoon_id || '@' || CAST(b._rij AS VARCHAR),
               b.datum_aanvang, b.datum_einde
        FROM raw_brp_inschrijving b JOIN entiteit e ON e.bron = 'brp_inschrijving' AND e.record_sleutel = b.persoon_id
    """),
    "director_of": ("kvk_functionaris", """
        SELECT e.entiteit_id, c.entiteit_id, f.functionaris_id, f.datum_aanvang, f.datum_einde
        FROM raw_kvk_functionaris f
        JOIN entiteit e ON e.bron = 'kvk_functionaris' AND e.record_sleutel = f.functionaris_id
        JOIN entiteit c ON c.bron = 'kvk_vestiging' AND c.record_sleutel = f.kvk_nummer
    """),
    "involved_in_incident": ("politie_betrokkene", """
        SELECT e.entiteit_id, a.verblijfsobject_id, b.betrokkene_id, i.datum, i.datum
        FROM raw_politie_betrokkene b JOIN raw_politie_incident i USING (incident_id)
        JOIN incident_adres a USING (incident_id)
        JOIN entiteit e ON e.bron = 'politie_betrokkene' AND e.record_sleutel = b.betrokkene_id
    """),
    "reported_at": ("melding", """
        SELECT 'melding:' || m.melding_id, a.verblijfsobject_id, m.melding_id, m.datum, m.datum
        FROM raw_melding m JOIN melding_adres a USING (melding_id)
    """),
}


def build_record_units(store: Store) -> None:
    """Per record with an address, the unit it is about: its own BAG id, else the resolved text, with how
    the link was made (`methode`), so a dossier can say it."""
    for source, key, view in (
        ("huurcontract", "contract_id", "contract_adres"),
        ("politie_incident", "incident_id", "incident_adres"),
        ("melding", "melding_id", "melding_adres"),
    ):
        if store.has_table(f"raw_{source}"):
            store.execute(f"""
                CREATE OR REPLACE TABLE {view} AS
                SELECT r.{key}, coalesce(r.verblijfsobject_id, k.verblijfsobject_id) AS verblijfsobject_id,
                       CASE WHEN r.verblijfsobject_id IS NOT NULL THEN 1.0 ELSE k.zekerheid END AS zekerheid,
                       r.verblijfsobject_id IS NOT NULL AS bag_id_geleverd,
                       CASE WHEN r.verblijfsobject_id IS NOT NULL THEN 'bag_id' ELSE k.methode END AS methode
                FROM raw_{source} r
                LEFT JOIN adres_koppeling k ON k.bron = '{source}' AND k.record_sleutel = r.{key}
                WHERE coalesce(r.verblijfsobject_id, k.verblijfsobject_id) IS NOT NULL
            """)
        else:
            store.execute(f"CREATE OR REPLACE TABLE {view} ({key} VARCHAR, verblijfsobject_id VARCHAR, "
                          "zekerheid DOUBLE, bag_id_geleverd BOOLEAN, methode VARCHAR)")


def build_graph(store: Store) -> int:
    """Write table `relatie` (van, naar, soort, bron, record_sleutel, geldig_van, geldig_tot); returns edge count."""
    # One statement, written once in its final order (inserting each kind and sorting after wrote the largest
    # table of an analysis twice).
    parts = []
    for kind, (source, sql) in _EDGES.items():
        needed = {source, *(["politie_incident"] if source == "politie_betrokkene" else [])}
        if not all(store.has_table(f"raw_{s}") for s in needed):
            continue
        parts.append(f"SELECT CAST(van AS VARCHAR) AS van, CAST(naar AS VARCHAR) AS naar, '{kind}' AS soort, "
                     f"'{source}' AS bron, CAST(rs AS VARCHAR) AS record_sleutel, CAST(gv AS DATE) AS geldig_van, "
                     f"CAST(gt AS DATE) AS geldig_tot FROM ({sql}) AS t(van, naar, rs, gv, gt) WHERE naar IS NOT NULL")
    if parts:
        store.execute(f"CREATE OR REPLACE TABLE relatie AS SELECT * FROM ({' UNION ALL '.join(parts)}) "
                      "ORDER BY soort, bron, record_sleutel, van")
    else:
        store.execute("CREATE OR REPLACE TABLE relatie (van VARCHAR, naar VARCHAR, soort VARCHAR, bron VARCHAR, "
                      "record_sleutel VARCHAR, geldig_van DATE, geldig_tot DATE)")
    return store.scalar("SELECT count(*) FROM relatie")
