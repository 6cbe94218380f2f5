"""Is the refresh target the source itself, reached under another host name or port?

Host names and ports prove nothing (aliases, proxies, 127.0.0.1 vs localhost), so
ask each server who it is (see `production_guard.identify`).
"""

from __future__ import annotations

import psycopg

from formwork.production_guard import identify


def same_server(a: psycopg.Connection, b: psycopg.Connection) -> bool:
    return identify(a).same_server(identify(b))


def same_database(a: psycopg.Connection, b: psycopg.Connection) -> bool:
    return identify(a).same_database(identify(b))
