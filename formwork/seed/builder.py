"""Build a seeded database beside its final name, then publish it in one rename.

A killed build leaves only `<db>__formwork_seeding`, which the next run drops;
the published database is either the old one or the complete new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources

import psycopg
from psycopg import sql

from formwork import databases
from formwork.dsn import ConnectionSpec
from formwork.errors import InputError
from formwork.production_guard import refuse_registered
from formwork.progress import NoProgress, Progress
from formwork.seed.groups import accounting, attachments, hr, integrations, mail, partners, payroll, projects, reference, users
from formwork.seed.plan import SeedPlan
from formwork.seed.rows import TableRows, copy_rows

GROUPS = {
    "reference": reference,
    "integrations": integrations,
    "partners": partners,
    "users": users,
    "hr": hr,
    "payroll": payroll,
    "projects": projects,
    "accounting": accounting,
    "mail": mail,
}
BUILDING_SUFFIX = "__formwork_seeding"
RETIRED_SUFFIX = "__formwork_replaced"


@dataclass
class LoadResult:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0


def maintenance(spec: ConnectionSpec) -> dict:
    """Connection to the server's `postgres` database, for CREATE/ALTER/DROP DATABASE."""
    return {**spec.kwargs(), "dbname": "postgres", "autocommit": True}


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def check_target(spec: ConnectionSpec, *, replace: bool) -> None:
    """Refuse, without changing anything, a target we must not build."""
    databases.check_name(spec.dbname)
    with psycopg.connect(**maintenance(spec)) as conn:
        refuse_registered(conn, "seed", spec.dbname, replace=replace)
        if database_exists(conn, spec.dbname) and not replace:
            raise InputError(f"database '{spec.dbname}' already exists on {spec.host}:{spec.port} (use --replace to rebuild it)")


def prepare(spec: ConnectionSpec, *, replace: bool, owner: str | None = None) -> str:
    """Check the target, drop any leftover of a killed run, create the building database (owned by `owner`,
    default the connecting role); return its name."""
    check_target(spec, replace=replace)
    building = databases.derived_name(spec.dbname, BUILDING_SUFFIX)
    with psycopg.connect(**maintenance(spec)) as conn:
        databases.drop(conn, building)
        databases.create(conn, building, owner=owner)
    return building


def _sql(name: str) -> str:
    return resources.files("formwork.seed").joinpath(name).read_text()


def create_schema(conninfo: dict) -> None:
    with psycopg.connect(**conninfo) as conn:
        conn.execute(_sql("schema_tables.sql"))


def load(conninfo: dict, data: Iterable[TableRows], progress: Progress | None = None) -> dict[str, int]:
    progress = progress or NoProgress()
    counts: dict[str, int] = {}
    with psycopg.connect(**conninfo) as conn, conn.cursor() as cur:
        for table in data:
            progress.start(table.table, table.count)
            counts[table.table] = copy_rows(cur, table, progress.advance)
            progress.finish()
    return counts


def group_tables(plan: SeedPlan, name: str) -> Iterator[TableRows]:
    return GROUPS[name].tables(plan)


def load_attachments(
    conninfo: dict, plan: SeedPlan, write: Callable[[str, bytes], None] | None, progress: Progress | None = None, threads: int = 8
) -> LoadResult:
    """ir_attachment rows, with each file written to the filestore (in parallel) before the rows commit."""
    result = LoadResult()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = []

        def submit(fname: str, content: bytes) -> None:
            result.files += 1
            result.file_bytes += len(content)
            if write is not None:
                pending.append(pool.submit(write, fname, content))
                if len(pending) >= 512:
                    _drain(pending)

        counts = load(conninfo, attachments.tables(plan, submit), progress)
        _drain(pending)
    result.rows = counts
    return result


def _drain(pending: list) -> None:
    for future in pending:
        future.result()
    pending.clear()


def finish_schema(conninfo: dict) -> None:
    """Foreign keys and indexes after the load (as pg_restore does), then sequences and statistics."""
    with psycopg.connect(**conninfo) as conn:
        conn.execute(_sql("schema_constraints.sql"))
        serial_tables = conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'id' AND column_default LIKE 'nextval(%%'"
        ).fetchall()
        for (table,) in serial_tables:
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), GREATEST(COALESCE(max(id), 0), 1)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")


def publish(spec: ConnectionSpec, building: str) -> None:
    """Swap the finished database in under its final name; an older one is dropped only after the swap."""
    final, retired = spec.dbname, databases.derived_name(spec.dbname, RETIRED_SUFFIX)
    with psycopg.connect(**maintenance(spec)) as conn:
        databases.drop(conn, retired)
        replaced = database_exists(conn, final)
        databases.rename_all(conn, [(final, retired)] * replaced + [(building, final)])
        if replaced:
            databases.drop(conn, retired)


def build(spec: ConnectionSpec, plan: SeedPlan, write: Callable[[str, bytes], None] | None, *, replace: bool = True) -> None:
    """Every step in order, without Prefect: for tests and benchmarks (the `seed` flow runs them as tasks)."""
    building = prepare(spec, replace=replace)
    info = {**spec.kwargs(), "dbname": building}
    create_schema(info)
    for group in GROUPS:
        load(info, group_tables(plan, group))
    load_attachments(info, plan, write)
    finish_schema(info)
    publish(spec, building)
