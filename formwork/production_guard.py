"""Production is only ever read: the check every library function that writes a database passes first.

A database is known by who its server is and by its oid, never by the address used
to reach it: `localhost` and `127.0.0.1`, a proxy, a DNS alias or another port all
reach the same server. A server is its postmaster's start time (readable by every
role) and, where the role may read it, its `system_identifier`; a database is that
plus its oid. A restored copy of production (a PITR scratch server) shares the
system identifier and the oid but not the start time, so it is not production.

Which environments exist comes from a catalogue the caller installs with `use_catalogue`
(Formwork's Prefect blocks install theirs: blocks/catalogue.py); with none, every guard refuses. A production environment that cannot be reached is compared by the
identity recorded when it was added; one with neither makes every write refuse,
because Formwork cannot tell whether the target is production.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import psycopg
from psycopg import errors

from formwork.dsn import ConnectionSpec
from formwork.errors import InputError, OperationError, first_line
from formwork.locations import overlaps

CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class DatabaseIdentity:
    started: str
    system: str | None
    oid: str

    def same_server(self, other: DatabaseIdentity) -> bool:
        return self.started == other.started and (self.system is None or other.system is None or self.system == other.system)

    def same_database(self, other: DatabaseIdentity) -> bool:
        return self.same_server(other) and self.oid == other.oid

    def recorded(self) -> dict[str, str | None]:
        return {"started": self.started, "system": self.system, "oid": self.oid}

    @classmethod
    def from_record(cls, record: dict) -> DatabaseIdentity:
        return cls(str(record["started"]), record.get("system"), str(record["oid"]))


@dataclass(frozen=True)
class KnownEnvironment:
    """What the guard needs of an environment: its name, flag, database and filestore."""

    name: str
    production: bool
    connection: ConnectionSpec
    filestore_url: str | None = None
    identity: DatabaseIdentity | None = None  # recorded when it was added, for when it cannot be reached


Catalogue = Callable[[], Iterable[KnownEnvironment]]
_catalogue: Catalogue | None = None


def use_catalogue(catalogue: Catalogue | None) -> None:
    """Install where environments come from (None: none, and every guard refuses)."""
    global _catalogue
    _catalogue = catalogue


@contextlib.contextmanager
def catalogue(environments: Iterable[KnownEnvironment]) -> Iterator[None]:
    """A fixed catalogue for the duration of the block (tests, embedders)."""
    fixed = list(environments)
    previous = _catalogue
    use_catalogue(lambda: fixed)
    try:
        yield
    finally:
        use_catalogue(previous)


def known_environments() -> list[KnownEnvironment]:
    if _catalogue is None:  # fail closed: without a catalogue nothing can be told apart from production
        raise OperationError(
            "the production guard has no catalogue of environments to compare with "
            "(the front-end installs one with production_guard.use_catalogue)"
        )
    return list(_catalogue())


def identify(conn: psycopg.Connection, datname: str | None = None) -> DatabaseIdentity | None:
    """Who the database `datname` (default: the connected one) is on conn's server; None when there is no such database."""
    started = conn.execute("SELECT pg_postmaster_start_time()::text").fetchone()[0]
    system = None
    try:
        with conn.transaction():
            system = str(conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0])
    except errors.InsufficientPrivilege:
        pass
    query = "SELECT oid::text FROM pg_database WHERE datname = " + ("%s" if datname is not None else "current_database()")
    row = conn.execute(query, (datname,) if datname is not None else ()).fetchone()
    return DatabaseIdentity(started, system, row[0]) if row else None


def identify_spec(spec: ConnectionSpec) -> DatabaseIdentity:
    """The identity of the database a spec names; raises psycopg.OperationalError when unreachable."""
    with psycopg.connect(**spec.kwargs(), connect_timeout=CONNECT_TIMEOUT) as conn:
        return identify(conn)


def environment_databases(action: str, *, production_only: bool = True) -> list[tuple[KnownEnvironment, DatabaseIdentity]]:
    """(environment, identity) of every environment's database that exists; refuses when a production one cannot be
    identified. A lower environment that cannot be reached has nothing Formwork could damage through it."""
    found = []
    for env in known_environments():
        if production_only and not env.production:
            continue
        try:
            identity = identify_spec(env.connection)
        except psycopg.Error as exc:
            if not env.production:
                continue
            if env.identity is None:
                reason = first_line(exc)
                raise InputError(
                    f"refusing to {action}: production environment '{env.name}' ({env.connection.uri()}) cannot be reached "
                    f"({reason}) and has no recorded identity, so Formwork cannot tell whether the target is production"
                ) from None
            identity = env.identity
        found.append((env, identity))
    return found


def production_databases(action: str) -> list[tuple[str, DatabaseIdentity]]:
    """(environment, identity) of every production database; refuses when one cannot be identified."""
    return [(env.name, identity) for env, identity in environment_databases(action)]


def refuse_production(conn: psycopg.Connection, action: str, *datnames: str) -> None:
    """Raise InputError when any of `datnames` on conn's server (none given: conn's own database) is a production database."""
    named = [(name, identify(conn, name)) for name in datnames] if datnames else [(conn.info.dbname, identify(conn))]
    named = [(name, identity) for name, identity in named if identity is not None]
    if not named:
        return  # nothing there to damage
    for environment, prod in production_databases(action):
        for name, identity in named:
            if prod.same_database(identity):
                raise InputError(
                    f"database '{name}' is the database of production environment '{environment}' "
                    f"(same server and oid, whatever the address): Formwork never {action}s production"
                )


def refuse_registered(conn: psycopg.Connection, action: str, datname: str, *, replace: bool) -> None:
    """Raise InputError when `datname` on conn's server is any environment's database: production always,
    a lower environment unless the caller was told to replace it."""
    identity = identify(conn, datname)
    if identity is None:
        return
    for env, known in environment_databases(action, production_only=False):
        if known.same_database(identity) and (env.production or not replace):
            kind = "production environment" if env.production else "environment"
            how = f"Formwork never {action}s production" if env.production else "add --replace to rebuild it"
            raise InputError(
                f"database '{datname}' is the database of {kind} '{env.name}' (same server and oid, whatever the address): {how}"
            )


def refuse_production_server(conn: psycopg.Connection, action: str) -> None:
    """Raise InputError when conn's server is the server of any production database (a scratch server must be another)."""
    server = identify(conn)
    for environment, prod in production_databases(action):
        if prod.same_server(server):
            raise InputError(
                f"server {conn.info.host}:{conn.info.port} is the server of production environment '{environment}' "
                f"(same server, whatever the address): a scratch server must be another PostgreSQL server"
            )


def refuse_production_filestore(url: str, action: str, *more: str, label: str = "filestore") -> None:
    """Raise InputError when the filestore `url` (or any of `more`) is, is inside, or contains a production
    filestore; `label` names it in the message (e.g. "--filestore"). One catalogue read for all of them."""
    production = [env for env in known_environments() if env.production and env.filestore_url]
    for candidate in (url, *more):
        for env in production:
            if overlaps(candidate, env.filestore_url):
                raise InputError(
                    f"{label} '{candidate}' overlaps the filestore of production environment '{env.name}' "
                    f"({env.filestore_url}): Formwork never {action}s production files"
                )
