"""`formwork trigger`: what CI runs to start a deployment over the Prefect API."""

from __future__ import annotations

import click


@click.command()
@click.argument("deployment")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A flow parameter (repeatable); non-strings are JSON: --param scale=2.")
@click.option("--wait", is_flag=True, help="Follow the run; exit 0 when it completes, 1 when it fails, crashes or is cancelled.")
@click.option("--timeout", type=float, help="With --wait: give up (exit 1) after this many seconds.")
@click.option("--idempotency-key", help="A retried CI job with the same key gets the same run, e.g. the CI run id.")
def trigger(deployment: str, params: tuple[str, ...], wait: bool, timeout: float | None, idempotency_key: str | None) -> None:
    """Start a run of DEPLOYMENT (FLOW/NAME, or NAME when both are the same) with its parameters checked first.
    Uses PREFECT_API_URL, and PREFECT_API_AUTH_STRING (basic auth) or PREFECT_API_KEY when set."""
    from cli.runs.api import ApiSettings
    from cli.runs.trigger import (
        check_parameters,
        create_run,
        find_deployment,
        parse_params,
        wait_for_final,
    )
    from formwork.errors import OperationError

    given = parse_params(params)
    settings = ApiSettings.current()
    with settings.client() as api:
        found = find_deployment(api, deployment)
        run = create_run(api, found, check_parameters(found, given), idempotency_key)
        click.echo(f"flow run {run['id']} ({run['name']}) created: {settings.run_url(run['id'])}")
        if not wait:
            return

        def report(current: dict) -> None:
            state = current["state"]
            line = f"{current['name']}: {state['name']}"
            if state["type"] == "PAUSED":
                line += f" (waiting for an approver: {settings.run_url(current['id'])})"
            click.echo(line)

        final = wait_for_final(api, run["id"], report, timeout)
    if final["state"]["type"] != "COMPLETED":
        message = (final["state"].get("message") or "").splitlines()
        raise OperationError(f"run {final['name']} ended {final['state']['name']}" + (f": {message[0]}" if message else ""))
