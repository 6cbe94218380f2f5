"""`make demo`, step 7: the operating surface. Deployments and schedules in the UI, a worker running,
and a refresh started the way CI starts it, waiting for an approver."""

from __future__ import annotations

import re
import time

import click
import httpx

from formwork.errors import OperationError
from formwork.local.worker import DEFAULT_POOL

APPROVE = "formwork approve {run_id} --approver YOUR-NAME --change DEMO-2"


def wait_until_waiting(api_url: str, auth: str | None, run_id: str, timeout: float = 180) -> dict:
    """The run as soon as it waits for its approver (suspended, holding no worker)."""
    credentials = tuple(auth.split(":", 1)) if auth else None
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=api_url, auth=credentials, timeout=10) as api:
        while time.monotonic() < deadline:
            run = api.get(f"/flow_runs/{run_id}").raise_for_status().json()
            if run["state"]["type"] == "PAUSED":
                return run
            if run["state"]["type"] in ("FAILED", "CRASHED", "CANCELLED", "COMPLETED"):
                raise OperationError(f"the demo refresh ended {run['state']['name']} instead of waiting for approval: {run['state'].get('message')}")
            time.sleep(1)
    raise OperationError(f"the demo refresh was not waiting for approval after {timeout:.0f} s (worker log: .formwork/worker/worker.log)")


def show_operating_surface(demo) -> None:
    stack = demo.stack
    click.secho("\n7. Operate from the Prefect UI and CI: deployments, schedules, a worker, a refresh waiting for approval", bold=True)
    demo.run("deploy", "--pause-schedules")
    click.echo(f"   deployments: {stack.prefect.ui_url}/deployments   work pool: {stack.prefect.ui_url}/work-pools")
    click.echo("   schedules are registered paused on this laptop; `formwork deploy` without --pause-schedules runs them")
    click.echo(f"   worker: pool {DEFAULT_POOL}, {'running' if stack.worker.running() else 'NOT running'} (log {stack.worker.logfile})")
    created = demo.run("trigger", "refresh", "--param", "source=prod", "--param", "target=staging", "--param", "change_reference=DEMO-2")
    run_id = re.search(r"flow run ([0-9a-f-]{36})", created.stdout).group(1)
    run = wait_until_waiting(stack.prefect.api_url, demo.env.get("PREFECT_API_AUTH_STRING"), run_id)
    click.echo(f"   {run['name']} is {run['state']['name']}, waiting for an approver (no worker held):")
    click.secho(f"     approve in the UI:   {stack.prefect.ui_url}/runs/flow-run/{run_id}", fg="green")
    click.secho(f"     or from a shell:     {APPROVE.format(run_id=run_id)}", fg="green")
