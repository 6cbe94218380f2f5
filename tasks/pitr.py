"""Point-in-time steps as Prefect tasks: set up archiving, back up, check the archive, restore a point, verify it."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from prefect import task

from blocks import pitr_protection
from blocks.odoo_environment import OdooEnvironment
from blocks.pitr_protection import PitrProtection
from blocks.stores import open_folder
from formwork.backup import drill
from formwork.backup.catalog import Catalog
from formwork.backup.drill import Check, check
from formwork.backup.snapshot import row_counts
from formwork.dsn import ConnectionSpec
from formwork.pitr import archive, backups, pgbackrest, protection, scratch, status
from formwork.pitr.backups import PhysicalBackup
from formwork.pitr.result import PitrDrillResult
from formwork.pitr.target import RecoveryTarget
from formwork.postgres_cluster import LocalCluster
from tasks.drill import usable_checks
from tasks.retries import retry_transient


@task(name="read the pgBackRest stanza")
def stanza_info(declared: PitrProtection) -> dict:
    return pgbackrest.info(declared)


@task(name="apply archiving to the server")
def apply_archiving(declared: PitrProtection, env: OdooEnvironment) -> list[str]:
    """Configuration file, server settings (restart if needed), stanza: each step idempotent."""
    protection.write_config(declared, env, pitr_protection.open_repo(declared.repo_url))
    changed = protection.apply_server_settings(declared, env)
    protection.create_stanza(declared)
    return changed


@task(name="pgbackrest check")
def check_archiving(declared: PitrProtection) -> None:
    """pgBackRest's own proof: a WAL switch reaches the repository."""
    pgbackrest.run(declared, "check", timeout=300)


@task(name="read the archive's freshness")
def archive_status(environment: str, env: OdooEnvironment, declared: PitrProtection, info: dict) -> status.ArchiveStatus:
    return status.read(environment, env, declared, info, datetime.now(UTC))


@task(name="take a pgBackRest backup", retries=1, retry_delay_seconds=30, retry_condition_fn=retry_transient)
def take_physical_backup(declared: PitrProtection, kind: str) -> PhysicalBackup:
    """pgBackRest expires what its retention settings let go right after the backup."""
    pgbackrest.run(declared, "backup", f"--type={kind}")
    return backups.from_info(pgbackrest.info(declared))[-1]


@task(name="check the WAL archive is continuous")
def archive_gaps(declared: PitrProtection, info: dict, base: PhysicalBackup) -> tuple[list[str], int]:
    """Missing segments from the backup's first to the newest archived on its timeline; and how many that range holds."""
    names = [s.name for s in archive.archived_segments(declared, info, base.timeline)]
    if not names:
        return [base.wal_start], 0
    last = max(names)
    return archive.gaps(names, base.wal_start, last), archive.segment_number(last) - archive.segment_number(base.wal_start) + 1


@task(name="remove scratch servers of earlier drills")
def remove_leftovers(environment: str, declared: PitrProtection) -> list[str]:
    return scratch.remove_leftovers(environment, declared)


@task(name="restore the point into a scratch data directory")
def restore_point(declared: PitrProtection, target: RecoveryTarget, cluster: LocalCluster) -> None:
    scratch.restore(declared, target, cluster)


@task(name="start the scratch server and recover")
def start_scratch(cluster: LocalCluster, user: str, timeout: float) -> ConnectionSpec:
    return scratch.start(cluster, user, timeout)


@task(name="read what the archive gave back")
def recovered(server: ConnectionSpec, database: str) -> tuple[datetime | None, dict[str, int]]:
    """The last transaction replayed, and the rows per table at the point (before rewiring adds its own)."""
    last = scratch.last_transaction(server)
    with psycopg.connect(**server.on(database).kwargs()) as conn:
        return last, row_counts(conn)


@task(name="verify the recovered point")
def check_point(server: ConnectionSpec, env: OdooEnvironment, result: PitrDrillResult, logical: Catalog | None) -> list[Check]:
    """Row counts where a snapshot pins them, then the drill's own checks, with files from the live filestore."""
    with psycopg.connect(**server.on(env.db_name).kwargs()) as conn:
        counted = row_count_check(conn, result, logical)
        return [
            counted,
            *usable_checks(
                conn,
                check(
                    "filestore objects present",
                    filestore_problems(conn, env),
                    "every file referenced at that point, sha1 checked",
                ),
            ),
        ]


def row_count_check(conn: psycopg.Connection, result: PitrDrillResult, logical: Catalog | None) -> Check:
    """Known when a logical backup's snapshot was taken at or before the point with no transaction after it."""
    recovered_until = result.last_transaction or result.taken_at
    pinned = [m for m in (logical.complete if logical else []) if recovered_until <= m.taken_at <= result.point]
    if not pinned:
        return check(
            "row counts at that point",
            [],
            f"{len(result.tables)} tables, {sum(result.tables.values()):,} rows (no snapshot pins this point: not compared)",
        )
    return check(
        "row counts at that point",
        drill.row_count_problems(conn, pinned[-1]),
        f"match backup {pinned[-1].id}: {sum(pinned[-1].tables.values()):,} rows",
    )


def filestore_problems(conn: psycopg.Connection, env: OdooEnvironment) -> list[str]:
    if not env.filestore_url:
        return []
    from blocks.object_store import ObjectNotFound

    files = open_folder(env.filestore_url)

    def read(store_fname: str) -> bytes | None:
        try:
            return files.get_bytes(store_fname)
        except (ObjectNotFound, FileNotFoundError):
            return None

    return drill.referenced_file_problems(conn, drill.sha1_of(read), "in the filestore")


@task(name="stop and remove the scratch server")
def remove_scratch(cluster: LocalCluster) -> None:
    scratch.remove(cluster)
