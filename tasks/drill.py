"""Drill steps as Prefect tasks: verify the files, restore into scratch, rewire, check, drop, alert."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from blocks.object_store import ObjectStore
from blocks.odoo_environment import OdooEnvironment
from formwork import databases
from formwork.backup import drill, records, scratch_server
from formwork.backup.drill import Check, DrillResult, check
from formwork.backup.manifest import DATABASE, Manifest
from formwork.dsn import ConnectionSpec, connect_maintenance
from formwork.errors import OperationError
from formwork.refresh import clone
from formwork.rewiring.engine import Rewirer, Settings
from formwork.rewiring.rules import DEFAULT_RULES as DEFAULT_REWIRING
from formwork.rewiring.rules import load_rules as load_rewiring_rules
from tasks.alerts import post_alert
from tasks.concurrency import server_slots
from tasks.progress import task_progress
from tasks.retries import retry_transient

# A drill copy talks to nothing: every URL points nowhere routable, no cron stays on.
ISOLATED = Settings(environment="dr-drill", base_url="http://drill.invalid", cron_allowlist=())


@task(name="drop scratch databases of earlier drills")
def clean_up_drills(server: ConnectionSpec, database: str, run: str) -> tuple[list[str], str]:
    """Scratch databases earlier drills left, dropped; and this run's scratch name, refused if it names a database
    that is still there."""
    with connect_maintenance(server) as admin:
        names = databases.leftovers(admin, database, drill.SCRATCH)
        for name in names:
            databases.drop(admin, name)
        return names, databases.new_name(admin, database, drill.SCRATCH + run)


@task(name="fetch and verify the database's files", cache_policy=NO_CACHE)
def fetch_database(store: ObjectStore, manifest: Manifest, into: Path) -> list[str]:
    return drill.fetch(store, manifest, into, task_progress(), DATABASE)


@task(name="verify the filestore's files", cache_policy=NO_CACHE)
def verify_filestore(store: ObjectStore, manifest: Manifest) -> drill.Verified:
    return drill.verify_filestore(store, manifest, task_progress())


@task(
    name="restore into a scratch database",
    cache_policy=NO_CACHE,
    retries=1,
    retry_delay_seconds=10,
    retry_condition_fn=retry_transient,
)
def restore_scratch(
    environment: str, env: OdooEnvironment, server: ConnectionSpec, scratch: str, files: Path, manifest: Manifest
) -> None:
    scratch_server.check(environment, env, server, manifest)  # whoever calls it
    with connect_maintenance(server) as admin:
        databases.drop(admin, scratch)  # a retry of this run starts from nothing
    with server_slots(server, why="restore into scratch"):
        clone.restore(
            server,
            scratch,
            files / DATABASE,
            progress=task_progress(),
            owned_like=env.db_name,
            source_owner=manifest.database_owner,
        )


@task(name="check the restored database", cache_policy=NO_CACHE)
def check_restore(server: ConnectionSpec, scratch: str, manifest: Manifest, verified: drill.Verified) -> list[Check]:
    """Rows are counted as restored (rewiring adds its own) on a connection of their own, while the copy is
    rewired and checked on another: two cores, two scans."""
    with psycopg.connect(**server.on(scratch).kwargs()) as counting, psycopg.connect(**server.on(scratch).kwargs()) as conn:
        with drill.as_restored(counting), ThreadPoolExecutor(1, thread_name_prefix="formwork-count") as pool:
            counts = pool.submit(drill.row_count_problems, counting, manifest)
            present = check(
                "filestore objects present",
                drill.attachment_problems(conn, verified),
                f"{len(manifest.attachments):,} attachments, sha1 checked",
            )
            usable = usable_checks(conn, present)
            counted = check(
                "row counts match the manifest",
                counts.result(),
                f"{len(manifest.tables)} tables, {sum(manifest.tables.values()):,} rows",
            )
        return [counted, *usable]


def usable_checks(conn: psycopg.Connection, files_present: Check) -> list[Check]:
    """Isolate the copy (rewire), then foreign keys, the files check given, and Odoo sanity."""
    rewired = Rewirer(conn, load_rewiring_rules([DEFAULT_REWIRING]), ISOLATED).apply()
    return [
        check(
            "isolated (nothing live)",
            [str(live) for live in rewired.live],
            f"{sum(rows for _, rows in rewired.applied):,} rows rewired",
        ),
        check("foreign keys valid", drill.foreign_key_problems(conn), "all validated"),
        files_present,
        check("Odoo sanity", drill.sanity_problems(conn), ", ".join(what for what, _ in drill.SANITY)),
    ]


@task(name="drop the scratch database")
def drop_scratch(server: ConnectionSpec, scratch: str) -> None:
    with connect_maintenance(server) as admin:
        databases.drop(admin, scratch)


@task(name="record the drill")
def record(store: ObjectStore, result: DrillResult) -> list[dict]:
    earlier = records.earlier_records(store, result.environment)
    records.save_record(store, result)
    return earlier


def alert(env: OdooEnvironment, result: DrillResult, run_url: str | None) -> bool:
    return post_alert(env, {"text": result.summary(), "drill": result.record(), "run": run_url})


def report(env: OdooEnvironment, store: ObjectStore | None, result: DrillResult) -> DrillResult:
    """Record it beside the backups (when there is a store), write the report; a failed drill alerts, then fails the run."""
    earlier = record(store, result) if store is not None else []
    create_markdown_artifact(result.markdown(earlier), key="drill-report", description=result.summary())
    print(result.summary())
    if not result.passed:
        alert(env, result, flow_run.get_flow_run_ui_url())
        raise OperationError(result.summary())
    return result
