"""Runs that wait for a person, and the answer they give, over the Prefect REST API.

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
from uuid import UUID

import httpx

from cli.runs.api import FINAL, ApiSettings, call
from formwork.errors import InputError, OperationError

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


def waiting_runs(settings: ApiSettings) -> list[WaitingRun]:
    """Every run paused or suspended for input, oldest first."""
    with settings.client() as api:
        found = _json(call(api, "POST", "/flow_runs/filter",
                           json={"flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}, "limit": 200}))
        flows = {f["id"]: f["name"] for f in _json(call(api, "POST", "/flows/filter",
                                                       json={"flows": {"id": {"any_": sorted({r["flow_id"] for r in found})}}}))} if found else {}
        runs = [_waiting(api, run, flows.get(run["flow_id"], "?")) for run in found]
    return sorted(runs, key=lambda r: r.since)


def waiting_run(settings: ApiSettings, run_id: str) -> WaitingRun:
    """The run RUN_ID, which must be waiting for an answer now."""
    try:
        UUID(run_id)
    except ValueError:
        raise InputError(f"RUN_ID '{run_id}': not a flow run id (see `formwork pending`)") from None
    with settings.client() as api:
        response = call(api, "GET", f"/flow_runs/{run_id}")
        if response.status_code == 404:
            raise InputError(f"RUN_ID '{run_id}': no such flow run on {settings.url}")
        run = _json(response)
        if run["state"]["type"] != "PAUSED":
            raise InputError(f"run {run['name']} ({run_id}) is {run['state']['name']}, not waiting for approval")
        if not (run["state"]["state_details"] or {}).get("run_input_keyset"):
            raise InputError(f"run {run['name']} ({run_id}) is paused without a form: resume it from the Prefect UI")
        flow = _json(call(api, "GET", f"/flows/{run['flow_id']}"))["name"]
        return _waiting(api, run, flow)


def answer(settings: ApiSettings, run: WaitingRun, given: Answer) -> None:
    """Resume the run with the answer, or say in one line why Prefect refused it."""
    with settings.client() as api:
        result = _json(call(api, "POST", f"/flow_runs/{run.id}/resume", json={"run_input": given.run_input(run)}))
    status, reason = result.get("status"), _reason(result)
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


def follow(settings: ApiSettings, run: WaitingRun, timeout: float, on_state: Callable[[str], None] = lambda _: None,
           interval: float = 1.0) -> Outcome:
    """Watch the resumed run until it ends or waits for someone again; report each state it passes through."""
    deadline, seen = time.monotonic() + timeout, ""
    with settings.client() as api:
        while True:
            current = _json(call(api, "GET", f"/flow_runs/{run.id}"))
            state = current["state"]
            if state["name"] != seen:
                seen = state["name"]
                on_state(seen)
            if state["type"] in FINAL:
                return _outcome(state)
            if state["type"] == "PAUSED" and state["id"] != run.state_id and (state["state_details"] or {}).get("run_input_keyset"):
                return Outcome("PAUSED", state["name"], next=_waiting(api, current, run.flow))
            if time.monotonic() > deadline:
                return Outcome(state["type"], f"still {state['name']} after {timeout:.0f} s")
            time.sleep(interval)


def _waiting(api: httpx.Client, run: dict, flow: str) -> WaitingRun:
    state = run["state"]
    details = state["state_details"] or {}
    keys = details.get("run_input_keyset") or {}
    schema = _input(api, run["id"], keys.get("schema"), wait=FORM_WAIT_SECONDS) or {}
    description = _input(api, run["id"], keys.get("description")) or ""
    expires = details.get("pause_timeout")
    return WaitingRun(id=run["id"], name=run["name"], flow=flow, state_id=state["id"], since=_time(state["timestamp"]),
                      expires=_time(expires) if expires else None, suspended=bool(details.get("pause_reschedule")),
                      description=description if isinstance(description, str) else json.dumps(description),
                      fields=schema.get("properties", {}), parameters=run.get("parameters") or {})


def _input(api: httpx.Client, run_id: str, key: str | None, wait: float = 0.0):
    if not key:
        return None
    deadline = time.monotonic() + wait
    while (response := call(api, "GET", f"/flow_runs/{run_id}/input/{key}")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.25)
    return _json(response) if response.status_code == 200 else None


def _outcome(state: dict) -> Outcome:
    message = (state.get("message") or "").strip()
    prefix = "Flow run encountered an exception: "
    failed_with = ""
    if message.startswith(prefix):
        message = message[len(prefix):]
        kind, sep, rest = message.partition(": ")
        if sep and kind.isidentifier():
            failed_with, message = kind, rest
    return Outcome(state["type"], message.splitlines()[0] if message else state["name"], failed_with)


def _reason(result: dict) -> str:
    reason = ((result.get("details") or {}).get("reason") or "no reason given").strip()
    for noise in ("Reason: ", "Validation failed. Failure reason: "):
        reason = reason.removeprefix(noise)
    return reason


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _json(response: httpx.Response):
    if response.status_code >= 400:
        raise OperationError(f"Prefect API {response.request.method} {response.request.url.path}: HTTP {response.status_code}: "
                             f"{response.text[:200]}")
    return response.json()
