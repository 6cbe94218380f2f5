"""Run pgBackRest for a protected environment, as the account that owns the server's data directory.

pgBackRest must read the data directory and write the repository with the same
identity as the server's archive_command, so when we are root it runs through
`runuser` as the data directory's owner (the way Formwork starts its own clusters).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from formwork import commands
from formwork.pitr.config import pgbackrest_binary
from formwork.pitr.settings import PitrProtection


def server_account(pg_data: str) -> str | None:
    """The data directory's owner when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        owner = Path(pg_data).stat().st_uid
    except OSError:
        from formwork.postgres_cluster import _server_account

        return _server_account()
    return None if owner == 0 else pwd.getpwuid(owner).pw_name


def as_account(account: str | None, args: list[str]) -> list[str]:
    return ["runuser", "-u", account, "--", *args] if account else args


def run(protection: PitrProtection, command: str, *options: str, timeout: float = 3600) -> str:
    """One pgBackRest command; its first error line becomes the OperationError."""
    args = [pgbackrest_binary(), f"--config={protection.config_path}", f"--stanza={protection.stanza}", command, *options]
    return commands.run(
        as_account(server_account(protection.pg_data), args),
        f"pgbackrest {command} (stanza {protection.stanza})",
        timeout=timeout,
        cwd="/",
        reason=_error_line,
        install="run tools/ensure-pgbackrest.sh: apt-get install pgbackrest",
    ).stdout


def _error_line(done: subprocess.CompletedProcess) -> str:
    """pgBackRest's first ERROR or FATAL line (it goes on logging after it)."""
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return next((line for line in lines if line.startswith(("ERROR", "FATAL"))), lines[0] if lines else f"exit {done.returncode}")


def info(protection: PitrProtection) -> dict:
    """The stanza's `pgbackrest info --output=json` entry: backups, archive ranges, status."""
    stanzas = json.loads(run(protection, "info", "--output=json") or "[]")
    return stanzas[0] if stanzas else {}


def repo_files(protection: PitrProtection, path: str) -> dict[str, dict]:
    """Files under a repository folder, recursively (local or S3 alike): relative path -> {size, time}."""
    listed = json.loads(run(protection, "repo-ls", "--output=json", "--recurse", path) or "{}")
    return {name: entry for name, entry in listed.items() if entry.get("type") == "file"}
