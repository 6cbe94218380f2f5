"""Backup steps as Prefect tasks: take one, apply the retention policy."""

from __future__ import annotations

from prefect import task

from blocks.object_store import ObjectStore
from blocks.odoo_environment import OdooEnvironment
from blocks.stores import open_folder, open_store
from formwork.backup import catalog, take
from formwork.backup.catalog import Catalog
from formwork.backup.manifest import Manifest
from formwork.backup.retention import Decision, RetentionPolicy
from formwork.errors import InputError
from tasks.concurrency import server_slots
from tasks.progress import task_progress
from tasks.retries import retry_transient


def backup_store(name: str, env: OdooEnvironment) -> ObjectStore:
    if not env.backup_store_url:
        raise InputError(f"environment '{name}' has no backup store: set one with formwork env add ... --backup-store URL")
    return open_store(env.backup_store_url, option="backup store")


@task(name="take a backup", retries=2, retry_delay_seconds=10, retry_condition_fn=retry_transient)
def take_backup(name: str, env: OdooEnvironment) -> tuple[Manifest, list[str]]:
    """A retry starts a new backup id; the unfinished folder is removed by retention."""
    filestore = open_folder(env.filestore_url) if env.filestore_url else None
    with server_slots(env, why="backup"):
        return take.take(env.connection(), name, filestore, backup_store(name, env), progress=task_progress())


@task(name="apply the retention policy")
def apply_retention(name: str, env: OdooEnvironment, locked: bool) -> tuple[Decision, list[str], Catalog]:
    """`locked`: under the environment's backup lock (see tasks.concurrency.backup_lock)."""
    store = backup_store(name, env)
    found = catalog.read(store, name)
    decision, kept = catalog.apply_retention(
        store, found, RetentionPolicy.parse(env.retention, option=f"{name} retention"), locked=locked
    )
    return decision, kept, found
