"""Promote one image, by digest, to one environment through GitOps.

The runbook: the digest must be what the upstream environment runs; the release
window must be open (or overridden by two people with a reason, or waited for when
asked); production waits for a typed approval from someone other than whoever asked;
a release whose module versions changed (Odoo will migrate the schema) waits for a
separate database-change approval and takes a backup checkpoint first; then the
manifest is copied by digest into the environment's repository, the overlay pinned
to that digest in a commit that records who and why, and the rollout watched (Odoo's
health endpoints, or the Kubernetes Deployment when the environment names a
namespace). A rollout that does not come up is rolled back by a second commit to the
previous digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.approval import Approval, Rejected, parameter_approvals, rejection, wait_for_approval
from flows.backup import backup
from formwork import environments
from formwork.approvers import check_approver, check_second_approver, recorded
from formwork.errors import InputError, OperationError
from formwork.release.registry import ImageRef
from tasks.release import check_upstream, check_window, copy_image, pin, running, schema_changes, wait_for_rollout

ROLLOUT_TIMEOUT = 600.0


@dataclass
class PromotionReport:
    image: str
    to: str
    outcome: str = "running"
    previous: str | None = None
    approver: str = ""
    change_reference: str = ""
    requested_by: str = ""
    window: str = ""
    commits: list[str] = field(default_factory=list)
    rollout: str = ""
    schema_changes: list[str] = field(default_factory=list)
    database_approver: str = ""
    checkpoint: str = ""
    approvals: list[str] = field(default_factory=list)  # how each was given: in the form, or on the command line by whom

    def summary(self) -> str:
        return f"promote {self.image} to {self.to}: {self.outcome}"

    def markdown(self) -> str:
        rows = [("image", f"`{self.image}`"), ("previous digest", f"`{self.previous or '-'}`"), ("requested by", self.requested_by or "-"),
                ("approved by", self.approver or "-"), ("change", self.change_reference or "-"), ("release window", self.window),
                ("database change", "; ".join(self.schema_changes) or "none"), ("database change approved by", self.database_approver or "-"),
                ("backup checkpoint", f"`{self.checkpoint}`" if self.checkpoint else "-"),
                ("approvals", "; ".join(self.approvals) or "-"), ("GitOps commits", ", ".join(f"`{c[:12]}`" for c in self.commits) or "-"), ("rollout", self.rollout or "-")]
        return "\n".join([f"# Promotion to {self.to}", "", f"**{self.summary()}**", "", "| | |", "|---|---|"] +
                         [f"| {k} | {v} |" for k, v in rows])


@flow(name="promote", flow_run_name="promote-to-{to}", log_prints=True)
def promote(image: str, to: str, requested_by: str = "", approver: str | None = None, change_reference: str = "",
            emergency_reason: str | None = None, second_approver: str | None = None, database_approver: str | None = None,
            rollout_timeout: float = ROLLOUT_TIMEOUT, wait_for_window: bool = False):
    """`approver`, `second_approver` and `database_approver` approve up front on a shell only (the CLI's --yes);
    a deployed run refuses them and waits for each approval in its form (flows.approval.parameter_approvals)."""
    shell = parameter_approvals(approver=approver, second_approver=second_approver, database_approver=database_approver)
    ref = ImageRef.parse(image)
    if not ref.digest:
        raise InputError(f"IMAGE '{image}': promote by digest (registry/repo@sha256:...), never by tag")
    env = environments.load(to)
    what = f"promote to {to}"
    report = PromotionReport(str(ref), to, requested_by=requested_by, change_reference=change_reference)
    if env.promotes_from:
        check_upstream(ref, to, env, env.promotes_from, environments.load(env.promotes_from))
    report.window, overriding = check_window(to, env, emergency_reason, wait_for_window)
    report.previous = running(to, env)

    given_by = shell  # who typed the approvals given as parameters; None for those answered in the form
    if approver is None and (env.production or overriding):
        answer = _approval(report, f"Promote `{ref}` to **{to}** (now running `{report.previous or 'nothing'}`); {report.window}.")
        approver, change_reference, given_by = answer.approver, answer.change_reference, None
        # an approval can take hours: the window must still be open when the change is made
        report.window, overriding = check_window(to, env, emergency_reason, wait_for_window)
    if approver is not None:
        approver = check_approver(approver, requested_by, what)
        report.approvals.append(recorded(approver, given_by))
    if env.production and not change_reference:
        raise InputError(f"{what}: a production release needs a change reference")
    report.approver, report.change_reference = approver or "", change_reference

    if overriding:
        given_by = shell
        if second_approver is None:
            second_approver, given_by = _approval(report, f"Emergency override of **{overriding}** on **{to}** for `{ref}`: {emergency_reason}. "
                                                          f"A second approver, neither {approver} nor {requested_by or 'the requester'}.",
                                                  key="emergency-override").approver, None
        second_approver = check_second_approver(second_approver, approver or "", requested_by, what)
        report.approvals.append("emergency override " + recorded(second_approver, given_by))
        report.window = f"EMERGENCY OVERRIDE of {overriding} by {approver} and {second_approver}: {emergency_reason}"

    report.schema_changes = schema_changes(ref, to, env, report.previous)
    if report.schema_changes:
        given_by = shell
        if database_approver is None:
            database_approver, given_by = _approval(report, f"Database change on **{to}**: {'; '.join(report.schema_changes)}. "
                                                            "A backup checkpoint is taken before the release.", key="database-change").approver, None
        report.database_approver = check_approver(database_approver, requested_by, what, "database-change approver")
        report.approvals.append("database change " + recorded(report.database_approver, given_by))
        report.checkpoint = backup(environment=to).id

    new_name = copy_image(ref, to, env)
    trailers = {"Image": str(ref), "From": env.promotes_from or "-", "To": to,
                "Requested-by": requested_by or "-", "Approved-by": report.approver or "-", "Change": change_reference or "-",
                "Window": report.window, **({"Database-change": "; ".join(report.schema_changes), "Database-approved-by": report.database_approver,
                                            "Backup-checkpoint": report.checkpoint} if report.schema_changes else {})}
    report.commits.append(pin(to, env, ref.digest, new_name, f"promote {to} to {ref.digest}", trailers))
    rolled = wait_for_rollout(to, env, ref.digest, rollout_timeout)
    report.rollout = f"{rolled.detail} ({rolled.seconds:.0f} s)"
    if rolled.done:
        report.outcome = "done"
        return _publish(report)

    if report.previous:
        report.commits.append(pin(to, env, report.previous, new_name, f"roll back {to} to {report.previous}",
                                  {**trailers, "Rollback-of": ref.digest, "Reason": rolled.detail}))
        back = wait_for_rollout(to, env, report.previous, rollout_timeout)
        report.outcome = f"FAILED, rolled back to {report.previous}" + ("" if back.done else f" (which is not up either: {back.detail})")
    else:
        report.outcome = "FAILED, nothing to roll back to"
    _publish(report)
    raise OperationError(report.summary() + f": {rolled.detail}")


def _approval(report: PromotionReport, description: str, key: str = "approval") -> Approval:
    """The answer given in the form; a rejection is published and fails the run, having changed nothing."""
    answer = wait_for_approval(description, key=key)
    if not answer.approve:
        report.outcome = f"{_STEPS[key]}{rejection(answer)}; nothing changed"
        if key == "approval":
            report.approver, report.change_reference = answer.approver, answer.change_reference
        elif key == "database-change":
            report.database_approver = answer.approver
        _publish(report)
        raise Rejected(report.summary())
    return answer


_STEPS = {"approval": "", "emergency-override": "emergency override ", "database-change": "database change "}


def _publish(report: PromotionReport) -> PromotionReport:
    create_markdown_artifact(report.markdown(), key="promotion-report", description=report.summary())
    print(report.summary())
    return report
