"""Progress artifacts on a real Prefect server: one for each step long enough to watch, none for the quick ones."""

from __future__ import annotations

import time
import uuid

from prefect import flow, task

from tasks.progress import ArtifactProgress
from tests.support import rest

INTERVAL = 0.3  # what task_progress() waits (2 s) before a step gets an artifact, shortened


@task
def _steps() -> None:
    progress = ArtifactProgress(interval=INTERVAL)
    for label in ("quick table", "another quick table"):
        progress.start(label, 10)
        progress.advance(10)
        progress.finish()
    progress.start("slow table", 10)
    time.sleep(INTERVAL * 1.5)
    progress.advance(4)  # the step is now long enough to watch: its artifact appears, at 40 %
    time.sleep(INTERVAL * 1.5)
    progress.finish()


@flow
def _masking_like() -> None:
    _steps()


def test_only_a_step_that_lasts_gets_a_progress_artifact_and_it_ends_complete(prefect_api):
    name = f"progress-{uuid.uuid4().hex[:8]}"
    _masking_like.with_options(flow_run_name=name)()
    with rest.prefect(prefect_api) as api:
        [run] = api.post("/flow_runs/filter", json={"flow_runs": {"name": {"any_": [name]}}}).json()
        artifacts = api.post(
            "/artifacts/filter", json={"flow_runs": {"id": {"any_": [run["id"]]}}, "artifacts": {"type": {"any_": ["progress"]}}}
        ).json()
    assert [(a["description"], a["data"]) for a in artifacts] == [("slow table: 10 of 10", 100.0)]
