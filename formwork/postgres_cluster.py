"""A PostgreSQL cluster of our own: initdb, start, stop.

Used for throwaway test clusters and for `make demo`'s embedded database.
PostgreSQL refuses to run as root, so when we are root the data directory is
given to an unprivileged account and the server programs run through `runuser`.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from formwork import commands
from formwork.errors import OperationError
from formwork.pgbin import program

SUPERUSER = "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_account() -> str | None:
    """The account to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise OperationError("running as root and no 'postgres' or 'nobody' account exists to run PostgreSQL as")


@dataclass
class LocalCluster:
    """A cluster in `root` (data in root/data, socket and log beside it)."""

    root: Path
    port: int
    password: str | None = field(default=None, repr=False)  # None: trust authentication (tests); set: scram over TCP (demo)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "postgres.log"

    def dsn(self, dbname: str = "postgres", *, with_password: bool = True) -> str:
        auth = SUPERUSER
        if self.password:
            auth += ":" + (self.password if with_password else "***")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, args: list[str]) -> subprocess.CompletedProcess:
        """The server's programs run as its account; the caller reads the exit code."""
        account = _server_account()
        if account:
            args = ["runuser", "-u", account, "--", *args]
        return commands.run(args, Path(args[0]).name, check=False, timeout=300)

    def _ensure_reachable_by(self, account: str) -> None:
        """The unprivileged account must be able to reach root through every parent directory."""
        if not reachable_by_server(self.root.parent):
            raise OperationError(
                f"PostgreSQL runs as '{account}', which cannot enter {self.root.parent}; "
                "choose a directory it can reach (for example under /tmp or /var/tmp)"
            )

    def initialized(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def init(self) -> None:
        if self.initialized():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        account = _server_account()
        if account:
            self._ensure_reachable_by(account)
            shutil.chown(self.root, user=account)
        args = [program("initdb"), "-D", str(self.datadir), "-U", SUPERUSER, "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        pwfile = None
        if self.password:
            pwfile = self.root / ".pwfile"
            pwfile.write_text(self.password + "\n")
            pwfile.chmod(0o600)
            if account:
                shutil.chown(pwfile, user=account)
            args += ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        else:
            args += ["-A", "trust"]
        try:
            result = self._run(args)
        finally:
            if pwfile:
                pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise OperationError(f"initdb failed in {self.datadir}: {result.stderr.strip().splitlines()[-1:]}")

    def running(self) -> bool:
        if not self.initialized():
            return False
        return self._run([program("pg_ctl"), "-D", str(self.datadir), "status"]).returncode == 0

    def start(self, extra_options: str = "") -> None:
        if self.running():
            return
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100 -c shared_buffers=128MB -c max_wal_size=2GB " + extra_options
        )
        result = self._run(
            [program("pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60", "-o", options, "start"]
        )
        if result.returncode != 0:
            tail = self.logfile.read_text(errors="replace").strip().splitlines()[-3:] if self.logfile.exists() else []
            raise OperationError(f"PostgreSQL did not start on port {self.port}: {' | '.join(tail) or result.stderr.strip()}")

    def stop(self) -> None:
        if self.running():
            self._run([program("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"])

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def reachable_by_server(directory: Path) -> bool:
    """Can the account PostgreSQL runs as enter `directory` (its nearest existing ancestor)?"""
    account = _server_account()
    if account is None:
        return True
    while not directory.exists():
        directory = directory.parent
    probe = commands.run(
        ["runuser", "-u", account, "--", "test", "-x", directory], f"probe of {directory}", check=False, timeout=30
    )
    return probe.returncode == 0


def new_password() -> str:
    return secrets.token_urlsafe(18)
