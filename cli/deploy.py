"""`formwork deploy`: register every flow with its schedules against the configured Prefect server."""

from __future__ import annotations

import os

import click

from deployments.register import DEFAULT_POOL, DeployOptions
from deployments.schedules import DEFAULT_NIGHTLY, DEFAULT_TIMEZONE
from tasks.concurrency import DEFAULT_SERVER_SLOTS


@click.command()
@click.option("--pool", default=DEFAULT_POOL, show_default=True, help="Work pool the deployments run on.")
@click.option("--pool-type", default="process", show_default=True, help="process (this checkout), kubernetes or docker.")
@click.option("--image", help="Runner image for kubernetes/docker pools, by digest: REGISTRY/REPO@sha256:...")
@click.option(
    "--timezone",
    default=lambda: os.environ.get("FORMWORK_TIMEZONE", DEFAULT_TIMEZONE),
    show_default=f"$FORMWORK_TIMEZONE or {DEFAULT_TIMEZONE}",
    help="IANA time zone of the schedules (company time).",
)
@click.option(
    "--nightly-at", default=DEFAULT_NIGHTLY, show_default=True, help="Time of the nightly refreshes, HH:MM company time."
)
@click.option(
    "--server-slots",
    type=int,
    default=DEFAULT_SERVER_SLOTS,
    show_default=True,
    help="Heavy jobs (dumps, restores) at once per database server.",
)
@click.option(
    "--notify-webhook",
    envvar="FORMWORK_NOTIFY_WEBHOOK",
    help="URL that failed runs and runs waiting for approval POST to "
    "(stored as a Webhook block; kept when omitted) [env: FORMWORK_NOTIFY_WEBHOOK].",
)
@click.option("--pause-schedules", is_flag=True, help="Register the schedules paused (switch them on in the UI).")
def deploy(pool, pool_type, image, timezone, nightly_at, server_slots, notify_webhook, pause_schedules) -> None:
    """Register every flow as a deployment, with schedules derived from the environments: nightly refresh of each
    environment added with --refresh-from, backups at its tier's cadence, drills weekly (tier 1) or monthly. Idempotent."""
    from deployments.register import deploy as register

    options = DeployOptions(
        pool=pool,
        pool_type=pool_type,
        image=image,
        timezone=timezone,
        nightly_at=nightly_at,
        server_slots=server_slots,
        notify_webhook=notify_webhook,
        pause_schedules=pause_schedules,
    )
    names = register(options, click.echo)
    click.echo(f"{len(names)} deployments on work pool {pool}; start a worker: prefect worker start --pool {pool}")
