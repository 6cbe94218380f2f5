"""Set aside the indexes over rewritten columns while a large UPDATE runs, then rebuild them.

Masked values land at random places in a btree, so updating a million rows through
an index costs about twice the table write itself; building the index afresh from
the new values costs a fraction (PostgreSQL's "Populating a Database" advice, and
what dump/restore maskers get for free). Inside the caller's transaction, so a
failed run keeps the old indexes. Constraint indexes (primary keys, uniques that
foreign keys may rely on) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

# Below this many rewritten rows, updating the indexes in place is cheaper than a rebuild.
MIN_ROWS = 100_000


def over(conn: psycopg.Connection, table: str, columns: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the plain indexes of `table` whose key, expression or predicate uses a column."""
    return conn.execute(
        """
        SELECT DISTINCT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = i.oid
                         AND d.refclassid = 'pg_class'::regclass AND d.refobjid = x.indrelid
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = d.refobjsubid
        WHERE x.indrelid = quote_ident(%s)::regclass AND a.attname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY 1
        """,
        (table, columns),
    ).fetchall()


@contextmanager
def set_aside(conn: psycopg.Connection, table: str, columns: list[str], rows: int) -> Iterator[None]:
    found = over(conn, table, columns) if rows >= MIN_ROWS else []
    if not found:
        yield
        return
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(", ").join(sql.Identifier(name) for name, _ in found)))
    yield
    for _, definition in found:
        conn.execute(definition)
