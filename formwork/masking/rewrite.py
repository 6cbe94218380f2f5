"""Rewrite the rows of one table entry: read in batches, transform, COPY back, one UPDATE.

Everything happens on the caller's connection and inside its transaction, so a
failed run leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from formwork.masking.transform import Transform, key_column

BATCH = 20000


@dataclass
class Rewrite:
    table: str
    where: str | None
    columns: dict[str, str]  # masked column -> its SQL type
    transforms: dict[str, Transform]  # column -> transform of (original, row)
    templates: dict[str, Callable[[dict[str, Any]], Any]]  # column -> render(masked row)
    keys: dict[str, str]  # column -> SQL expression giving its noise/shift key
    read_also: tuple[str, ...] = ()  # kept columns templates may use


def _select(rw: Rewrite) -> sql.Composed:
    read = ["id", *rw.columns, *(c for c in rw.read_also if c not in rw.columns)]
    fields = [sql.Identifier(c) for c in read]
    fields += [sql.SQL("({}) AS {}").format(sql.SQL(expr), sql.Identifier(key_column(col))) for col, expr in rw.keys.items()]
    query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(fields), sql.Identifier(rw.table))
    if rw.where:
        query += sql.SQL(" WHERE ") + sql.SQL(rw.where)
    return query + sql.SQL(" ORDER BY id")


def rewrite(conn: psycopg.Connection, rw: Rewrite, on_rows: Callable[[int], None], check: Callable[[str, Any], None] | None = None) -> int:
    """Returns the number of rows rewritten. `check(column, new_value)` sees every masked value (leak detectors)."""
    columns = list(rw.columns)
    temp = sql.Identifier(f"fw_mask_{rw.table}")
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(temp))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (id integer, {})").format(
        temp, sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(rw.columns[c])) for c in columns)))
    is_json = {c: rw.columns[c].startswith("jsonb") for c in columns}
    total = 0
    with conn.cursor(name=f"fw_read_{rw.table}") as reader:
        reader.itersize = BATCH
        reader.execute(_select(rw))
        names = [d.name for d in reader.description]
        while rows := reader.fetchmany(BATCH):
            out = []
            for values in rows:
                row = dict(zip(names, values))
                masked = {c: row[c] for c in rw.read_also}
                for column, function in rw.transforms.items():
                    masked[column] = function(row[column], row)
                for column, render in rw.templates.items():
                    masked[column] = render({**row, **masked})
                if check:
                    for column in columns:
                        check(column, masked[column])
                out.append((row["id"], *[Jsonb(masked[c]) if is_json[c] and masked[c] is not None else masked[c] for c in columns]))
            with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(temp)) as copy:
                for record in out:
                    copy.write_row(record)
            total += len(out)
            on_rows(len(out))
    conn.execute(sql.SQL("UPDATE {} AS t SET {} FROM {} AS n WHERE t.id = n.id").format(
        sql.Identifier(rw.table),
        sql.SQL(", ").join(sql.SQL("{} = n.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in columns),
        temp,
    ))
    conn.execute(sql.SQL("DROP TABLE {}").format(temp))
    return total


def delete(conn: psycopg.Connection, table: str, where: str | None) -> int:
    query = sql.SQL("DELETE FROM {}").format(sql.Identifier(table))
    if where:
        query += sql.SQL(" WHERE ") + sql.SQL(where)
    return conn.execute(query).rowcount
