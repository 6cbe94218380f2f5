"""Who may connect to a copy: nobody but its builder while it is built, as before once it is the target.

A copy is unmasked and still wired to the world until the refresh has done its work,
so Odoo (or anyone else) must not open it meanwhile. It is created with
ALLOW_CONNECTIONS false (no one at all can connect), loses PUBLIC's CONNECT, and only
then accepts connections again: from here on only its owner (the role that created
it, Formwork) and superusers get in, whatever the number of Formwork's own sessions
(pg_restore's parallel jobs, masking). A killed run leaves it closed. The swap opens it
with the access list of the database it replaces.

A copy Odoo will open is owned, database and objects, by the role owning the database it
replaces (else the source's owner; see `clone.restore`), not by Formwork's: Odoo refuses to
run as a superuser and cannot write tables it does not own. That owner's CONNECT is revoked
until the swap, so owning the copy does not let Odoo in while it is built.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from formwork import databases


def create_closed(admin: psycopg.Connection, name: str, owner: str | None = None) -> None:
    """An empty database only the connecting role (its owner, unless `owner` is given) and superusers may connect to."""
    databases.create(admin, name, allow_connections=False, owner=owner)
    database = sql.Identifier(name)
    admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
    if owner:
        admin.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM {}").format(database, sql.Identifier(owner)))
        admin.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO CURRENT_USER").format(database))
    admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))


def opening(admin: psycopg.Connection, fresh: str, like: str) -> list[sql.Composable]:
    """GRANTs giving `fresh` the access list of `like` (PostgreSQL's default when `like` does not exist
    or never had a GRANT or REVOKE), to run in the transaction that swaps them."""
    if not admin.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (like,)).fetchone()[0]:
        rows = [(None, "CONNECT", False), (None, "TEMPORARY", False)]  # PostgreSQL's default for a new database
    else:
        rows = admin.execute(
            "SELECT r.rolname, a.privilege_type, a.is_grantable FROM pg_database d, "
            "aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE d.datname = %s AND (a.grantee = 0 OR r.rolname IS NOT NULL)",
            (like,),
        ).fetchall()
    return [
        sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
            sql.SQL(privilege),
            sql.Identifier(fresh),
            sql.Identifier(grantee) if grantee else sql.SQL("PUBLIC"),
            sql.SQL(" WITH GRANT OPTION" if grantable else ""),
        )
        for grantee, privilege, grantable in rows
    ]


def open_to_owner(admin: psycopg.Connection, name: str) -> str:
    """Let the database's owner (Odoo's role) connect to a closed copy, and nobody else; the owner's name.
    For a migration rehearsed on a scratch copy, which Odoo itself must open."""
    owner = databases.owner(admin, name)
    admin.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(name), sql.Identifier(owner)))
    return owner
