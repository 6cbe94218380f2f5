"""Tasks that seed a database through real Odoo; each is one step of formwork.seed.odoo_build.

The Odoo role's password comes from FORMWORK_ODOO_DB_PASSWORD in the worker's environment, never a parameter.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from prefect import get_run_logger, task

from blocks.stores import open_store
from formwork.dsn import parse_dsn
from formwork.production_guard import refuse_production_filestore
from formwork.seed import builder, odoo_build
from formwork.seed.odoo_bin import OdooRunner
from formwork.seed.odoo_facts import OdooFacts, check_seeded
from formwork.seed.odoo_role import PASSWORD_VARIABLE, ROLE, ensure_role
from tasks.retries import retry_unless_refused


def odoo_password() -> str | None:
    return os.environ.get(PASSWORD_VARIABLE) or None


def _runner(dsn: str, odoo_bin: str) -> OdooRunner:
    spec = parse_dsn(dsn)
    return OdooRunner(Path(odoo_bin), spec.host, spec.port, ROLE, odoo_password())


def note(line: str) -> None:
    """A progress line for the long steps: in the run's logs (the UI), which the command line shows on stderr."""
    get_run_logger().info(line)


@task(name="check target, odoo-bin and Odoo's role")
def check_odoo(dsn: str, odoo_bin: str, replace: bool) -> str:
    """The target's guards first, so a refused target never starts Odoo; then odoo-bin's version, then the role."""
    spec = parse_dsn(dsn)
    builder.check_target(spec, replace=replace)
    version = _runner(dsn, odoo_bin).version()
    with psycopg.connect(**builder.maintenance(spec)) as admin:
        ensure_role(admin, spec, odoo_password())
    return version


@task(name="build the Odoo database or take it from the cache")
def build_or_reuse(dsn: str, odoo_bin: str) -> Path:
    spec = parse_dsn(dsn)
    return odoo_build.ensure_built(_runner(dsn, odoo_bin), spec, spec.dbname, note)


@task(name="prepare target database")
def prepare_target(dsn: str, replace: bool) -> str:
    return builder.prepare(parse_dsn(dsn), replace=replace, owner=ROLE)


@task(name="restore the Odoo database")
def restore(dsn: str, building: str, cached: Path) -> None:
    note(f"restoring the Odoo database into {building}")
    odoo_build.restore(cached, parse_dsn(dsn).on(building))


@task(name="copy Odoo's filestore", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_refused)
def copy_filestore(cached: Path, filestore: str) -> tuple[int, int]:
    """Filestore objects are content-addressed, so writing them again on retry is harmless."""
    refuse_production_filestore(filestore, "seed", label="--filestore")
    note(f"copying Odoo's filestore to {filestore}")
    return odoo_build.copy_filestore(cached, open_store(filestore, option="--filestore").put_bytes)


@task(name="check the Odoo database")
def check_database(dsn: str, building: str) -> OdooFacts:
    return check_seeded({**parse_dsn(dsn).kwargs(), "dbname": building})
