"""Tasks that build a seeded Odoo 17 database; each is one step of formwork.seed.builder."""

from __future__ import annotations

from prefect import task

from blocks.stores import open_store
from formwork.dsn import parse_dsn
from formwork.production_guard import refuse_production_filestore
from formwork.seed import builder
from formwork.seed.plan import SeedPlan
from tasks.progress import task_progress
from tasks.retries import retry_unless_refused


def _conninfo(dsn: str, dbname: str) -> dict:
    return {**parse_dsn(dsn).kwargs(), "dbname": dbname}


@task(name="prepare target database")
def prepare_target(dsn: str, replace: bool) -> str:
    return builder.prepare(parse_dsn(dsn), replace=replace)


@task(name="create Odoo 17 tables")
def create_schema(dsn: str, building: str) -> None:
    builder.create_schema(_conninfo(dsn, building))


@task(
    name="load table group",
    task_run_name="load {group}",
    retries=1,
    retry_delay_seconds=2,
    retry_condition_fn=retry_unless_refused,
)
def load_group(dsn: str, building: str, group: str, scale: int, seed: int) -> dict[str, int]:
    """One group of tables in one transaction, so a retry starts from empty tables."""
    plan = SeedPlan(scale, seed)
    return builder.load(_conninfo(dsn, building), builder.group_tables(plan, group), task_progress())


@task(name="load attachments and filestore", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_refused)
def load_attachments(dsn: str, building: str, filestore: str | None, scale: int, seed: int) -> builder.LoadResult:
    """Filestore objects are content-addressed, so writing them again on retry is harmless."""
    if filestore:
        refuse_production_filestore(filestore, "seed", label="--filestore")
    store = open_store(filestore, option="--filestore") if filestore else None
    writer = store.put_bytes if store else None
    return builder.load_attachments(_conninfo(dsn, building), SeedPlan(scale, seed), writer, task_progress())


@task(name="add constraints and indexes")
def finish_schema(dsn: str, building: str) -> None:
    builder.finish_schema(_conninfo(dsn, building))


@task(name="publish database")
def publish(dsn: str, building: str) -> None:
    builder.publish(parse_dsn(dsn), building)
