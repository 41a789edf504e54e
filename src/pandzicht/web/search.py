"""The header search: addresses, BAG ids, postcodes, KvK numbers, companies and party tokens.

Lookup tables are built once per published analysis store (`build_tables`: at publication into the store's
lookup file, else at first use in its in-memory DuckDB catalogue; either way read as `memory.zoek_*`), sorted
so that point lookups touch one row group; a new version of the analysis gets its own store and so its own
tables. Persons are findable only by the token of their pseudonym
(HMAC of the party id under the app secret, `privacy.pseudonym.token`), never by a name: the name
tables hold companies only. The token table is computed in SQL in a background thread because it hashes
every person (a few seconds at 1M units); until it is ready a token query waits for it.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from pandzicht.web.analysis import AnalysisStore, PartyRef, address_text

MAX_RESULTS = 50
FUZZY_MIN = 0.86  # Jaro-Winkler similarity from which a street or company name counts as a near miss
TOKEN_WAIT_S = 60.0

_POSTCODE = re.compile(r"^(\d{4})\s*([a-z]{2})(?:\s*(\d{1,5})\s*([a-z])?(?:\s*[-\s]\s*([0-9a-z]{1,4}))?)?$")
_ADDRESS = re.compile(r"^(.*?[a-z].*?)[\s,]+(\d{1,5})\s*([a-z])?(?:\s*[-\s]\s*([0-9a-z]{1,4}))?$")
_TOKEN = re.compile(r"(?:^|#)([0-9a-f]{6})$")


@dataclass(frozen=True)
class Hit:
    """One search result as the header list and the API show it."""

    soort: str  # adres, bedrijf, persoon
    label: str
    url: str


def normalise(text: str) -> str:
    """Lower case, accents and everything but letters and digits removed ("'s-Gravenweg" -> "sgravenweg")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def kind_of(q: str) -> str:
    """What a query looks like, as a code for the audit log (never the query itself)."""
    s = q.strip().lower()
    compact = re.sub(r"\s", "", s)
    if re.fullmatch(r"\d{16}", compact):
        return "bag_id"
    if re.fullmatch(r"\d{8}", compact):
        return "kvk"
    if _POSTCODE.match(s):
        return "postcode"
    if _TOKEN.search(s) and ("#" in s or re.fullmatch(r"[0-9a-f]{6}", s)):
        return "token"
    if _ADDRESS.match(s):
        return "adres"
    return "naam"


def build_tables(store: AnalysisStore, to: str = "memory") -> None:
    """The search tables of a store in catalogue `to`: in memory at first use, or in the lookup file written at
    publication (`AnalysisStore.publish_lookups`), which the store then shows as `memory.zoek_*`."""

    def run(sql: str) -> None:
        with store.cursor() as cur:
            cur.execute(sql)

    key = "regexp_replace(lower(strip_accents({c})), '[^a-z0-9]', '', 'g')"
    run(f"DROP TABLE IF EXISTS {to}.zoek_adres")
    run(f"""CREATE TABLE {to}.zoek_adres AS
        SELECT verblijfsobject_id, CAST(nummeraanduiding_id AS VARCHAR) AS nummeraanduiding_id,
               {key.format(c='openbare_ruimte')} AS straat, huisnummer,
               lower(coalesce(huisletter, '')) AS letter, lower(coalesce(huisnummertoevoeging, '')) AS toevoeging,
               upper(replace(postcode, ' ', '')) AS postcode
        FROM pz.raw_bag_verblijfsobject ORDER BY straat, huisnummer, letter, toevoeging""")
    run(f"DROP TABLE IF EXISTS {to}.zoek_straat")
    run(f"CREATE TABLE {to}.zoek_straat AS SELECT DISTINCT straat FROM {to}.zoek_adres "
        "WHERE straat <> '' ORDER BY straat")
    run(f"DROP TABLE IF EXISTS {to}.zoek_postcode")
    run(f"CREATE TABLE {to}.zoek_postcode AS SELECT postcode, huisnummer, letter, toevoeging, "
        f"verblijfsobject_id FROM {to}.zoek_adres ORDER BY postcode, huisnummer, letter, toevoeging")
    run(f"DROP TABLE IF EXISTS {to}.zoek_bag")
    run(f"CREATE TABLE {to}.zoek_bag AS SELECT id, verblijfsobject_id FROM ("
        f"SELECT verblijfsobject_id AS id, verblijfsobject_id FROM {to}.zoek_adres UNION ALL "
        f"SELECT nummeraanduiding_id, verblijfsobject_id FROM {to}.zoek_adres "
        "WHERE nummeraanduiding_id IS NOT NULL) ORDER BY id")
    run(f"DROP TABLE IF EXISTS {to}.zoek_bedrijf")
    if store.has("partij_vermelding") and store.has("entiteit"):
        # Companies only: a person's name is never searchable.
        run(f"""CREATE TABLE {to}.zoek_bedrijf AS
            SELECT p.entiteit_id, p.naam, {key.format(c='p.naam')} AS naam_sleutel,
                   ' ' || regexp_replace(lower(strip_accents(p.naam)), '[^a-z0-9]+', ' ', 'g') AS woorden,
                   k.kvk
            FROM {to}.partij_kort p
            LEFT JOIN (SELECT e.entiteit_id, list(DISTINCT v.kvk_nummer) AS kvk FROM pz.entiteit e
                       JOIN pz.partij_vermelding v USING (bron, record_sleutel)
                       WHERE v.kvk_nummer IS NOT NULL GROUP BY 1) k USING (entiteit_id)
            WHERE p.bedrijf = 1 ORDER BY naam_sleutel""")
        run(f"DROP TABLE IF EXISTS {to}.zoek_kvk")
        run(f"CREATE TABLE {to}.zoek_kvk AS SELECT unnest(kvk) AS kvk, entiteit_id "
            f"FROM {to}.zoek_bedrijf WHERE kvk IS NOT NULL ORDER BY kvk")
    else:
        run(f"CREATE TABLE {to}.zoek_bedrijf (entiteit_id VARCHAR, naam VARCHAR, naam_sleutel VARCHAR, "
            "woorden VARCHAR, kvk VARCHAR[])")
        run(f"DROP TABLE IF EXISTS {to}.zoek_kvk")
        run(f"CREATE TABLE {to}.zoek_kvk (kvk VARCHAR, entiteit_id VARCHAR)")


class SearchIndex:
    """The lookup tables of one analysis store and the queries over them."""

    def __init__(self, store: AnalysisStore, secret: bytes) -> None:
        self.store = store
        self._tokens_ready = threading.Event()
        if "zoek_adres" not in store.lookup_tables:  # else written at publication
            build_tables(store)
        store.in_background(lambda: self._build_tokens(secret), "zoek-tokens")

    # -- building -------------------------------------------------------------------------------------------------
    def _exec(self, sql: str) -> None:
        with self.store.cursor() as cur:
            cur.execute(sql)

    def _build_tokens(self, secret: bytes) -> None:
        """token -> person id, the HMAC of `privacy.pseudonym.token` written out in SQL (sha256 over blobs)."""
        try:
            key = secret if len(secret) <= 64 else hashlib.sha256(secret).digest()
            key = key.ljust(64, b"\0")
            ipad = bytes(b ^ 0x36 for b in key).hex()
            opad = bytes(b ^ 0x5C for b in key).hex()
            self._exec("DROP TABLE IF EXISTS memory.zoek_token")
            if not self.store.has("partij_vermelding"):
                self._exec("CREATE TABLE memory.zoek_token (token VARCHAR, entiteit_id VARCHAR, naam VARCHAR)")
                return
            inner = f"sha256(unhex('{ipad}') || encode('partij:' || entiteit_id))"
            self._exec(f"""CREATE TABLE memory.zoek_token AS
                SELECT left(sha256(unhex('{opad}') || unhex({inner})), 6) AS token, entiteit_id, naam
                FROM memory.partij_kort WHERE bedrijf = 0 ORDER BY token""")
        finally:
            self._tokens_ready.set()

    # -- querying -------------------------------------------------------------------------------------------------
    def search(self, q: str, name_for: Callable[[PartyRef], str], limit: int = 10) -> list[Hit]:
        """At most `limit` hits, the most specific kind of match first."""
        s = " ".join(q.strip().lower().split())[:120]
        limit = max(1, min(limit, MAX_RESULTS))
        if len(s) < 2:
            return []
        compact = s.replace(" ", "")
        if re.fullmatch(r"\d{16}", compact):
            return self._units("SELECT verblijfsobject_id FROM memory.zoek_bag WHERE id = ?", [compact], limit)
        hits: list[Hit] = []
        if re.fullmatch(r"\d{8}", compact):
            hits += self._companies("SELECT entiteit_id FROM memory.zoek_kvk WHERE kvk = ?", [compact], limit)
        m = _POSTCODE.match(s)
        if m:
            hits += self._postcode(m, limit)
        t = _TOKEN.search(s)
        if t and ("#" in s or re.fullmatch(r"[0-9a-f]{6}", s)):
            hits += self._persons(t.group(1), name_for, limit)
        if not m and not re.fullmatch(r"[\d\s#]+", s):
            a = _ADDRESS.match(s)
            if a:
                hits += self._street_number(a, limit)
            elif len(normalise(s)) >= 3:
                hits += self._street_only(normalise(s), max(1, limit // 2))
            hits += self._company_names(s, limit)
        seen: set[str] = set()
        unique = [h for h in hits if not (h.url in seen or seen.add(h.url))]  # type: ignore[func-returns-value]
        return unique[:limit]

    def _rows(self, sql: str, params: list) -> list[tuple]:
        with self.store.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _units(self, sql: str, params: list, limit: int) -> list[Hit]:
        ids = [r[0] for r in self._rows(f"{sql} LIMIT {int(limit)}", params)]
        units = self.store.unit_addresses(ids)
        return [Hit("adres", address_text(units[i]), f"/adres/{i}") for i in ids if i in units]

    def _postcode(self, m: re.Match, limit: int) -> list[Hit]:
        where, params = "postcode = ?", [(m.group(1) + m.group(2)).upper()]
        if m.group(3):
            where += " AND huisnummer = ?"
            params.append(int(m.group(3)))
        where, params = self._letter_filter(where, params, m.group(4), m.group(5))
        return self._units(f"SELECT verblijfsobject_id FROM memory.zoek_postcode WHERE {where} "
                           "ORDER BY huisnummer, letter, toevoeging", params, limit)

    @staticmethod
    def _letter_filter(where: str, params: list, letter: str | None, toevoeging: str | None) -> tuple[str, list]:
        if letter and toevoeging:
            where += " AND letter = ? AND toevoeging = ?"
            params += [letter, toevoeging]
        elif letter:  # "13b": huisletter b, or toevoeging b written without a dash
            where += " AND (letter = ? OR (letter = '' AND toevoeging = ?))"
            params += [letter, letter]
        elif toevoeging:
            where += " AND (toevoeging = ? OR letter = ?)"
            params += [toevoeging, toevoeging]
        return where, params

    def _streets(self, key: str, limit: int = 8) -> list[str]:
        """Street keys starting with, containing, or (failing both) resembling what was typed."""
        if len(key) < 2:
            return []
        rows = self._rows("SELECT straat FROM memory.zoek_straat WHERE starts_with(straat, ?) ORDER BY straat "
                          "LIMIT ?", [key, limit])
        if not rows and len(key) >= 4:
            rows = self._rows("SELECT straat FROM memory.zoek_straat WHERE contains(straat, ?) ORDER BY straat "
                              "LIMIT ?", [key, limit])
        if not rows and len(key) >= 4:
            rows = self._rows("SELECT straat FROM (SELECT straat, jaro_winkler_similarity(straat, ?) AS j "
                              "FROM memory.zoek_straat) WHERE j >= ? ORDER BY j DESC, straat LIMIT ?",
                              [key, FUZZY_MIN, limit])
        return [r[0] for r in rows]

    def _street_number(self, a: re.Match, limit: int) -> list[Hit]:
        streets = self._streets(normalise(a.group(1).split(",")[0]))
        if not streets:
            return []
        where, params = "straat IN (SELECT unnest(?)) AND huisnummer = ?", [streets, int(a.group(2))]
        where, params = self._letter_filter(where, params, a.group(3), a.group(4))
        return self._units(f"SELECT verblijfsobject_id FROM memory.zoek_adres WHERE {where} "
                           "ORDER BY straat, huisnummer, letter, toevoeging", params, limit)

    def _street_only(self, key: str, limit: int) -> list[Hit]:
        streets = self._streets(key, 3)
        if not streets:
            return []
        return self._units("SELECT verblijfsobject_id FROM memory.zoek_adres WHERE straat IN (SELECT unnest(?)) "
                           "ORDER BY straat, huisnummer, letter, toevoeging", [streets], limit)

    def _companies(self, sql: str, params: list, limit: int) -> list[Hit]:
        ids = [r[0] for r in self._rows(f"{sql} LIMIT {int(limit)}", params)]
        if not ids:
            return []
        rows = {r[0]: r[1:] for r in self._rows(
            "SELECT entiteit_id, naam, kvk FROM memory.zoek_bedrijf WHERE entiteit_id IN (SELECT unnest(?))", [ids])}
        out = []
        for i in ids:
            if i in rows:
                naam, kvk = rows[i]
                out.append(Hit("bedrijf", f"{naam} (KvK {kvk[0]})" if kvk else naam, f"/partij/{i}"))
        return out

    def _company_names(self, s: str, limit: int) -> list[Hit]:
        key = normalise(s)
        if len(key) < 2:
            return []
        words = " " + re.sub(r"[^a-z0-9]+", " ", unicodedata.normalize("NFKD", s).encode("ascii", "ignore")
                             .decode().lower()).strip()
        hits = self._companies("SELECT entiteit_id FROM memory.zoek_bedrijf WHERE starts_with(naam_sleutel, ?) "
                               "OR contains(woorden, ?) ORDER BY NOT starts_with(naam_sleutel, ?), naam_sleutel",
                               [key, words, key], limit)
        if len(hits) < limit and len(key) >= 4:
            hits += self._companies(
                "SELECT entiteit_id FROM (SELECT entiteit_id, naam_sleutel, greatest(jaro_winkler_similarity("
                "naam_sleutel, ?), jaro_winkler_similarity(left(naam_sleutel, ?), ?)) AS j FROM memory.zoek_bedrijf) "
                "WHERE j >= ? ORDER BY j DESC, naam_sleutel", [key, len(key), key, FUZZY_MIN], limit - len(hits))
        return hits

    def _persons(self, token: str, name_for: Callable[[PartyRef], str], limit: int) -> list[Hit]:
        self._tokens_ready.wait(TOKEN_WAIT_S)
        rows = self._rows(f"SELECT entiteit_id, naam FROM memory.zoek_token WHERE token = ? ORDER BY entiteit_id "
                          f"LIMIT {int(limit)}", [token])
        # The label is the pseudonym, exactly as every other screen shows this person.
        return [Hit("persoon", name_for(PartyRef(eid, naam or "?", "persoon")), f"/partij/{eid}") for eid, naam in rows]


_indexes: weakref.WeakKeyDictionary[AnalysisStore, SearchIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_for(store: AnalysisStore, secret: bytes) -> SearchIndex:
    """The search index of this store, built on first use (a newly published store gets a new one)."""
    with _lock:
        idx = _indexes.get(store)
        if idx is None:
            idx = SearchIndex(store, secret)
            _indexes[store] = idx
        return idx
