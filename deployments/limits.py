"""The global concurrency limits the heavy tasks take slots of (see tasks/concurrency.py)."""

from __future__ import annotations

from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.exceptions import ObjectNotFound

from blocks.odoo_environment import OdooEnvironment
from formwork.errors import InputError
from tasks.concurrency import backup_limit, environment_limit, server_limit


def check_slots(slots: int) -> int:
    if slots < 1:
        raise InputError(f"--server-slots '{slots}': at least 1 heavy job per database server")
    return slots


def planned_limits(environments: dict[str, OdooEnvironment], server_slots: int) -> dict[str, int]:
    """K slots per database server, 1 per environment, 1 for the backups of each environment that has a backup store."""
    limits = {server_limit(env.db_host, env.db_port): server_slots for env in environments.values()}
    limits.update({environment_limit(name): 1 for name in environments})
    limits.update({backup_limit(name): 1 for name, env in environments.items() if env.backup_store_url})
    return dict(sorted(limits.items()))


def ensure_limit(client, name: str, limit: int) -> str:
    try:
        existing = client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))
        return "created"
    if existing.limit == limit and existing.active:
        return "unchanged"
    client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=limit, active=True))
    return "updated"
