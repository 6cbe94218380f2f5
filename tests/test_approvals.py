"""`formwork approve` answers the typed approval, follows the run, and reports in one line what Prefect or the
flow refused. (`formwork reject` on a real refresh: tests/test_refresh_cli.py; the UI form and `pending` on a
real refresh: tests/test_operating_surface.py.)"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from prefect import flow, pause_flow_run
from prefect.input import RunInput

from cli.runs.api import prefect_client
from cli.runs.approvals import waiting_run
from flows.approval import wait_for_approval
from formwork.errors import InputError
from tests.support import rest
from tests.test_mask_cli import one_line


class Ticket(RunInput):
    """A form `formwork approve` does not know how to fill."""

    ticket_url: str


@flow(name="two-approvals", flow_run_name="two-approvals-{tag}")
def two_approvals(tag: str, requested_by: str) -> str:
    first = wait_for_approval(f"Go ahead with **{tag}**?")
    if first.approver == requested_by:  # the segregation of duties the refresh and promotion flows enforce
        raise InputError(f"{tag}: the approver ({first.approver}) must not be the person who asked")
    second = pause_flow_run(
        wait_for_input=Ticket.with_initial_data(description="Link the change ticket"), timeout=300, poll_interval=1, key="ticket"
    )
    return f"{first.approver} {first.change_reference} {second.ticket_url}"


def started(prefect_api: str, requested_by: str) -> tuple[threading.Thread, dict, str, str]:
    tag, outcome = uuid.uuid4().hex[:8], {}
    thread = threading.Thread(target=lambda: outcome.update(state=two_approvals(tag, requested_by, return_state=True)))
    thread.start()
    with rest.prefect(prefect_api) as api:
        for _ in range(120):
            runs = api.post(
                "/flow_runs/filter",
                json={"flow_runs": {"name": {"any_": [f"two-approvals-{tag}"]}, "state": {"type": {"any_": ["PAUSED"]}}}},
            ).json()
            if runs:
                return thread, outcome, runs[0]["id"], f"two-approvals-{tag}"
            time.sleep(0.25)
    raise AssertionError("the run never paused")


def test_approve_follows_the_run_to_its_next_approval_and_prefects_refusal_is_one_line(formwork_here, prefect_api, run_formwork):
    thread, outcome, run_id, name = started(prefect_api, requested_by="bob")
    approved = run_formwork("approve", run_id, "--approver", "alice", "--change", "CR-1")
    assert approved.returncode == 0, approved.stderr
    assert (
        f"approved two-approvals/{name} as alice (CR-1): resumed" in approved.stdout
        and "now waits for: Link the change ticket" in approved.stdout
    )

    refused = formwork_here("approve", run_id, "--approver", "alice", "--change", "CR-1")
    assert refused.returncode == 2
    assert one_line(refused).endswith(f"({run_id}): Prefect refused the answer: 'ticket_url' is a required property")
    with rest.prefect(prefect_api) as api:
        assert api.get(f"/flow_runs/{run_id}").json()["state"]["type"] == "PAUSED"  # nothing happened
        answer = api.post(
            f"/flow_runs/{run_id}/resume", json={"run_input": {"ticket_url": "https://tickets.example.com/CR-1"}}
        ).json()
        assert answer["status"] == "ACCEPT", answer
    thread.join(timeout=60)
    assert outcome["state"].result() == "alice CR-1 https://tickets.example.com/CR-1"

    with (
        pytest.raises(InputError, match=rf"^run {name} \({run_id}\) is Completed, not waiting for approval$"),
        prefect_client() as client,
    ):
        waiting_run(client, run_id)


def test_the_flows_refusal_of_an_approver_is_shown_with_exit_2(formwork_here, prefect_api):
    thread, outcome, run_id, name = started(prefect_api, requested_by="bob")
    refused = formwork_here("approve", run_id, "--approver", "bob", "--change", "CR-2")
    thread.join(timeout=60)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (
        f"formwork: two-approvals/{name} failed: {name.removeprefix('two-approvals-')}: "
        f"the approver (bob) must not be the person who asked ({prefect_api[:-4]}/runs/flow-run/{run_id})"
    )
    assert outcome["state"].is_failed()
