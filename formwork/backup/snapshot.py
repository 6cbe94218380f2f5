"""One exported snapshot of a database, and the facts read in it.

pg_dump --snapshot dumps exactly what this transaction sees, so the row counts,
attachment list and WAL position read here describe the dump itself, even while
production keeps writing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

import psycopg
from psycopg import sql

from formwork.backup.manifest import Attachment, Manifest, new_id
from formwork.dsn import ConnectionSpec
from formwork.production_guard import identify


@contextmanager
def snapshot(spec: ConnectionSpec, environment: str) -> Iterator[tuple[str, Manifest]]:
    """A snapshot id for pg_dump and the manifest's facts read in it; held open until the dump is done."""
    with psycopg.connect(**spec.kwargs()) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_id, taken_at, version, size, lsn, owner = conn.execute(
            "SELECT pg_export_snapshot(), now(), current_setting('server_version'), pg_database_size(current_database()), "
            "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text, "
            "(SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())"
        ).fetchone()
        manifest = Manifest(
            id=new_id(taken_at),
            environment=environment,
            taken_at=taken_at.astimezone(UTC),
            source=ConnectionSpec(spec.host, spec.port, spec.dbname, spec.user).uri(),
            server_version=version,
            wal_lsn=lsn,
            database_size=size,
            database_owner=owner,
            database_identity=identify(conn).recorded(),
        )
        manifest.tables = row_counts(conn)
        if "ir_module_module" in manifest.tables:
            manifest.modules = [
                n for (n,) in conn.execute("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name")
            ]
            row = conn.execute("SELECT latest_version FROM ir_module_module WHERE name = 'base'").fetchone()
            manifest.odoo_version = row[0] if row else None
        if "ir_attachment" in manifest.tables:
            manifest.attachments = [
                Attachment(*row)
                for row in conn.execute(
                    "SELECT DISTINCT ON (store_fname) store_fname, coalesce(checksum, ''), coalesce(file_size, 0) FROM ir_attachment "
                    "WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY store_fname"
                )
            ]
        yield snapshot_id, manifest
        conn.rollback()


def row_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        t
        for (t,) in conn.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1"
        )
    ]
    return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in tables}
