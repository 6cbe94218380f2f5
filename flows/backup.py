"""Back up an environment: database and filestore to its backup store, then apply its retention policy;
and, when the environment has point-in-time protection, a pgBackRest backup of the kind its schedule calls for."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from blocks import catalogue, pitr_protection
from formwork.backup.report import backup_markdown
from formwork.errors import InputError
from formwork.pitr import backups
from tasks.backup import apply_retention, backup_store, take_backup
from tasks.concurrency import backup_lock
from tasks.pitr import stanza_info, take_physical_backup

KINDS = ("auto", "logical", "pgbackrest", *backups.KINDS)


@flow(name="backup", flow_run_name="backup-{environment}", log_prints=True)
def backup(environment: str, kind: str = "auto"):
    """KIND: auto (logical when there is a backup store, pgBackRest on schedule when protected), logical,
    pgbackrest (its schedule picks full/diff/incr), or full, diff, incr."""
    if kind not in KINDS:
        raise InputError(f"--type '{kind}': choose one of {', '.join(KINDS)}")
    env = catalogue.load(environment)
    declared = pitr_protection.load(environment) if kind in ("pgbackrest", *backups.KINDS) else None
    if kind == "auto":
        declared = pitr_protection.find(environment)
    logical = kind == "logical" or (kind == "auto" and (env.backup_store_url or declared is None))
    if logical:
        backup_store(environment, env)  # no store: refused before anything is read
    physical = physical_backup(environment, declared, kind) if declared is not None else None
    return logical_backup(environment, env) if logical else physical


def logical_backup(environment: str, env):
    """Snapshot, dump, copy the referenced files, manifest last; then keep what the policy says.
    Both under the environment's backup lock: no other backup of it is half-written while retention looks."""
    with backup_lock(environment):
        started = time.monotonic()
        manifest, warnings = take_backup(environment, env)
        seconds = time.monotonic() - started
        decision, kept, found = apply_retention(environment, env, locked=True)
    markdown, summary = backup_markdown(environment, env.backup_store_url, manifest, seconds, decision, found, warnings + kept)
    create_markdown_artifact(markdown, key="backup-report", description=summary)
    print(summary)
    return manifest


def physical_backup(environment: str, declared, kind: str) -> backups.PhysicalBackup:
    """pgBackRest applies its own retention right after the backup."""
    if kind not in backups.KINDS:
        kind = backups.next_kind(backups.from_info(stanza_info(declared)), datetime.now(UTC), declared)
    taken = take_physical_backup(declared, kind)
    markdown, summary = backups.markdown(environment, taken, backups.from_info(stanza_info(declared)), declared)
    create_markdown_artifact(markdown, key="pgbackrest-backup-report", description=summary)
    print(summary)
    return taken
