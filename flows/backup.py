"""Back up an environment: database and filestore to its backup store, then apply its retention policy."""

from __future__ import annotations

import time

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from formwork import environments
from formwork.backup.report import backup_markdown
from tasks.backup import apply_retention, backup_store, take_backup


@flow(name="backup", flow_run_name="backup-{environment}", log_prints=True)
def backup(environment: str):
    """Snapshot, dump, copy the referenced files, manifest last; then keep what the policy says."""
    env = environments.load(environment)
    backup_store(environment, env)  # no store: refused before anything is read
    started = time.monotonic()
    manifest, warnings = take_backup(environment, env)
    seconds = time.monotonic() - started
    decision, kept, found = apply_retention(environment, env)
    markdown, summary = backup_markdown(environment, env.backup_store_url, manifest, seconds, decision, found, warnings + kept)
    create_markdown_artifact(markdown, key="backup-report", description=summary)
    print(summary)
    return manifest
