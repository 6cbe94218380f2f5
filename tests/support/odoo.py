"""Real Odoo 17 for tests: found or built once, one database per session, copied per test.

Odoo comes from FORMWORK_ODOO_BIN, else ../shared/odoo/ensure-odoo.sh builds it into the cache. The template database
is the one `formwork seed --odoo-bin` builds (formwork/seed/odoo_build.py: the module set with demo data, the
construction company added through the ORM, web assets generated), restored from the same cache under
~/.cache/formwork, so only the first session pays for the install. Each test copies it with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from blocks.local_directory_store import LocalDirectoryStore
from formwork import databases
from formwork.dsn import parse_dsn
from formwork.errors import FormworkError
from formwork.postgres_cluster import LocalCluster
from formwork.seed import odoo_build
from formwork.seed.odoo_bin import OdooRunner, available_odoo
from formwork.seed.odoo_build import MODULES  # noqa: F401 (part of this module's interface)
from formwork.seed.odoo_role import ROLE, ensure_role

TEMPLATE = "odoo_template"
START_TIMEOUT = 120
REQUEST_TIMEOUT = 180  # the first /web of a database generates its asset bundles
# Models a user opens first; every copy must still read them.
READ_MODELS = ("res.partner", "hr.employee", "hr.contract", "res.partner.bank", "mail.message", "account.move")


class OdooUnavailable(Exception):
    """No Odoo to run: the reason the real-Odoo tests skip (or fail, under FORMWORK_REQUIRE_ODOO=1)."""


def find_odoo() -> Path:
    """The odoo-bin `formwork demo` would use (formwork.seed.odoo_bin.available_odoo)."""
    try:
        found, why_not = available_odoo()
    except FormworkError as exc:
        raise OdooUnavailable(str(exc)) from None
    if found is None:
        raise OdooUnavailable(why_not)
    return found


@dataclass(frozen=True)
class OdooCopy:
    """A database on the cluster and its data directory (Odoo's --data-dir: filestore/<name> inside)."""

    name: str
    data_dir: Path

    @property
    def filestore(self) -> Path:
        return self.data_dir / "filestore" / self.name


class Odoo:
    """Real Odoo on one cluster: the session's template database and copies of it."""

    def __init__(self, odoo_bin: Path, cluster: LocalCluster, workdir: Path):
        self.bin = odoo_bin
        self.cluster = cluster
        self.workdir = workdir
        self.runner = OdooRunner(odoo_bin, "127.0.0.1", cluster.port, ROLE)
        self.template = OdooCopy(TEMPLATE, workdir / TEMPLATE)

    def prepare(self) -> None:
        """The template database on the cluster, restored from the cache (built into it first on a cold one)."""
        server = parse_dsn(self.cluster.dsn())
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as admin:
            ensure_role(admin, server, None)
            databases.create(admin, TEMPLATE, owner=ROLE)
        cached = odoo_build.ensure_built(self.runner, server, TEMPLATE)
        odoo_build.restore(cached, server.on(TEMPLATE))
        self.template.filestore.mkdir(parents=True)
        odoo_build.copy_filestore(cached, LocalDirectoryStore(path=str(self.template.filestore)).put_bytes)

    # ---- copies -----------------------------------------------------------------------------------------------------
    def copy(self, prefix: str = "odoo") -> OdooCopy:
        """A fresh copy of the template: database and filestore."""
        copy = OdooCopy(f"{prefix}_{uuid.uuid4().hex[:8]}", self.workdir / "copies")
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{copy.name}" TEMPLATE "{TEMPLATE}" OWNER {ROLE}')
        shutil.copytree(self.template.filestore, copy.filestore)
        return copy

    def drop(self, copy: OdooCopy) -> None:
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy.name}" WITH (FORCE)')
        shutil.rmtree(copy.filestore, ignore_errors=True)

    # ---- running odoo-bin -------------------------------------------------------------------------------------------
    def command(self, subcommand: str, *args: str, data_dir: Path | None = None) -> list[str]:
        """odoo-bin SUBCOMMAND with this cluster's connection (role odoo, trust auth)."""
        if subcommand.startswith("-"):
            return [str(self.bin), subcommand, *args]
        return self.runner.command(subcommand, *args, data_dir=data_dir or self.template.data_dir)

    def run(
        self,
        subcommand: str,
        *args: str,
        data_dir: Path | None = None,
        timeout: float = 120,
        stdin: str | None = None,
        log: Path | None = None,
    ) -> subprocess.CompletedProcess:
        """Runs odoo-bin to the end; fails naming the log when it exits non-zero or logs an ERROR."""
        log = log or self.workdir / f"{subcommand}-{uuid.uuid4().hex[:8]}.log"
        return self.runner.run(
            subcommand, *args, data_dir=data_dir or self.template.data_dir, log=log, timeout=timeout, stdin=stdin
        )


# ---- Odoo serving copies (tests/support/odoo_results.py) --------------------------------------------------------------
def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"Odoo exited with {process.returncode} before answering: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/web/health", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise AssertionError(f"Odoo did not answer {url}/web/health within {START_TIMEOUT} s (log: {log})")


def _stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
