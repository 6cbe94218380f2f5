"""What the database holds: tables, column types, row counts (installed modules: formwork.odoo_schema)."""

from __future__ import annotations

import psycopg
from psycopg import sql

TEXT_TYPES = ("character varying", "text", "character", "jsonb")


def columns(conn: psycopg.Connection) -> dict[str, dict[str, str]]:
    """table -> column -> type as format_type prints it, e.g. 'character varying(40)'."""
    rows = conn.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


def base_type(kind: str) -> str:
    """'character varying(40)' -> 'character varying'."""
    return kind.split("(")[0].strip()


def is_text(kind: str) -> bool:
    return base_type(kind) in TEXT_TYPES


def count(conn: psycopg.Connection, table: str, where: str | None) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    if where:
        query += sql.SQL(" WHERE ") + sql.SQL(where)
    return conn.execute(query).fetchone()[0]
