"""The key index behind the dossier, network and ranked list (web/lookup.py): the same rows as the SQL it
replaces, on a small table and on the test world's store."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandzicht.web.analysis import _UNIT_COLUMNS, RANKED_ORDER
from pandzicht.web.lookup import SEP, KeyIndex, _encode, _encode_column, _encode_parts, composite


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(":memory:")
    c.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('b', 2, 'x'), ('a', 1, 'y'), ('b', 1, 'z'), ('c', 5, NULL), "
              "('b', 3, 'w'), ('é', 9, 'u')) v(k, n, s)")
    return c


def test_rows_counts_caps_and_composite_keys(con: duckdb.DuckDBPyConnection) -> None:
    idx = KeyIndex.query(con, "SELECT * FROM t ORDER BY n", "k")
    assert [r["n"] for r in idx.rows(["b"])] == [1, 2, 3]  # a key's rows in the query's order
    assert [r["n"] for r in idx.rows(["b"], per_key=2)] == [1, 2]
    assert [r["k"] for r in idx.rows(["c", "a", "c", "zz"])] == ["c", "a"]  # asked order, duplicates once
    assert idx.rows(["é"])[0]["n"] == 9  # non-ASCII keys
    assert idx.counts(["b", "a", "q"]) == {"b": 3, "a": 1}
    assert idx.rows([]) == [] and idx.rows([None]) == []
    by_s = idx.on("s")
    assert by_s.get("z")[0]["k"] == "b" and len(by_s) == len(idx)
    both = KeyIndex.query(con, "SELECT * FROM t", ["k", "n"])
    assert both.get(composite("b", 3))[0]["s"] == "w"


def test_presorted_index_keeps_only_key_starts(con: duckdb.DuckDBPyConnection) -> None:
    idx = KeyIndex.query(con, "SELECT * FROM t ORDER BY k, n", "k", presorted=True)
    assert idx.order is None and len(idx.keys) == 4
    assert [r["n"] for r in idx.rows(["b"])] == [1, 2, 3]
    assert [r["n"] for r in idx.rows(["b"], per_key=1)] == [1]
    assert idx.get("aa") == [] and idx.get("zzz") == [] and idx.get("0") == []
    assert idx.counts(["b", "c", "nope"]) == {"b": 3, "c": 1}
    empty = KeyIndex.query(con, "SELECT * FROM t WHERE false", "k", presorted=True)
    assert empty.get("b") == [] and empty.counts(["b"]) == {}


def test_ranked_pages_equal_the_sql_they_replace(app) -> None:  # type: ignore[no-untyped-def]
    store = app.state.ctx.analysis
    order = RANKED_ORDER.replace("gescoord DESC, ", "")

    def sql(where: str, params: list, limit: int, offset: int) -> list[str]:
        return [r["verblijfsobject_id"] for r in store.rows(
            f"SELECT {_UNIT_COLUMNS} FROM memory.unit_adres WHERE gescoord {where} ORDER BY {order} "
            "LIMIT ? OFFSET ?", [*params, limit, offset])]

    def ids(**kw: object) -> list[str]:
        return [r["verblijfsobject_id"] for r in store.top_units(**kw)]

    wijk = store.wijken()[0]["wijk_code"]
    buurt = store.one("SELECT buurt_code, buurt_naam FROM memory.unit_adres WHERE gescoord LIMIT 1")
    kind = store.one("SELECT vermoeden FROM adres_score WHERE vermoeden <> '' LIMIT 1")["vermoeden"]
    assert ids(limit=25) == sql("", [], 25, 0)
    assert ids(limit=25, offset=50) == sql("", [], 25, 50)
    assert ids(limit=10, offset=10**6) == []
    assert ids(limit=25, offset=5, wijk=wijk) == sql("AND wijk_code = ?", [wijk], 25, 5)
    assert ids(limit=25, vermoeden=kind) == sql("AND vermoeden = ?", [kind], 25, 0)
    assert ids(limit=25, buurt=buurt["buurt_code"]) == sql("AND buurt_code = ?", [buurt["buurt_code"]], 25, 0)
    assert ids(limit=25, buurt=buurt["buurt_naam"]) == sql("AND buurt_naam = ?", [buurt["buurt_naam"]], 25, 0)
    assert ids(limit=25, wijk=wijk, vermoeden=kind) == sql("AND wijk_code = ? AND vermoeden = ?", [wijk, kind], 25, 0)
    # parties: the whole list and the wijk filter, against the SQL they replace
    first = [r["entiteit_id"] for r in store.top_parties(10, 5)]
    assert first == [r["entiteit_id"] for r in store.rows(
        "SELECT entiteit_id FROM partij_score ORDER BY rang LIMIT 10 OFFSET 5")]
    in_wijk = [r["entiteit_id"] for r in store.top_parties(10, wijk=wijk)]
    assert in_wijk and in_wijk == [r["entiteit_id"] for r in store.rows(
        "SELECT entiteit_id FROM partij_score WHERE entiteit_id IN (SELECT r.van FROM relatie r JOIN "
        "raw_bag_verblijfsobject b ON b.verblijfsobject_id = r.naar WHERE b.wijk_code = ?) ORDER BY rang LIMIT 10",
        [wijk])]
    # the network's edges and degrees, against SQL over the relation table
    vbo = store.top_units(1)[0]["verblijfsobject_id"]
    parties = [e["van"] for e in store.edges_touching([vbo]) if e["naar"] == vbo]
    want = store.rows("SELECT count(*) AS n FROM relatie WHERE van IN (SELECT unnest(?)) OR naar IN "
                      "(SELECT unnest(?))", [[vbo, *parties], [vbo, *parties]])[0]["n"]
    assert len(store.edges_touching([vbo, *parties], limit=10**6)) == want
    degrees = store.degrees([vbo, *parties])
    for node in (vbo, *parties):
        assert degrees[node] == store.one("SELECT count(*) AS n FROM relatie WHERE van = ? OR naar = ?",
                                          [node, node])["n"]


def test_fixed_width_keys_are_read_from_arrow_buffers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE f AS SELECT printf('0599%012d', i % 7) AS id, i FROM range(50) r(i)")
    idx = KeyIndex.query(con, "SELECT * FROM f ORDER BY i", "id")
    assert idx.keys.dtype == "S16"
    assert [r["i"] for r in idx.get("0599000000000003")] == [3, 10, 17, 24, 31, 38, 45]
    assert idx.counts(["0599000000000006", "0599000000000007"]) == {"0599000000000006": 7}
    sliced = KeyIndex(idx.table.slice(10, 20), "id")  # an array that starts inside its buffers
    assert [r["i"] for r in sliced.get("0599000000000003")] == [10, 17, 24]


@pytest.mark.parametrize("presorted", [False, True])
def test_keys_wider_than_the_index_match_nothing_and_leave_the_keys_as_they_are(
        con: duckdb.DuckDBPyConnection, presorted: bool) -> None:
    con.execute("CREATE TABLE w AS SELECT printf('0599%012d', i % 7) AS id, i FROM range(50) r(i)")
    idx = KeyIndex.query(con, "SELECT * FROM w ORDER BY id, i" if presorted else "SELECT * FROM w", "id",
                         presorted=presorted)
    keys = idx.keys
    # a signal id beside unit ids; and a longer key whose first 16 characters are a unit id (no false match)
    wanted = ["melding:ML00026809", "0599000000000003X", "0599000000000003"]
    assert idx.counts(wanted) == {"0599000000000003": 7}
    assert {r["id"] for r in idx.rows(wanted)} == {"0599000000000003"}
    assert idx.keys is keys and idx.keys.dtype == "S16"


_KEY = st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
                 st.text(max_size=6))


@given(st.lists(st.tuples(_KEY, _KEY), min_size=1, max_size=40), st.integers(0, 5))
def test_keys_from_arrow_are_the_keys_python_makes(rows: list[tuple], start: int) -> None:
    """Variable-width and composite keys read by Arrow (a null part is ''), or left to Python where a key is not
    ASCII: always the same byte strings as the Python path, so the index finds the same rows."""
    table = pa.table({"a": pa.array([r[0] for r in rows], pa.string()),
                      "b": pa.array([r[1] for r in rows], pa.string())}).slice(min(start, len(rows) - 1))
    a, b = table.column("a").to_pylist(), table.column("b").to_pylist()
    single, joined = _encode_column(table.column("a")), _encode_parts(table, ["a", "b"])
    if single is not None:
        assert single.tolist() == _encode(a).tolist()
    else:
        assert not all(x is None or x.isascii() for x in a) or not any(a)
    want = _encode([SEP.join("" if x is None else x for x in pair) for pair in zip(a, b, strict=True)])
    if joined is not None:
        assert joined.tolist() == want.tolist()
    index = KeyIndex(table, ["a", "b"])
    for pair in zip(a, b, strict=True):
        key = composite(*("" if x is None else x for x in pair))
        assert len(index.get(key)) == sum(1 for p in zip(a, b, strict=True)
                                          if composite(*("" if x is None else x for x in p)) == key)


def test_party_screens_read_relations_as_the_sql_they_replace(app) -> None:  # type: ignore[no-untyped-def]
    """Portfolio, officers, phoenix history and the party list's wijk filter read the relations through the key
    indexes (no DuckDB copy of them is published): the same rows as the SQL over `relatie` they replaced."""
    store = app.state.ctx.analysis
    parties = [r["entiteit_id"] for r in store.rows(
        "(SELECT van AS entiteit_id FROM relatie WHERE soort = 'director_of' GROUP BY 1 ORDER BY count(*) DESC, 1 "
        "LIMIT 15) UNION (SELECT naar FROM relatie WHERE soort = 'director_of' GROUP BY 1 ORDER BY count(*) DESC, 1 "
        "LIMIT 15) UNION (SELECT van FROM relatie WHERE soort IN ('owns', 'lets', 'brokers') GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 15)")]
    assert len(parties) > 20
    seen_officers = seen_firms = 0
    for party in parties:
        spans = {(r["verblijfsobject_id"], r["soort"], r["bron"]): (r["van"], r["tot"]) for r in store.rows(
            "SELECT naar AS verblijfsobject_id, soort, bron, min(geldig_van) AS van, max(coalesce(geldig_tot, "
            "DATE '9999-12-31')) AS tot FROM relatie WHERE van = ? AND soort <> 'director_of' GROUP BY 1, 2, 3",
            [party])}
        shown = store.portfolio(party)
        assert len({(r["verblijfsobject_id"], r["soort"], r["bron"]) for r in shown}) == len(shown)
        for r in shown:
            van, tot = spans[(r["verblijfsobject_id"], r["soort"], r["bron"])]
            assert (r["van"], r["tot"]) == (van, None if tot.year == 9999 else tot)
        units = set(store.unit_addresses([k[0] for k in spans]))
        assert len(shown) == sum(1 for k in spans if k[0] in units)
        officers = store.officers(party)
        want_of = store.rows("SELECT van AS entiteit_id, geldig_van, geldig_tot, record_sleutel FROM relatie WHERE "
                             "soort = 'director_of' AND naar = ? ORDER BY geldig_van, van, record_sleutel", [party])
        want_fn = store.rows("SELECT naar AS entiteit_id, geldig_van, geldig_tot, record_sleutel FROM relatie WHERE "
                             "soort = 'director_of' AND van = ? ORDER BY geldig_van, naar, record_sleutel", [party])
        keys = ("entiteit_id", "geldig_van", "geldig_tot", "record_sleutel")
        assert [{k: r[k] for k in keys} for r in officers["functionarissen"]] == want_of
        assert [{k: r[k] for k in keys} for r in officers["functies"]] == want_fn
        seen_officers += len(want_of) + len(want_fn)
        firms = [r["kvk_nummer"] for r in store.phoenix_history(party)]
        want = list(dict.fromkeys(r["kvk_nummer"] for r in store.rows("""
            WITH people AS (SELECT van AS p FROM relatie WHERE soort = 'director_of' AND naar = ? UNION SELECT ?),
            firms AS (SELECT DISTINCT r.naar AS bedrijf, r.van AS persoon FROM relatie r JOIN people ON r.van = p
                      WHERE r.soort = 'director_of')
            SELECT k.kvk_nummer FROM firms f JOIN entiteit e ON e.entiteit_id = f.bedrijf AND e.bron = 'kvk_vestiging'
            JOIN raw_kvk_vestiging k ON k.kvk_nummer = e.record_sleutel
            ORDER BY k.datum_inschrijving, k.kvk_nummer, f.persoon""", [party, party])))
        assert firms == want
        seen_firms += len(want)
    assert seen_officers and seen_firms  # the sample exercised both
    pick = store.one("SELECT b.wijk_code, p.rol FROM relatie r JOIN raw_bag_verblijfsobject b ON "
                     "b.verblijfsobject_id = r.naar JOIN partij_score p ON p.entiteit_id = r.van WHERE b.wijk_code "
                     "IS NOT NULL GROUP BY 1, 2 ORDER BY count(DISTINCT p.entiteit_id) DESC, 1, 2 LIMIT 1")
    wijk, rol = pick["wijk_code"], pick["rol"]
    got = [r["entiteit_id"] for r in store.top_parties(20, wijk=wijk, rol=rol)]
    assert got and got == [r["entiteit_id"] for r in store.rows(
        "SELECT entiteit_id FROM partij_score WHERE rol = ? AND entiteit_id IN (SELECT r.van FROM relatie r JOIN "
        "raw_bag_verblijfsobject b ON b.verblijfsobject_id = r.naar WHERE b.wijk_code = ?) ORDER BY rang LIMIT 20",
        [rol, wijk])]
