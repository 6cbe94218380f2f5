"""The estate's posture read through Prefect: environments from their blocks, stores from their URLs, PITR
archive status when declared, runs waiting for approval from the API; formwork.posture judges them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType

from blocks import catalogue, pitr_protection
from blocks.stores import open_store
from formwork.errors import first_line
from formwork.pitr import pgbackrest
from formwork.pitr import status as pitr_status
from formwork.posture.facts import Facts, gather
from formwork.posture.verdict import Posture, judge

# The parameter that names the environment a waiting run is about, per flow.
ABOUT = ("target", "to", "environment")


def estate(names: list[str] | None = None) -> list[Posture]:
    """Every environment's posture (or those named; an unknown name is refused in one line before anything is read)."""
    chosen = names or sorted(catalogue.all_environments())
    settings = {name: catalogue.load(name) for name in chosen}
    waiting = waiting_by_environment()
    now = datetime.now(UTC)
    return [judge(facts_of(name, env, waiting[name], now)) for name, env in settings.items()]


def facts_of(name: str, env, waiting: int, now: datetime) -> Facts:
    unknown: list[str] = []
    store = archive = None
    try:
        store = open_store(env.backup_store_url, option="backup store") if env.backup_store_url else None
    except Exception as exc:  # noqa: BLE001 - unreadable is recorded, never taken as fine
        unknown.append(f"the backup store: {first_line(exc)}")
    declared = pitr_protection.find(name)
    if declared is not None:
        try:
            archive = pitr_status.read(name, env, declared, pgbackrest.info(declared), now)
        except Exception as exc:  # noqa: BLE001
            unknown.append(f"the WAL archive: {first_line(exc)}")
    facts = gather(name, env, store, archive=archive, waiting=waiting, now=now)
    facts.backed_up = facts.backed_up or bool(env.backup_store_url)
    facts.unknown[:0] = unknown
    return facts


def waiting_by_environment() -> Counter:
    """How many paused runs wait for an approver, by the environment they are about."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))),
            limit=200,
        )
    return Counter(next((str(run.parameters[key]) for key in ABOUT if run.parameters.get(key)), "") for run in runs)
