"""The typed approval a person gives in the Prefect UI (or over the API, or with `formwork approve`/`reject`)
before a change lands."""

from __future__ import annotations

from prefect import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment

from formwork.errors import OperationError

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


def rejection(answer: Approval) -> str:
    """'rejected by alice (CR-7): not during month-end close': what the report and the failed run say."""
    change = f" ({answer.change_reference})" if answer.change_reference else ""
    return f"rejected by {answer.approver}{change}" + (f": {answer.reason}" if answer.reason else "")
