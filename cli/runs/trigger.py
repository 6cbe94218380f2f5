"""Start a deployment's run through Prefect's client, as CI does, and follow it to its final state.

Prefect accepts unknown parameters and the run crashes later, so the parameters are checked here against the
deployment's own schema before a run exists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

import httpx
import jsonschema

from cli.runs.api import FINAL
from formwork.errors import InputError, OperationError

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import FlowRun
    from prefect.client.schemas.responses import DeploymentResponse


def find_deployment(client: SyncPrefectClient, ref: str) -> DeploymentResponse:
    """`flow/deployment`, or a bare name that is both (formwork deploy names each deployment after its flow)."""
    from prefect.exceptions import ObjectNotFound

    flow, _, name = ref.partition("/")
    try:
        return client.read_deployment_by_name(f"{flow}/{name or flow}")
    except ObjectNotFound:
        raise InputError(
            f"deployment '{ref}': not found on the Prefect server (formwork deploy registers them; use FLOW/DEPLOYMENT)"
        ) from None


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param '{pair}': use KEY=VALUE")
        given[key] = value
    return given


def _accepts_string(prop: dict) -> bool:
    kinds = [prop.get("type")] + [option.get("type") for option in prop.get("anyOf", [])]
    return "string" in kinds or not any(kinds) and "$ref" not in prop and "allOf" not in prop


def check_parameters(deployment: DeploymentResponse, given: dict[str, str]) -> dict:
    """Values typed by the schema (a string stays a string, anything else is read as JSON); unknown or
    missing parameters and wrong types refused, naming the parameter."""
    schema = deployment.parameter_openapi_schema or {}
    properties = schema.get("properties", {})
    ref = deployment.name
    values = {}
    for key, raw in given.items():
        if key not in properties:
            raise InputError(
                f"--param '{key}': deployment '{ref}' has no such parameter (it takes: {', '.join(properties) or 'none'})"
            )
        if _accepts_string(properties[key]):
            values[key] = raw
            continue
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            raise InputError(f"--param '{key}={raw}': expected {properties[key].get('type', 'a JSON value')}") from None
    merged = {**(deployment.parameters or {}), **values}
    missing = [name for name in schema.get("required", []) if name not in merged]
    if missing:
        raise InputError(f"deployment '{ref}': missing --param {', '.join(f'{name}=...' for name in missing)}")
    for error in jsonschema.Draft202012Validator(schema).iter_errors(merged):
        where = ".".join(str(part) for part in error.absolute_path) or "parameters"
        raise InputError(f"--param '{where}': {error.message}")
    return values


def create_run(
    client: SyncPrefectClient, deployment: DeploymentResponse, parameters: dict, idempotency_key: str | None = None
) -> FlowRun:
    try:
        return client.create_flow_run_from_deployment(
            deployment.id, parameters=parameters, tags=["trigger"], idempotency_key=idempotency_key
        )
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code != 409:
            raise
        raise InputError(f"deployment '{deployment.name}': {exc.response.json().get('detail', 'refused')}") from None


def wait_for_final(
    client: SyncPrefectClient,
    run_id: UUID,
    on_change: Callable[[FlowRun], None],
    timeout: float | None = None,
    interval: float = 2.0,
    until: frozenset[str] = FINAL,
) -> FlowRun:
    """Polls until COMPLETED, FAILED, CRASHED or CANCELLED (or another set of state types, `until`);
    a paused run keeps waiting for its approver."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last = None
    while True:
        run = client.read_flow_run(run_id)
        state = (run.state.type.value, run.state.name)
        if state != last:
            on_change(run)
            last = state
        if state[0] in until:
            return run
        if deadline is not None and time.monotonic() > deadline:
            raise OperationError(f"run {run.name} still {state[1]} after {timeout:.0f} s")
        time.sleep(interval)
