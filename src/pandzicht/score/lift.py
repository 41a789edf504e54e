"""An indicator query over every reference date at once: the single-row `bundel_meta` becomes `_peildata`.

Learning from past checks reruns each indicator as it stood at each reference date (`point_in_time.py`).
Setting the peildatum and rerunning every query per date is hundreds of small queries, thousands of jobs on
Spark. `lift` rewrites one indicator query so it reads `_peildata` (the columns of `bundel_meta`, one row per
reference date) and returns `(peildatum, entiteit_id, waarde)` for all dates in one query.

The rewrite works on the SQLGlot tree, one SELECT scope at a time. A relation is *dated* when it (transitively)
reads `bundel_meta`; a dated relation carries its date as an extra last column `_peil`. A scope over dated
relations:

- projects its date as `_peil` (a UNION carries it in every branch: an undated branch is crossed with the dates);
- groups by it (a global aggregate becomes one row per date, and a date without rows still gets the row an
  aggregate over no rows gives, as the query did when run at that date);
- partitions every window by it, and adds it to DISTINCT ON;
- joins dated relations on equal dates (in ON, in the USING list, or in WHERE for comma joins); an undated
  relation preserved by an outer join against a dated one is crossed with the dates first;
- reads a scalar subquery on `bundel_meta` (`(SELECT peildatum FROM bundel_meta)`, also through a CTE that only
  projects it) as its own date; a subquery predicate (EXISTS, IN, a scalar subquery) over dated relations is
  correlated on the date with the row it tests.

Whatever is not in this list (LIMIT in a dated scope, stars, RIGHT and FULL joins against dated relations,
lateral joins, GROUPING SETS, recursive CTEs, functions it cannot tell from aggregates) raises `NotLiftable`;
the caller then runs that indicator once per date as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

DATES = "_peildata"  # the columns of bundel_meta, one row per reference date
_META = "bundel_meta"
_DATE = "_peil"  # the date column every dated relation carries
_DUCK = "duckdb"


class NotLiftable(ValueError):
    """The query uses a construct the rewrite does not handle; run it once per date instead."""


@dataclass(frozen=True)
class _Cte:
    dated: bool
    original: exp.Expression  # the body before lifting (to inline a date-only scalar subquery)


Env = dict[str, _Cte]
DateOf = Callable[[], exp.Column]


@cache
def lift(sql: str) -> str:
    """The indicator query `sql` (DuckDB SQL, reading the peildatum from `bundel_meta`) over every row of
    `_peildata`: `(peildatum, entiteit_id, waarde)` per reference date, DuckDB SQL. A pure function of the
    text, so kept per process: an analysis lifts the same query for the homes, their typologies and the
    parties, and a continued delivery only for new reference dates (parsing is ~30 ms a query)."""
    try:
        tree = sqlglot.parse_one(sql, read=_DUCK)
    except sqlglot.errors.ParseError as exc:
        raise NotLiftable(f"cannot parse: {exc}") from None
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise NotLiftable("not a query")
    lifter = _Lifter()
    node, dated = lifter.relation(tree, {})
    with_ = node.args.get("with_")
    if with_ is not None:
        node.set("with_", None)
    inner = exp.Subquery(this=node, alias=exp.TableAlias(this=exp.to_identifier("_q")))
    if dated:
        out = exp.select(exp.alias_(exp.column(_DATE, "_q"), "peildatum"), exp.column("entiteit_id", "_q"),
                         exp.column("waarde", "_q")).from_(inner)
    else:
        out = exp.select(exp.column("peildatum", "_d"), exp.column("entiteit_id", "_q"),
                         exp.column("waarde", "_q")).from_(inner)
        out = out.join(exp.alias_(exp.to_table(DATES), "_d", table=True), join_type="cross")
    if with_ is not None:
        out.set("with_", with_)
    return out.sql(dialect=_DUCK)


def _base(alias: str) -> exp.Subquery:
    """`_peildata` with its date as `_peil`, like every other dated relation."""
    body = exp.select("*", exp.alias_(exp.column("peildatum"), _DATE)).from_(DATES)
    return exp.Subquery(this=body, alias=exp.TableAlias(this=exp.to_identifier(alias)))


_QUERY = (exp.Select, exp.SetOperation)


def _walk(node: exp.Expression):
    """The nodes of one scope's expression; a nested query is yielded but not entered (its own scope)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if not isinstance(n, _QUERY):
            stack.extend(n.iter_expressions())


def _scope_parts(sel: exp.Select) -> list[exp.Expression]:
    """Everything of a SELECT that is evaluated in its scope, except its sources (FROM, JOIN tables, CTEs)."""
    parts: list[exp.Expression] = []
    for key, value in sel.args.items():
        if key in ("with_", "from_", "joins") or value is None:
            continue
        parts.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, exp.Expression))
    for join in sel.args.get("joins") or []:
        if join.args.get("on") is not None:
            parts.append(join.args["on"])
    return parts


def _in_scope(sel: exp.Select, kind: type | tuple[type, ...]) -> list:
    """The nodes of a kind evaluated in this scope (nested queries included as nodes, not entered)."""
    return [n for part in _scope_parts(sel) for n in _walk(part) if isinstance(n, kind)]


class _Lifter:
    def __init__(self) -> None:
        self._names = itertools.count()

    def _alias(self, prefix: str) -> str:
        return f"_{prefix}{next(self._names)}"

    # -- relations -------------------------------------------------------------------------------------------
    def relation(self, node: exp.Expression, env: Env) -> tuple[exp.Expression, bool]:
        """Lift a query used as a relation (top, CTE body, derived table). Returns the (possibly new) node and
        whether it is dated (then its last column is `_peil`)."""
        if isinstance(node, exp.Subquery):
            inner, dated = self.relation(node.this, env)
            node.set("this", inner)
            return node, dated
        if isinstance(node, exp.SetOperation):
            return self._set_operation(node, env)
        if isinstance(node, exp.Select):
            sel, date = self._select(node, env, None)
            return sel, date is not None
        raise NotLiftable(f"unsupported relation {type(node).__name__}")

    def _ctes(self, node: exp.Expression, env: Env) -> Env:
        with_ = node.args.get("with_")
        if with_ is None:
            return env
        if with_.args.get("recursive"):
            raise NotLiftable("recursive CTE")
        env = dict(env)
        for cte in with_.expressions:
            original = cte.this.copy()
            body, dated = self.relation(cte.this, env)
            cte.set("this", body)
            if dated and cte.args["alias"].columns:
                raise NotLiftable("dated CTE with a column list")
            env[cte.alias.lower()] = _Cte(dated, original)
        return env

    def _set_operation(self, node: exp.SetOperation, env: Env) -> tuple[exp.Expression, bool]:
        env = self._ctes(node, env)
        if node.args.get("limit") or node.args.get("offset"):
            raise NotLiftable("LIMIT on a set operation")
        left, ldated = self.relation(node.this, env)
        right, rdated = self.relation(node.expression, env)
        if ldated != rdated:  # every branch carries the date: cross the undated one with the dates
            if not ldated:
                left = self._crossed(left)
            else:
                right = self._crossed(right)
        node.set("this", left)
        node.set("expression", right)
        return node, ldated or rdated

    def _crossed(self, node: exp.Expression) -> exp.Select:
        """An undated relation once per date: `SELECT _u.*, _d._peil FROM (node) _u, dates _d`."""
        u, d = self._alias("u"), self._alias("d")
        sub = exp.Subquery(this=node, alias=exp.TableAlias(this=exp.to_identifier(u)))
        return exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier(u)),
                          exp.column(_DATE, d)).from_(sub).join(_base(d), join_type="cross")

    # -- one SELECT scope ------------------------------------------------------------------------------------
    def _source(self, src: exp.Expression, env: Env) -> tuple[exp.Expression, str, bool]:
        """One FROM or JOIN item: the (possibly replaced) node, its alias and whether it is dated."""
        if isinstance(src, exp.Table):
            if src.args.get("db") or src.args.get("catalog") or not isinstance(src.this, exp.Identifier):
                if src.find(exp.Query) is not None:
                    raise NotLiftable("table function over a query")
                return src, src.alias_or_name, False
            name = src.name.lower()
            if name in env:
                return src, src.alias_or_name, env[name].dated
            if name == _META:
                alias = src.alias or _META
                return _base(alias), alias, True
            return src, src.alias_or_name, False
        if isinstance(src, exp.Subquery):
            if src.args.get("lateral"):
                raise NotLiftable("lateral subquery")
            inner, dated = self.relation(src.this, env)
            src.set("this", inner)
            if not src.alias:
                src.set("alias", exp.TableAlias(this=exp.to_identifier(self._alias("s"))))
            return src, src.alias, dated
        if src.find(exp.Query) is not None or isinstance(src, exp.Lateral | exp.Unnest):
            raise NotLiftable(f"unsupported source {type(src).__name__}")
        return src, src.alias_or_name, False

    def _select(self, sel: exp.Select, env: Env, outer: DateOf | None) -> tuple[exp.Expression, exp.Column | None]:
        """Lift one SELECT. `outer` gives the date of the row a subquery predicate tests (None for a relation).

        Returns the (possibly new) node and the scope's date (None: the scope reads no date)."""
        env = self._ctes(sel, env)
        date: exp.Column | None = None
        unmerged = 0  # dated sources joined so far whose `_peil` are not merged by USING
        extra_where: list[exp.Expression] = []
        from_ = sel.args.get("from_")
        if from_ is not None:
            node, alias, dated = self._source(from_.this, env)
            from_.set("this", node)
            if dated:
                date, unmerged = exp.column(_DATE, alias), 1
        joins: list[exp.Join] = []
        for join in sel.args.get("joins") or []:
            side = (join.side or "").upper()
            kind = (join.kind or "").upper()
            node, alias, dated = self._source(join.this, env)
            join.set("this", node)
            if kind not in ("", "INNER", "CROSS", "OUTER") or join.args.get("method"):
                if dated or date is not None:
                    raise NotLiftable(f"{kind} join")
                joins.append(join)
                continue
            if side in ("RIGHT", "FULL"):
                if dated or date is not None:
                    raise NotLiftable(f"{side} join with a dated relation")
                joins.append(join)
                continue
            if side == "LEFT" and dated and date is None:  # the preserved undated side: once per date first
                d = self._alias("d")
                joins.append(exp.Join(this=_base(d), kind="CROSS"))
                date, unmerged = exp.column(_DATE, d), 1
            mine = exp.column(_DATE, alias)
            if dated and date is None:
                date, unmerged = mine, 1
            elif dated:
                same = exp.EQ(this=mine, expression=date.copy())
                if join.args.get("on") is not None:
                    join.set("on", exp.and_(exp.paren(join.args["on"]), same))
                    unmerged += 1
                elif join.args.get("using"):
                    if unmerged == 1:
                        join.set("using", [*join.args["using"], exp.to_identifier(_DATE)])
                    elif side == "":
                        extra_where.append(same)
                        unmerged += 1
                    else:
                        raise NotLiftable("outer USING join after two unmerged dated relations")
                elif side == "":
                    extra_where.append(same)
                    unmerged += 1
                else:
                    raise NotLiftable("outer join without a condition")
            joins.append(join)
        if sel.args.get("joins") is not None or joins:
            sel.set("joins", joins)
        if sel.args.get("laterals") or sel.args.get("pivots") or sel.args.get("connect"):
            raise NotLiftable("lateral view, pivot or connect")

        scope = {"date": date}

        def own_date() -> exp.Column:
            """This scope's date; a scope that reads none takes the tested row's (subquery predicate) or is
            crossed with the dates."""
            if scope["date"] is None:
                if outer is not None:
                    scope["date"] = outer()
                else:
                    d = self._alias("d")
                    if sel.args.get("from_") is None:
                        sel.set("from_", exp.From(this=_base(d)))
                    else:
                        sel.set("joins", [*(sel.args.get("joins") or []), exp.Join(this=_base(d), kind="CROSS")])
                        scope["date"] = exp.column(_DATE, d)
            return scope["date"]

        for sub in _in_scope(sel, _QUERY):
            self._subquery(sub, env, own_date)
        if extra_where:
            cond = exp.and_(*extra_where)
            sel.where(cond, copy=False)
        date = scope["date"]
        if outer is not None or date is None:  # a subquery predicate sees one date: nothing to carry
            return sel, date
        return self._dated(sel, date), date

    def _subquery(self, sub: exp.Query, env: Env, own_date: DateOf) -> None:
        """A query nested in an expression of a scope: a scalar subquery on `bundel_meta` becomes the scope's
        date; any other over dated relations is correlated on the date with the scope's row."""
        if any(isinstance(p, exp.Join) for p in _parents(sub)):
            # its date would have to come from a relation that may not be joined yet
            if _reads_meta(sub, env):
                raise NotLiftable("dated subquery in a join condition")
            return
        holder = sub.parent
        scalar = isinstance(holder, exp.Subquery) and not isinstance(holder.parent, exp.In | exp.Any | exp.All)
        if scalar and isinstance(sub, exp.Select):
            value = _date_only(sub, env)
            if value is not None:
                date = own_date()
                holder.replace(exp.paren(_put_date(value, date)))
                return
        if not isinstance(sub, exp.Select):
            _, dated = self.relation(sub, env)
            if dated:
                raise NotLiftable("dated set operation in a subquery predicate")
            return
        correlated: list[exp.Column] = []

        def tested_date() -> exp.Column:
            d = own_date()
            correlated.append(d)
            return d.copy()

        _, inner = self._select(sub, env, tested_date)
        if inner is None:
            return
        if not correlated:  # it reads dated relations itself: only the tested row's date
            correlated.append(own_date())
            sub.where(exp.EQ(this=inner.copy(), expression=correlated[0].copy()), copy=False)
        if any(c.table.lower() in _source_aliases(sub) for c in correlated):
            raise NotLiftable("subquery shadows the alias that carries the date")

    def _dated(self, sel: exp.Select, date: exp.Column) -> exp.Expression:
        """A dated relation scope: project, group, partition and distinguish by its date."""
        for e in sel.expressions:
            if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
                raise NotLiftable("star in a dated scope")
            if e.alias_or_name.lower() == _DATE:
                raise NotLiftable(f"a column is already named {_DATE}")
        if sel.args.get("limit") or sel.args.get("offset"):
            raise NotLiftable("LIMIT in a dated scope")
        for window in _in_scope(sel, exp.Window):
            window.set("partition_by", [*(window.args.get("partition_by") or []), date.copy()])
        distinct = sel.args.get("distinct")
        if distinct is not None and distinct.args.get("on") is not None:
            on = distinct.args["on"]
            items = on.expressions if isinstance(on, exp.Tuple) else [on]
            distinct.set("on", exp.Tuple(expressions=[*items, date.copy()]))
        group = sel.args.get("group")
        aggregated = group is None and _aggregated(sel)
        if group is not None:
            if group.args.get("grouping_sets") or group.args.get("cube") or group.args.get("rollup"):
                raise NotLiftable("grouping sets")
            if not group.args.get("all"):
                group.set("expressions", [*group.expressions, date.copy()])
        sel.set("expressions", [*sel.expressions, exp.alias_(date.copy(), _DATE)])
        if group is None and aggregated:
            return self._global_aggregate(sel, date)
        return sel

    def _global_aggregate(self, sel: exp.Select, date: exp.Column) -> exp.Select:
        """An aggregate without GROUP BY gives one row at every date, also a date without rows (count 0, sum
        NULL ...): grouped by date, with the row over no rows for the dates the grouping does not give."""
        names = [e.alias_or_name for e in sel.expressions[:-1]]
        if any(not n for n in names) or len({n.lower() for n in names}) != len(names):
            raise NotLiftable("global aggregate with unnamed or duplicate columns")
        with_ = sel.args.get("with_")
        sel.set("with_", None)
        having = sel.args.get("having")
        empty = sel.copy()
        empty.set("expressions", [*empty.expressions[:-1], exp.alias_(exp.true(), "_e")])
        empty.set("where", exp.Where(this=exp.false()))
        for window in _in_scope(empty, exp.Window):
            parts = window.args.get("partition_by") or []
            window.set("partition_by", parts[:-1])
        grouped = sel
        grouped.set("group", exp.Group(expressions=[date.copy()]))
        if having is not None:
            grouped.set("having", None)
            grouped.set("expressions", [*grouped.expressions, exp.alias_(exp.paren(having.this.copy()), "_h")])
        g, e, d = self._alias("g"), self._alias("e"), self._alias("d")
        got = exp.column(_DATE, g).is_(exp.null())
        cols = [exp.alias_(exp.Case(ifs=[exp.If(this=got.copy(), true=exp.column(n, e))],
                                    default=exp.column(n, g)), n) for n in names]
        kept = exp.or_(exp.and_(exp.not_(got.copy()), exp.column("_h", g) if having is not None else exp.true()),
                       exp.and_(got.copy(), exp.column("_e", e).is_(exp.null()).not_()))
        out = (exp.select(*cols, exp.column(_DATE, d)).from_(_base(d))
               .join(exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier(g))),
                     on=exp.EQ(this=exp.column(_DATE, g), expression=exp.column(_DATE, d)), join_type="left")
               .join(exp.Subquery(this=empty, alias=exp.TableAlias(this=exp.to_identifier(e))),
                     on=exp.true(), join_type="left")
               .where(kept))
        if with_ is not None:
            out.set("with_", with_)
        return out


def _parents(node: exp.Expression):
    p = node.parent
    while p is not None and not isinstance(p, exp.Select | exp.SetOperation):
        yield p
        p = p.parent


def _source_aliases(sel: exp.Select) -> set[str]:
    items = []
    if sel.args.get("from_") is not None:
        items.append(sel.args["from_"].this)
    items.extend(j.this for j in sel.args.get("joins") or [])
    return {i.alias_or_name.lower() for i in items}


def _aggregated(sel: exp.Select) -> bool:
    """Whether the scope aggregates (an aggregate function outside a window, or HAVING); a function SQLGlot
    does not know might be an aggregate, so it cannot be lifted."""
    if sel.args.get("having") is not None:
        return True
    found = False
    for n in _in_scope(sel, (exp.AggFunc, exp.Anonymous)):
        if isinstance(n, exp.Anonymous):
            raise NotLiftable(f"unknown function {n.name}")
        holder = n.parent if isinstance(n.parent, exp.Filter) and n.arg_key == "this" else n
        if not (isinstance(holder.parent, exp.Window) and holder.arg_key == "this"):
            found = True
    return found


def _reads_meta(node: exp.Expression, env: Env) -> bool:
    for t in node.find_all(exp.Table):
        name = t.name.lower()
        if name == _META or (name in env and env[name].dated):
            return True
    return False


_PEIL = "__peildatum__"


def _date_only(sel: exp.Select, env: Env) -> exp.Expression | None:
    """The value of a scalar subquery that only projects `bundel_meta` (directly or through CTEs that only
    project it), as an expression of its peildatum (a placeholder column); None if it is anything else."""
    mapping = _projection_of_meta(sel, env)
    if mapping is None or len(sel.expressions) != 1:
        return None
    return next(iter(mapping.values()))


def _projection_of_meta(sel: exp.Expression, env: Env) -> dict[str, exp.Expression] | None:
    if not isinstance(sel, exp.Select):
        return None
    plain = all(sel.args.get(k) is None for k in ("where", "group", "having", "qualify", "joins", "limit",
                                                   "offset", "distinct", "with_"))
    from_ = sel.args.get("from_")
    if not plain or from_ is None or not isinstance(from_.this, exp.Table) or sel.args.get("joins"):
        return None
    name = from_.this.name.lower()
    if name in env:
        source = _projection_of_meta(env[name].original, {k: v for k, v in env.items() if k != name})
    elif name == _META and not from_.this.args.get("db"):
        source = {"peildatum": exp.column(_PEIL)}
    else:
        return None
    if source is None:
        return None
    out: dict[str, exp.Expression] = {}
    for e in sel.expressions:
        if not e.alias_or_name or e.find(exp.AggFunc, exp.Query, exp.Window, exp.Star) is not None:
            return None
        value = e.this if isinstance(e, exp.Alias) else e
        try:
            out[e.alias_or_name.lower()] = _substitute(value.copy(), source)
        except KeyError:
            return None
    return out


def _substitute(node: exp.Expression, source: dict[str, exp.Expression]) -> exp.Expression:
    def swap(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column):
            return exp.paren(source[n.name.lower()].copy())
        return n
    return node.transform(swap)


def _put_date(value: exp.Expression, date: exp.Column) -> exp.Expression:
    return value.copy().transform(lambda n: date.copy() if isinstance(n, exp.Column) and n.name == _PEIL else n)
