"""`formwork deploy`: register every flow, its schedules, the work pool, the limits and the notifications.

Everything is checked before anything is written, and every write is an upsert, so
running it again changes nothing (or brings the server in line with the environments).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass

from prefect import get_client
from prefect.client.schemas.actions import DeploymentScheduleCreate
from prefect.client.schemas.schedules import CronSchedule
from prefect.utilities.callables import parameter_schema

from blocks import catalogue, pitr_protection
from deployments.catalogue import FLOWS, FlowEntry, load_flow
from deployments.limits import check_slots, ensure_limit, planned_limits
from deployments.notifications import check_webhook, ensure_notifications
from deployments.schedules import DEFAULT_NIGHTLY, DEFAULT_TIMEZONE, PlannedSchedule, check_timezone, plan
from deployments.work_pools import PoolPlan, check_pool, ensure_pool
from formwork.errors import InputError
from local.worker import DEFAULT_POOL
from tasks.concurrency import DEFAULT_SERVER_SLOTS


@dataclass
class DeployOptions:
    pool: str = DEFAULT_POOL
    pool_type: str = "process"
    image: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    nightly_at: str = DEFAULT_NIGHTLY
    server_slots: int = DEFAULT_SERVER_SLOTS
    notify_webhook: str | None = None
    pause_schedules: bool = False


def deploy(options: DeployOptions, say: Callable[[str], None]) -> list[str]:
    """Returns the full names of the deployments (flow/deployment)."""
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        raise InputError(
            "formwork deploy needs a Prefect server: set PREFECT_API_URL (formwork local up prints it for the local one)"
        )
    pool = check_pool(options.pool, options.pool_type, options.image)
    check_timezone(options.timezone)
    check_slots(options.server_slots)
    if options.notify_webhook is not None:
        check_webhook(options.notify_webhook)
    found = catalogue.all_environments()
    archiving = frozenset(name for name in found if pitr_protection.find(name) is not None)
    schedules = plan(found, options.timezone, options.nightly_at, getpass.getuser(), archiving)

    names = []
    with get_client(sync_client=True) as client:
        say(f"work pool {pool.name} ({pool.type}{', image ' + pool.image if pool.image else ''}): {ensure_pool(client, pool)}")
        for name, limit in planned_limits(found, options.server_slots).items():
            say(f"concurrency limit {name} = {limit}: {ensure_limit(client, name, limit)}")
        for entry in FLOWS:
            mine = [s for s in schedules if s.deployment == entry.name]
            names.append(_deploy_flow(client, entry, pool, mine, active=not options.pause_schedules))
            say(
                f"deployment {names[-1]}"
                + "".join(
                    f"\n  schedule {s.slug}: {s.cron} ({s.timezone}){'' if not options.pause_schedules else ' paused'}"
                    for s in mine
                )
            )
        say(f"notifications: {ensure_notifications(client, options.notify_webhook)}")
    return names


def _deploy_flow(client, entry: FlowEntry, pool: PoolPlan, schedules: list[PlannedSchedule], active: bool) -> str:
    flow = load_flow(entry)
    client.create_deployment(
        flow_id=client.create_flow_from_name(flow.name),
        name=entry.name,
        description=entry.description,
        entrypoint=entry.entrypoint,
        work_pool_name=pool.name,
        pull_steps=pool.pull_steps,
        parameter_openapi_schema=parameter_schema(flow).model_dump(exclude_unset=True),
        enforce_parameter_schema=True,
        tags=["formwork"],
        schedules=[
            DeploymentScheduleCreate(
                schedule=CronSchedule(cron=s.cron, timezone=s.timezone), active=active, parameters=s.parameters, slug=s.slug
            )
            for s in schedules
        ],
        paused=False,
    )
    return f"{flow.name}/{entry.name}"
