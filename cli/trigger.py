"""`formwork trigger`: what CI runs to start a deployment, through Prefect's client."""

from __future__ import annotations

import click


@click.command()
@click.argument("deployment")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A flow parameter (repeatable); non-strings are JSON: --param scale=2.",
)
@click.option("--wait", is_flag=True, help="Follow the run; exit 0 when it completes, 1 when it fails, crashes or is cancelled.")
@click.option("--timeout", type=float, help="With --wait: give up (exit 1) after this many seconds.")
@click.option("--idempotency-key", help="A retried CI job with the same key gets the same run, e.g. the CI run id.")
def trigger(deployment: str, params: tuple[str, ...], wait: bool, timeout: float | None, idempotency_key: str | None) -> None:
    """Start a run of DEPLOYMENT (FLOW/NAME, or NAME when both are the same) with its parameters checked first.
    Uses PREFECT_API_URL, and PREFECT_API_AUTH_STRING (basic auth) or PREFECT_API_KEY when set."""
    from cli.runs.api import prefect_client, run_url
    from cli.runs.trigger import check_parameters, create_run, find_deployment, parse_params, wait_for_final
    from formwork.errors import OperationError

    given = parse_params(params)
    with prefect_client() as client:
        found = find_deployment(client, deployment)
        run = create_run(client, found, check_parameters(found, given), idempotency_key)
        click.echo(f"flow run {run.id} ({run.name}) created: {run_url(run.id)}")
        if not wait:
            return

        def report(current) -> None:
            line = f"{current.name}: {current.state.name}"
            if current.state.is_paused():
                line += f" (waiting for an approver: {run_url(current.id)})"
            click.echo(line)

        final = wait_for_final(client, run.id, report, timeout)
    if final.state.type.value != "COMPLETED":
        message = (final.state.message or "").splitlines()
        raise OperationError(f"run {final.name} ended {final.state.name}" + (f": {message[0]}" if message else ""))
