"""`make demo`, steps 3b and 9: the operating surface. Deployments and schedules in the UI, a worker running,
and a refresh started the way CI starts it, waiting for an approver."""

from __future__ import annotations

import re
from uuid import UUID

import click

from cli.runs.api import FINAL, prefect_client
from cli.runs.trigger import wait_for_final
from formwork.errors import OperationError
from local.worker import DEFAULT_POOL

APPROVE = "formwork approve {run_id} --approver YOUR-NAME --change DEMO-2"


def wait_until_waiting(api_url: str, auth: str | None, run_id: str, timeout: float = 180):
    """The run as soon as it waits for its approver (suspended, holding no worker)."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    settings = {PREFECT_API_URL: api_url, **({PREFECT_API_AUTH_STRING: auth} if auth else {})}
    with temporary_settings(settings), prefect_client() as client:
        run = wait_for_final(client, UUID(run_id), lambda run: None, timeout, interval=1, until=FINAL | {"PAUSED"})
    if not run.state.is_paused():
        raise OperationError(f"the demo refresh ended {run.state.name} instead of waiting for approval: {run.state.message}")
    return run


def deploy_and_request_a_refresh(demo) -> str:
    """Right after the environments exist, so the run reaches its approval while the later steps run; its run id."""
    stack = demo.stack
    click.secho("\n3b. Deploy every flow (schedules, work pool, limits) and start a refresh of staging as CI would", bold=True)
    demo.run("deploy", "--pause-schedules")
    click.echo(f"   deployments: {stack.prefect.ui_url}/deployments   work pool: {stack.prefect.ui_url}/work-pools")
    click.echo("   schedules are registered paused on this laptop; `formwork deploy` without --pause-schedules runs them")
    created = demo.run(
        "trigger", "refresh", "--param", "source=prod", "--param", "target=staging", "--param", "change_reference=DEMO-2"
    )
    click.echo(f"   the worker (pool {DEFAULT_POOL}, log {stack.worker.logfile}) runs it; it will wait for an approver (step 9)")
    return re.search(r"flow run ([0-9a-f-]{36})", created.stdout).group(1)


def show_the_posture(demo) -> None:
    """The estate on one screen: production after its drills (the last one to the latest point in time), staging
    backed up but never drilled (at risk); the posture flow publishes the same, with its charts, in the UI."""
    click.secho("\n10. The estate's posture: inside, at risk or outside its recovery and release objectives, and why", bold=True)
    demo.run("backup", "staging", quiet=True)  # backed up, never drilled: at risk
    demo.run("status", "prod", "staging", check=False)
    demo.run("trigger", "posture", "--param", 'names=["prod", "staging"]', quiet=True)
    click.echo(
        f"   the report, with its charts: {demo.stack.prefect.ui_url}/artifacts/key/posture-report; "
        "Prometheus metrics: `formwork metrics serve --port 9464`"
    )


def show_the_waiting_refresh(demo, run_id: str) -> None:
    stack = demo.stack
    click.secho("\n9. A refresh waiting for approval in the Prefect UI", bold=True)
    run = wait_until_waiting(stack.prefect.api_url, demo.env.get("PREFECT_API_AUTH_STRING"), run_id)
    click.echo(f"   {run.name} is {run.state.name}: it holds no worker while it waits. Approve it")
    click.secho(f"     in the UI:        {stack.prefect.ui_url}/runs/flow-run/{run_id}", fg="green")
    click.secho(f"     or from a shell:  {APPROVE.format(run_id=run_id)}", fg="green")
