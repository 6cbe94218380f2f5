"""Global concurrency limits, for real: heavy jobs on one database server take turns, and a drill waits
while its environment is busy. The test holds the slots itself, so it sees the runs wait, then lets go."""

from __future__ import annotations

import re
import threading
import time
import uuid

import httpx
import pytest
from prefect import get_client
from prefect.concurrency.sync import concurrency

from deployments.limits import ensure_limit
from tasks.concurrency import environment_limit, server_limit
from tests.support import rest


@pytest.fixture
def busy(pg, pg_other, seeded_source, prefect_api, tmp_path):
    """Two environments on the seeded database (each backup of one environment also takes that environment's backup
    lock: two of them would wait on it, not on the server) whose server allows one heavy job, and the first's
    environment lock. Drills restore on the other cluster."""
    from blocks import catalogue
    from formwork.environments import EnvironmentSpec

    source, files = seeded_source
    names = [f"c{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for name in names:
        catalogue.add(
            EnvironmentSpec(
                name,
                pg.dsn(source),
                filestore=f"file://{files}",
                backup_store=f"file://{tmp_path}/backups/{name}",
                tier=1,
                production=True,
                scratch_dsn=pg_other.dsn("postgres"),
            )
        )
    limits = [server_limit("127.0.0.1", pg.port), environment_limit(names[0])]
    with get_client(sync_client=True) as client:
        for limit in limits:
            ensure_limit(client, limit, 1)
    try:
        yield names, limits
    finally:
        with get_client(sync_client=True) as client:
            for limit in limits:
                client.delete_global_concurrency_limit_by_name(limit)  # a later `formwork deploy` makes them again


def in_thread(function, **parameters) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(function(**parameters, return_state=True)), daemon=True)
    thread.start()
    return thread, out


def running_tasks(api: httpx.Client, flow_run_name: str, task_prefix: str) -> list[dict]:
    runs = api.post(
        "/flow_runs/filter", json={"flow_runs": {"name": {"any_": [flow_run_name]}, "state": {"type": {"any_": ["RUNNING"]}}}}
    ).json()
    tasks = api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [r["id"] for r in runs]}}}).json() if runs else []
    return [t for t in tasks if t["name"].startswith(task_prefix)]


def wait_until(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def slot_messages(api: httpx.Client, flow_run_id) -> list[dict]:
    logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [str(flow_run_id)]}}}).json()
    return [log for log in logs if re.match(r"\w+: slot (taken|released)", log["message"])]


def slot_times(api: httpx.Client, flow_run_id, why: str) -> tuple[str, str]:
    logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [str(flow_run_id)]}}}).json()
    taken = [log["timestamp"] for log in logs if re.match(rf"{why}: slot taken", log["message"])]
    released = [log["timestamp"] for log in logs if log["message"] == f"{why}: slot released"]
    assert len(taken) == len(released) == 1, [log["message"] for log in logs]
    return taken[0], released[0]


def test_two_backups_on_one_server_take_turns_and_a_drill_waits_for_its_environment(busy, prefect_api, tmp_path):
    from flows.backup import backup
    from flows.dr_drill import dr_drill

    (name, other), (server, environment) = busy
    with rest.prefect(prefect_api) as api:
        with concurrency(server):  # another heavy job holds the server's only slot
            first, first_state = in_thread(backup, environment=name)
            second, second_state = in_thread(backup, environment=other)
            wait_until(
                lambda: (
                    len(running_tasks(api, f"backup-{name}", "take a backup"))
                    + len(running_tasks(api, f"backup-{other}", "take a backup"))
                    == 2
                )
            )
            time.sleep(2)
            assert not any(path.is_file() for path in (tmp_path / "backups").rglob("*")), "a backup ran without a slot"
        for thread in (first, second):
            thread.join(timeout=240)
        states = [first_state[0], second_state[0]]
        assert all(state.is_completed() for state in states), states
        wait_until(
            lambda: all(len(slot_messages(api, s.state_details.flow_run_id)) == 2 for s in states), 30
        )  # logs arrive in batches
        (a_taken, a_released), (b_taken, b_released) = (slot_times(api, s.state_details.flow_run_id, "backup") for s in states)
        assert a_released <= b_taken or b_released <= a_taken, "the two backups held the server at the same time"

        with concurrency(environment):  # a refresh of this environment holds it
            drill, drill_state = in_thread(dr_drill, environment=name)
            wait_until(
                lambda: api.post(
                    "/flow_runs/filter",
                    json={"flow_runs": {"name": {"any_": [f"drill-{name}"]}, "state": {"type": {"any_": ["RUNNING"]}}}},
                ).json()
            )
            time.sleep(3)
            assert not running_tasks(api, f"drill-{name}", "drop scratch databases") and not drill_state, "the drill did not wait"
        drill.join(timeout=240)
        assert drill_state[0].is_completed() and drill_state[0].result().passed
