"""Prove a backup restores: verify every file, restore into scratch, isolate, check, measure RPO and RTO.

The database's files are fetched and verified first; the filestore's are verified where they lie while the
database restores.

The scratch database is dropped whatever happens; a failed drill fails the run
(and calls the environment's alert webhook) after its report is written.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from blocks import catalogue
from flows.pitr_drill import pitr_drill
from formwork.backup import catalog, drill, scratch_server
from formwork.backup.drill import DrillResult, check
from formwork.errors import first_line
from tasks.backup import backup_store
from tasks.concurrency import environment_lock
from tasks.drill import (
    check_restore,
    clean_up_drills,
    drop_scratch,
    fetch_database,
    report,
    restore_scratch,
    verify_filestore,
)


@flow(name="dr_drill", flow_run_name="drill-{environment}", log_prints=True)
def dr_drill(environment: str, backup_id: str | None = None, scratch_dsn: str | None = None, target_time: str | None = None):
    """With a target time (an ISO time, 'random' or 'latest'): a point-in-time drill from pgBackRest instead."""
    if target_time is not None:
        with environment_lock(environment, "drill"):  # never beside a refresh of this environment
            return pitr_drill(environment, target_time)
    started = datetime.now(UTC)
    env = catalogue.load(environment)
    store = backup_store(environment, env)
    server = scratch_server.choose(environment, env, scratch_dsn)
    manifest = catalog.read(store, environment).find(backup_id, store.url())
    for line in scratch_server.check(environment, env, server, manifest):  # before anything is written
        print(line)
    result = DrillResult(environment, manifest.id, started, manifest.taken_at, env.rpo_target, env.rto_target)
    clock = drill.Stopwatch(result)
    with environment_lock(environment, "drill"):  # never beside a refresh of this environment
        _, result.scratch = clock("clean up", clean_up_drills, server, env.db_name, (flow_run.get_id() or "local")[:8])

        with tempfile.TemporaryDirectory(prefix="formwork-drill-") as scratch_files:
            files, backup = Path(scratch_files), quote(manifest)  # quoted: Prefect would walk its 100k entries per task
            problems = clock("verify database files", fetch_database, store, backup, files)
            filestore = verify_filestore.submit(store, backup)  # beside the restore, read where it lies
            try:
                if not problems:
                    clock("restore", restore_scratch, environment, env, server, result.scratch, files, backup)
                verified = clock("wait for the filestore's verification", filestore.result)
                problems = list(dict.fromkeys(problems + verified.problems))
                if result.add(
                    check(
                        "backup files match the manifest",
                        problems,
                        f"{len(manifest.files):,} files, {manifest.size / 1e6:,.1f} MB, SHA-256",
                    )
                ):
                    result.checks += clock("check", check_restore, server, result.scratch, backup, quote(verified))
                    if result.passed:
                        result.rto = datetime.now(UTC) - started
            except Exception as exc:  # any failure is the drill's finding: reported and alerted, not a crash
                result.add(check("restore and checks", [first_line(exc)]))
            finally:
                filestore.wait()
                clock("drop scratch", drop_scratch, server, result.scratch)
    result.measure()
    return report(env, store, result)
