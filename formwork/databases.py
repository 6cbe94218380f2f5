"""Whole-database operations (create, drop, rename) and the names Formwork derives for its own databases.

Each one passes the production guard itself, so no caller can drop or rename
production. Names are never left to PostgreSQL's silent truncation at 63 bytes:
a derived name too long for it is shortened with a digest of the whole, and a
name over the limit is refused, since PostgreSQL would act on its truncation.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import psycopg
from psycopg import errors, sql

from formwork.errors import InputError, OperationError
from formwork.production_guard import DatabaseIdentity, identify, refuse_production

MAX_NAME = 63  # bytes: PostgreSQL's NAMEDATALEN - 1


def derived_name(base: str, suffix: str) -> str:
    """`base + suffix`, or when that exceeds 63 bytes, base cut short + `_` + 8 hex of base's digest + suffix."""
    name = base + suffix
    if len(name.encode()) <= MAX_NAME:
        return name
    digest = _digest(base)
    room = MAX_NAME - len((digest + suffix).encode())
    if room < 1:
        raise OperationError(f"suffix '{suffix}' leaves no room for a database name")
    cut = base.encode()[:room].decode("utf-8", "ignore")
    return cut + digest + suffix


def _digest(base: str) -> str:
    return "_" + hashlib.sha256(base.encode()).hexdigest()[:8]


def derived_from(name: str, base: str, marker: str) -> bool:
    """Whether `name` is `derived_name(base, marker + <anything>)`, shortened or not."""
    stem, found, _ = name.partition(marker)
    if not found:
        return False
    return stem == base or (stem.endswith(_digest(base)) and base.startswith(stem[: -len(_digest(base))]))


def leftovers(admin: psycopg.Connection, base: str, marker: str) -> list[str]:
    """Databases derived from `base` with `marker` (side copies, scratch databases) that earlier runs left."""
    rows = admin.execute("SELECT datname FROM pg_database WHERE strpos(datname, %s) > 0 ORDER BY 1", (marker,)).fetchall()
    return [name for (name,) in rows if derived_from(name, base, marker)]


def check_name(name: str) -> str:
    if not name or len(name.encode()) > MAX_NAME:
        raise InputError(
            f"database name '{name}': PostgreSQL names are 1 to {MAX_NAME} bytes (a longer one would be truncated onto another)"
        )
    return name


def exists(admin: psycopg.Connection, name: str) -> bool:
    check_name(name)
    return admin.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (name,)).fetchone()[0]


def owner(admin: psycopg.Connection, name: str) -> str | None:
    """The role owning database `name`; None when there is no such database."""
    row = admin.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (check_name(name),)).fetchone()
    return row[0] if row else None


def new_name(admin: psycopg.Connection, base: str, suffix: str) -> str:
    """A derived name for a database about to be created; refused when it names an existing database."""
    name = derived_name(base, suffix)
    if exists(admin, name):
        raise OperationError(f"database '{name}' (derived from '{base}') already exists: refusing to create or replace it")
    return name


def create(admin: psycopg.Connection, name: str, *, allow_connections: bool = True, owner: str | None = None) -> None:
    """`owner`: the role that will own it (Odoo's own role, which creates its tables in the public schema)."""
    check_name(name)
    admin.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' ALLOW_CONNECTIONS {}{}").format(
            sql.Identifier(name),
            sql.SQL("true" if allow_connections else "false"),
            sql.SQL(" OWNER {}").format(sql.Identifier(owner)) if owner else sql.SQL(""),
        )
    )


def drop(admin: psycopg.Connection, name: str) -> None:
    """DROP DATABASE IF EXISTS, ending its sessions; refused for a production database."""
    check_name(name)
    refuse_production(admin, "drop", name)
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def rename_all(
    admin: psycopg.Connection,
    moves: list[tuple[str, str]],
    first: Sequence[sql.Composable] = (),
    attempts: int = 1,
    own_checkpoint: tuple[str, DatabaseIdentity] | None = None,
) -> None:
    """Every rename in one transaction, after the statements `first`, once the other sessions of the renamed
    databases are ended; refused, before any session is ended, when any is a production database. Odoo workers
    reconnect within moments: `attempts` tries again when one got in between.

    `own_checkpoint` (name, identity recorded in a checkpoint): that one database may be production while it is
    still the very database the checkpoint was taken of (a failed release putting its data back)."""
    for old, new in moves:
        check_name(old), check_name(new)
    names = {name for move in moves for name in move}
    if own_checkpoint is not None:
        name, recorded = own_checkpoint
        now = identify(admin, name)
        if now is None or not recorded.same_database(now):
            raise InputError(
                f"database '{name}' is not the database the checkpoint was taken of (another database, or its server "
                "restarted since): refusing to replace it"
            )
        names.discard(name)
    refuse_production(admin, "rename", *names)
    olds = sorted({old for old, _ in moves})
    for attempt in range(1, attempts + 1):
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()", (olds,)
        )
        try:
            with admin.transaction():
                for statement in first:
                    admin.execute(statement)
                for old, new in moves:
                    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))
            return
        except errors.ObjectInUse:
            if attempt == attempts:
                raise OperationError(
                    f"could not rename {', '.join(olds)}: sessions kept reconnecting; nothing was renamed"
                ) from None
            time.sleep(0.2 * attempt)
