"""Find the PostgreSQL server programs (initdb, pg_ctl, pg_dump, ...)."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from formwork.errors import OperationError

INSTALL_HINT = "install the Debian package 'postgresql' (apt-get install postgresql) or put initdb on PATH"


def server_bindir() -> Path:
    """The directory holding initdb and pg_ctl: $PG_BINDIR, PATH, or the newest /usr/lib/postgresql/*/bin."""
    explicit = os.environ.get("PG_BINDIR")
    if explicit and (Path(explicit) / "initdb").exists():
        return Path(explicit)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise OperationError(f"PostgreSQL server binaries not found: {INSTALL_HINT}")


def program(name: str) -> str:
    """Full path of a PostgreSQL program, preferring the server's own version."""
    candidate = server_bindir() / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise OperationError(f"PostgreSQL program '{name}' not found: {INSTALL_HINT}")
