"""Rewrite the rows of one table entry in one set-based UPDATE.

Every strategy is a function of the original value (or of a key such as the
employee), so Python only computes mappings over *distinct* values; they are
loaded with COPY into temp tables, and PostgreSQL applies them with hash joins
in a single UPDATE per entry. No row-at-a-time work, inside the caller's
transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

_names = itertools.count(1)


def load_map(conn: psycopg.Connection, pairs: Iterable[tuple[str, str]]) -> sql.Identifier:
    """A temp table (orig, fake) holding the pairs (origs are distinct); returns its name.

    No index: the UPDATE joins it by hash, and statistics are all the planner needs."""
    name = sql.Identifier(f"fw_map_{next(_names)}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (orig text, fake text) ON COMMIT DROP").format(name))
    with conn.cursor().copy(sql.SQL("COPY {} (orig, fake) FROM STDIN").format(name)) as copy:
        for pair in pairs:
            copy.write_row(pair)
    conn.execute(sql.SQL("ANALYZE {}").format(name))
    return name


@dataclass
class Mapped:
    """new = map[key] (or the original when the map has no entry); jsonb maps every language's text."""

    table: sql.Identifier
    key: sql.Composable | None = None  # default: the column's own text
    json: bool = False


@dataclass
class Scaled:
    """new = round(original * map[key], digits): noise keyed by row or by e.g. employee."""

    table: sql.Identifier
    key: sql.Composable
    digits: int


@dataclass
class Literal:
    value: object


@dataclass
class Expression:
    """A template: SQL over the *new* values of other columns of the row."""

    render: object  # callable: dict[column -> sql new-value expression] -> sql.Composable


@dataclass
class Rewrite:
    table: str
    where: str | None
    types: dict[str, str]  # column -> SQL type
    columns: dict[str, Mapped | Scaled | Literal | Expression] = field(default_factory=dict)


def rewrite(conn: psycopg.Connection, rw: Rewrite) -> int:
    joins, new = [], {}
    for i, (column, how) in enumerate(rw.columns.items()):
        original = sql.SQL("o.{}").format(sql.Identifier(column))
        kind = sql.SQL(rw.types[column])
        alias = sql.Identifier(f"m{i}")
        if isinstance(how, Literal):
            new[column] = sql.SQL("{}::{}").format(sql.Literal(how.value), kind)
        elif isinstance(how, Mapped) and how.json:
            new[column] = sql.SQL(
                "CASE WHEN {o} IS NULL THEN NULL ELSE (SELECT jsonb_object_agg(e.key, COALESCE(to_jsonb(m.fake), e.value)) "
                "FROM jsonb_each({o}) e LEFT JOIN {t} m ON m.orig = e.value #>> '{{}}') END"
            ).format(o=original, t=how.table)
        elif isinstance(how, Mapped):
            joins.append(sql.SQL("LEFT JOIN {} {} ON {}.orig = {}").format(how.table, alias, alias, how.key or sql.SQL("{}::text").format(original)))
            new[column] = sql.SQL("CASE WHEN {a}.orig IS NULL THEN {o} ELSE {a}.fake::{k} END").format(a=alias, o=original, k=kind)
        elif isinstance(how, Scaled):
            joins.append(sql.SQL("LEFT JOIN {} {} ON {}.orig = {}").format(how.table, alias, alias, how.key))
            new[column] = sql.SQL("CASE WHEN {a}.orig IS NULL THEN {o} ELSE round({o}::numeric * {a}.fake::numeric, {d})::{k} END").format(
                a=alias, o=original, d=sql.Literal(how.digits), k=kind)
    for column, how in rw.columns.items():
        if isinstance(how, Expression):
            new[column] = sql.SQL("({})::{}").format(how.render(new), sql.SQL(rw.types[column]))
    if not new:
        return 0
    columns = list(new)
    select = sql.SQL("SELECT o.id, {} FROM {} o {}").format(
        sql.SQL(", ").join(sql.SQL("{} AS {}").format(new[c], sql.Identifier(f"n_{c}")) for c in columns),
        sql.Identifier(rw.table), sql.SQL(" ").join(joins))
    if rw.where:
        select += sql.SQL(" WHERE ") + sql.SQL(rw.where)
    update = sql.SQL("UPDATE {} t SET {} FROM ({}) n WHERE t.id = n.id").format(
        sql.Identifier(rw.table),
        sql.SQL(", ").join(sql.SQL("{} = n.{}").format(sql.Identifier(c), sql.Identifier(f"n_{c}")) for c in columns),
        select)
    return conn.execute(update).rowcount


def delete(conn: psycopg.Connection, table: str, where: str | None) -> int:
    query = sql.SQL("DELETE FROM {}").format(sql.Identifier(table))
    if where:
        query += sql.SQL(" WHERE ") + sql.SQL(where)
    return conn.execute(query).rowcount
