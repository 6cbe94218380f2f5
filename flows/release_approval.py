"""The approval a release change waits for, shared by promote and release rollback: given up front (the CLI's
--yes on a shell) or asked for in the form, then held to the release policy and recorded with how it was given."""

from __future__ import annotations

from typing import Protocol

from flows.approval import Reviewed, approval_step
from formwork.approvers import recorded
from formwork.release.policy import ReleasePolicy


class Approved(Reviewed, Protocol):
    approver: str
    change_reference: str
    approvals: list[str]


def approve_release(
    report: Approved, policy: ReleasePolicy, approver: str | None, shell: str | None, ask: str, overriding: str | None = None
) -> bool:
    """Fills in the report's approver and change reference; returns whether the form was waited for (which can
    take hours: the caller checks again what may have changed meanwhile). `shell` is the OS user who typed
    `approver`, None when approvals come from the form only (see flows.approval.parameter_approvals)."""
    given_by, asked = shell, approver is None and policy.needs_approval(overriding)
    if asked:
        answer = approval_step(report, ask)
        approver, report.change_reference, given_by = answer.approver, answer.change_reference, None
    report.approver = policy.approver(approver, report.change_reference)
    if approver is not None:
        report.approvals.append(recorded(report.approver, given_by))
    return asked
