"""Roll an environment back to the image digest it ran before, through GitOps.

The runbook: read what the overlay pins now and what it pinned before; production waits
for a typed approval from someone other than whoever asked, with a change reference (or
takes one typed on a shell: the CLI's --yes); then, holding the environment's lock, and
only while the overlay still pins what was approved for rollback, the previous digest is
pinned back in a commit that records who and why. The report says what was pinned back,
from what to what, who asked and who approved.
"""

from __future__ import annotations

from prefect import flow

from blocks import catalogue
from flows.approval import parameter_approvals
from flows.release_approval import approve_release
from flows.reports import publish, published_when_failing
from formwork.release.policy import ReleasePolicy
from formwork.rollback_report import RollbackReport
from tasks.concurrency import environment_lock
from tasks.release import pin, rollback_pins


@flow(name="release_rollback", flow_run_name="release-rollback-{environment}", log_prints=True)
def release_rollback(environment: str, requested_by: str = "", approver: str | None = None, change_reference: str = ""):
    """`approver` approves up front on a shell only (the CLI's --yes); a deployed run waits for the form."""
    shell = parameter_approvals(approver=approver)
    env = catalogue.load(environment)
    policy = ReleasePolicy(f"roll back {environment}", env.production, requested_by)
    report = RollbackReport("release", environment, requested_by=requested_by, change_reference=change_reference)

    with published_when_failing(report):
        report.current, report.previous = rollback_pins(environment, env)
        approve_release(
            report,
            policy,
            approver,
            shell,
            f"Roll back **{environment}** from `{report.current or 'nothing'}` to the digest it ran before, `{report.previous}`.",
        )
        with environment_lock(environment, "release rollback"):
            report.commit = pin(
                environment,
                env,
                report.previous,
                env.image_repository,
                f"roll back {environment} to {report.previous}",
                report.trailers(),
                over=report.current,
            )  # not if it moved while the approval waited
    report.outcome = "done"
    return publish(report)
