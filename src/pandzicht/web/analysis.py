"""Read-only access to the analysis store (DuckDB) for the screens.

One shared read-only connection; each call takes its own cursor and fetches its
result fully, so concurrent requests never share a half-read result. Table and
column names are those of the analysis output; a missing optional source
simply yields no rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from pandzicht import fallback
from pandzicht.cases.catalogue import FINDING_LABELS, OUTCOME_INSTRUMENT_LABELS, SIGNAL_CATEGORY_LABELS
from pandzicht.errors import PandzichtError
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.web.lookup import KeyIndex, _encode, _encode_column, composite
from pandzicht.web.lookup_files import (
    Lookups,
    LookupWriter,
    fingerprint,
    folder_of,
    read_lookups,
    remove_leftovers,
    write_lock,
)

log = logging.getLogger(__name__)

SIZE_CLASS_SQL = ("CASE WHEN {a} < 40 THEN 0 WHEN {a} < 70 THEN 1 WHEN {a} < 100 THEN 2 "
                  "WHEN {a} < 140 THEN 3 ELSE 4 END")
SIZE_CLASS_LABELS = ("< 40 m²", "40–70 m²", "70–100 m²", "100–140 m²", "≥ 140 m²")

EDGE_LABELS = {
    "owns": "eigenaar van", "lets": "verhuurt", "rents": "huurt", "brokers": "bemiddelt",
    "registered_at": "ingeschreven op", "director_of": "functionaris van",
    "involved_in_incident": "betrokken bij incident", "reported_at": "melding over",
}
SOURCE_LABELS = {
    "bag_verblijfsobject": "BAG", "brp_inschrijving": "BRP", "kadaster_eigendom": "Kadaster",
    "kvk_vestiging": "KvK", "kvk_functionaris": "KvK functionarissen", "huurcontract": "huurcontracten",
    "energie_verbruik": "netbeheerder", "politie_incident": "politie", "politie_betrokkene": "politie",
    "melding": "meldingen", "handhaving_uitkomst": "handhaving", "kortverblijf_advertentie": "kortverblijf",
    "meldpunt": "meldpunt (webformulier)", "casustafel": "casustafel",
    # derived tables an indicator reads: named for what they hold, never by their table name
    "entiteit": "herkende partijen", "relatie": "verbanden tussen partijen", "adres_score": "scores van woningen",
    "contract_adres": "huurcontracten (gekoppeld adres)", "incident_adres": "politie (gekoppeld adres)",
    "melding_adres": "meldingen (gekoppeld adres)",
}
ROLE_LABELS = {"bemiddelaar": "bemiddelaar", "verhuurder": "verhuurder", "eigenaar": "eigenaar",
               "huurder": "huurder", "ingeschrevene": "ingeschrevene", "functionaris": "functionaris",
               "bedrijf": "bedrijf", "betrokkene": "betrokkene (politie)"}
# The address columns of `memory.unit_adres`, in the order `AnalysisStore._bag_select` gives them.
_UNIT_COLUMNS = ("verblijfsobject_id, openbare_ruimte, huisnummer, huisletter, huisnummertoevoeging, postcode, "
                 "woonplaats, wijk_code, buurt_code, oppervlakte_m2, bouwjaar, gebruiksdoel, x_rd, y_rd, buurt_naam, "
                 "wijk_naam")
TYPOLOGY_LABELS = {"safehouse": "safehouse", "drugsopslag": "drugsopslag", "hennepkwekerij": "hennepkwekerij",
                   "prostitutie": "illegale prostitutie", "woonfraude": "woonfraude / onderhuur",
                   "overbewoning": "overbewoning", "": "—"}


def _builder_fingerprint() -> str:
    """What decides the content of the lookup tables: files written by other code are not used."""
    from pandzicht.web.search import build_tables

    # KeyIndex's constructors decide what is stored; its lookup methods only read it, so a change there (a
    # faster search) keeps the files valid instead of making a 1M-unit app rebuild them in memory at its next open.
    return fingerprint(AnalysisStore._build_lookups, AnalysisStore._prepare_unit_lookups, AnalysisStore._sorted_copy,
                       AnalysisStore._keyed, AnalysisStore._bag_select, KeyIndex.__init__, KeyIndex.from_arrays,
                       _encode, _encode_column, build_tables, _UNIT_COLUMNS, RANKED_ORDER, EDGE_RANK_SQL,
                       SIZE_CLASS_SQL)


def resolve_db(path: str | Path) -> Path:
    """A DuckDB file, given either the file or the analysis output folder that holds pandzicht.duckdb."""
    p = Path(path)
    if p.is_dir():
        p = p / "pandzicht.duckdb"
    if not p.is_file():
        raise PandzichtError(f"analyse-opslag niet gevonden: {p} (draai eerst 'pandzicht analyse')")
    return p


def parse_uitleg(uitleg: str | None) -> list[tuple[str, float]]:
    """'code:+0.31;code2:+0.12' -> [(code, 0.31), (code2, 0.12)]."""
    out = []
    for part in (uitleg or "").split(";"):
        code, _, val = part.partition(":")
        if code:
            try:
                out.append((code.strip(), float(val)))
            except ValueError:
                continue
    return out


# The ranked list's order: scored units by score, ties by their total evidence, then by rank (`top_units`).
RANKED_ORDER = "gescoord DESC, score DESC NULLS LAST, bewijs DESC NULLS LAST, rang NULLS LAST, verblijfsobject_id"
EDGE_RANK_SQL = ("CASE soort WHEN 'owns' THEN 0 WHEN 'lets' THEN 1 WHEN 'brokers' THEN 2 WHEN 'director_of' "
                 "THEN 3 WHEN 'rents' THEN 4 WHEN 'involved_in_incident' THEN 5 WHEN 'reported_at' THEN 6 ELSE 7 END")
_EDGE_RANK = {"owns": 0, "lets": 1, "brokers": 2, "director_of": 3, "rents": 4, "involved_in_incident": 5,
              "reported_at": 6}


def _last_if_none(value: Any) -> tuple[bool, Any]:
    """A sort key that puts an unknown value last, as SQL's ascending order does (NULLS LAST)."""
    return (value is None, value if value is not None else 0)


def sorted_edges(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct edges in the network's fixed order: ownership, letting, brokering, officers, renting, incidents,
    signals, the rest; then by the ends and the source record (so pages never overlap)."""
    seen: set[tuple] = set()
    out = []
    for r in rows:
        key = (r["van"], r["naar"], r["soort"], r["bron"], r["record_sleutel"], r["geldig_van"], r["geldig_tot"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    out.sort(key=lambda r: (_EDGE_RANK.get(r["soort"], 7), r["van"], r["naar"], str(r["record_sleutel"])))
    return out


def size_class(area: float | None) -> int:
    """The size class of `SIZE_CLASS_SQL` for one unit (a missing area falls in the top class, as in SQL)."""
    if area is None:
        return 4
    return next((i for i, limit in enumerate((40, 70, 100, 140)) if area < limit), 4)


def address_text(r: dict[str, Any]) -> str:
    nr = f"{r.get('huisnummer') or ''}{r.get('huisletter') or ''}"
    if r.get("huisnummertoevoeging"):
        nr += f"-{r['huisnummertoevoeging']}"
    return f"{r.get('openbare_ruimte') or '?'} {nr}, {r.get('postcode') or ''} {r.get('woonplaats') or ''}".strip()


# How a record's free-text address became this unit, in words for the dossier timeline.
_LINK_METHODS = {
    "postcode_straat": "op postcode en straat",
    "postcode": "op postcode",
    "straat": "op straatnaam",
    "tekst+inschrijving": "via de BRP-inschrijving van een betrokkene op de datum, passend bij de adrestekst",
    "inschrijving_corrigeert_tekst": "via de BRP-inschrijving van de huurder; de adrestekst wees een adres "
                                     "één toetsaanslag ernaast",
}


def link_note(confidence: float | None, method: str | None) -> str:
    """'' for a record that carried its own BAG id; otherwise how and how surely its address text was linked."""
    if method in (None, "bag_id") or confidence is None:
        return ""
    how = _LINK_METHODS.get(method, "uit de adrestekst")
    return f" (adres gekoppeld {how}, zekerheid {confidence:.2f})".replace(".", ",")


@dataclass
class PartyRef:
    """A party as a screen shows it: id, kind (persoon/bedrijf) and the registered name (never shown raw to analysts
    for persons; the web layer pseudonymises)."""

    entiteit_id: str
    naam: str
    soort: str
    weergave: str = ""  # what the screen shows: company name, or a person's pseudonym


@dataclass
class Event:
    datum: Any
    soort: str
    titel: str
    detail: str = ""
    bron: str = ""
    partijen: list[PartyRef] = field(default_factory=list)


class AnalysisStore:
    """The analysis results, opened read-only.

    `write_lookups` is for publication (`publish_lookups`): the lookup tables are built into files beside the
    store, then opened from them as every later open does. An open that finds no valid files writes them the
    same way and maps them; `write_missing=False` (or a folder it cannot write) builds them in memory instead."""

    def __init__(self, path: str | Path, write_lookups: bool = False, write_missing: bool = True,
                 progress: Callable[[str], None] | None = None) -> None:
        # The file the name resolves to now: the store and its lookup files then come from one version, even when
        # `analyse` switches `huidig` while this opens.
        self.path = Path(os.path.realpath(resolve_db(path)))
        # An in-memory database with the analysis file attached read-only: the file is never written, and the
        # lookup copies below (sorted, so DuckDB's zone maps turn point lookups into one row group) live in memory
        # or, for a published analysis, in the files written beside the store at publication (`lookup_files`).
        self._con = duckdb.connect(":memory:")
        target = str(self.path).replace("'", "''")
        self._con.execute(f"ATTACH '{target}' AS pz (READ_ONLY)")
        self._con.execute("USE pz")
        self._lock = threading.Lock()
        self._background: list[threading.Thread] = []
        self.tables = {r[0] for r in self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='main' AND table_catalog='pz'"
        ).fetchall()}
        self.bag_columns = {r[0] for r in self._con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name='raw_bag_verblijfsobject' "
            "AND table_catalog='pz'").fetchall()}
        for needed in ("raw_bag_verblijfsobject", "adres_score"):
            if needed not in self.tables:
                raise PandzichtError(f"{self.path}: tabel {needed} ontbreekt; is de analyse volledig gedraaid?")
        self.catalogue: dict[str, Indicator] = {i.code: i for i in load_catalogue()}
        self.cached_energy_norm = lru_cache(maxsize=512)(self._energy_norm)
        self._index: dict[str, KeyIndex] = {}
        self._meta: dict[str, Any] | None = None
        self._wijken: list[dict[str, Any]] | None = None
        self._n_scored = 0
        self.lookup_tables: set[str] = set()  # the tables read from the publication's lookup file
        self._into, self._writer = "memory", None  # where `_build_lookups` puts its tables
        self._progress = progress  # told the name of each table as it is written (`pandzicht web-opzoek`)
        self._open_lookups(write_lookups, write_missing)
        self._typology_model = self.typology_model()

    @classmethod
    def publish_lookups(cls, path: str | Path, progress: Callable[[str], None] | None = None) -> None:
        """Write the lookup tables of a finished store into its folder (`lookup_files`), before it is published
        (or again for a published one, `pandzicht web-opzoek`)."""
        cls(path, write_lookups=True, progress=progress).close()

    def _open_lookups(self, write: bool, write_missing: bool) -> None:
        """The lookup tables: memory-mapped from the files written beside the store when they belong to this store
        and this code. Without valid files they are written first (an analysis published by an older pandzicht,
        an upgrade that changed the builder), or, where the folder cannot be written or `write_missing` is off,
        built in memory (gigabytes at 1M units). All come from `_build_lookups`, so they hold the same rows."""
        builder = _builder_fingerprint()
        found = None if write else read_lookups(self.path, builder)
        if found is None and (write or write_missing):
            found = self._write_lookup_files(builder, replace=write)
        elif found is not None:
            remove_leftovers(self.path)  # a killed write's temporary folder, when no writer is busy
        if found is None:
            self._build_lookups()
            return
        self._attach(found.copies, "lk", read_only=True)
        self.lookup_tables = {r[0] for r in self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'lk'").fetchall()}
        for table in sorted(self.lookup_tables):
            self._con.execute(f'CREATE VIEW memory.main."{table}" AS SELECT * FROM lk.main."{table}"')
        self._index = found.indexes
        self._n_scored = int(found.extra["gescoord"])

    def _write_lookup_files(self, builder: str, replace: bool) -> Lookups | None:
        """Write the lookup files (under their lock, into a temporary folder switched in whole) and read them back.

        `replace` (publication) writes even over valid files and raises on failure. Otherwise another process
        may have written them while this one waited for the lock, and a failure (a read-only folder, a full
        disk) is one log line and None: the caller builds the tables in memory."""
        try:
            with write_lock(self.path):
                found = None if replace else read_lookups(self.path, builder)
                if found is None:
                    self._write_files(builder)
                    found = read_lookups(self.path, builder)
                    if found is None:
                        raise PandzichtError(f"{self.path}: de zojuist geschreven opzoektabellen zijn niet leesbaar")
                return found
        except Exception as exc:
            if replace:
                raise
            reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else type(exc).__name__
            log.warning("lookup files of %s missing or outdated and not written (%s); building them in memory",
                        folder_of(self.path), reason)
            return None

    def _write_files(self, builder: str) -> None:
        """Build the lookup tables into a `LookupWriter`'s folder and switch it in (the caller holds the lock)."""
        self._writer = LookupWriter(self.path, builder, self._progress)
        try:
            self._attach(self._writer.copies, "lk", read_only=False)
            self._into = "lk"
            self._build_lookups()
            from pandzicht.web.search import build_tables  # the search tables depend on the store alone

            if self._progress:
                self._progress("zoektabellen")
            build_tables(self, "lk")
            self._con.execute("DETACH lk")
            self._writer.finish({"gescoord": self._n_scored})
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self._con.execute("DETACH lk")
            self._writer.abort()
            raise
        finally:
            self._into, self._writer, self._index = "memory", None, {}

    def _attach(self, path: Path, alias: str, read_only: bool) -> None:
        target = str(path).replace("'", "''")
        self._con.execute(f"ATTACH '{target}' AS {alias}{' (READ_ONLY)' if read_only else ''}")

    def _put(self, name: str, index: KeyIndex) -> None:
        """Keep an index built by `_build_lookups` (written to its file first when publishing)."""
        self._index[name] = self._writer.add(name, index) if self._writer is not None else index

    def _build_lookups(self) -> None:
        """Sorted copies for the lookups every dossier makes (edges by either end, party kind/name), in the
        catalogue `self._into`: the in-memory one, or the file written at publication."""
        to = self._into
        if self.has("entiteit") and self.has("partij_vermelding"):
            self._con.execute(f"""
                CREATE TABLE {to}.partij_kort AS
                SELECT e.entiteit_id,
                       max(CASE WHEN v.soort = 'bedrijf' OR v.kvk_nummer IS NOT NULL THEN 1 ELSE 0 END) AS bedrijf,
                       arg_max(v.naam, CASE WHEN v.bron IN ('kvk_vestiging', 'brp_inschrijving') THEN 2 ELSE 1 END
                               * 1000 + length(v.naam)) AS naam,
                       min(v.kvk_nummer) AS kvk
                FROM pz.entiteit e JOIN pz.partij_vermelding v USING (bron, record_sleutel)
                GROUP BY 1 ORDER BY 1""")
        # Multi-key lookups (the edges of a frontier, the names of a page of parties) through `KeyIndex`, whose
        # cost does not grow with the table; the DuckDB copy above stays for the single-key SQL of other screens.
        # The relations have no DuckDB copy: every screen reads them by one end through these two indexes (two
        # sorted copies of the largest table took a sixth of publishing at 1M units).
        if self.has("relatie"):
            # In the network's order, so the first rows of any node (by either end) are its most telling edges.
            self._put("rel_van", KeyIndex.query(
                self._con, f"SELECT van, naar, soort, bron, record_sleutel, geldig_van, geldig_tot FROM pz.relatie "
                f"ORDER BY {EDGE_RANK_SQL}, van, naar, record_sleutel, soort, bron, geldig_van, geldig_tot", "van"))
            self._put("rel_naar", self._index["rel_van"].on("naar"))
        if self.has("entiteit") and self.has("partij_vermelding"):
            self._put("partij_kort", KeyIndex.query(
                self._con, f"SELECT entiteit_id, bedrijf, naam FROM {to}.partij_kort", "entiteit_id"))
        if self.has("partij_score"):
            self._put("partij_score", KeyIndex.query(self._con, "SELECT * FROM pz.partij_score ORDER BY rang",
                                                     "entiteit_id"))
            if self.has("relatie"):
                # Per wijk the parties with any relation to a home there, in rank order: the overview's wijk filter
                # reads its first page instead of joining all relations to all of BAG per request.
                self._put("partij_wijk", KeyIndex.query(self._con, """
                    SELECT DISTINCT b.wijk_code, p.entiteit_id, p.rang
                    FROM pz.relatie r JOIN pz.raw_bag_verblijfsobject b ON b.verblijfsobject_id = r.naar
                    JOIN pz.partij_score p ON p.entiteit_id = r.van
                    WHERE b.wijk_code IS NOT NULL ORDER BY p.rang, p.entiteit_id, b.wijk_code""", "wijk_code"))
        self._prepare_unit_lookups()

    def _columns(self, table: str) -> set[str]:
        return {r[0] for r in self._con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_catalog = 'pz'",
            [table]).fetchall()}

    def _sorted_copy(self, name: str, select: str, key: str, source: str) -> None:
        """`memory.<name>` from `select`, sorted by `key` and then by the source row number where the source has one.

        Why: the analysis file keeps its rows in intake order, so a per-unit lookup reads every row group of the
        table (at 1M units the energy table alone is 24M rows). Sorted by the lookup key, DuckDB's zone maps skip
        all but one row group; the row number keeps the rows of one key in their intake order."""
        order = f"{key}, _rij" if "_rij" in self._columns(source) else key
        self._con.execute(f"CREATE TABLE {self._into}.{name} AS {select} ORDER BY {order}")

    def _keyed(self, name: str, select: str, key: str, source: str, then: str = "") -> None:
        """`self._index[name]`: the rows of `select` by `key` (a comma list makes a composite key), each key's rows
        ordered by `then`, else in intake order. For the per-unit tables only the dossier reads: no DuckDB copy is
        kept beside it."""
        order = f"{key}, {then}" if then else f"{key}, _rij" if "_rij" in self._columns(source) else key
        parts = [k.strip() for k in key.split(",")]
        self._put(name, KeyIndex.query(self._con, f"{select} ORDER BY {order}", parts[0] if len(parts) == 1 else parts))

    def _lookup(self, name: str, key: Any) -> list[dict[str, Any]]:
        index = self._index.get(name)
        return index.get(key) if index is not None else []

    def _prepare_unit_lookups(self) -> None:
        """Sorted copies of the per-unit tables the address dossier reads, and the energy norm per wijk and size
        class computed once (each was a full scan per request; the store is read-only, so they never go stale)."""
        # BAG joined to the scores once: every unit lookup and the ranked list read this instead of building a
        # hash table over all scores per request. `gescoord` keeps the inner join of the ranked list exact.
        # `bewijs` is the sum of all the unit's contributions (log-odds without the start): past SATURATED
        # probabilities the ranked list orders ties by it, and the screens explain by it.
        bewijs = ("LEFT JOIN (SELECT entiteit_id AS verblijfsobject_id, sum(bijdrage) AS bewijs FROM pz.bijdrage_adres "
                  "GROUP BY 1) c USING (verblijfsobject_id)" if self.has("bijdrage_adres")
                  else "LEFT JOIN (SELECT NULL::VARCHAR AS verblijfsobject_id, NULL::DOUBLE AS bewijs) c "
                       "USING (verblijfsobject_id)")
        self._sorted_copy("unit_adres", f"SELECT {self._bag_select()}, s.rang, s.score, s.vermoeden, s.uitleg, "
                          "s.verblijfsobject_id IS NOT NULL AS gescoord, c.bewijs FROM pz.raw_bag_verblijfsobject b "
                          f"LEFT JOIN pz.adres_score s USING (verblijfsobject_id) {bewijs}", "verblijfsobject_id",
                          "raw_bag_verblijfsobject")
        # In the ranked list's order (scored units first, by score, ties by evidence, then rank), so row i of the
        # table is place i of the list, and a filter's first rows are its first page: a page costs what it shows.
        self._put("unit_adres", KeyIndex.query(
            self._con, f"SELECT {_UNIT_COLUMNS}, score, rang, vermoeden, uitleg, bewijs, gescoord FROM "
            f"{self._into}.unit_adres ORDER BY {RANKED_ORDER}", "verblijfsobject_id"))
        self._n_scored = int(self._con.execute(
            f"SELECT count(*) FROM {self._into}.unit_adres WHERE gescoord").fetchone()[0])
        for column in ("wijk_code", "buurt_code", "buurt_naam", "vermoeden"):
            self._put(f"lijst_{column}", self._index["unit_adres"].on(column))
        if self.has("raw_kadaster_eigendom"):
            self._keyed("unit_kadaster", "SELECT * FROM pz.raw_kadaster_eigendom", "verblijfsobject_id",
                        "raw_kadaster_eigendom")
        if self.has("raw_brp_inschrijving"):
            self._keyed("unit_brp", "SELECT persoon_id, geslachtsnaam, voorvoegsel, voornamen, datum_aanvang, "
                        "datum_einde, verblijfsobject_id FROM pz.raw_brp_inschrijving", "verblijfsobject_id",
                        "raw_brp_inschrijving")
        if self.has("raw_huurcontract") and self.has("contract_adres"):
            self._keyed(
                "unit_huur", "SELECT a.verblijfsobject_id AS koppel_vbo, h.*, a.zekerheid AS koppeling_zekerheid, "
                "a.methode AS koppeling_methode FROM pz.raw_huurcontract h JOIN pz.contract_adres a "
                "ON h.contract_id = a.contract_id", "koppel_vbo", "raw_huurcontract")
        if self.has("raw_politie_incident") and self.has("incident_adres"):
            self._keyed("unit_incident", "SELECT a.verblijfsobject_id AS koppel_vbo, i.*, a.zekerheid, a.methode "
                        "FROM pz.raw_politie_incident i JOIN pz.incident_adres a USING (incident_id)", "koppel_vbo",
                        "raw_politie_incident")
        if self.has("raw_melding") and self.has("melding_adres"):
            self._keyed("unit_melding", "SELECT a.verblijfsobject_id AS koppel_vbo, m.*, a.zekerheid, a.methode "
                        "FROM pz.raw_melding m JOIN pz.melding_adres a USING (melding_id)", "koppel_vbo",
                        "raw_melding")
        if self.has("raw_handhaving_uitkomst"):
            self._keyed("unit_uitkomst", "SELECT * FROM pz.raw_handhaving_uitkomst", "verblijfsobject_id",
                        "raw_handhaving_uitkomst")
        if self.has("adres_score_historie"):
            self._keyed("unit_historie", "SELECT verblijfsobject_id, levering, rang, score FROM "
                        "pz.adres_score_historie", "verblijfsobject_id", "adres_score_historie", then="levering")
        if self.has("typologie_kans"):
            self._keyed("unit_typologie", "SELECT verblijfsobject_id, typologie, kans FROM pz.typologie_kans",
                        "verblijfsobject_id", "typologie_kans", then="typologie")
        if self.has("bijdrage_adres"):
            self._keyed("unit_bijdrage", "SELECT entiteit_id, indicator, bijdrage FROM pz.bijdrage_adres",
                        "entiteit_id", "bijdrage_adres", then="indicator")
        if self.has("entiteit"):
            self._keyed("entiteit_sleutel", "SELECT bron, record_sleutel, entiteit_id FROM pz.entiteit",
                        "bron, record_sleutel", "entiteit")
        if self.has("raw_energie_verbruik"):
            energy = KeyIndex.query(self._con, "SELECT verblijfsobject_id, periode, elektriciteit_kwh FROM "
                                    "pz.raw_energie_verbruik ORDER BY verblijfsobject_id, periode",
                                    "verblijfsobject_id", presorted=True)
            energy.table = energy.table.drop_columns(["verblijfsobject_id"])  # the key lives in the index
            self._put("unit_energie", energy)
            klasse = SIZE_CLASS_SQL.format(a="oppervlakte_m2")
            self._con.execute(f"""
                CREATE TABLE {self._into}.energie_norm AS
                WITH peers AS (SELECT DISTINCT verblijfsobject_id, wijk_code, {klasse} AS klasse
                               FROM pz.raw_bag_verblijfsobject WHERE wijk_code IS NOT NULL)
                SELECT p.wijk_code, p.klasse, e.periode, median(e.elektriciteit_kwh) AS med, count(*) AS n
                FROM pz.raw_energie_verbruik e JOIN peers p USING (verblijfsobject_id)
                GROUP BY ALL ORDER BY 1, 2, 3""")

    # -- plumbing -------------------------------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self._con.cursor()
        cur.execute("USE pz")
        try:
            yield cur
        finally:
            cur.close()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        with self.cursor() as cur:
            res = cur.execute(sql, params or [])
            cols = [d[0] for d in res.description]
            return [dict(zip(cols, r, strict=True)) for r in res.fetchall()]

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def has(self, table: str) -> bool:
        return table in self.tables

    def in_background(self, target: Callable[[], None], name: str) -> None:
        """Run `target` on a thread beside the requests; `close` waits for it, so closing a store (a newer
        analysis published, the app stopping) never pulls the connection from under a query still running."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._background.append(thread)
        thread.start()

    def close(self) -> None:
        for thread in self._background:
            thread.join()
        self._con.close()

    # -- meta -----------------------------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        """Peildatum, region, sources and the number of scored units (read once: the store never changes)."""
        if self._meta is None:
            self._meta = self._read_meta()
        return {**self._meta, "bronnen": list(self._meta["bronnen"])}

    def _read_meta(self) -> dict[str, Any]:
        meta = self.one("SELECT * FROM bundel_meta") if self.has("bundel_meta") else None
        bronnen = self.rows("SELECT * FROM bundel_bron ORDER BY bron") if self.has("bundel_bron") else []
        n = self.one("SELECT count(*) AS n FROM adres_score")
        return {"peildatum": meta["peildatum"] if meta else None, "regio": meta["regio"] if meta else "",
                "bronnen": bronnen, "adressen": n["n"] if n else 0}

    def fallbacks(self) -> list[fallback.Fallback]:
        """What the analysis fell back on for lack of evidence (as `pandzicht.fallback.recorded`, read-only)."""
        if not self.has(fallback.TABLE):
            return []
        return [fallback.Fallback(r["stap"], r["reden"], r["terugval"])
                for r in self.rows(f"SELECT stap, reden, terugval FROM {fallback.TABLE} ORDER BY volgorde")]

    def score_training(self) -> list[str]:
        """What the address scores were fitted on (`model_adres`'s notes): the checks and reference dates, and
        whether a continued delivery reused the previous one's training rows (`score/model_reuse.py`)."""
        if not self.has("model_adres"):
            return []
        row = self.one("SELECT model FROM model_adres")
        return [str(n) for n in json.loads(row["model"]).get("opmerkingen", [])] if row else []

    def typology_model(self) -> dict[str, Any] | None:
        """The typology model's summary: per typology its findings and whether it was learned from them."""
        if not self.has("model_typologie"):
            return None
        row = self.one("SELECT model FROM model_typologie")
        return json.loads(row["model"]) if row else None

    def source_label(self, bron: str) -> str:
        return SOURCE_LABELS.get(bron, bron)

    def wijken(self) -> list[dict[str, Any]]:
        """The wijken with their names and unit counts (read once per store)."""
        if self._wijken is None:
            self._wijken = self._read_wijken()
        return [dict(w) for w in self._wijken]

    def _read_wijken(self) -> list[dict[str, Any]]:
        naam = "any_value(wijk_naam)" if "wijk_naam" in self.bag_columns else "wijk_code"
        return self.rows(f"SELECT wijk_code, {naam} AS wijk_naam, count(*) AS n FROM raw_bag_verblijfsobject "
                         "WHERE wijk_code IS NOT NULL GROUP BY wijk_code ORDER BY 2")

    def wijk(self, wijk_code: str) -> dict[str, Any] | None:
        naam = "any_value(wijk_naam)" if "wijk_naam" in self.bag_columns else "any_value(wijk_code)"
        return self.one(f"SELECT wijk_code, {naam} AS wijk_naam, count(*) AS n FROM raw_bag_verblijfsobject "
                        "WHERE wijk_code = ? GROUP BY wijk_code", [wijk_code])

    def _bag_select(self, alias: str = "b") -> str:
        extra = ""
        for c in ("buurt_naam", "wijk_naam"):
            extra += f", {alias}.{c}" if c in self.bag_columns else f", {alias}.{c.replace('_naam', '_code')} AS {c}"
        return (f"{alias}.verblijfsobject_id, {alias}.openbare_ruimte, {alias}.huisnummer, {alias}.huisletter, "
                f"{alias}.huisnummertoevoeging, {alias}.postcode, {alias}.woonplaats, {alias}.wijk_code, "
                f"{alias}.buurt_code, {alias}.oppervlakte_m2, {alias}.bouwjaar, {alias}.gebruiksdoel, "
                f"{alias}.x_rd, {alias}.y_rd{extra}")

    # -- shortlists -----------------------------------------------------------------------------------------------
    def indicator_codes_for_source(self, bron: str) -> list[str]:
        return [c for c, i in self.catalogue.items() if bron in i.bronnen]

    def top_units(self, limit: int = 25, offset: int = 0, wijk: str = "", vermoeden: str = "",
                  bron: str = "", buurt: str = "") -> list[dict[str, Any]]:
        """Ranked units with address, filtered by wijk, buurt, typology and indicator source; homes that share a
        score (ties, mostly saturated ones near 100%) in order of their total evidence (`bewijs`)."""
        where, params = ["b.gescoord"], []
        if wijk:
            where.append("b.wijk_code = ?")
            params.append(wijk)
        if buurt:
            where.append("(b.buurt_code = ? OR " + ("b.buurt_naam = ?)" if "buurt_naam" in self.bag_columns
                                                     else "b.buurt_code = ?)"))
            params += [buurt, buurt]
        if vermoeden:
            where.append("b.vermoeden = ?")
            params.append(vermoeden)
        if bron:
            codes = self.indicator_codes_for_source(bron) or ["-"]
            where.append("(" + " OR ".join("b.uitleg LIKE ?" for _ in codes) + ")")
            params += [f"%{c}:%" for c in codes]
        rows = self._ranked_page(limit, offset, wijk, vermoeden, bron, buurt)
        if rows is None:  # filters combined: one scan of the in-memory copy
            rows = self.rows(
                f"SELECT b.rang, b.score, b.vermoeden, b.uitleg, b.bewijs, {_UNIT_COLUMNS} FROM memory.unit_adres b "
                f"WHERE {' AND '.join(where)} ORDER BY {RANKED_ORDER.replace('gescoord DESC, ', '')} "
                "LIMIT ? OFFSET ?", [*params, limit, offset])
        for r in rows:
            r["adres"] = address_text(r)
            r["bijdragen"] = self.explain(r["uitleg"])
        return rows

    def _ranked_page(self, limit: int, offset: int, wijk: str, vermoeden: str, bron: str,
                     buurt: str) -> list[dict[str, Any]] | None:
        """One page of the ranked list read straight from the index in list order, for no filter or one of wijk,
        buurt (code or name) and vermoeden; None for a combination (the caller scans)."""
        given = [(k, v) for k, v in (("wijk_code", wijk), ("buurt", buurt), ("vermoeden", vermoeden), ("bron", bron))
                 if v]
        if len(given) > 1 or (given and given[0][0] == "bron"):
            return None
        index = self._index["unit_adres"]
        if not given:
            stop = min(offset + limit, self._n_scored)
            return index.table.slice(offset, max(0, stop - offset)).to_pylist() if offset < stop else []
        column, value = given[0]
        if column == "buurt":
            rows = self._index["lijst_buurt_code"].rows([value], offset + limit) or \
                self._index["lijst_buurt_naam"].rows([value], offset + limit)
        else:
            rows = self._index[f"lijst_{column}"].rows([value], offset + limit)
        return [r for r in rows if r["gescoord"]][offset:offset + limit]

    def explain(self, uitleg: str | None) -> list[dict[str, Any]]:
        """The contributions of a score with their Dutch titles and innocent explanations."""
        out = []
        for code, val in parse_uitleg(uitleg):
            ind = self.catalogue.get(code)
            out.append({"code": code, "bijdrage": val, "titel": ind.titel if ind else code,
                        "meet": ind.meet if ind else "", "waarom": ind.waarom if ind else "",
                        "onschuldig": list(ind.onschuldig) if ind else [],
                        "bronnen": list(ind.bronnen) if ind else []})
        return out

    def top_parties(self, limit: int = 25, offset: int = 0, rol: str = "", wijk: str = "") -> list[dict[str, Any]]:
        """Ranked parties; with `wijk`, those with any relation to a home in that wijk (the overview's filter)."""
        if not self.has("partij_score"):
            return []
        if not wijk and not rol and "partij_score" in self._index:  # the index is in rank order: a page is a slice
            return self._party_rows(self._index["partij_score"].table.slice(offset, limit).to_pylist())
        if wijk and not rol and "partij_wijk" in self._index:
            ids = [r["entiteit_id"] for r in self._index["partij_wijk"].rows([wijk], offset + limit)][offset:]
            by_id = self.party_scores(ids)
            return self._party_rows([by_id[i] for i in ids if i in by_id])
        where, params = "1=1", []
        if rol:
            where, params = "rol = ?", [rol]
        if wijk and "partij_wijk" in self._index:  # every scored party with a relation to a home in the wijk
            where += " AND entiteit_id IN (SELECT unnest(?))"
            params = [*params, [r["entiteit_id"] for r in self._index["partij_wijk"].rows([wijk])]]
        rows = self.rows(f"SELECT * FROM partij_score WHERE {where} ORDER BY rang LIMIT ? OFFSET ?",
                         [*params, limit, offset])
        return self._party_rows(rows)

    def _party_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds = self.party_kinds([r["entiteit_id"] for r in rows])
        for r in rows:
            r["soort"] = kinds.get(r["entiteit_id"], "persoon")
            r["bijdragen"] = self.explain(r["uitleg"])
        return rows

    def party_kinds(self, ids: list[str]) -> dict[str, str]:
        """'bedrijf' when any mention of the party is a company, else 'persoon' (the safe default: pseudonymise)."""
        return {i: r.soort for i, r in self.party_refs(ids).items()}

    def party_refs(self, ids: list[str]) -> dict[str, PartyRef]:
        """Name and kind per party id (name from the registry mention where there is one)."""
        ids = [i for i in dict.fromkeys(ids) if i and not i.startswith("melding:")]
        if not ids or "partij_kort" not in self._index:
            return {}
        rows = self._index["partij_kort"].rows(ids)
        return {r["entiteit_id"]: PartyRef(r["entiteit_id"], r["naam"] or "?",
                                           "bedrijf" if r["bedrijf"] else "persoon") for r in rows}

    # -- units ----------------------------------------------------------------------------------------------------
    def unit(self, vbo: str) -> dict[str, Any] | None:
        found = self._lookup("unit_adres", vbo)
        if not found:
            return None
        r = found[0]
        r["adres"] = address_text(r)
        r["bijdragen"] = self.unit_contributions(vbo, r.get("uitleg"))
        r["typologie"] = self.unit_typologies(vbo)
        r["score_historie"] = self.score_history(vbo)
        return r

    def unit_typologies(self, vbo: str) -> dict[str, Any]:
        """Per typology the probability that a check here finds it (given it finds something), most likely first,
        each with whether it was learned from past findings (and from how many) or from the indicator prior."""
        if not (self.has("typologie_kans") and self.has("model_typologie")):
            return {"kansen": [], "bevindingen": 0}
        model = self._typology_model or {"typologieen": {}, "bevindingen": 0}
        rows = [{"typologie": r["typologie"], "kans": r["kans"]} for r in self._lookup("unit_typologie", vbo)]
        rows.sort(key=lambda r: (-(r["kans"] or 0.0), r["typologie"]))
        for r in rows:
            info = model["typologieen"].get(r["typologie"], {})
            r["geleerd"], r["n"] = bool(info.get("geleerd")), int(info.get("bevindingen", 0))
        return {"kansen": rows, "bevindingen": int(model.get("bevindingen", 0))}

    def unit_contributions(self, vbo: str, uitleg: str | None = None) -> list[dict[str, Any]]:
        """Per indicator what it added, from `bijdrage_adres` (all of them), else the `uitleg` text."""
        if self.has("bijdrage_adres"):
            rows = sorted(self._lookup("unit_bijdrage", vbo), key=lambda r: (-r["bijdrage"], r["indicator"]))
            if rows:
                return self.explain(";".join(f"{r['indicator']}:{r['bijdrage']}" for r in rows))
        return self.explain(uitleg)

    def unit_addresses(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(i for i in ids if i))
        if not ids:
            return {}
        rows = self._index["unit_adres"].rows(ids)
        for r in rows:
            r["adres"] = address_text(r)
        return {r["verblijfsobject_id"]: r for r in rows}

    def _entities_for(self, bron: str, keys: list[str]) -> dict[str, str]:
        if not keys or not self.has("entiteit"):
            return {}
        rows = self._index["entiteit_sleutel"].rows([composite(bron, k) for k in keys])
        return {r["record_sleutel"]: r["entiteit_id"] for r in rows}

    def unit_timeline(self, vbo: str) -> list[Event]:
        """Everything the sources say about a unit, as dated events with their source; parties by id."""
        events: list[Event] = []
        party_ids: list[str] = []
        if self.has("raw_kadaster_eigendom"):
            rows = self._lookup("unit_kadaster", vbo)
            ents = self._entities_for("kadaster_eigendom", [r["eigendom_id"] for r in rows])
            for r in rows:
                pid = ents.get(r["eigendom_id"], "")
                party_ids.append(pid)
                prijs = f", koopsom € {r['koopsom_eur']:,}".replace(",", ".") if r.get("koopsom_eur") else ""
                corr = ", correspondentieadres opgegeven" if r.get("eigenaar_correspondentieadres") else ""
                events.append(Event(r["datum_verkrijging"], "eigendom", "Eigendom verkregen",
                                    f"aandeel {r['aandeel']}{prijs}{corr}", "kadaster_eigendom",
                                    [PartyRef(pid, r["eigenaar_naam"], "bedrijf" if r["eigenaar_type"] ==
                                              "rechtspersoon" else "persoon")]))
        if self.has("raw_brp_inschrijving"):
            rows = sorted(self._lookup("unit_brp", vbo), key=lambda r: (r["datum_aanvang"] is None,
                                                                         r["datum_aanvang"] or 0))
            ents = self._entities_for("brp_inschrijving", [r["persoon_id"] for r in rows])
            for r in rows:
                naam = " ".join(x for x in (r["voornamen"], r["voorvoegsel"], r["geslachtsnaam"]) if x)
                ref = PartyRef(ents.get(r["persoon_id"], ""), naam, "persoon")
                party_ids.append(ref.entiteit_id)
                events.append(Event(r["datum_aanvang"], "inschrijving", "Inschrijving BRP", "", "brp_inschrijving",
                                    [ref]))
                if r["datum_einde"]:
                    events.append(Event(r["datum_einde"], "inschrijving", "Uitschrijving BRP", "",
                                        "brp_inschrijving", [ref]))
        if self.has("raw_huurcontract") and self.has("contract_adres"):
            rows = self._lookup("unit_huur", vbo)
            keys = [f"{r['contract_id']}:{rol}" for r in rows for rol in ("huurder", "verhuurder", "bemiddelaar")]
            ents = self._entities_for("huurcontract", keys)
            for r in rows:
                refs = []
                for rol in ("huurder", "verhuurder", "bemiddelaar"):
                    naam = r.get(f"{rol}_naam")
                    if naam:
                        soort = "bedrijf" if r.get(f"{rol}_kvk") else "onbekend"
                        refs.append(PartyRef(ents.get(f"{r['contract_id']}:{rol}", ""), naam, soort))
                party_ids += [p.entiteit_id for p in refs]
                prijs = f"€ {r['huurprijs_eur']:,}/mnd".replace(",", ".") if r.get("huurprijs_eur") else "huur onbekend"
                detail = (f"{prijs}, betaling: {r.get('betaalwijze') or 'onbekend'}; "
                          f"leverancier: {r.get('bron') or '?'}"
                          + link_note(r["koppeling_zekerheid"], r["koppeling_methode"]))
                events.append(Event(r["datum_aanvang"], "huur", "Huurcontract begonnen", detail, "huurcontract",
                                    refs))
                if r.get("datum_einde"):
                    events.append(Event(r["datum_einde"], "huur", "Huurcontract beëindigd", "", "huurcontract",
                                        refs))
        if self.has("raw_politie_incident") and self.has("incident_adres"):
            for r in self._lookup("unit_incident", vbo):
                koppeling = link_note(r["zekerheid"], r["methode"])
                events.append(Event(r["datum"], "incident", f"Politie-incident: {r['categorie']}",
                                    (r.get("omschrijving") or "") + koppeling, "politie_incident"))
        if self.has("raw_melding") and self.has("melding_adres"):
            for r in self._lookup("unit_melding", vbo):
                cats = ", ".join(SIGNAL_CATEGORY_LABELS.get(c, c) for c in (r.get("categorieen") or "").split(";") if c)
                events.append(Event(r["datum"], "melding", f"Melding ({r['bron_type']}): {cats}",
                                    (r.get("tekst") or "") + link_note(r["zekerheid"], r["methode"]), "melding"))
        if self.has("raw_handhaving_uitkomst"):
            for r in self._lookup("unit_uitkomst", vbo):
                wat = (OUTCOME_INSTRUMENT_LABELS.get(r["instrument"], r["instrument"]),
                       FINDING_LABELS.get(r["bevinding"], r["bevinding"]))
                events.append(Event(r["datum"], "uitkomst", f"Handhaving: {wat[0]} — {wat[1]}",
                                    "", "handhaving_uitkomst"))
        kinds = self.party_kinds(party_ids)
        for e in events:
            for p in e.partijen:
                if p.entiteit_id in kinds:
                    p.soort = kinds[p.entiteit_id]
                elif p.soort == "onbekend":
                    p.soort = "persoon"
        return events

    def energy(self, vbo: str) -> dict[str, Any]:
        """The unit's monthly electricity and the median of comparable units (same wijk and size class)."""
        if not self.has("raw_energie_verbruik"):
            return {"maanden": [], "eigen": [], "vergelijk": [], "groep": ""}
        own = self._lookup("unit_energie", vbo)
        found = self._lookup("unit_adres", vbo)
        u = {"wijk_code": found[0]["wijk_code"], "klasse": size_class(found[0]["oppervlakte_m2"])} if found else None
        norm: dict[str, float] = {}
        n_peers = 0
        if u and u["wijk_code"] is not None:
            norm, n_peers = self.cached_energy_norm(u["wijk_code"], int(u["klasse"]))
        months = sorted({r["periode"] for r in own} | set(norm))
        by_month = {r["periode"]: r["elektriciteit_kwh"] for r in own}
        return {"maanden": months, "eigen": [by_month.get(m) for m in months],
                "vergelijk": [norm.get(m) for m in months], "n_vergelijk": n_peers,
                "groep": f"zelfde wijk, {SIZE_CLASS_LABELS[int(u['klasse'])]}" if u else ""}

    def _energy_norm(self, wijk: str, klasse: int) -> tuple[dict[str, float], int]:
        """Median monthly use of the units in one wijk and size class, from the table built at open time."""
        rows = self.rows("SELECT periode, med, n FROM memory.energie_norm WHERE wijk_code = ? AND klasse = ?",
                         [wijk, klasse])
        return {r["periode"]: float(r["med"]) for r in rows}, max((r["n"] for r in rows), default=0)

    def search_addresses(self, q: str, limit: int = 10) -> list[dict[str, Any]]:
        """BAG units by postcode (+ house number) or street prefix (+ number), for the meldpunt autocomplete."""
        import re

        q = q.strip()
        m = re.fullmatch(r"(\d{4})\s*([A-Za-z]{2})\s*(\d+)?\s*([A-Za-z])?\s*[-\s]?(\w+)?", q)
        params: list[Any]
        if m:
            where, params = "postcode = ?", [(m.group(1) + m.group(2)).upper()]
            if m.group(3):
                where += " AND huisnummer = ?"
                params.append(int(m.group(3)))
        else:
            m2 = re.fullmatch(r"(.+?)\s+(\d+)\s*([A-Za-z])?.*", q)
            street, nr = (m2.group(1), int(m2.group(2))) if m2 else (q, None)
            if len(street) < 3:
                return []
            where, params = "lower(openbare_ruimte) LIKE ?", [street.lower().replace("%", "").replace("_", "") + "%"]
            if nr is not None:
                where += " AND huisnummer = ?"
                params.append(nr)
        rows = self.rows(f"SELECT {self._bag_select('b')} FROM raw_bag_verblijfsobject b WHERE {where} "
                         "ORDER BY openbare_ruimte, huisnummer, huisletter NULLS FIRST, "
                         "huisnummertoevoeging NULLS FIRST LIMIT ?", [*params, limit])
        return [{"verblijfsobject_id": r["verblijfsobject_id"], "adres": address_text(r)} for r in rows]

    def unit_exists(self, vbo: str) -> bool:
        return self.one("SELECT 1 AS x FROM raw_bag_verblijfsobject WHERE verblijfsobject_id = ?", [vbo]) is not None

    def unit_score(self, vbo: str) -> tuple[float | None, int | None]:
        r = self.one("SELECT score, rang FROM adres_score WHERE verblijfsobject_id = ?", [vbo])
        return (r["score"], r["rang"]) if r else (None, None)

    def score_history(self, vbo: str) -> list[dict[str, Any]]:
        """Score and rank of a home per delivery, oldest first (one row for an analysis without a predecessor)."""
        return [{"levering": r["levering"], "rang": r["rang"], "score": r["score"]}
                for r in self._lookup("unit_historie", vbo)]

    # -- deliveries: what changed since the previous one (issue 13) ----------------------------------------------
    def shortlist_changes(self) -> list[dict[str, Any]]:
        """The rows of `adres_wijziging` with address and reasons split into codes (empty without a predecessor)."""
        if not self.has("adres_wijziging"):
            return []
        rows = self.rows(f"SELECT w.*, {self._bag_select()} FROM adres_wijziging w "
                         "LEFT JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id) "
                         "ORDER BY w.rang NULLS LAST, w.rang_vorige, w.verblijfsobject_id")
        for r in rows:
            r["adres"] = address_text(r) if r.get("openbare_ruimte") else r["verblijfsobject_id"]
            reasons = [x for x in (r["reden"] or "").split(";") if x]
            r["redenen"] = [x.split(":")[0] for x in reasons]
            r["signalen"] = [c for x in reasons if x.startswith("nieuwe_signalen:")
                             for c in x.split(":", 1)[1].split(",")]
            r["signaal_titels"] = [self.catalogue[c].titel if c in self.catalogue else c for c in r["signalen"]]
        return rows

    def entity_changes(self, levering: Any = None) -> list[dict[str, Any]]:
        """`entiteit_historie` rows of one delivery (default: this analysis' peildatum), merges and splits first."""
        if not self.has("entiteit_historie"):
            return []
        if levering is None:
            levering = self.meta()["peildatum"]
        return self.rows("SELECT levering, oud_id, nieuw_id, soort FROM entiteit_historie WHERE levering = ? "
                         "ORDER BY CASE soort WHEN 'samengevoegd' THEN 0 WHEN 'gesplitst' THEN 1 "
                         "WHEN 'nieuw' THEN 2 ELSE 3 END, nieuw_id, oud_id", [levering])

    def party_id_history(self, entiteit_id: str) -> list[dict[str, Any]]:
        """The merges and splits that concern a party, newest first, each as what happened to it and the other id:
        `opgenomen` (another party merged into it), `opgegaan_in` (it merged into another), `afgesplitst` (a part
        split off under a new id), `afgesplitst_van` (it is the part that split off)."""
        if not self.has("entiteit_historie"):
            return []
        rows = self.rows("SELECT levering, oud_id, nieuw_id, soort FROM entiteit_historie "
                         "WHERE soort IN ('samengevoegd', 'gesplitst') AND (oud_id = ? OR nieuw_id = ?) "
                         "AND oud_id <> nieuw_id ORDER BY levering DESC, soort, oud_id, nieuw_id",
                         [entiteit_id, entiteit_id])
        out = []
        for r in rows:
            mine_old = r["oud_id"] == entiteit_id
            wat = {("samengevoegd", False): "opgenomen", ("samengevoegd", True): "opgegaan_in",
                   ("gesplitst", True): "afgesplitst", ("gesplitst", False): "afgesplitst_van"}[(r["soort"], mine_old)]
            out.append({"levering": r["levering"], "wat": wat, "ander": r["nieuw_id"] if mine_old else r["oud_id"]})
        present = {i for i in self.party_refs([o["ander"] for o in out])}
        for o in out:
            o["bestaat"] = o["ander"] in present
        return out

    # -- parties --------------------------------------------------------------------------------------------------
    def party(self, entiteit_id: str) -> dict[str, Any] | None:
        refs = self.party_refs([entiteit_id])
        if entiteit_id not in refs:
            return None
        ref = refs[entiteit_id]
        score = self.one("SELECT * FROM partij_score WHERE entiteit_id = ?", [entiteit_id]) \
            if self.has("partij_score") else None
        # mentions without a KvK number that the data placed here (link/company_context.py: the one number of
        # their name at their home, the one namesake not yet dissolved, or the one company whose name they
        # misspell): an inference, not what the source wrote
        inferred = ("count(*) FILTER (WHERE a.grond = 'adres') AS afgeleid_adres, "
                    "count(*) FILTER (WHERE a.grond = 'opheffing') AS afgeleid_opheffing, "
                    "count(*) FILTER (WHERE a.grond = 'schrijfwijze') AS afgeleid_schrijfwijze",
                    "LEFT JOIN vermelding_kvk_afgeleid a USING (bron, record_sleutel) ") \
            if self.has("vermelding_kvk_afgeleid") else \
            ("0 AS afgeleid_adres, 0 AS afgeleid_opheffing, 0 AS afgeleid_schrijfwijze", "")
        rollen = self.rows(f"SELECT v.rol, v.bron, count(*) AS n, min(v.kvk_nummer) AS kvk, {inferred[0]} "
                           "FROM entiteit e JOIN partij_vermelding v USING (bron, record_sleutel) "
                           f"{inferred[1]}WHERE e.entiteit_id = ? GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", [entiteit_id])
        kvk = next((r["kvk"] for r in rollen if r["kvk"]), None)
        contrib = []
        if self.has("bijdrage_partij"):
            rows = self.rows("SELECT indicator, bijdrage FROM bijdrage_partij WHERE entiteit_id = ? "
                             "ORDER BY bijdrage DESC", [entiteit_id])
            contrib = self.explain(";".join(f"{r['indicator']}:{r['bijdrage']}" for r in rows))
        elif score:
            contrib = self.explain(score["uitleg"])
        return {"entiteit_id": entiteit_id, "naam": ref.naam, "soort": ref.soort, "kvk_nummer": kvk,
                "score": score["score"] if score else None, "rang": score["rang"] if score else None,
                "rol": score["rol"] if score else (rollen[0]["rol"] if rollen else ""),
                "rollen": rollen, "bijdragen": contrib, "id_historie": self.party_id_history(entiteit_id)}

    def portfolio(self, entiteit_id: str) -> list[dict[str, Any]]:
        """The units a party owns, lets, rents, brokers or is registered at, with the unit's score."""
        if not self.has("relatie"):
            return []
        spans: dict[tuple[str, str, str], list[Any]] = {}  # (unit, kind, source) -> first start, last end
        for e in self._index["rel_van"].rows([entiteit_id]) if "rel_van" in self._index else []:
            if e["soort"] == "director_of":
                continue
            span = spans.setdefault((e["naar"], e["soort"], e["bron"]), [None, None])
            if e["geldig_van"] is not None:
                span[0] = e["geldig_van"] if span[0] is None else min(span[0], e["geldig_van"])
            end = e["geldig_tot"] if e["geldig_tot"] is not None else dt.date(9999, 12, 31)
            span[1] = end if span[1] is None else max(span[1], end)
        rows = [{"verblijfsobject_id": unit, "soort": soort, "bron": bron, "van": van, "tot": tot}
                for (unit, soort, bron), (van, tot) in spans.items()]
        units = self.unit_addresses([r["verblijfsobject_id"] for r in rows])
        out = []
        for r in rows:
            u = units.get(r["verblijfsobject_id"])
            if u is None:
                continue
            tot = None if r["tot"] and r["tot"].year == 9999 else r["tot"]
            out.append({**u, "relatie": EDGE_LABELS.get(r["soort"], r["soort"]), "soort": r["soort"],
                        "bron": r["bron"], "van": r["van"], "tot": tot})
        out.sort(key=lambda r: (-(r.get("score") or 0), r["verblijfsobject_id"], r["soort"], r["bron"]))  # total
        return out

    def officers(self, entiteit_id: str) -> dict[str, list[dict[str, Any]]]:
        """Officers of this company, and companies this party is an officer of (with dates)."""
        if not self.has("relatie"):
            return {"functionarissen": [], "functies": []}
        of = self._officer_edges("rel_naar", "van", entiteit_id)
        fn = self._officer_edges("rel_van", "naar", entiteit_id)
        refs = self.party_refs([r["entiteit_id"] for r in of + fn])
        roles = {}
        if self.has("raw_kvk_functionaris"):
            keys = [r["record_sleutel"] for r in of + fn]
            roles = {r["functionaris_id"]: r["rol"] for r in self.rows(
                "SELECT functionaris_id, rol FROM raw_kvk_functionaris WHERE functionaris_id IN (SELECT unnest(?))",
                [keys])}
        for r in of + fn:
            ref = refs.get(r["entiteit_id"])
            r["naam"], r["soort"] = (ref.naam, ref.soort) if ref else ("?", "persoon")
            r["functie"] = roles.get(r["record_sleutel"], "")
        return {"functionarissen": of, "functies": fn}

    def _officer_edges(self, index: str, other: str, entiteit_id: str) -> list[dict[str, Any]]:
        """The officer edges of a party by one end (`index`), as {entiteit_id: the other end, dates, record},
        ordered by start (unknown last), other end and record."""
        edges = [{"entiteit_id": e[other], "geldig_van": e["geldig_van"], "geldig_tot": e["geldig_tot"],
                  "record_sleutel": e["record_sleutel"]}
                 for e in (self._index[index].rows([entiteit_id]) if index in self._index else [])
                 if e["soort"] == "director_of"]
        return sorted(edges, key=lambda r: (_last_if_none(r["geldig_van"]), _last_if_none(r["entiteit_id"]),
                                            _last_if_none(r["record_sleutel"])))

    def phoenix_history(self, entiteit_id: str) -> list[dict[str, Any]]:
        """Companies run by this party's officers (or by this person), with registration and dissolution dates:
        the pattern of letting firms dissolved and restarted by the same people."""
        if not (self.has("relatie") and self.has("raw_kvk_vestiging")):
            return []
        people = {entiteit_id} | {e["entiteit_id"] for e in self._officer_edges("rel_naar", "van", entiteit_id)}
        firms = sorted({(e["entiteit_id"], p) for p in people for e in self._officer_edges("rel_van", "naar", p)})
        if not firms:
            return []
        rows = self.rows("""
            WITH firms AS (SELECT unnest(?) AS bedrijf, unnest(?) AS persoon)
            SELECT f.bedrijf AS entiteit_id, f.persoon, k.kvk_nummer, k.naam, k.rechtsvorm, k.sbi_code,
                   k.datum_inschrijving, k.datum_opheffing
            FROM firms f JOIN entiteit e ON e.entiteit_id = f.bedrijf AND e.bron = 'kvk_vestiging'
            JOIN raw_kvk_vestiging k ON k.kvk_nummer = e.record_sleutel
            ORDER BY k.datum_inschrijving, k.kvk_nummer, f.persoon""",  # total: a firm run by two of the people
            [[f for f, _ in firms], [p for _, p in firms]])  # shows the same one on every call
        seen, out = set(), []
        for r in rows:
            if r["kvk_nummer"] in seen:
                continue
            seen.add(r["kvk_nummer"])
            out.append(r)
        return out

    # -- network --------------------------------------------------------------------------------------------------
    def edges_touching(self, ids: list[str], limit: int = 400, per_node: int | None = None) -> list[dict[str, Any]]:
        """The distinct edges with either end in `ids`, ownership first (then letting, brokering, officers, ...);
        with `per_node`, at most that many of each node's first edges are read (a landlord of thousands of homes
        then costs what a small one does)."""
        if not ids or "rel_van" not in self._index:
            return []
        cap = limit if per_node is None else min(limit, per_node)
        return sorted_edges(self._index["rel_van"].rows(ids, cap) + self._index["rel_naar"].rows(ids, cap))[:limit]

    def degrees(self, ids: list[str]) -> dict[str, int]:
        """How many edges touch each node (to tell the network view how much is not shown)."""
        if not ids or "rel_van" not in self._index:
            return {}
        out = self._index["rel_van"].counts(ids)
        for k, n in self._index["rel_naar"].counts(ids).items():
            out[k] = out.get(k, 0) + n
        return out

    def party_scores(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Score, role and rank per party id (parties without a score are absent)."""
        if not ids or "partij_score" not in self._index:
            return {}
        return {r["entiteit_id"]: r for r in self._index["partij_score"].rows(ids)}

    # -- map and report -------------------------------------------------------------------------------------------
    def buurt_stats(self, wijk: str = "") -> list[dict[str, Any]]:
        """Per buurt: units, mean and top score, units with a typology guess, signals from the bundle.

        The store is read-only, so the answer is cached per wijk for the life of the process."""
        return self._buurt_stats_cached(wijk)

    @lru_cache(maxsize=64)  # noqa: B019  (one store per process; the cache lives as long as the store)
    def _buurt_stats_cached(self, wijk: str) -> list[dict[str, Any]]:
        naam = "b.buurt_naam" if "buurt_naam" in self.bag_columns else "b.buurt_code"
        wnaam = "b.wijk_naam" if "wijk_naam" in self.bag_columns else "b.wijk_code"
        meldingen = ("SELECT verblijfsobject_id, count(*) AS n FROM melding_adres GROUP BY 1"
                     if self.has("melding_adres") else "SELECT NULL::VARCHAR AS verblijfsobject_id, 0 AS n")
        where, params = ("WHERE b.wijk_code = ?", [wijk]) if wijk else ("", [])
        return self.rows(
            f"WITH m AS ({meldingen}) "
            f"SELECT b.buurt_code, any_value({naam}) AS buurt_naam, any_value({wnaam}) AS wijk_naam, "
            "any_value(b.wijk_code) AS wijk_code, count(*) AS n, avg(s.score) AS gemiddeld, max(s.score) AS top, "
            "count(*) FILTER (WHERE s.vermoeden <> '') AS vermoedens, "
            "sum(coalesce(m.n, 0)) AS meldingen, median(b.x_rd) AS x_rd, median(b.y_rd) AS y_rd "
            "FROM raw_bag_verblijfsobject b LEFT JOIN adres_score s USING (verblijfsobject_id) "
            f"LEFT JOIN m USING (verblijfsobject_id) {where} GROUP BY b.buurt_code ORDER BY 2", params)

    def typology_counts(self, wijk: str = "") -> list[dict[str, Any]]:
        where, params = ("WHERE b.wijk_code = ?", [wijk]) if wijk else ("", [])
        return self.rows("SELECT s.vermoeden, count(*) AS n FROM adres_score s JOIN raw_bag_verblijfsobject b "
                         f"USING (verblijfsobject_id) {where} GROUP BY 1 ORDER BY 2 DESC", params)

    def score_histogram(self, wijk: str = "", bins: int = 10) -> list[int]:
        where, params = ("WHERE b.wijk_code = ?", [wijk]) if wijk else ("", [])
        rows = self.rows(f"SELECT least(floor(s.score * {bins}), {bins - 1}) AS k, count(*) AS n FROM adres_score s "
                         f"JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id) {where} GROUP BY 1", params)
        out = [0] * bins
        for r in rows:
            out[int(r["k"])] = int(r["n"])
        return out

    def indicator_counts(self, wijk: str = "") -> list[dict[str, Any]]:
        if not self.has("bijdrage_adres"):
            return []
        where, params = ("WHERE b.wijk_code = ?", [wijk]) if wijk else ("", [])
        rows = self.rows("SELECT c.indicator, count(*) AS n, sum(c.bijdrage) AS totaal FROM bijdrage_adres c "
                         "JOIN raw_bag_verblijfsobject b ON b.verblijfsobject_id = c.entiteit_id "
                         f"{where} GROUP BY 1 ORDER BY 2 DESC", params)
        for r in rows:
            ind = self.catalogue.get(r["indicator"])
            r["titel"] = ind.titel if ind else r["indicator"]
        return rows

    def signal_categories(self, wijk: str = "") -> list[dict[str, Any]]:
        if not (self.has("raw_melding") and self.has("melding_adres")):
            return []
        where, params = ("WHERE b.wijk_code = ?", [wijk]) if wijk else ("", [])
        return self.rows(
            "SELECT c AS categorie, count(*) AS n FROM (SELECT unnest(string_split(m.categorieen, ';')) AS c, "
            "a.verblijfsobject_id FROM raw_melding m JOIN melding_adres a USING (melding_id)) x "
            f"JOIN raw_bag_verblijfsobject b USING (verblijfsobject_id) {where} GROUP BY 1 ORDER BY 2 DESC", params)

    def units_of_buurten(self, vbos: list[str]) -> dict[str, str]:
        rows = self.rows("SELECT verblijfsobject_id, buurt_code FROM raw_bag_verblijfsobject "
                         "WHERE verblijfsobject_id IN (SELECT unnest(?))", [vbos])
        return {r["verblijfsobject_id"]: r["buurt_code"] for r in rows}
