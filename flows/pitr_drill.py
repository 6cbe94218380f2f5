"""Prove the archive recovers to a point in time: pgBackRest restores the point into a scratch data directory,
a temporary server recovers and promotes on a free port, the drill's checks run, RPO and RTO are measured,
and the scratch server is stopped and removed whatever happens.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow

from blocks import catalogue, pitr_protection
from formwork.backup import catalog
from formwork.backup.drill import Stopwatch, check
from formwork.errors import first_line
from formwork.pitr import backups, scratch
from formwork.pitr import target as targets
from formwork.pitr.archive import archived_segments, newest
from formwork.pitr.result import PitrDrillResult
from tasks.backup import backup_store
from tasks.drill import report
from tasks.pitr import (
    archive_gaps,
    check_point,
    recovered,
    remove_leftovers,
    remove_scratch,
    restore_point,
    stanza_info,
    start_scratch,
)


@flow(name="pitr_drill", flow_run_name="pitr-drill-{environment}", log_prints=True)
def pitr_drill(environment: str, target_time: str = targets.RANDOM):
    """TARGET_TIME: an ISO time, 'random' (inside the retention window) or 'latest' (the end of the archive)."""
    started = datetime.now(UTC)
    env = catalogue.load(environment)
    declared = pitr_protection.load(environment)
    info = stanza_info(declared)
    found = backups.from_info(info)
    archived = newest(archived_segments(declared, info))
    target = targets.choose(target_time, found, archived.archived_at if archived else None, started)
    base = backups.base_for(found, target.at)
    result = PitrDrillResult(environment, base.label, started, base.stopped_at, env.rpo_target, env.rto_target, target=target)
    clock = Stopwatch(result)
    print(scratch.check_room(base.size))  # before anything is written
    clock("clean up", remove_leftovers, environment, declared)

    missing, checked = clock("check archive", archive_gaps, declared, info, base)
    if result.add(
        check(
            "WAL archive continuous",
            [f"segment {name} missing from the archive" for name in missing],
            f"{checked:,} segments from {base.wal_start}, none missing",
        )
    ):
        cluster = scratch.new_cluster(environment)
        result.scratch = str(cluster.root)
        try:
            clock("restore", restore_point, declared, target, cluster)
            server = clock("recover", start_scratch, cluster, env.db_user or "postgres", env.rto_target.total_seconds())
            result.last_transaction, result.tables = recovered(server, env.db_name)
            result.checks += clock("check", check_point, server, env, result, _logical_catalog(environment, env))
            if result.passed:
                result.rto = datetime.now(UTC) - started
        except Exception as exc:  # any failure is the drill's finding: reported and alerted, not a crash
            result.add(check("recovery and checks", [first_line(exc)]))
        finally:
            clock("remove scratch", remove_scratch, cluster)
    result.measure()
    return report(env, backup_store(environment, env) if env.backup_store_url else None, result)


def _logical_catalog(environment: str, env) -> catalog.Catalog | None:
    """Logical backups pin row counts at their snapshot times."""
    return catalog.read(backup_store(environment, env), environment) if env.backup_store_url else None
