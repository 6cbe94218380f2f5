"""Watch the archive: alert when the newest archived WAL is older than the tier's RPO target
while the server holds WAL the archive lacks — archiving has stopped or fallen behind, and a
recovery now would lose more than the target allows.

Intended cadence: every 5 minutes for tier 1 (a third of its 15-minute RPO, so a stop is
reported within one interval of crossing the target), every 20 minutes for tier 2.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from blocks import catalogue, pitr_protection
from tasks.alerts import post_alert
from tasks.pitr import archive_status, stanza_info


@flow(name="pitr_watch", flow_run_name="pitr-watch-{environment}", log_prints=True)
def pitr_watch(environment: str):
    env = catalogue.load(environment)
    declared = pitr_protection.load(environment)
    found = archive_status(environment, env, declared, stanza_info(declared))
    alerted = False
    if found.at_risk:
        alerted = post_alert(
            env,
            {
                "text": f"WAL archive behind: {found.summary()}",
                "environment": environment,
                "newest_archived_wal": found.newest.name if found.newest else None,
                "age_seconds": found.age.total_seconds() if found.age else None,
                "rpo_target_seconds": env.rpo_target.total_seconds(),
                "run": flow_run.get_flow_run_ui_url(),
            },
        )
    create_markdown_artifact(
        f"# WAL archive: {environment}\n\n**{found.summary()}**\n\n"
        f"Alert: {'sent' if alerted else 'not needed' if not found.at_risk else 'no webhook configured'}.",
        key="pitr-watch-report",
        description=found.summary(),
    )
    print(found.summary())
    return found
