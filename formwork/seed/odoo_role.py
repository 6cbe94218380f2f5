"""The login role Odoo runs as: Odoo refuses to connect as `postgres`, and owns the databases it works in.

Formwork creates the role when it is missing (with the password in FORMWORK_ODOO_DB_PASSWORD, if set) and never
alters an existing one: another Odoo on the same server, production's perhaps, may log in as it. Before anything is
built, Formwork logs in as the role the way Odoo will; when that fails it stops, naming the role and the variable,
and drops the role again if it had just created it.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from formwork.dsn import ConnectionSpec
from formwork.errors import InputError

ROLE = "odoo"
PASSWORD_VARIABLE = "FORMWORK_ODOO_DB_PASSWORD"


def ensure_role(admin: psycopg.Connection, server: ConnectionSpec, password: str | None) -> None:
    """Role `odoo` exists on the server `admin` is connected to, and logs in with `password` (None: without one)."""
    created = not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
    if created:
        secret = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("")
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(ROLE)) + secret)
    try:
        # password "" rather than None: libpq must not fall back on PGPASSWORD, the superuser's
        with psycopg.connect(
            host=server.host, port=server.port, dbname="postgres", user=ROLE, password=password or "", connect_timeout=10
        ):
            pass
    except psycopg.OperationalError as exc:
        if created:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(ROLE)))
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"Odoo's database role '{ROLE}' cannot log in to {server.host}:{server.port} ({reason}): "
            f"set {PASSWORD_VARIABLE} to its password"
        ) from None
