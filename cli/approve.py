"""`formwork approve`, `reject` and `pending`: answer the runs that wait for a person, as the UI's form does.

They talk to the Prefect server in PREFECT_API_URL through Prefect's client (with PREFECT_API_AUTH_STRING when it
uses basic auth).
The flows themselves enforce who may approve (never the requester); their refusal is shown here.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import click

from formwork.errors import InputError, OperationError

TIMEOUT = 3600.0
_wait = click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Follow the run until it ends or waits for the next approval, or return once it is resumed.",
)
_timeout = click.option(
    "--timeout", type=click.FloatRange(min=1), default=TIMEOUT, show_default=True, help="Seconds to follow the run."
)
_approver = click.option(
    "--approver", default=getpass.getuser, show_default="your login name", help="Who answers (recorded with the run)."
)


@click.command()
@click.argument("run_id")
@_approver
@click.option(
    "--change", "change_reference", required=True, help="Change reference recorded with the approval (ticket, CR number)."
)
@_wait
@_timeout
def approve(run_id: str, approver: str, change_reference: str, wait: bool, timeout: float) -> None:
    """Approve RUN_ID, a run waiting for approval (see `formwork pending`): it resumes and carries on."""
    from cli.runs.api import prefect_client
    from cli.runs.approvals import Answer, answer, waiting_run

    with prefect_client() as client:
        run = waiting_run(client, run_id)
        answer(client, run, Answer(approver, change_reference, approve=True))
        click.echo(
            f"approved {run.label} as {approver} ({change_reference}): resumed{' (a worker starts it again)' if run.suspended else ''}"
        )
        _follow(client, run, wait, timeout, rejecting=False)


@click.command()
@click.argument("run_id")
@click.option("--reason", required=True, help="Why not; the failed run and its report carry it.")
@_approver
@click.option("--change", "change_reference", default="", help="Change reference recorded with the rejection.")
@_wait
@_timeout
def reject(run_id: str, reason: str, approver: str, change_reference: str, wait: bool, timeout: float) -> None:
    """Reject RUN_ID, a run waiting for approval: it fails with your reason, having changed nothing."""
    from cli.runs.api import prefect_client
    from cli.runs.approvals import Answer, answer, waiting_run

    if not reason.strip():
        raise InputError("--reason: say why the run is rejected")
    with prefect_client() as client:
        run = waiting_run(client, run_id)
        answer(client, run, Answer(approver, change_reference, approve=False, reason=reason))
        click.echo(f"rejected {run.label} as {approver}: {reason}")
        if "reason" not in run.fields:
            click.echo("note: this run's form has no reason field; the reason is not recorded with the run", err=True)
        _follow(client, run, wait, timeout, rejecting=True)


@click.command()
def pending() -> None:
    """List the runs waiting for approval: what each waits for, since when, and where to answer it."""
    from cli.runs.api import prefect_client, run_url
    from cli.runs.approvals import waiting_runs

    with prefect_client() as client:
        runs = waiting_runs(client)
    if not runs:
        click.echo("no runs wait for approval")
        return
    now = datetime.now(UTC)
    click.echo(f"{len(runs)} run{'s' if len(runs) > 1 else ''} wait{'' if len(runs) > 1 else 's'} for approval:")
    for run in runs:
        how = "suspended (holds no worker)" if run.suspended else "paused"
        expires = f", expires {run.expires:%Y-%m-%d %H:%M} UTC" if run.expires else ""
        click.echo(f"\n{run.label}   {how} since {run.since:%Y-%m-%d %H:%M} UTC ({_ago(now - run.since)}){expires}")
        click.echo(f"  waits for   {_plain(run.description) or '(no description)'}")
        if run.parameters.get("requested_by"):
            click.echo(f"  asked by    {run.parameters['requested_by']}")
        click.echo(f"  form        {', '.join(run.fields) or '(none)'}")
        click.echo(f"  open        {run_url(run.id)}")
        click.echo(f"  approve     formwork approve {run.id} --approver NAME --change REF")
        click.echo(f"  reject      formwork reject {run.id} --reason TEXT")


def _follow(client, run, wait: bool, timeout: float, rejecting: bool) -> None:
    from cli.runs.api import run_url
    from cli.runs.approvals import follow

    url = run_url(run.id)
    if not wait:
        click.echo(f"follow it at {url}")
        return
    outcome = follow(client, run, timeout, on_state=lambda state: click.echo(f"  {run.label}: {state}", err=True))
    if outcome.state == "COMPLETED":
        click.echo(f"{run.label}: completed")
    elif outcome.state == "PAUSED":
        click.echo(
            f"{run.label} now waits for: {_plain(outcome.next.description)}\n  answer it with formwork approve {run.id} ... "
            f"or at {url}"
        )
    elif rejecting and outcome.failed_with == "Rejected":
        click.echo(f"{run.label}: failed as asked: {outcome.message}")
    elif outcome.state in ("FAILED", "CRASHED", "CANCELLED"):
        error = InputError if outcome.failed_with == "InputError" else OperationError  # e.g. the approver asked for it
        raise error(f"{run.label} {outcome.state.lower()}: {outcome.message} ({url})")
    else:
        raise OperationError(f"{run.label}: {outcome.message}; follow it at {url}")


def _plain(markdown: str) -> str:
    return " ".join(markdown.replace("**", "").replace("`", "").split())


def _ago(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60} min ago"
