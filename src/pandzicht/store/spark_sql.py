"""DuckDB SQL as Spark SQL: SQLGlot's translation plus the few rewrites its output needs to run on Spark.

The stages write their SQL once, in DuckDB's dialect. SQLGlot translates
expressions; what it cannot (statements that change a table in place, which
Spark's Parquet tables do not support, and a handful of functions) is
rewritten here, each rewrite with a test in tests/store/test_spark_sql.py.
A statement is parsed into a `Statement`: what it does to which table, with
the query (already Spark SQL) that gives the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

_DUCK, _SPARK = "duckdb", "spark"


@dataclass(frozen=True)
class Statement:
    """One DuckDB statement as the Spark engine runs it.

    kind: `query` (rows back), `create` (table from `query`, or empty with `schema`), `insert` (append `query`'s
    rows to `table`, in `columns` order when given), `replace_rows` (the table becomes `query`: DELETE and UPDATE
    rewritten as a SELECT), `drop`, `view` (a temporary view over `query`), `copy` (write `query` as CSV to
    `target`) or `noop` (transactions, settings, indexes: nothing to do on Spark)."""

    kind: str
    table: str | None = None
    query: str | None = None
    schema: tuple[tuple[str, str], ...] | None = None
    columns: tuple[str, ...] | None = None
    if_not_exists: bool = False
    target: str | None = None


def literal(value: Any) -> exp.Expression:
    """A Python parameter as a SQL literal (Spark SQL has no `?` placeholders)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    return exp.Literal.string(str(value))


def bind(tree: exp.Expression, params: list[Any] | None) -> exp.Expression:
    """Put the parameters in place of the `?` placeholders, in order."""
    if not params:
        return tree
    values = iter(params)

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            return literal(next(values))
        return node

    return tree.transform(swap)


ColumnsOf = Callable[[str], list[str]]


def _source_table(select: exp.Select, qualifier: str) -> str:
    """The stored table a star refers to, by its alias or name in the SELECT's FROM and JOINs."""
    sources = [select.args.get("from_") or select.args.get("from")]
    sources = [s.this for s in sources if s is not None] + [j.this for j in select.args.get("joins") or []]
    for src in sources:
        if isinstance(src, exp.Table) and (not qualifier or qualifier in (src.alias_or_name, src.name)):
            return src.name
    raise ValueError(f"star of {qualifier or 'a subquery'} cannot be expanded for Spark")


def _expand_stars(select: exp.Select, columns_of: ColumnsOf) -> None:
    """DuckDB's `* EXCLUDE (...)` and `* REPLACE (... AS c)` as a plain column list (Spark has neither)."""
    out: list[exp.Expression] = []
    for e in select.expressions:
        star = e.this if isinstance(e, exp.Column) and isinstance(e.this, exp.Star) else e
        if not isinstance(star, exp.Star) or not (star.args.get("replace") or star.args.get("except_")):
            out.append(e)
            continue
        qualifier = e.table if isinstance(e, exp.Column) else ""
        table = _source_table(select, qualifier)
        dropped = {c.name.lower() for c in star.args.get("except_") or []}
        replaced = {a.alias.lower(): a for a in star.args.get("replace") or []}
        for c in columns_of(table):
            if c.lower() in dropped:
                continue
            out.append(replaced[c.lower()].copy() if c.lower() in replaced else exp.column(c, table=qualifier or None))
    select.set("expressions", out)


def _distinct_window_count(node: exp.Expression) -> exp.Expression:
    """count(DISTINCT x) OVER (...) as size(collect_set(x) OVER (...)): Spark has no distinct window functions
    (both skip NULLs)."""
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Count) and isinstance(node.this.this, exp.Distinct):
        values = node.this.this.expressions
        if len(values) == 1:
            window = node.copy()
            window.set("this", exp.Anonymous(this="COLLECT_SET", expressions=[values[0].copy()]))
            return exp.Anonymous(this="SIZE", expressions=[window])
    return node


def _distinct_string_agg(node: exp.Expression) -> exp.Expression:
    """string_agg(DISTINCT x, sep [ORDER BY x]) [FILTER (...)] as nullif(array_join(array_sort(collect_set(x)
    [FILTER (...)]), sep), ''): Spark's LISTAGG(DISTINCT ...) WITHIN GROUP fails with a FILTER (a Spark 4 planner
    error), and the sorted set is the same string (both skip NULLs; no rows gives NULL)."""
    filt = node if isinstance(node, exp.Filter) else None
    agg = filt.this if filt is not None else node
    if not isinstance(agg, exp.GroupConcat):
        return node
    inner = agg.this
    order = inner if isinstance(inner, exp.Order) else None
    distinct = order.this if order is not None else inner
    if not isinstance(distinct, exp.Distinct) or len(distinct.expressions) != 1:
        return node
    value = distinct.expressions[0]
    if order is not None and (len(order.expressions) != 1 or order.expressions[0].this != value
                              or order.expressions[0].args.get("desc")):
        return node
    collected: exp.Expression = exp.Anonymous(this="COLLECT_SET", expressions=[value.copy()])
    if filt is not None:
        collected = exp.Filter(this=collected, expression=filt.expression.copy())
    separator = agg.args.get("separator") or exp.Literal.string(",")
    joined = exp.Anonymous(this="ARRAY_JOIN", expressions=[
        exp.Anonymous(this="ARRAY_SORT", expressions=[collected]), separator.copy()])
    return exp.Nullif(this=joined, expression=exp.Literal.string(""))


def _percentile(node: exp.Expression) -> exp.Expression:
    """quantile_cont(x, q) as percentile(x, q): both interpolate linearly between the exact values (sqlglot
    writes Spark's PERCENTILE_CONT with two arguments, which Spark refuses)."""
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="PERCENTILE", expressions=[node.this.copy(), node.expression.copy()])
    return node


def _full_match(node: exp.Expression) -> exp.Expression:
    """regexp_full_match(s, p) as s RLIKE '^(?:p)$' (Spark has no full-match function; RLIKE finds anywhere)."""
    if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
        anchored = exp.Literal.string(f"^(?:{node.expression.this})$")
        return exp.RegexpLike(this=node.this.copy(), expression=anchored)
    return node


def _decimal_literal(node: exp.Expression) -> exp.Expression:
    """A number written with a decimal point (`1.0`, a bound Python float) as a DOUBLE. Spark reads it as a
    DECIMAL, and arithmetic on decimals that runs out of precision rounds to 6 places: `sum(n * 1.0) / d` for a
    share of 3 in 10 million came out 0.0 on Spark and 3e-7 on DuckDB, whose decimal division gives a DOUBLE. A
    type's own precision (`DECIMAL(10, 2)`) is left alone, and so is `1e-3`, which Spark reads as a DOUBLE."""
    if (isinstance(node, exp.Literal) and not node.is_string and "." in node.this
            and "e" not in node.this.lower() and not isinstance(node.parent, exp.DataTypeParam)):
        return exp.cast(node.copy(), exp.DataType.Type.DOUBLE)
    return node


def _rewrite(tree: exp.Expression, columns_of: ColumnsOf | None) -> exp.Expression:
    """The DuckDB constructs whose SQLGlot translation does not run on Spark."""
    if columns_of is not None:
        for select in list(tree.find_all(exp.Select)):
            _expand_stars(select, columns_of)
    for fix in (_distinct_window_count, _distinct_string_agg, _percentile, _full_match, _decimal_literal):
        tree = tree.transform(fix)
    return tree


def to_spark_sql(sql: str | exp.Expression, columns_of: ColumnsOf | None = None) -> str:
    """DuckDB SQL (the dialect the stages and the catalogue are written in) as Spark SQL. `columns_of(table)`
    gives a stored table's columns, for the rewrites that need them."""
    tree = sqlglot.parse_one(sql, read=_DUCK) if isinstance(sql, str) else sql
    return _rewrite(tree, columns_of).sql(dialect=_SPARK)


def _name(table: exp.Expression) -> str:
    t = table.this if isinstance(table, exp.Schema) else table
    return t.name


def _schema(schema: exp.Schema) -> tuple[tuple[str, str], ...]:
    cols = []
    for col in schema.expressions:
        if isinstance(col, exp.ColumnDef):
            kind = col.args.get("kind")
            cols.append((col.name, kind.sql(dialect=_SPARK) if kind else "STRING"))
    return tuple(cols)


def _values_query(values: exp.Values, columns_of: ColumnsOf | None) -> str:
    """INSERT ... VALUES as a SELECT (so every insert is a query whose rows are appended)."""
    rows = [
        exp.select(*row.expressions) if isinstance(row, exp.Tuple) else exp.select(row)
        for row in values.expressions
    ]
    union: exp.Expression = rows[0]
    for r in rows[1:]:
        union = exp.union(union, r, distinct=False)
    return to_spark_sql(union, columns_of)


def _delete(tree: exp.Delete, columns_of: ColumnsOf | None) -> Statement:
    table = _name(tree.this)
    where = tree.args.get("where")
    if where is None:
        return Statement("replace_rows", table, f"SELECT * FROM {table} WHERE false")
    keep = exp.not_(exp.func("coalesce", exp.paren(where.this.copy()), exp.false()))
    return Statement("replace_rows", table, to_spark_sql(exp.select("*").from_(table).where(keep), columns_of))


def _update(tree: exp.Update, columns_of: ColumnsOf) -> Statement:
    """UPDATE t SET c = e WHERE w as SELECT ..., CASE WHEN w THEN e ELSE c END AS c, ... FROM t.

    UPDATE t SET c = v.x FROM v WHERE w (DuckDB's join update) becomes t LEFT JOIN v ON w, each set column
    taking its new value where a row of v joined: the stages join on keys, so at most one row of v does."""
    target = tree.this
    table = _name(target)
    alias = target.alias or table
    sets = {eq.this.name: eq.expression for eq in tree.expressions}
    where = tree.args.get("where")
    source = tree.args.get("from_") or tree.args.get("from")
    if source is not None:
        other = source.this
        other_alias = other.alias or other.name
        hit = exp.select("*", exp.alias_(exp.true(), "_bijgewerkt")).from_(_unaliased(other))
        joined = exp.Subquery(this=hit, alias=exp.TableAlias(this=exp.to_identifier(other_alias)))
        condition = exp.column("_bijgewerkt", table=other_alias).is_(exp.true())
    else:
        joined, condition = None, (where.this.copy() if where is not None else None)
    out = []
    for c in columns_of(table):
        if c in sets:
            value = sets[c].copy()
            if condition is not None:
                value = exp.Case(ifs=[exp.If(this=condition.copy(), true=value)], default=exp.column(c, table=alias))
            out.append(exp.alias_(value, c))
        else:
            out.append(exp.column(c, table=alias))
    query = exp.select(*out).from_(exp.alias_(exp.to_table(table), alias, table=True))
    if joined is not None:
        query = query.join(joined, on=where.this.copy() if where is not None else exp.true(), join_type="left")
    return Statement("replace_rows", table, to_spark_sql(query, columns_of))


def _unaliased(source: exp.Expression) -> exp.Expression:
    """A FROM source without its alias (the alias goes on the subquery around it)."""
    bare = source.copy()
    bare.set("alias", None)
    return bare


def parse(sql: str, params: list[Any] | None = None, columns_of: ColumnsOf | None = None) -> Statement:
    """What one DuckDB statement does, as the Spark engine runs it. `columns_of(table)` gives a table's
    columns (UPDATE needs them to write every column back)."""
    tree = bind(sqlglot.parse_one(sql, read=_DUCK), params)
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "INDEX":
            return Statement("noop")
        name = _name(tree.this)
        body = tree.expression
        if kind == "VIEW":
            return Statement("view", name, to_spark_sql(body, columns_of))
        exists = bool(tree.args.get("exists"))
        if body is not None and not isinstance(body, exp.Schema):
            return Statement("create", name, to_spark_sql(body, columns_of), if_not_exists=exists)
        return Statement("create", name, schema=_schema(tree.this), if_not_exists=exists)
    if isinstance(tree, exp.Insert):
        target = tree.this
        cols = tuple(c.name for c in target.expressions) if isinstance(target, exp.Schema) else None
        body = tree.expression
        query = _values_query(body, columns_of) if isinstance(body, exp.Values) else to_spark_sql(body, columns_of)
        return Statement("insert", _name(target), query, columns=cols)
    if isinstance(tree, exp.Delete):
        return _delete(tree, columns_of)
    if isinstance(tree, exp.Update):
        return _update(tree, columns_of)
    if isinstance(tree, exp.Drop):
        return Statement("drop", _name(tree.args["tables"][0]))
    if isinstance(tree, exp.Copy):
        target = tree.args["files"][0].name
        body = tree.this.this if isinstance(tree.this, exp.Subquery) else tree.this
        return Statement("copy", query=to_spark_sql(body, columns_of), target=target)
    if isinstance(tree, exp.Transaction | exp.Commit | exp.Rollback | exp.Set | exp.Command):
        return Statement("noop")
    return Statement("query", query=to_spark_sql(tree, columns_of))
