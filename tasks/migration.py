"""The database steps of a release as Prefect tasks: migrate with the new image, put the checkpoint back."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from blocks.odoo_environment import OdooEnvironment
from formwork import databases
from formwork.backup import catalog, drill
from formwork.backup.manifest import DATABASE
from formwork.dsn import ConnectionSpec, connect_maintenance
from formwork.errors import OperationError
from formwork.refresh import access
from formwork.release import data_rollback, odoo_container
from formwork.release.odoo_container import OdooDatabase, Upgrade
from formwork.seed.odoo_bin import cache_root
from formwork.seed.odoo_role import PASSWORD_VARIABLE
from tasks.backup import backup_store
from tasks.progress import task_progress


def odoo_database(connection: ConnectionSpec, name: str) -> OdooDatabase:
    """Database `name` on `connection`'s server as Odoo connects to it: as the role owning it, with the connection's
    password when that is its own role, else FORMWORK_ODOO_DB_PASSWORD (Odoo's role, as `formwork seed` uses)."""
    with connect_maintenance(connection) as admin:
        owner = databases.owner(admin, name)
    if owner is None:
        raise OperationError(f"database '{name}' does not exist on {connection.host}:{connection.port}")
    password = connection.password if owner == connection.user else os.environ.get(PASSWORD_VARIABLE)
    return OdooDatabase(connection.host, connection.port, name, owner, password)


@task(name="let Odoo's role into the rehearsal copy")
def open_to_odoo(server: ConnectionSpec, name: str) -> str:
    """A restored copy is closed to every role but Formwork's (formwork.refresh.access); Odoo's must open it."""
    with connect_maintenance(server) as admin:
        return access.open_to_owner(admin, name)


@task(name="migrate the database with the new image", cache_policy=NO_CACHE)
def upgrade_database(connection: ConnectionSpec, name: str, image: str, modules: list[str]) -> tuple[Upgrade, str]:
    """`odoo-bin -u` of the changed modules, run by the new image on database `name`; (result, log path)."""
    log = cache_root() / "migrations" / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    print(f"{name}: odoo-bin -u {','.join(modules)} with {image}")
    done = odoo_container.upgrade(odoo_container.runtime(), image, modules, odoo_database(connection, name), log)
    print(f"{name}: the upgrade {'finished' if done.ok else 'FAILED'} in {done.seconds:.1f} s (log: {log})")
    return done, str(log)


@task(name="put the checkpoint back into the database", cache_policy=NO_CACHE)
def put_back_checkpoint(name: str, env: OdooEnvironment, checkpoint: str, run: str) -> str:
    """The pre-release checkpoint restored into the environment's database; what was done, and how long it took."""
    started = time.monotonic()
    store = backup_store(name, env)
    manifest = catalog.read(store, name).find(checkpoint, store.url())
    connection = env.connection()
    data_rollback.checked_identity(connection, env.db_name, manifest)  # before anything is downloaded
    with tempfile.TemporaryDirectory(prefix="formwork-checkpoint-") as scratch:
        problems = drill.fetch(store, manifest, Path(scratch), task_progress(), DATABASE)
        if problems:
            raise OperationError(f"checkpoint {checkpoint} cannot be put back: {'; '.join(problems[:3])}")
        failed = data_rollback.put_back(connection, env.db_name, manifest, Path(scratch) / DATABASE, run, task_progress())
    return (
        f"checkpoint {checkpoint} put back into '{env.db_name}' in {time.monotonic() - started:.1f} s; "
        f"the database as the failed release left it is kept as '{failed}'"
    )
