"""Refresh rollback steps as Prefect tasks: the previous copy of a target swapped back in, never on production."""

from __future__ import annotations

from prefect import task

from blocks.odoo_environment import OdooEnvironment
from blocks.stores import open_folder
from formwork.refresh import filestore, swap
from tasks.guards import refuse_production_target
from tasks.refresh import admin, refresh_run_of


def check_rollback_guards(target: str, dst: OdooEnvironment) -> None:
    """Production (by flag or by identity) and its filestore are refused before anything moves."""
    refuse_production_target(target, dst)
    if dst.filestore_url:
        filestore.refuse_production(open_folder(dst.filestore_url), "move")


@task(name="describe the copies")
def describe_copies(dst: OdooEnvironment) -> tuple[str, str]:
    """The live copy and the previous one, each with the refresh run that made it when known."""
    previous = swap.previous_name(dst.db_name)
    return _described(
        dst, dst.db_name
    ), f"{_described(dst, previous)}, swapped in as `{dst.db_name}`; the replaced copy is kept as `{previous}`"


def _described(dst: OdooEnvironment, database: str) -> str:
    run = refresh_run_of(dst, database)
    return (
        f"database `{database}`" + (f" (refresh run {run})" if run else "") + (" and its filestore" if dst.filestore_url else "")
    )


@task(name="swap the previous copy back in")
def swap_back(target: str, dst: OdooEnvironment) -> None:
    """The rollback's one change: databases renamed in one transaction, then the filestore folders."""
    check_rollback_guards(target, dst)  # whatever called it
    with admin(dst) as conn:
        swap.swap_back(conn, dst.db_name)
    if dst.filestore_url:
        filestore.swap_back(open_folder(dst.filestore_url))
