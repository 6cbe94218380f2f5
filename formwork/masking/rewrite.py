"""Rewrite the rows of one table entry in one set-based UPDATE.

The values Python computes (fakes, scrubbed text, hashes) are loaded with COPY
into one temp table holding each row's key and new values, and the UPDATE joins
it once: one hash join whatever the number of columns. Small keyed maps (noise
factors by employee, shifted dates) are joined the same way by value. No
row-at-a-time work, inside the caller's transaction.

Every join is an inner join to a complete map (every row or value it serves,
NULL under a sentinel key), so a row missing from a map drops out of the UPDATE
and the row count check catches it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from formwork.errors import OperationError
from formwork.masking import indexes

_names = itertools.count(1)
# Stands for NULL in a map's key column: a NUL-free control character no Odoo value starts with.
NULL_KEY = "\x01null"
# The planner knows nothing of COALESCE(column) and assumes it has 200 distinct values, so a join
# to a map with fewer keys looks selective; a few joins later it expects one row and loops over
# million-row maps. Keys that never match bring every map to that size and the estimates right.
PADDING = [(f"\x01pad{i}", None) for i in range(200)]


def load_map(conn: psycopg.Connection, pairs: Iterable[tuple[str, str | None]]) -> sql.Identifier:
    """A temp table (fw_orig, fw_fake) holding the pairs (origs distinct) plus NULL -> NULL; returns its name.

    No index: the UPDATE joins it by hash, and statistics are all the planner needs."""
    name = sql.Identifier(f"fw_map_{next(_names)}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (fw_orig text, fw_fake text) ON COMMIT DROP").format(name))
    with conn.cursor().copy(sql.SQL("COPY {} (fw_orig, fw_fake) FROM STDIN").format(name)) as copy:
        copy.write_row((NULL_KEY, None))
        for pad in PADDING:
            copy.write_row(pad)
        for pair in pairs:
            copy.write_row(pair)
    conn.execute(sql.SQL("ANALYZE {}").format(name))
    return name


def load_rows(conn: psycopg.Connection, key_type: str, columns: int, chunks: Iterable[Iterable[tuple]]) -> sql.Identifier:
    """A temp table (fw_key, c0, c1, ...) of each row's key and new values, one COPY per chunk of rows (the
    connection is free between two: the next chunk may be read through it); returns its name."""
    name = sql.Identifier(f"fw_rows_{next(_names)}")
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (fw_key {}, {}) ON COMMIT DROP").format(
            name, sql.SQL(key_type), sql.SQL(", ").join(sql.SQL(f"c{i} text") for i in range(columns))
        )
    )
    for rows in chunks:
        with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(name)) as copy:
            for row in rows:
                copy.write_row(row)
    conn.execute(sql.SQL("ANALYZE {}").format(name))
    return name


def load_value(conn: psycopg.Connection, value: str) -> sql.Identifier:
    """A one-row temp table (fw_value) holding a value that statements must not show: their text is in
    pg_stat_activity and server logs, COPY data is in neither."""
    name = sql.Identifier(f"fw_value_{next(_names)}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (fw_value text) ON COMMIT DROP").format(name))
    with conn.cursor().copy(sql.SQL("COPY {} (fw_value) FROM STDIN").format(name)) as copy:
        copy.write_row((value,))
    return name


@dataclass
class RowValues:
    """Each row's new values, computed in Python: the entry's row table joined by key."""

    table: sql.Identifier
    key: sql.Composable  # the row's key in the target table: o.id, or o.ctid::text for tables without one
    columns: dict[str, str] = field(default_factory=dict)  # target column -> row table column


@dataclass
class Mapped:
    """new = map[original], or map[key] when a key is given (e.g. o.id: a new value per row)."""

    table: sql.Identifier
    key: sql.Composable | None = None


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
class Hidden:
    """new = the value in a load_value table, kept out of the UPDATE's text."""

    table: sql.Identifier


@dataclass
class Expression:
    """A template: SQL over the *new* values of other columns of the row."""

    render: object  # callable: dict[column -> sql new-value expression] -> sql.Composable


@dataclass
class Rewrite:
    table: str
    where: str | None
    types: dict[str, str]  # column -> SQL type
    columns: dict[str, Mapped | Scaled | Literal | Hidden | Expression] = field(default_factory=dict)
    rows: RowValues | None = None


def rewrite(conn: psycopg.Connection, rw: Rewrite, expected: int) -> int:
    """Runs the UPDATE; `expected` rows match the entry, and all of them must be rewritten:
    a row whose value is missing from a map would drop out of the join unmasked."""
    maps, conditions, new = [], [], {}
    if rw.rows is not None:
        maps.append(sql.SQL("{} r").format(rw.rows.table))
        conditions.append(sql.SQL("r.fw_key = {}").format(rw.rows.key))
        for column, source in rw.rows.columns.items():
            new[column] = sql.SQL("r.{}::{}").format(sql.Identifier(source), sql.SQL(rw.types[column]))
    for i, (column, how) in enumerate(rw.columns.items()):
        original = sql.SQL("o.{}").format(sql.Identifier(column))
        kind = sql.SQL(rw.types[column])
        alias = sql.Identifier(f"m{i}")
        if isinstance(how, Literal):
            new[column] = sql.SQL("{}::{}").format(sql.Literal(how.value), kind)
        elif isinstance(how, Hidden):
            new[column] = sql.SQL("(SELECT fw_value FROM {})::{}").format(how.table, kind)
        elif isinstance(how, (Mapped, Scaled)):
            key = original if how.key is None else how.key
            maps.append(sql.SQL("{} {}").format(how.table, alias))
            conditions.append(sql.SQL("{}.fw_orig = COALESCE(({})::text, {})").format(alias, key, sql.Literal(NULL_KEY)))
            if isinstance(how, Mapped):
                new[column] = sql.SQL("{}.fw_fake::{}").format(alias, kind)
            else:
                new[column] = sql.SQL(
                    "CASE WHEN {a}.fw_fake IS NULL THEN {o} ELSE round({o}::numeric * {a}.fw_fake::numeric, {d})::{k} END"
                ).format(a=alias, o=original, d=sql.Literal(how.digits), k=kind)
    for column, how in rw.columns.items():
        if isinstance(how, Expression):
            new[column] = sql.SQL("({})::{}").format(how.render(new), sql.SQL(rw.types[column]))
    if not new:
        return 0
    update = sql.SQL("UPDATE {} o SET {}").format(
        sql.Identifier(rw.table), sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), new[c]) for c in new)
    )
    if maps:
        update += sql.SQL(" FROM ") + sql.SQL(", ").join(maps)
    if rw.where:
        conditions.append(sql.SQL("({})").format(sql.SQL(rw.where)))
    if conditions:
        update += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions)
    with indexes.set_aside(conn, rw.table, list(new), expected):
        rows = conn.execute(update).rowcount  # every join a hash join: the Masker turns nested loops off
    if rows != expected:
        raise OperationError(
            f"{rw.table}: rewrote {rows:,} of {expected:,} rows; values changed while masking "
            "(another session, or two rules covering the same rows); nothing was changed"
        )
    return rows


def delete(conn: psycopg.Connection, table: str, where: str | None) -> int:
    """Runs the DELETE; a foreign key refusing it fails the run (the caller's transaction rolls back)."""
    query = sql.SQL("DELETE FROM {}").format(sql.Identifier(table))
    if where:
        query += sql.SQL(" WHERE ") + sql.SQL(where)
    try:
        return conn.execute(query).rowcount
    except psycopg.errors.ForeignKeyViolation as exc:
        raise OperationError(f"{table}: deleting its rows is refused: {exc.diag.message_primary}; nothing was changed") from None
