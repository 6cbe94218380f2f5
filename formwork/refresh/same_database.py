"""Is the refresh target the source itself, reached under another host name or port?

Host names and ports prove nothing (aliases, proxies, 127.0.0.1 vs localhost), so
ask each server who it is: its system identifier (pg_control_system) where the
role may read it, else the postmaster's start time, which no two servers share.
"""

from __future__ import annotations

import psycopg
from psycopg import errors


def fingerprint(conn: psycopg.Connection) -> tuple[str, str]:
    """(server identity, database oid) of the database `conn` is connected to; reads nothing else."""
    try:
        with conn.transaction():
            server = "system:" + str(conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0])
    except errors.InsufficientPrivilege:
        server = "started:" + conn.execute("SELECT pg_postmaster_start_time()::text").fetchone()[0]
    database = conn.execute("SELECT oid::text FROM pg_database WHERE datname = current_database()").fetchone()[0]
    return server, database


def same_server(a: psycopg.Connection, b: psycopg.Connection) -> bool:
    return fingerprint(a)[0] == fingerprint(b)[0]


def same_database(a: psycopg.Connection, b: psycopg.Connection) -> bool:
    return fingerprint(a) == fingerprint(b)
