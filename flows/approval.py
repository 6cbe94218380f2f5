"""The typed approval a person gives in the Prefect UI (or over the API) before a change lands."""

from __future__ import annotations

from prefect import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment

APPROVAL_TIMEOUT = 24 * 3600


class Approval(RunInput):
    approver: str
    change_reference: str
    approve: bool


RESUME_POLL_SECONDS = 2  # a paused shell run notices the answer this soon (Prefect's default: 10 s)


def wait_for_approval(description: str, key: str = "approval") -> Approval:
    """A deployed run suspends, holding no worker while it waits; when resumed it runs again from the
    top, where the steps before the approval are quick and safe to repeat. A run started in a shell pauses in place."""
    request = Approval.with_initial_data(description=description, approve=False)
    if deployment.get_id():
        return suspend_flow_run(wait_for_input=request, timeout=APPROVAL_TIMEOUT, key=key)
    return pause_flow_run(wait_for_input=request, timeout=APPROVAL_TIMEOUT, key=key, poll_interval=RESUME_POLL_SECONDS)
