"""Swap a refreshed environment's previous copy back in.

The runbook: guards (never production, nor its filestore); then, holding the
environment's lock (never beside a refresh or a drill of it), the previous copy's
database and filestore become the target's, and the replaced ones become the previous
copy, so a second rollback undoes the first. The report says which copy replaced which,
and who asked.
"""

from __future__ import annotations

from prefect import flow

from blocks import catalogue
from flows.reports import publish, published_when_failing
from formwork.rollback_report import RollbackReport
from tasks.concurrency import environment_lock
from tasks.refresh_rollback import check_rollback_guards, describe_copies, swap_back


@flow(name="refresh_rollback", flow_run_name="refresh-rollback-{target}", log_prints=True)
def refresh_rollback(target: str, requested_by: str = ""):
    env = catalogue.load(target)
    report = RollbackReport("refresh", target, requested_by=requested_by)
    with published_when_failing(report):
        check_rollback_guards(target, env)
        with environment_lock(target, "refresh rollback"):
            report.current, report.previous = describe_copies(env)
            swap_back(target, env)
    report.outcome = "done"
    return publish(report)
