"""Is there room for the copy? Checked before anything is written, from the source's size.

The copy is restored beside the target and the old target is kept until the
swap, so the target server needs the source's size again, free. PostgreSQL has
no SQL for free disk space; when the target server runs on this machine (its
data directory is here and its postmaster.pid names its port) the file system
is asked directly, otherwise the check is reported as not made.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Restored tables and rebuilt indexes come out close to the source's size; keep a margin for WAL and sorts.
MARGIN = 1.1


@dataclass(frozen=True)
class Room:
    where: str
    needed: int
    free: int | None  # None: could not be measured from here

    @property
    def enough(self) -> bool:
        return self.free is None or self.free >= self.needed

    def __str__(self) -> str:
        free = "not measurable from this machine" if self.free is None else _size(self.free) + " free"
        return f"{self.where}: needs about {_size(self.needed)}, {free}"


def source_sizes(source: psycopg.Connection) -> tuple[int, int]:
    """(database size, table data size): the dump holds table data without indexes, compressed."""
    return source.execute(
        "SELECT pg_database_size(current_database()), "
        "(SELECT coalesce(sum(pg_table_size(oid)), 0) FROM pg_class WHERE relkind IN ('r', 'm'))"
    ).fetchone()


def database_room(database_size: int, target_admin: psycopg.Connection) -> Room:
    return Room("target server", int(database_size * MARGIN), _server_free(target_admin))


def download_room(size: int) -> Room:
    return Room(f"dump folder {tempfile.gettempdir()}", int(size), shutil.disk_usage(tempfile.gettempdir()).free)


def directory_room(directory: Path, size: int) -> Room:
    """A data directory restored into `directory` (a physical restore), with the margin."""
    return Room(f"folder {directory}", int(size * MARGIN), shutil.disk_usage(directory).free)


def _server_free(admin: psycopg.Connection) -> int | None:
    try:
        datadir, port = admin.execute("SELECT current_setting('data_directory'), current_setting('port')").fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return None
    pid = Path(datadir) / "postmaster.pid"
    try:
        lines = pid.read_text().splitlines()
    except OSError:
        return None  # another machine, or not readable here
    if len(lines) < 4 or lines[3].strip() != port:
        return None  # a same-named directory of another server
    return shutil.disk_usage(datadir).free


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError
