"""Runs that wait for a person, and the answer they give, through Prefect's client.

A paused (or suspended) run names its form in `state_details.run_input_keyset`: the JSON Schema of the
input it accepts and a markdown description of what it waits for. The answer is filled into that schema,
so a run paused by an older or a different form is answered with the fields it actually has. Prefect
answers a bad input with HTTP 200 and `status: REJECT` (or `ABORT` when the run is no longer paused):
those become one line and exit 2, as any refused input does here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import httpx

from cli.runs.api import FINAL
from formwork.errors import InputError, OperationError

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import FlowRun, State

FORM_WAIT_SECONDS = 10  # Prefect marks a run paused a moment before it saves the run's form


@dataclass
class WaitingRun:
    id: str
    name: str
    flow: str
    state_id: str
    since: datetime
    expires: datetime | None
    suspended: bool  # resuming starts it again on a worker; a paused one continues in its process
    description: str
    fields: dict = field(default_factory=dict)  # the form's JSON Schema properties
    parameters: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.flow}/{self.name}"


@dataclass
class Answer:
    approver: str
    change_reference: str
    approve: bool
    reason: str = ""

    def run_input(self, run: WaitingRun) -> dict:
        """The fields this run's form has; the server rejects the answer if it needs one we do not know."""
        values = {"approver": self.approver, "change_reference": self.change_reference, "approve": self.approve}
        if self.reason:
            values["reason"] = self.reason
        return {key: value for key, value in values.items() if key in run.fields}


def waiting_runs(client: SyncPrefectClient) -> list[WaitingRun]:
    """Every run paused or suspended for input, oldest first."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterId, FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    found = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))), limit=200
    )
    flows = (
        {
            f.id: f.name
            for f in client.read_flows(flow_filter=FlowFilter(id=FlowFilterId(any_=sorted({r.flow_id for r in found}))))
        }
        if found
        else {}
    )
    runs = [_waiting(client, run, flows.get(run.flow_id, "?")) for run in found]
    return sorted(runs, key=lambda r: r.since)


def waiting_run(client: SyncPrefectClient, run_id: str) -> WaitingRun:
    """The run RUN_ID, which must be waiting for an answer now."""
    from prefect.exceptions import ObjectNotFound

    try:
        UUID(run_id)
    except ValueError:
        raise InputError(f"RUN_ID '{run_id}': not a flow run id (see `formwork pending`)") from None
    try:
        run = client.read_flow_run(UUID(run_id))
    except ObjectNotFound:
        raise InputError(f"RUN_ID '{run_id}': no such flow run on {client.api_url}") from None
    if not run.state.is_paused():
        raise InputError(f"run {run.name} ({run_id}) is {run.state.name}, not waiting for approval")
    if not run.state.state_details.run_input_keyset:
        raise InputError(f"run {run.name} ({run_id}) is paused without a form: resume it from the Prefect UI")
    return _waiting(client, run, client.read_flow(run.flow_id).name)


def answer(client: SyncPrefectClient, run: WaitingRun, given: Answer) -> None:
    """Resume the run with the answer, or say in one line why Prefect refused it."""
    result = client.resume_flow_run(UUID(run.id), run_input=given.run_input(run))
    status, reason = result.status.value, _reason(result.details)
    if status == "ACCEPT":
        return
    if status in ("REJECT", "ABORT"):
        raise InputError(f"run {run.label} ({run.id}): Prefect refused the answer: {reason}")
    raise OperationError(f"run {run.label} ({run.id}): Prefect did not resume it ({status}): {reason}")


@dataclass
class Outcome:
    state: str  # COMPLETED, FAILED, CRASHED, CANCELLED, PAUSED (waits for the next approval), or the last state seen
    message: str
    failed_with: str = ""  # the exception class a failed flow raised, when its message names one
    next: WaitingRun | None = None


def follow(
    client: SyncPrefectClient,
    run: WaitingRun,
    timeout: float,
    on_state: Callable[[str], None] = lambda _: None,
    interval: float = 1.0,
) -> Outcome:
    """Watch the resumed run until it ends or waits for someone again; report each state it passes through."""
    deadline, seen = time.monotonic() + timeout, ""
    while True:
        current = client.read_flow_run(UUID(run.id))
        state = current.state
        if state.name != seen:
            seen = state.name
            on_state(seen)
        if state.type.value in FINAL:
            return _outcome(state)
        if state.is_paused() and str(state.id) != run.state_id and state.state_details.run_input_keyset:
            return Outcome("PAUSED", state.name, next=_waiting(client, current, run.flow))
        if time.monotonic() > deadline:
            return Outcome(state.type.value, f"still {state.name} after {timeout:.0f} s")
        time.sleep(interval)


def _waiting(client: SyncPrefectClient, run: FlowRun, flow: str) -> WaitingRun:
    state = run.state
    details = state.state_details
    keys = details.run_input_keyset or {}
    schema = _input(client, run.id, keys.get("schema"), wait=FORM_WAIT_SECONDS) or {}
    description = _input(client, run.id, keys.get("description")) or ""
    return WaitingRun(
        id=str(run.id),
        name=run.name,
        flow=flow,
        state_id=str(state.id),
        since=state.timestamp.astimezone(UTC),
        expires=details.pause_timeout.astimezone(UTC) if details.pause_timeout else None,
        suspended=bool(details.pause_reschedule),
        description=description if isinstance(description, str) else json.dumps(description),
        fields=schema.get("properties", {}),
        parameters=run.parameters or {},
    )


def _input(client: SyncPrefectClient, run_id: UUID, key: str | None, wait: float = 0.0):
    """The run's input saved under `key` (its form's schema, its description), waited for up to `wait` seconds."""
    if not key:
        return None
    deadline = time.monotonic() + wait
    while True:
        try:
            return json.loads(client.read_flow_run_input(run_id, key))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 404 or time.monotonic() >= deadline:
                return None
            time.sleep(0.25)


def _outcome(state: State) -> Outcome:
    message = (state.message or "").strip()
    prefix = "Flow run encountered an exception: "
    failed_with = ""
    if message.startswith(prefix):
        message = message[len(prefix) :]
        kind, sep, rest = message.partition(": ")
        if sep and kind.isidentifier():
            failed_with, message = kind, rest
    return Outcome(state.type.value, message.splitlines()[0] if message else state.name, failed_with)


def _reason(details) -> str:
    reason = (getattr(details, "reason", None) or "no reason given").strip()
    for noise in ("Reason: ", "Validation failed. Failure reason: "):
        reason = reason.removeprefix(noise)
    return reason
