"""Start a deployment's run over the Prefect REST API, as CI does, and follow it to its final state.

Plain httpx against the documented endpoints (the same calls as the curl lines in the
README). Prefect accepts unknown parameters with 201 and the run crashes later, so the
parameters are checked here against the deployment's own schema before a run exists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import jsonschema

from cli.runs.api import FINAL, call
from formwork.errors import InputError, OperationError


def find_deployment(api: httpx.Client, ref: str) -> dict:
    """`flow/deployment`, or a bare name that is both (formwork deploy names each deployment after its flow)."""
    flow, _, name = ref.partition("/")
    response = call(api, "GET", f"/deployments/name/{flow}/{name or flow}")
    if response.status_code == 404:
        raise InputError(f"deployment '{ref}': not found on the Prefect server (formwork deploy registers them; use FLOW/DEPLOYMENT)")
    response.raise_for_status()
    return response.json()


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


def check_parameters(deployment: dict, given: dict[str, str]) -> dict:
    """Values typed by the schema (a string stays a string, anything else is read as JSON); unknown or
    missing parameters and wrong types refused, naming the parameter."""
    schema = deployment.get("parameter_openapi_schema") or {}
    properties = schema.get("properties", {})
    ref = f"{deployment.get('name')}"
    values = {}
    for key, raw in given.items():
        if key not in properties:
            raise InputError(f"--param '{key}': deployment '{ref}' has no such parameter (it takes: {', '.join(properties) or 'none'})")
        if _accepts_string(properties[key]):
            values[key] = raw
            continue
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            raise InputError(f"--param '{key}={raw}': expected {properties[key].get('type', 'a JSON value')}") from None
    merged = {**(deployment.get("parameters") or {}), **values}
    missing = [name for name in schema.get("required", []) if name not in merged]
    if missing:
        raise InputError(f"deployment '{ref}': missing --param {', '.join(f'{name}=...' for name in missing)}")
    for error in jsonschema.Draft202012Validator(schema).iter_errors(merged):
        where = ".".join(str(part) for part in error.absolute_path) or "parameters"
        raise InputError(f"--param '{where}': {error.message}")
    return values


def create_run(api: httpx.Client, deployment: dict, parameters: dict, idempotency_key: str | None = None) -> dict:
    body = {"parameters": parameters, "tags": ["trigger"]}
    if idempotency_key:
        body["idempotency_key"] = idempotency_key
    response = call(api, "POST", f"/deployments/{deployment['id']}/create_flow_run", json=body)
    if response.status_code == 409:
        raise InputError(f"deployment '{deployment['name']}': {response.json().get('detail', 'refused')}")
    response.raise_for_status()
    return response.json()


def wait_for_final(api: httpx.Client, run_id: str, on_change: Callable[[dict], None], timeout: float | None = None,
                   interval: float = 2.0, until: frozenset[str] = FINAL) -> dict:
    """Polls until COMPLETED, FAILED, CRASHED or CANCELLED (or another set of state types, `until`);
    a paused run keeps waiting for its approver."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last = None
    while True:
        run = call(api, "GET", f"/flow_runs/{run_id}").raise_for_status().json()
        state = (run["state"]["type"], run["state"]["name"])
        if state != last:
            on_change(run)
            last = state
        if state[0] in until:
            return run
        if deadline is not None and time.monotonic() > deadline:
            raise OperationError(f"run {run['name']} still {state[1]} after {timeout:.0f} s")
        time.sleep(interval)
