"""Answer a flow run that paused for approval, the way the Prefect UI does: through the REST API."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.support import rest


def resume_paused(
    prefect_api: str, flow_run_name: str, run_input: dict, wait: float = 60.0, before: Callable[[], None] | None = None
) -> None:
    """Wait until the run named `flow_run_name` is PAUSED, call `before`, resume it with `run_input`; fails the test otherwise."""
    with rest.prefect(prefect_api) as api:
        deadline = time.monotonic() + wait
        runs: list = []
        while not runs and time.monotonic() < deadline:
            runs = api.post(
                "/flow_runs/filter",
                json={"flow_runs": {"name": {"any_": [flow_run_name]}, "state": {"type": {"any_": ["PAUSED"]}}}},
            ).json()
            if not runs:
                time.sleep(0.5)
        assert runs, f"{flow_run_name} never paused for approval"
        if before:
            before()
        answer = api.post(f"/flow_runs/{runs[0]['id']}/resume", json={"run_input": run_input}).json()
        while "status" not in answer and time.monotonic() < deadline:
            # an error, not an orchestration result: the pause's input schema can land just after the PAUSED state
            time.sleep(0.5)
            answer = api.post(f"/flow_runs/{runs[0]['id']}/resume", json={"run_input": run_input}).json()
        assert answer.get("status") == "ACCEPT", answer
