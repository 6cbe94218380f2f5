"""Verify archiving works (`pgbackrest check` pushes a WAL switch through archive_command) and report
the newest archived WAL time."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from blocks import catalogue, pitr_protection
from formwork.pitr import backups
from tasks.pitr import archive_status, check_archiving, stanza_info


@flow(name="pitr_check", flow_run_name="pitr-check-{environment}", log_prints=True)
def pitr_check(environment: str):
    env, declared = catalogue.load(environment), pitr_protection.load(environment)
    check_archiving(declared)
    info = stanza_info(declared)
    found = archive_status(environment, env, declared, info)
    taken = backups.from_info(info)
    window = (
        f"restorable from {taken[0].restorable_from:%Y-%m-%d %H:%M:%S} UTC ({len(taken)} pgBackRest backups)"
        if taken
        else "no pgBackRest backup yet: formwork backup ENV --type full"
    )
    summary = f"pgbackrest check passed; {found.summary()}; {window}"
    create_markdown_artifact(f"# PITR check: {environment}\n\n**{summary}**\n", key="pitr-check-report", description=summary)
    print(summary)
    return found
