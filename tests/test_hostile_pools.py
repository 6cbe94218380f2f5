"""Hostile runs: job variables cannot choose the worker's command, environment or image.

Whoever may start a run (UI, API) may pass `job_variables`. If they reached the job, a run could execute any
command on the worker or point `PREFECT__FLOW_RUN_ID` at a run of its own, past every flow guard. The server
refuses unknown job variables; the deprecated `POST /flow_runs/` skips that check, so the worker must not
use them either: the pools' job configurations take nothing from a run.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from deployments.register import DeployOptions, deploy
from deployments.work_pools import base_job_template, check_pool, ensure_pool
from formwork.errors import InputError
from local.worker import LocalWorker
from tests.support import rest

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "127.0.0.1:5000/formwork/runner@sha256:" + "cd" * 32
SECRET = "s3cr3t-" + uuid.uuid4().hex[:8]


def hostile(marker: Path, victim: str, secret_block: str) -> dict:
    return {
        "command": f"touch {marker}",
        "env": {"PREFECT__FLOW_RUN_ID": victim, "PYTHONPATH": "/tmp/evil"},
        "image": "evil.example.com/miner:latest",
        "privileged": True,
        "volumes": ["/:/host"],
        "namespace": "kube-system",
        "service_account_name": "cluster-admin",
        "cpu_limit": f"{{{{ prefect.blocks.secret.{secret_block} }}}}",
        "working_dir": "/",
    }


def wait_until_final(api: httpx.Client, run_id: str, marker: Path, seconds: float = 180) -> dict:
    """The run's final state; fails at once if the injected command ran (it leaves the run pending)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert not marker.exists(), "the worker ran the command a run injected"
        run = api.request("GET", f"/flow_runs/{run_id}").json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish: {run['state']['name']}")


@pytest.fixture(scope="module")
def served(prefect_api, tmp_path_factory):
    """Every flow deployed on a process pool of its own, with a worker serving it."""
    tmp = tmp_path_factory.mktemp("hostile-pools")
    pool = f"h-{uuid.uuid4().hex[:6]}"
    deploy(DeployOptions(pool=pool, pause_schedules=True), lambda line: None)
    worker = LocalWorker(
        tmp / "worker",
        pool,
        {"PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_WORKER_QUERY_SECONDS": "1"},
    )
    worker.start(cwd=ROOT)
    try:
        yield pool, tmp
    finally:
        worker.stop()


def test_a_run_cannot_choose_the_process_workers_command_or_environment(served, prefect_api):
    pool, tmp = served
    marker = tmp / "injected"
    with rest.prefect(prefect_api) as api:
        ask = api.request  # a busy test server's 503 is asked again by rest.prefect's transport
        backup = ask("GET", "/deployments/name/backup/backup").json()
        victim = ask(
            "POST", "/flow_runs/", json={"flow_id": backup["flow_id"], "parameters": {"environment": "victim"}}
        ).json()  # no deployment

        def runs_of_backup() -> int:
            return len(ask("POST", "/flow_runs/filter", json={"deployments": {"id": {"any_": [backup["id"]]}}}).json())

        before = runs_of_backup()

        # the documented ways: refused by the server, naming the variable; no run exists
        for variables in (
            {"command": f"touch {marker}"},
            {"env": {"PREFECT__FLOW_RUN_ID": victim["id"]}},
            {"env.PREFECT__FLOW_RUN_ID": victim["id"]},
        ):
            refused = ask(
                "POST",
                f"/deployments/{backup['id']}/create_flow_run",
                json={"parameters": {"environment": "no-such-env"}, "job_variables": variables},
            )
            assert refused.status_code == 422 and "Additional properties are not allowed" in refused.text, refused.text
            assert repr(next(iter(variables))) in refused.json()["detail"]
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        waiting = ask(
            "POST",
            f"/deployments/{backup['id']}/create_flow_run",
            json={
                "parameters": {"environment": "no-such-env"},
                "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": later}},
            },
        ).json()
        patched = ask("PATCH", f"/flow_runs/{waiting['id']}", json={"job_variables": {"command": f"touch {marker}"}})
        assert patched.status_code == 422 and "'command'" in patched.text, patched.text
        assert ask("GET", f"/flow_runs/{waiting['id']}").json()["job_variables"] == {}
        ask("DELETE", f"/flow_runs/{waiting['id']}")
        assert runs_of_backup() == before

        # the deprecated POST /flow_runs/ stores them unchecked: the worker runs the deployment's own flow all the same
        sneaked = [
            ask(
                "POST",
                "/flow_runs/",
                json={
                    "flow_id": backup["flow_id"],
                    "deployment_id": backup["id"],
                    "work_pool_name": pool,
                    "parameters": {"environment": "no-such-env"},
                    "state": {"type": "SCHEDULED"},
                    "job_variables": variables,
                },
            ).json()
            for variables in ({"command": f"touch {marker}"}, {"env": {"PREFECT__FLOW_RUN_ID": victim["id"]}})
        ]
        assert sneaked[0]["job_variables"] == {"command": f"touch {marker}"}
        for run in sneaked:
            final = wait_until_final(api, run["id"], marker)["state"]
            assert (final["type"], final["message"]) == (
                "FAILED",
                "Flow run encountered an exception: InputError: unknown environment "
                "'no-such-env' (formwork env list shows the known ones)",
            )  # its own flow ran
        assert not marker.exists()
        assert ask("GET", f"/flow_runs/{victim['id']}").json()["state"] == victim["state"]  # the victim never ran


@pytest.mark.parametrize("pool_type", ["kubernetes", "docker"])
def test_container_workers_take_command_env_and_image_from_the_pool_only(prefect_api, pool_type, tmp_path):
    """No cluster or daemon here: Prefect's own worker configuration step, fed a hostile run's variables."""
    from prefect import get_client
    from prefect.blocks.system import Secret
    from prefect.client.schemas.objects import FlowRun

    if pool_type == "kubernetes":
        from prefect_kubernetes.worker import KubernetesWorkerJobConfiguration as Configuration
    else:
        from prefect_docker.worker import DockerWorkerJobConfiguration as Configuration

    block = f"pool-secret-{uuid.uuid4().hex[:6]}"
    Secret(value=SECRET).save(block)
    plan = check_pool(f"{pool_type[:3]}-{uuid.uuid4().hex[:6]}", pool_type, DIGEST)
    with get_client(sync_client=True) as client:
        ensure_pool(client, plan)
        flow_id = client.create_flow_from_name(f"hostile-{pool_type}")
        deployment_id = client.create_deployment(flow_id=flow_id, name="hostile", work_pool_name=plan.name, entrypoint="x.py:f")
    template = base_job_template(plan)
    flow_run = FlowRun(flow_id=flow_id, deployment_id=deployment_id, name="hostile-run")
    values = hostile(tmp_path / "injected", str(uuid.uuid4()), block)

    with rest.prefect(prefect_api) as api:
        refused = api.request("POST", f"/deployments/{deployment_id}/create_flow_run", json={"job_variables": values})
        assert refused.status_code == 422 and "Additional properties are not allowed" in refused.text, refused.text
        assert not api.request("POST", "/flow_runs/filter", json={"deployments": {"id": {"any_": [str(deployment_id)]}}}).json()

    from prefect.utilities.asyncutils import run_coro_as_sync

    config = run_coro_as_sync(Configuration.from_template_and_values(template, values))
    config.prepare_for_flow_run(flow_run)
    env = dict(config.env) if isinstance(config.env, dict) else {item["name"]: item.get("value") for item in config.env}
    assert env["PREFECT__FLOW_RUN_ID"] == str(flow_run.id) and "PYTHONPATH" not in env
    assert SECRET not in config.model_dump_json()
    if pool_type == "kubernetes":
        manifest = config.job_manifest
        pod = manifest["spec"]["template"]["spec"]
        assert pod["containers"][0]["image"] == DIGEST and pod["containers"][0]["args"] == ["prefect", "flow-run", "execute"]
        assert (manifest["metadata"]["namespace"], pod["serviceAccountName"]) == ("formwork", "formwork-runner")
        assert pod["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}
        assert {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}["PREFECT__FLOW_RUN_ID"] == str(flow_run.id)
    else:
        assert (config.image, config.command, config.privileged, config.volumes) == (
            DIGEST,
            "prefect flow-run execute",
            False,
            [],
        )


def test_a_pool_template_a_run_could_reach_into_is_refused_before_anything_is_registered(prefect_api, tmp_path, monkeypatch):
    """An edited `pools/*.json` that hands a value back to the runs is refused before the pool is written."""
    from deployments import work_pools

    template = json.loads((work_pools.TEMPLATES / "docker.json").read_text())
    template["job_configuration"]["command"] = "{{ command }}"
    (tmp_path / "docker.json").write_text(json.dumps(template))
    monkeypatch.setattr(work_pools, "TEMPLATES", tmp_path)
    pool = f"doc-{uuid.uuid4().hex[:6]}"
    with pytest.raises(
        InputError, match=re.escape(f"{tmp_path / 'docker.json'}: job_configuration takes {{{{ command }}}} from a run")
    ):
        deploy(DeployOptions(pool=pool, pool_type="docker", image=DIGEST), lambda line: None)
    with rest.prefect(prefect_api) as api:
        assert api.get(f"/work_pools/{pool}").status_code == 404
