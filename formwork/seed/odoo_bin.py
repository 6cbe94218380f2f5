"""odoo-bin as Formwork runs it: found (the demo and the tests look in the same places) and checked, connected as
Odoo's own role, its log read.

Odoo gets its database password through PGPASSWORD in its environment, never on its command line, and an
environment stripped of every other secret the caller holds (the superuser's PGPASSWORD first of all). A run that
exits non-zero or logs an ERROR fails, naming its log.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from formwork import commands
from formwork.errors import InputError, OperationError, last_line

VARIABLE = "FORMWORK_ODOO_BIN"
PROJECT = Path(__file__).resolve().parents[2]
VERSION = "Odoo Server 17.0"
ENSURE_TIMEOUT = 900
LOG_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)
_SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|AUTH|KEY", re.IGNORECASE)


def cache_root() -> Path:
    """Where Formwork keeps what it builds once: Odoo itself, Odoo's database dumps."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "formwork"


def without_secrets(password: str | None) -> dict[str, str]:
    """The caller's environment without its secrets (the superuser's PGPASSWORD first of all), for a program that
    runs Odoo; Odoo's role's password, if any, as PGPASSWORD."""
    env = {key: value for key, value in os.environ.items() if not _SECRET_NAME.search(key)}
    return {**env, "PGPASSWORD": password} if password else env


def checked_odoo_bin(value: str, option: str = "--odoo-bin") -> Path:
    """`value` as a path to an executable file; InputError naming the option and value otherwise."""
    path = Path(value).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise InputError(f"{option} '{value}': not an executable file (the path of Odoo 17's odoo-bin)")
    return path


def available_odoo() -> tuple[Path | None, str]:
    """(odoo-bin, "") or (None, why there is none): FORMWORK_ODOO_BIN (refused, not passed over, when it is no
    executable), else what `../shared/odoo/ensure-odoo.sh` beside the project builds into the cache."""
    explicit = os.environ.get(VARIABLE)
    if explicit:
        return checked_odoo_bin(explicit, option=VARIABLE), ""
    script = PROJECT.parent / "shared" / "odoo" / "ensure-odoo.sh"
    if not script.is_file():
        return None, f"{VARIABLE} is unset and {script} does not exist"
    with locked(cache_root() / "odoo-17.0.lock"):
        built = commands.run([script, cache_root() / "odoo-17.0"], str(script), check=False, timeout=ENSURE_TIMEOUT)
    if built.returncode != 0:
        return None, f"{script} failed: {last_line(built.stderr, 'no output')}"
    return Path(built.stdout.strip().splitlines()[-1]), ""


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One builder at a time across processes (test workers, a demo beside a test session)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@dataclass(frozen=True)
class OdooRunner:
    """odoo-bin connected to one PostgreSQL server as `user` (Odoo refuses to run as postgres)."""

    bin: Path
    host: str
    port: int
    user: str
    password: str | None = field(default=None, repr=False)

    def version(self, option: str = "--odoo-bin") -> str:
        """`odoo-bin --version`, refused (naming the option) unless it is Odoo 17.0."""
        try:
            result = commands.run(
                [self.bin, "--version"], f"{option} '{self.bin}'", check=False, timeout=120, env=self.environment()
            )
        except OperationError as exc:
            raise InputError(str(exc)) from None
        said = (result.stdout.strip().splitlines() or ["nothing"])[-1]
        if result.returncode != 0 or not said.startswith(VERSION):
            raise InputError(f"{option} '{self.bin}': `--version` says {said!r}, not {VERSION}")
        return said

    def command(self, subcommand: str, *args: str, data_dir: Path) -> list[str]:
        """odoo-bin SUBCOMMAND connected to the server: no secret in it."""
        return [
            str(self.bin),
            subcommand,
            f"--db_host={self.host}",
            f"--db_port={self.port}",
            f"--db_user={self.user}",
            f"--data-dir={data_dir}",
            *args,
        ]

    def environment(self) -> dict[str, str]:
        return without_secrets(self.password)

    def run(
        self, subcommand: str, *args: str, data_dir: Path, log: Path, timeout: float = 300, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        """Runs odoo-bin to the end, keeping its output in `log`; OperationError when it fails or logs an ERROR."""
        extra = ["--max-cron-threads=0"] if subcommand == "server" else []
        log.parent.mkdir(parents=True, exist_ok=True)
        result = commands.run(
            self.command(subcommand, *args, *extra, data_dir=data_dir),
            f"odoo-bin {subcommand}",
            check=False,
            input=stdin,
            timeout=timeout,
            env=self.environment(),
        )
        output = result.stdout + result.stderr
        log.write_text(output)
        if result.returncode != 0 or LOG_ERROR.search(output):
            errors = "\n".join(line for line in output.splitlines() if LOG_ERROR.match(line))[:4000]
            raise OperationError(f"odoo-bin {subcommand} failed (log: {log}): {errors or output[-2000:]}")
        return result
