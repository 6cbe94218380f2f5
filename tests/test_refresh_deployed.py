"""A deployed refresh waits for approval suspended: no process holds a worker while it waits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import httpx
import psycopg

from tests.support import rest
from tests.test_mask_cli import SALT_ENV
from tests.test_refresh_cli import databases, pair  # noqa: F401  (fixture)

SERVE = "import sys; from flows.refresh import refresh; refresh.serve(name=sys.argv[1], print_starting_message=False)"


def flow_processes(runner: int) -> list[str]:
    """The runner's children running a flow (it also keeps a multiprocessing resource tracker)."""
    found = subprocess.run(["pgrep", "-a", "-P", str(runner)], capture_output=True, text=True).stdout.splitlines()
    return [line for line in found if "resource_tracker" not in line]


def wait_for(api: httpx.Client, run_id: str, done, what: str, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = api.get(f"/flow_runs/{run_id}").json()
        if done(run):
            return run
        time.sleep(0.5)
    raise AssertionError(f"the run never {what}: last state {run['state']['type']} {run['state']['name']}")


def test_a_deployed_run_suspends_then_completes_when_approved(pg_other, pair, prefect_api, tmp_path):  # noqa: F811
    prod, staging, db = pair
    name = f"t-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        **SALT_ENV,
        "PREFECT_API_URL": prefect_api,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    runner = subprocess.Popen(
        [sys.executable, "-c", SERVE, name],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        with rest.prefect(prefect_api) as api:
            for _ in range(120):
                found = api.get(f"/deployments/name/refresh/{name}")
                if found.status_code == 200:
                    break
                time.sleep(0.5)
            assert found.status_code == 200, found.text
            created = api.request(
                "POST",
                f"/deployments/{found.json()['id']}/create_flow_run",  # asks again while the server is busy
                json={"parameters": {"source": prod, "target": staging}},
            )
            assert created.status_code == 201, created.text
            run_id = created.json()["id"]

            suspended = wait_for(api, run_id, lambda r: r["state"]["name"] == "Suspended", "suspended")
            assert suspended["state"]["state_details"]["pause_reschedule"] is True
            deadline = time.monotonic() + 30
            while flow_processes(runner.pid) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert flow_processes(runner.pid) == [], "a process still holds the suspended run"

            answer = api.request(
                "POST",
                f"/flow_runs/{run_id}/resume",  # asks again while the server is busy (503)
                json={"run_input": {"approver": "alice", "change_reference": "CR-9", "approve": True}},
            ).json()
            assert answer["status"] == "ACCEPT", answer
            final = wait_for(api, run_id, lambda r: r["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED"), "finished", 300)
            assert final["state"]["type"] == "COMPLETED", final["state"]
    finally:
        runner.terminate()
        runner.wait(timeout=30)
    assert databases(pg_other, db) == {db, f"{db}__prev"}
    with psycopg.connect(pg_other.dsn(db)) as conn:
        assert (
            conn.execute("SELECT value FROM ir_config_parameter WHERE key = 'formwork.refresh_run'").fetchone()[0] == run_id[:8]
        )
