"""Real Odoo 17 for tests: found or built once, one database per session, copied per test.

Odoo comes from FORMWORK_ODOO_BIN, else ../shared/odoo/ensure-odoo.sh builds it into the cache. The template database
(the module set below with demo data, a construction company added through the ORM, web assets already generated) is
kept as a pg_dump and a filestore tarball under ~/.cache/formwork, keyed by everything that shapes it, so only the
first session pays for the install. Each test copies it with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tarfile
import time
import uuid
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from formwork.local.pgbin import program
from formwork.local.postgres import LocalCluster, free_port

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "odoo"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "formwork"
CONSTRUCTION = Path(__file__).with_name("odoo_construction.py")
MODULES = ("base", "web", "mail", "contacts", "hr", "hr_contract", "hr_holidays", "hr_recruitment", "hr_expense", "account",
           "account_payment", "payment", "payment_stripe", "project", "calendar", "sms", "crm", "purchase",
           "sale_management", "auth_totp", "auth_oauth", "auth_signup", "iap", "base_vat", "google_gmail",
           "microsoft_outlook", "utm", "portal")
ROLE = "odoo"  # Odoo refuses to run as postgres
TEMPLATE = "odoo_template"
BUILD_TIMEOUT = 900
START_TIMEOUT = 120
REQUEST_TIMEOUT = 180  # the first /web of a database generates its asset bundles
# Models a user opens first; every copy must still read them.
READ_MODELS = ("res.partner", "hr.employee", "hr.contract", "res.partner.bank", "mail.message", "account.move")
LOG_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


class OdooUnavailable(Exception):
    """No Odoo to run: the reason the real-Odoo tests skip (or fail, under FORMWORK_REQUIRE_ODOO=1)."""


def find_odoo() -> Path:
    explicit = os.environ.get("FORMWORK_ODOO_BIN")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise OdooUnavailable(f"FORMWORK_ODOO_BIN={explicit} is not an executable file")
        return Path(explicit)
    script = SHARED / "ensure-odoo.sh"
    if not script.is_file():
        raise OdooUnavailable(f"FORMWORK_ODOO_BIN is unset and {script} does not exist")
    with _locked(CACHE / "odoo-17.0.lock"):
        built = subprocess.run([str(script), str(CACHE / "odoo-17.0")], check=False, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if built.returncode != 0:
        raise OdooUnavailable(f"{script} failed: {(built.stderr.strip().splitlines() or ['no output'])[-1]}")
    return Path(built.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder at a time across processes (xdist workers, other sessions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


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
        self.template = OdooCopy(TEMPLATE, workdir / TEMPLATE)

    # ---- the template -------------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The template database on the cluster: restored from the cache, or built (and cached) on a cold one."""
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
                conn.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
            conn.execute(f'CREATE DATABASE "{TEMPLATE}" OWNER {ROLE} ENCODING UTF8 TEMPLATE template0')
        cached = CACHE / "odoo-db" / self._cache_key()
        with _locked(CACHE / "odoo-db.lock"):
            if not (cached / "db.dump").exists():
                self._build()
                self._store(cached)
                return
        self._restore(cached)

    def _cache_key(self) -> str:
        version = self.run("--version", timeout=60).stdout.strip()
        tarball = SHARED / "odoo-17.0-community.tar.xz"
        build = (tarball.stat().st_size, tarball.stat().st_mtime_ns) if tarball.exists() else None
        shape = [MODULES, version, build, CONSTRUCTION.read_text()]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]

    def _build(self) -> None:
        self.run("server", "-d", TEMPLATE, "-i", ",".join(MODULES), "--stop-after-init", data_dir=self.template.data_dir,
                 timeout=BUILD_TIMEOUT, log=self.workdir / "install.log")
        self.run("shell", "-d", TEMPLATE, "--no-http", data_dir=self.template.data_dir, stdin=CONSTRUCTION.read_text(),
                 log=self.workdir / "construction.log")
        check_odoo_runs(self, self.template)  # also generates the web assets once, for every copy

    def _store(self, cached: Path) -> None:
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        subprocess.run([program("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(partial / "db.dump"),
                        self.cluster.dsn(TEMPLATE)], check=True, capture_output=True, timeout=BUILD_TIMEOUT)
        with tarfile.open(partial / "filestore.tar", "w") as tar:
            tar.add(self.template.filestore, arcname=".")
        shutil.rmtree(cached, ignore_errors=True)
        partial.rename(cached)

    def _restore(self, cached: Path) -> None:
        subprocess.run([program("pg_restore"), "--no-owner", "--no-privileges", f"--role={ROLE}", "-j", "2",
                        "-d", self.cluster.dsn(TEMPLATE), str(cached / "db.dump")], check=True, capture_output=True,
                       timeout=BUILD_TIMEOUT)
        self.template.filestore.mkdir(parents=True)
        with tarfile.open(cached / "filestore.tar") as tar:
            tar.extractall(self.template.filestore, filter="data")

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
        """odoo-bin SUBCOMMAND with this cluster's connection (role odoo, trust auth) and no cron threads."""
        if subcommand.startswith("-"):
            return [str(self.bin), subcommand, *args]
        return [str(self.bin), subcommand, "--db_host=127.0.0.1", f"--db_port={self.cluster.port}", f"--db_user={ROLE}",
                f"--data-dir={data_dir or self.template.data_dir}", *args]

    def run(self, subcommand: str, *args: str, data_dir: Path | None = None, timeout: float = 120,
            stdin: str | None = None, log: Path | None = None) -> subprocess.CompletedProcess:
        """Runs odoo-bin to the end; fails naming the log when it exits non-zero or logs an ERROR."""
        extra = ["--max-cron-threads=0"] if subcommand == "server" else []
        result = subprocess.run(self.command(subcommand, *args, *extra, data_dir=data_dir), check=False, input=stdin,
                                capture_output=True, text=True, timeout=timeout)
        output = result.stdout + result.stderr
        if log:
            log.write_text(output)
        if result.returncode != 0 or LOG_ERROR.search(output):
            where = f" (log: {log})" if log else ""
            raise AssertionError(f"odoo-bin {subcommand} failed{where}: {_errors(output) or output[-2000:]}")
        return result


def _errors(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if LOG_ERROR.match(line))[:4000]


# ---- Odoo still runs on a result ----------------------------------------------------------------------------------------
@contextlib.contextmanager
def serving(odoo: Odoo, copy: OdooCopy) -> Iterator[tuple[str, Path]]:
    """Real Odoo serving one database on a free port; (base URL, log file). Stopped, and its group killed, afterwards."""
    port = free_port()
    log = copy.data_dir / f"{copy.name}-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    args = odoo.command("server", f"--http-port={port}", "--http-interface=127.0.0.1", f"--db-filter=^{copy.name}$",
                        "-d", copy.name, "--no-database-list", "--max-cron-threads=0", f"--logfile={log}",
                        data_dir=copy.data_dir)
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url, log
    finally:
        _stop(process)


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


def check_odoo_runs(odoo: Odoo, copy: OdooCopy, login: str = "admin") -> None:
    """Odoo boots on the copy, its login page answers, `login` signs in over JSON-RPC, /web loads its assets, XML-RPC
    reads the models users open first, and the log holds no ERROR. The user gets a known password (plaintext, which
    Odoo accepts and re-hashes on login)."""
    password = secrets.token_urlsafe(12)
    with psycopg.connect(odoo.cluster.dsn(copy.name), autocommit=True) as conn:
        changed = conn.execute("UPDATE res_users SET password = %s WHERE login = %s", (password, login)).rowcount
    assert changed == 1, f"{copy.name}: no user with login {login!r}"
    with serving(odoo, copy) as (url, log), httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT) as http:
        page = http.get("/web/login")
        assert page.status_code == 200 and 'name="login"' in page.text, f"login page: HTTP {page.status_code}"
        signed_in = http.post("/web/session/authenticate", json={
            "jsonrpc": "2.0", "method": "call", "params": {"db": copy.name, "login": login, "password": password}}).json()
        assert signed_in.get("result", {}).get("uid"), f"JSON-RPC login of {login!r} failed: {signed_in.get('error')}"
        web = http.get("/web")
        assets = sorted(set(re.findall(r'(?:src|href)="(/web/assets/[^"]+)"', web.text)))
        assert web.status_code == 200 and assets, f"/web: HTTP {web.status_code}, {len(assets)} asset bundles"
        for asset in assets:
            assert http.get(asset).status_code == 200, f"asset {asset} does not load"
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        uid = common.authenticate(copy.name, login, password, {})
        assert uid, f"XML-RPC login of {login!r} failed"
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
        for model in READ_MODELS:
            try:
                rows = models.execute_kw(copy.name, uid, password, model, "search_read", [[]], {"limit": 20})
            except xmlrpc.client.Fault as fault:
                raised = re.findall(r"^[A-Za-z_][\w.]*: .*", fault.faultString, re.MULTILINE)  # the exception, after its traceback
                raise AssertionError(f"XML-RPC read of {model} failed: {(raised or [fault.faultString])[-1]}") from None
            assert rows, f"XML-RPC read of {model} returned nothing"
    errors = _errors(log.read_text())
    assert not errors, f"Odoo logged errors on {copy.name}:\n{errors}"
