"""The typed approval a person gives in the Prefect UI (or over the API, or with `formwork approve`/`reject`)
before a change lands."""

from __future__ import annotations

import getpass
from typing import Protocol

from prefect import get_client, pause_flow_run, suspend_flow_run
from prefect.context import FlowRunContext
from prefect.input import RunInput
from prefect.runtime import deployment

from flows.reports import Report, publish
from formwork.errors import InputError, OperationError

APPROVAL_TIMEOUT = 24 * 3600
POLL_SECONDS = 2  # how soon a paused run notices its answer (Prefect's default is 10 s)


class Approval(RunInput):
    approver: str
    change_reference: str
    approve: bool
    reason: str = ""  # why, when saying no; it ends up in the failed run's message and its report


class Rejected(OperationError):
    """A person said no: the run fails with who and why, having changed nothing."""


def wait_for_approval(description: str, key: str = "approval") -> Approval:
    """A deployed run suspends, holding no worker while it waits; when resumed it runs again from the
    top, where the steps before the approval are quick and safe to repeat. A run started in a shell pauses in place."""
    request = Approval.with_initial_data(description=description, approve=False)
    if deployment.get_id():
        return suspend_flow_run(wait_for_input=request, timeout=APPROVAL_TIMEOUT, key=key)
    return pause_flow_run(wait_for_input=request, timeout=APPROVAL_TIMEOUT, poll_interval=POLL_SECONDS, key=key)


class Reviewed(Report, Protocol):
    def rejected(self, step: str, approver: str, change_reference: str, said: str) -> None:
        """Record that the form `step` was answered no, by whom and why."""


def approval_step(report: Reviewed, description: str, key: str = "approval") -> Approval:
    """Wait for the answer in the form `key`: approved, the answer; rejected, the report records who and why
    and is published, and the run fails with Rejected, having changed nothing."""
    answer = wait_for_approval(description, key=key)
    if not answer.approve:
        report.rejected(key, answer.approver, answer.change_reference, rejection(answer))
        publish(report)
        raise Rejected(report.summary())
    return answer


def parameter_approvals(standing: bool = False, **given: str | None) -> str | None:
    """Whether approvals given as parameters stand; returns the OS user to record them under, or None.

    They stand in a run started in-process from a shell (no deployment: the CLI's --yes), recorded with the OS
    user who typed them; and, when `standing`, in a run its deployment's own schedule created with exactly the
    parameters that schedule defines (the nightly refresh's standing approval, set by `formwork deploy`, which
    nobody can set from the UI or the API). Any other deployed run (UI, `formwork trigger`, the API, a scheduled
    run whose parameters were edited) is approved through its form only: such a parameter is refused in one
    line before anything is read or changed, rather than ignored, so whoever set it learns at once that it
    counts for nothing, and no run waits for a person its caller believes already said yes."""
    if deployment.get_id() is None:
        return getpass.getuser()
    named = [f"{key}='{value}'" for key, value in given.items() if value is not None]
    if named and not (standing and _as_its_schedule_defines()):
        raise InputError(
            f"parameter{'s' if len(named) > 1 else ''} {', '.join(named)}: a deployed run is approved through its "
            "approval form only (formwork approve, or Resume in the Prefect UI), never by a parameter"
        )
    return None


def _as_its_schedule_defines() -> bool:
    """Created by the scheduler from one of its deployment's schedules, with that schedule's parameters unchanged
    (a scheduled run's parameters can be edited over the API before it starts)."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    creator = run.created_by if run else None
    if not (run and run.auto_scheduled and run.deployment_id and creator and creator.type == "SCHEDULE" and creator.id):
        return False
    with get_client(sync_client=True) as client:
        found = client.read_deployment(run.deployment_id)
    schedule = next((s for s in found.schedules if s.id == creator.id), None)
    return schedule is not None and run.parameters == {**(found.parameters or {}), **(schedule.parameters or {})}


def rejection(answer: Approval) -> str:
    """'rejected by alice (CR-7): not during month-end close': what the report and the failed run say."""
    change = f" ({answer.change_reference})" if answer.change_reference else ""
    return f"rejected by {answer.approver}{change}" + (f": {answer.reason}" if answer.reason else "")
