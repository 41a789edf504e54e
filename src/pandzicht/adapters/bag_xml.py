"""Adapter: BAG 2.0 extract (IMBAG XML) -> ``bag_verblijfsobject.csv``.

Objects are streamed into an on-disk DuckDB staging database and joined there
(unit -> main address -> street -> place, unit -> building), so a national
extract does not have to fit in memory. Only the current version of each object
is used, and withdrawn or never-built objects are left out. Fields BAG does not
hold (wijk/buurt codes) stay empty and the report says so; rows missing a field
the contract requires are counted with the reason instead of written.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pandzicht.adapters.imbag import ExtractInfo, is_dead_status, iter_objects, iter_xml_members, object_record
from pandzicht.adapters.report import Skips, write_contract_csv, write_report
from pandzicht.contract.sources import SOURCES
from pandzicht.errors import PandzichtError

SOURCE = "bag_verblijfsobject"
_HISTORY = [("voorkomen", pa.int64()), ("begin", pa.string()), ("eind", pa.string()), ("eind_registratie", pa.string())]
_SCHEMAS: dict[str, pa.Schema] = {
    "Verblijfsobject": pa.schema(
        [("id", pa.string()), ("status", pa.string()), *_HISTORY, ("hoofdadres", pa.string()),
         ("nevenadressen", pa.int64()), ("gebruiksdoel", pa.string()), ("oppervlakte", pa.string()),
         ("pand_id", pa.string()), ("panden", pa.int64()), ("x", pa.float64()), ("y", pa.float64()),
         ("geometrie", pa.string())]
    ),
    "Nummeraanduiding": pa.schema(
        [("id", pa.string()), ("status", pa.string()), *_HISTORY, ("huisnummer", pa.string()),
         ("huisletter", pa.string()), ("huisnummertoevoeging", pa.string()), ("postcode", pa.string()),
         ("openbare_ruimte_id", pa.string()), ("woonplaats_id", pa.string())]
    ),
    "OpenbareRuimte": pa.schema(
        [("id", pa.string()), ("status", pa.string()), *_HISTORY, ("naam", pa.string()), ("woonplaats_id", pa.string())]
    ),
    "Woonplaats": pa.schema([("id", pa.string()), ("status", pa.string()), *_HISTORY, ("naam", pa.string())]),
    "Pand": pa.schema([("id", pa.string()), ("status", pa.string()), *_HISTORY, ("bouwjaar", pa.string())]),
    "GemeenteWoonplaatsRelatie": pa.schema(
        [("id", pa.string()), ("gemeente", pa.string()), ("begin", pa.string()), ("eind", pa.string())]
    ),
}
_TABLES = {"Verblijfsobject": "vbo", "Nummeraanduiding": "num", "OpenbareRuimte": "opr", "Woonplaats": "wpl",
           "Pand": "pnd", "GemeenteWoonplaatsRelatie": "gwr"}
_BATCH = 50_000


class _Stager:
    """Buffers records per object type and appends them to DuckDB in Arrow batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.buffers: dict[str, list[dict[str, Any]]] = {k: [] for k in _SCHEMAS}
        for kind, schema in _SCHEMAS.items():
            con.register("_leeg", pa.Table.from_pylist([], schema=schema))
            con.execute(f"CREATE TABLE {_TABLES[kind]} AS SELECT * FROM _leeg")
            con.unregister("_leeg")

    def add(self, kind: str, rec: dict[str, Any]) -> None:
        buf = self.buffers[kind]
        buf.append(rec)
        if len(buf) >= _BATCH:
            self.flush(kind)

    def flush(self, kind: str | None = None) -> None:
        for k in [kind] if kind else list(self.buffers):
            if not self.buffers[k]:
                continue
            self.con.register("_batch", pa.Table.from_pylist(self.buffers[k], schema=_SCHEMAS[k]))
            self.con.execute(f"INSERT INTO {_TABLES[k]} SELECT * FROM _batch")
            self.con.unregister("_batch")
            self.buffers[k] = []


def _current(table: str) -> str:
    """SQL for the version of every object on the stand date.

    A version already registered with a future beginGeldigheid (its predecessor then carries an
    eindRegistratie) must not win: first the version valid on the stand date and not corrected away,
    then any version valid on it, and only when none is valid the last registered one (ended or future,
    which `_alive`/`_to_row` then leave out with their reason).
    """
    valid = "((begin IS NULL OR begin <= $stand) AND (eind IS NULL OR eind > $stand))"
    return f"""
        SELECT * FROM {table}
        QUALIFY row_number() OVER (
            PARTITION BY id
            ORDER BY ({valid} AND eind_registratie IS NULL) DESC, {valid} DESC, (eind_registratie IS NULL) DESC,
                     (begin IS NULL OR begin <= $stand) DESC, begin DESC NULLS LAST, voorkomen DESC NULLS LAST) = 1
    """


def _alive(alias: str) -> str:
    """SQL condition: the object's current version has begun, has not ended and is not withdrawn."""
    return (f"({alias}.id IS NOT NULL AND ({alias}.eind IS NULL OR {alias}.eind > $stand) "
            f"AND ({alias}.begin IS NULL OR {alias}.begin <= $stand) "
            f"AND NOT coalesce(regexp_matches(lower({alias}.status), 'ingetrokken|niet gerealiseerd|ten onrechte'),"
            f" false))")


def _join_sql() -> str:
    return f"""
    WITH vbo_c AS ({_current('vbo')}),
         num_c AS ({_current('num')}),
         opr_c AS ({_current('opr')}),
         wpl_c AS ({_current('wpl')}),
         pnd_c AS ({_current('pnd')}),
         gwr_c AS (
            SELECT * FROM gwr WHERE (eind IS NULL OR eind > $stand) AND (begin IS NULL OR begin <= $stand)
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY begin DESC NULLS LAST) = 1)
    SELECT v.id AS verblijfsobject_id, v.status AS vbo_status, v.begin AS vbo_begin, v.eind AS vbo_eind,
           v.hoofdadres AS nummeraanduiding_id, {_alive('n')} AS num_ok, {_alive('o')} AS opr_ok,
           {_alive('w')} AS wpl_ok, p.id IS NOT NULL AS pnd_ok,
           o.naam AS openbare_ruimte, n.huisnummer, n.huisletter, n.huisnummertoevoeging, n.postcode,
           w.naam AS woonplaats, g.gemeente AS gwr_gemeente, v.gebruiksdoel, v.oppervlakte, v.pand_id,
           p.bouwjaar, v.x AS x_rd, v.y AS y_rd, v.panden, v.nevenadressen, v.geometrie
    FROM vbo_c v
    LEFT JOIN num_c n ON n.id = v.hoofdadres
    LEFT JOIN opr_c o ON o.id = n.openbare_ruimte_id
    LEFT JOIN wpl_c w ON w.id = coalesce(n.woonplaats_id, o.woonplaats_id)
    LEFT JOIN gwr_c g ON g.id = w.id
    LEFT JOIN pnd_c p ON p.id = v.pand_id
    ORDER BY v.id
    """


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def adapt_bag_xml(src: Path, out_dir: Path, *, work_dir: Path | None = None) -> dict[str, Any]:
    """Convert a BAG 2.0 extract (zip(s), loose XML or a folder of them) into the contract's bag_verblijfsobject.

    ``work_dir`` holds the temporary staging database (defaults to the system temp dir); on a national
    extract it needs a few GB of free disk.
    """
    src = Path(src)
    if not src.exists():
        raise PandzichtError(f"{src}: bestand of map bestaat niet")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = ExtractInfo()
    gelezen: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="pandzicht-bag-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "staging.duckdb"))
        try:
            stager = _Stager(con)
            for name, opener in iter_xml_members(src, info):
                info.bestanden.append(name)
                with opener() as stream:
                    for elem in iter_objects(stream, name, info):
                        kind, rec = object_record(elem)
                        gelezen[kind] += 1
                        if kind in _SCHEMAS:
                            stager.add(kind, rec)
            stager.flush()
            if not info.bestanden:
                raise PandzichtError(f"{src}: geen BAG-XML gevonden (verwacht .xml of .zip, regel -, element -)")
            if gelezen["Verblijfsobject"] == 0:
                raise PandzichtError(f"{src}: geen element <Objecten:Verblijfsobject> in het extract (regel -)")
            if len(info.standen) > 1:
                dates = ", ".join(f"{d} ({Path(f).name})" for d, f in sorted(info.standen.items()))
                raise PandzichtError(
                    f"{src}: bestanden van verschillende extracten door elkaar, standdatums {dates}; "
                    "lever één extract (regel -)"
                )
            _require_address_types(src, gelezen)
            _require_gemeente_source(src, gelezen, info)
            stand = info.stand_datum or dt.date.today().isoformat()
            report = _write_rows(con, stand, info, out_dir)
        finally:
            con.close()
    report.update(
        bron=str(src),
        bestanden=info.bestanden,
        stand_datum=stand,
        stand_datum_bron="StandTechnischeDatum in het extract" if info.stand_datum else "vandaag (niet in extract)",
        objecten_gelezen=dict(sorted(gelezen.items())),
        bestanden_zonder_objecten=info.zonder_objecten,
    )
    write_report(out_dir, SOURCE, report)
    return report


# Object types every unit's address needs, with the file code Kadaster gives them (0599NUM..., 9999OPR...).
_ADDRESS_TYPES = (("Nummeraanduiding", "NUM"), ("OpenbareRuimte", "OPR"), ("Woonplaats", "WPL"))


def _require_address_types(src: Path, gelezen: Counter[str]) -> None:
    """Refuse an extract that has units but lacks a whole address object type.

    Without it every unit would be skipped for a missing address, which reads like bad data instead
    of the real cause: a file left out of the delivery.
    """
    missing = [(kind, code) for kind, code in _ADDRESS_TYPES if gelezen[kind] == 0]
    if missing:
        names = ", ".join(f"<Objecten:{kind}> ({code}-bestand)" for kind, code in missing)
        raise PandzichtError(
            f"{src}: het extract bevat verblijfsobjecten maar geen {names}; lever het volledige extract "
            "(regel -)"
        )


def _require_gemeente_source(src: Path, gelezen: Counter[str], info: ExtractInfo) -> None:
    """Refuse an extract whose units cannot get a municipality code.

    The code comes from GEM-WPL-RELATIE, or from the selection of a single-municipality extract; a national
    or multi-municipality extract without that file would otherwise skip every unit for an empty gemeente_code.
    """
    if gelezen["GemeenteWoonplaatsRelatie"] == 0 and len(info.gemeenten) != 1:
        selectie = f"{len(info.gemeenten)} gemeenten" if info.gemeenten else "geen gemeente (landelijk extract?)"
        raise PandzichtError(
            f"{src}: geen gemeente-woonplaatsrelaties (GEM-WPL-RELATIE-bestand) in het extract en de selectie "
            f"noemt {selectie}; de gemeentecode is zo niet af te leiden: lever het GEM-WPL-RELATIE-bestand mee "
            "(regel -)"
        )


def _write_rows(con: duckdb.DuckDBPyConnection, stand: str, info: ExtractInfo, out_dir: Path) -> dict[str, Any]:
    required = [c.name for c in SOURCES[SOURCE].columns if c.required]
    single_gemeente = f"GM{next(iter(info.gemeenten))}" if len(info.gemeenten) == 1 else None
    skips = Skips()
    stats: Counter[str] = Counter()
    gemeente_bron: Counter[str] = Counter()
    cur = con.execute(_join_sql(), {"stand": stand})
    names = [d[0] for d in cur.description]

    def rows():
        while batch := cur.fetchmany(10_000):
            for values in batch:
                r = dict(zip(names, values, strict=True))
                row = _to_row(r, stand, single_gemeente, skips, stats, gemeente_bron)
                if row is None:
                    continue
                missing = [c for c in required if row.get(c) in (None, "")]
                if missing:
                    skips.add(_missing_reason(r, missing), r["verblijfsobject_id"])
                    continue
                yield row

    n = write_contract_csv(out_dir / f"{SOURCE}.csv", SOURCE, rows())
    return {
        "bron_type": "bag-xml",
        "uitvoer": f"{SOURCE}.csv",
        "rijen": n,
        "overgeslagen": skips.as_dict(),
        "overgeslagen_totaal": skips.total(),
        "bijzonderheden": dict(sorted(stats.items())),
        "gemeente_code_bron": dict(gemeente_bron) or "niet afleidbaar",
        "velden_niet_in_bag": {
            "wijk_code": "niet in BAG; leeg gelaten (CBS wijk- en buurtindeling is een aparte bron)",
            "buurt_code": "niet in BAG; leeg gelaten (CBS wijk- en buurtindeling is een aparte bron)",
        },
        "niet_in_contract": {
            "Ligplaats/Standplaats": "geen verblijfsobject (geen gebruiksdoel, oppervlakte of pand); niet omgezet",
            "nevenadressen": "het contract kent één adres per verblijfsobject; alleen het hoofdadres is gebruikt",
        },
    }


def _to_row(r: dict[str, Any], stand: str, single_gemeente: str | None, skips: Skips, stats: Counter[str],
            gemeente_bron: Counter[str]) -> dict[str, Any] | None:
    vid = r["verblijfsobject_id"]
    if is_dead_status(r["vbo_status"]):
        skips.add(f"status '{r['vbo_status']}'", vid)
        return None
    if r["vbo_begin"] is not None and r["vbo_begin"] > stand:
        skips.add("nog niet geldig (beginGeldigheid na de standdatum)", vid)
        return None
    if r["vbo_eind"] is not None and r["vbo_eind"] <= stand:
        skips.add("beëindigd (eindGeldigheid van de laatste versie verstreken)", vid)
        return None
    if r["panden"] and r["panden"] > 1:
        stats["meerdere_panden_eerste_gebruikt"] += 1
    if r["nevenadressen"]:
        stats["met_nevenadressen"] += 1
    if r["geometrie"] == "vlak_centroide":
        stats["punt_uit_vlak_centroide"] += 1
    bouwjaar = _int_or_none(r["bouwjaar"]) if r["pnd_ok"] else None
    if r["pnd_ok"] and (bouwjaar is None or bouwjaar >= 9999):
        stats["bouwjaar_onbekend_9999"] += 1
        bouwjaar = None
    if not r["pnd_ok"] and r["pand_id"]:
        stats["pand_niet_in_extract_bouwjaar_leeg"] += 1
    gemeente = None
    if r["gwr_gemeente"]:
        gemeente = f"GM{r['gwr_gemeente']}"
        gemeente_bron["gemeente-woonplaatsrelatie"] += 1
    elif single_gemeente:
        gemeente = single_gemeente
        gemeente_bron[f"extractselectie (één gemeente: {single_gemeente})"] += 1
    huisnummer = _int_or_none(r["huisnummer"]) if r["num_ok"] else None
    oppervlakte = _int_or_none(r["oppervlakte"])
    return {
        "verblijfsobject_id": vid,
        "nummeraanduiding_id": r["nummeraanduiding_id"],
        "openbare_ruimte": r["openbare_ruimte"] if r["opr_ok"] else None,
        "huisnummer": huisnummer,
        "huisletter": r["huisletter"] if r["num_ok"] else None,
        "huisnummertoevoeging": r["huisnummertoevoeging"] if r["num_ok"] else None,
        "postcode": r["postcode"] if r["num_ok"] else None,
        "woonplaats": r["woonplaats"] if r["wpl_ok"] else None,
        "gemeente_code": gemeente,
        "wijk_code": None,
        "buurt_code": None,
        "gebruiksdoel": r["gebruiksdoel"],
        "oppervlakte_m2": oppervlakte,
        "pand_id": r["pand_id"],
        "bouwjaar": bouwjaar,
        "x_rd": None if r["x_rd"] is None else round(r["x_rd"], 3),
        "y_rd": None if r["y_rd"] is None else round(r["y_rd"], 3),
    }


def _missing_reason(r: dict[str, Any], missing: list[str]) -> str:
    if not r["nummeraanduiding_id"]:
        return "geen hoofdadres (heeftAlsHoofdadres) bij het verblijfsobject"
    if not r["num_ok"]:
        return "hoofdadres (nummeraanduiding) niet actueel in het extract"
    if not r["opr_ok"] and "openbare_ruimte" in missing:
        return "openbare ruimte van het hoofdadres niet actueel in het extract"
    if not r["wpl_ok"] and "woonplaats" in missing:
        return "woonplaats van het hoofdadres niet actueel in het extract"
    return "verplicht veld leeg: " + ", ".join(missing)
