"""Copy a database beside the target: pg_dump in directory format and pg_restore, both in parallel jobs.

The source is only read (pg_dump takes one snapshot). The copy is restored into a
new database whose name says it is being built, closed to everyone but Formwork;
only the swap makes it the target and opens it.
Passwords travel in PGPASSWORD, never on a command line others can read.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from formwork import commands, databases
from formwork.dsn import ConnectionSpec, connect_maintenance
from formwork.errors import OperationError, last_line
from formwork.pgbin import program
from formwork.production_guard import refuse_production
from formwork.progress import NoProgress, Progress
from formwork.refresh import access

DUMPED = re.compile(r"^pg_dump: (dumping contents of table|processing data for table)")
PLAIN_INDEX = re.compile(r"^\d+; \d+ \d+ INDEX ")  # not CONSTRAINT, FK CONSTRAINT or INDEX ATTACH
RESTORED = re.compile(r"^pg_restore: (processing item|finished item) ")  # one per TOC entry: serial, then parallel phase


def dump(
    source: ConnectionSpec, directory: Path, jobs: int = 2, progress: Progress | None = None, snapshot: str | None = None
) -> None:
    """`snapshot`: an exported snapshot to dump, so facts read in it describe exactly this dump."""
    with psycopg.connect(**source.kwargs()) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace NOT IN "
            "('pg_catalog'::regnamespace, 'information_schema'::regnamespace)"
        ).fetchone()[0]
    _run(
        [
            program("pg_dump"),
            "--format=directory",
            f"--jobs={jobs}",
            f"--file={directory}",
            "--verbose",
            *([f"--snapshot={snapshot}"] if snapshot else []),
            f"--dbname={_conninfo(source)}",
        ],
        source,
        "dump " + source.dbname,
        tables,
        DUMPED,
        progress,
    )


def restore(
    server: ConnectionSpec,
    database: str,
    directory: Path,
    jobs: int = 2,
    progress: Progress | None = None,
    defer_indexes: bool = False,
    owned_like: str | None = None,
    source_owner: str | None = None,
) -> None:
    """Into a new database `database` on `server`, closed to other roles (see `access`): it holds
    production's data, unmasked, until the swap opens it. It and every object restored into it are owned
    like database `owned_like` when that is on the server (the one it will replace: the Odoo that opens it
    after the swap can write it), else by `source_owner` (the source's owner) when that role is on the server,
    else by the connecting role.

    `defer_indexes` leaves out the plain indexes (keys, unique and foreign-key constraints are restored):
    a copy about to be rewritten (masked) is rewritten faster without them, and `build_indexes` then
    builds them once, on the final values."""
    entries = _entries(directory, database)
    with connect_maintenance(server) as admin:
        if databases.exists(admin, database):
            raise OperationError(f"restore {database}: the database already exists; a restore only ever creates a new one")
        owner = (databases.owner(admin, owned_like) if owned_like else None) or _role_on(admin, source_owner)
        if owner and not admin.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (owner,)).fetchone()[0]:
            raise OperationError(
                f"restore {database}: the copy must be owned by '{owner}', like '{owned_like}' or the source (Odoo "
                f"writes its own tables), and the connecting role cannot act as '{owner}': GRANT \"{owner}\" TO the role Formwork connects as"
            )
        access.create_closed(admin, database, owner)
        try:
            chosen = [e for e in entries if not (defer_indexes and PLAIN_INDEX.match(e))]
            _restore(server.on(database), directory, jobs, progress, chosen, "restore " + database, owner)
        except BaseException:
            databases.drop(admin, database)
            raise


def _role_on(admin: psycopg.Connection, role: str | None) -> str | None:
    """`role` when it exists on the server."""
    found = role and admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    return role if found else None


def build_indexes(
    server: ConnectionSpec, database: str, directory: Path, jobs: int = 2, progress: Progress | None = None
) -> None:
    """The plain indexes a `defer_indexes` restore left out, owned like the database; never into a production database."""
    with connect_maintenance(server) as admin:
        refuse_production(admin, "restore", database)
        owner = databases.owner(admin, database)
    chosen = [e for e in _entries(directory, database) if PLAIN_INDEX.match(e)]
    _restore(server.on(database), directory, jobs, progress, chosen, "indexes " + database, owner)


def _entries(directory: Path, database: str) -> list[str]:
    """The dump's table of contents, one line per entry."""
    listing = commands.run(
        [program("pg_restore"), "--list", directory],
        f"restore {database}",
        reason=lambda done: f"{directory} is not a readable dump: {last_line(done.stderr, 'no message')}",
    )
    return [line for line in listing.stdout.splitlines() if line and not line.startswith(";")]


def _restore(
    target: ConnectionSpec,
    directory: Path,
    jobs: int,
    progress: Progress | None,
    entries: list[str],
    label: str,
    owner: str | None,
) -> None:
    """`owner`: pg_restore creates every object as that role (SET ROLE), so they are its."""
    with tempfile.NamedTemporaryFile("w", prefix="formwork-toc-", suffix=".list") as toc:
        toc.write("\n".join(entries) + "\n")
        toc.flush()
        _run(
            [
                program("pg_restore"),
                f"--jobs={jobs}",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--verbose",
                *([f"--role={owner}"] if owner else []),
                f"--use-list={toc.name}",
                f"--dbname={_conninfo(target)}",
                str(directory),
            ],
            target,
            label,
            len(entries),
            RESTORED,
            progress,
        )


def _conninfo(spec: ConnectionSpec) -> str:
    return make_conninfo(**{k: v for k, v in spec.kwargs().items() if k != "password"})


def _run(args: list[str], spec: ConnectionSpec, label: str, total: int, step: re.Pattern, progress: Progress | None) -> None:
    progress = progress or NoProgress()
    env = {**os.environ, **({"PGPASSWORD": spec.password} if spec.password else {})}
    progress.start(label, total)
    last: list[str] = []
    with subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env) as process:
        for line in process.stderr:
            if step.match(line):
                progress.advance(1)
            elif not line.startswith(("pg_dump: ", "pg_restore: ")) or "error" in line.lower():
                last.append(line.strip())
    progress.finish()
    if process.returncode != 0:
        raise OperationError(f"{label} failed (exit {process.returncode}): {(last or ['no message'])[-1]}")
