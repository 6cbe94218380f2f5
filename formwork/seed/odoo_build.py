"""The construction company in real Odoo 17: built once through odoo-bin, cached as a dump, restored per database.

Building takes minutes (the modules below with Odoo's demo data, then the company added through the ORM by
odoo_company.py, then the web client's assets), so the result is kept under ~/.cache/formwork/odoo-db/<key>: a
pg_dump and a tarball of its filestore. The key hashes everything that shapes it (module list, `odoo-bin --version`,
which names the nightly build, and the scripts' text), so a change to any of them builds afresh. The build runs in a
scratch database on the target's server, dropped afterwards; tests and `formwork seed` share the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from formwork import commands, databases
from formwork.dsn import ConnectionSpec
from formwork.pgbin import program
from formwork.seed.odoo_bin import OdooRunner, cache_root, locked
from formwork.seed.odoo_role import ROLE

MODULES = (
    "base",
    "web",
    "mail",
    "contacts",
    "hr",
    "hr_contract",
    "hr_holidays",
    "hr_recruitment",
    "hr_expense",
    "account",
    "account_payment",
    "payment",
    "payment_stripe",
    "project",
    "calendar",
    "sms",
    "crm",
    "purchase",
    "sale_management",
    "auth_totp",
    "auth_oauth",
    "auth_signup",
    "iap",
    "base_vat",
    "google_gmail",
    "microsoft_outlook",
    "utm",
    "portal",
)
COMPANY = Path(__file__).with_name("odoo_company.py")
# The web client's bundles, generated once here rather than on every copy's first page.
ASSETS = (
    "bundle = env['ir.qweb']._get_asset_bundle('web.assets_web')  # noqa: F821 (Odoo's shell)\n"
    "bundle.js(), bundle.css()\nenv.cr.commit()  # noqa: F821\n"
)
BUILD_SUFFIX = "__formwork_odoo_build"
BUILD_TIMEOUT = 900
Note = Callable[[str], None]


def cache_key(runner: OdooRunner) -> str:
    shape = [MODULES, runner.version(), COMPANY.read_text(), ASSETS]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def ensure_built(runner: OdooRunner, server: ConnectionSpec, base: str, note: Note = lambda _: None) -> Path:
    """The cached build (its folder), built first when missing: in a scratch database derived from `base` on
    `server` (an administrator's connection), with logs under the cache's `logs/`."""
    root = cache_root() / "odoo-db"
    cached = root / cache_key(runner)
    with locked(root / "build.lock"):
        if (cached / "db.dump").exists():
            note(f"Odoo database from the cache ({cached})")
            return cached
        scratch = databases.derived_name(base, BUILD_SUFFIX)
        with psycopg.connect(**server.on("postgres").kwargs(), autocommit=True) as admin:
            databases.drop(admin, scratch)
            databases.create(admin, scratch, owner=ROLE)
        data_dir = Path(tempfile.mkdtemp(prefix="formwork-odoo-"))
        try:
            _build(runner, scratch, data_dir, root / "logs", note)
            note(f"caching the Odoo database in {cached}")
            _store(server.on(scratch), data_dir / "filestore" / scratch, cached)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
            with psycopg.connect(**server.on("postgres").kwargs(), autocommit=True) as admin:
                databases.drop(admin, scratch)
    return cached


def _build(runner: OdooRunner, database: str, data_dir: Path, logs: Path, note: Note) -> None:
    note(f"installing {len(MODULES)} Odoo modules with demo data (a few minutes; log: {logs / 'install.log'})")
    runner.run(
        "server",
        "-d",
        database,
        "-i",
        ",".join(MODULES),
        "--stop-after-init",
        data_dir=data_dir,
        log=logs / "install.log",
        timeout=BUILD_TIMEOUT,
    )
    note(f"adding the construction company through Odoo's ORM (log: {logs / 'company.log'})")
    runner.run("shell", "-d", database, "--no-http", data_dir=data_dir, stdin=COMPANY.read_text(), log=logs / "company.log")
    note("generating the web client's assets")
    runner.run("shell", "-d", database, "--no-http", data_dir=data_dir, stdin=ASSETS, log=logs / "assets.log")


def _store(database: ConnectionSpec, filestore: Path, cached: Path) -> None:
    """Written beside its final folder, then renamed into place: a killed build leaves no half cache."""
    partial = cached.with_name(cached.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    _pg("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "-f", str(partial / "db.dump")], database)
    with tarfile.open(partial / "filestore.tar", "w") as tar:
        tar.add(filestore, arcname=".")
    shutil.rmtree(cached, ignore_errors=True)
    partial.rename(cached)


def restore(cached: Path, database: ConnectionSpec) -> None:
    """The cached build into the existing, empty `database` (owned by Odoo's role), its objects owned by that role.
    The database gets a uuid and a secret (which signs Odoo's sessions) of its own, not the cache's."""
    _pg(
        "pg_restore",
        ["--no-owner", "--no-privileges", f"--role={ROLE}", "--exit-on-error", "-j", "2", str(cached / "db.dump")],
        database,
    )
    with psycopg.connect(**database.kwargs()) as conn:
        conn.execute(
            "UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key IN ('database.uuid', 'database.secret')"
        )


def copy_filestore(cached: Path, write: Callable[[str, bytes], None]) -> tuple[int, int]:
    """Every file of the cached filestore through `write` (an object store's put_bytes), keyed as Odoo's store_fname
    (`ab/abcdef...`); (files, bytes)."""
    files = size = 0
    with tarfile.open(cached / "filestore.tar") as tar:
        for member in tar:
            if member.isfile():
                content = tar.extractfile(member).read()
                write(os.path.normpath(member.name), content)
                files, size = files + 1, size + len(content)
    return files, size


def _pg(name: str, args: list[str], database: ConnectionSpec) -> None:
    """pg_dump / pg_restore on `database`, its password through the environment."""
    conninfo = make_conninfo(**{k: v for k, v in database.kwargs().items() if k != "password"})
    env = {**os.environ, **({"PGPASSWORD": database.password} if database.password else {})}
    commands.run([program(name), f"--dbname={conninfo}", *args], f"{name} {database.dbname}", env=env, timeout=BUILD_TIMEOUT)
