"""CI's view: `formwork trigger` over the REST API against deployments run by a real process worker;
failed runs and runs waiting for approval call the notification webhook."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from cli.runs.api import prefect_client
from cli.runs.trigger import check_parameters, find_deployment
from deployments.register import DeployOptions, deploy
from formwork.errors import InputError
from local.worker import LocalWorker
from tasks.concurrency import environment_limit, server_limit
from tests.support import rest
from tests.support.cli import FORMWORK, checkout_env
from tests.support.webhook import WebhookReceiver

ROOT = Path(__file__).resolve().parent.parent
SECRET_PATH = "/hook/sEcReT-t0ken"


@pytest.fixture(scope="module")
def operated(pg, seeded_source, prefect_api, tmp_path_factory):
    """Two environments, every flow deployed on a pool of its own, a worker serving it, notifications on."""
    from prefect import get_client

    from blocks import catalogue
    from deployments.notifications import AUTOMATION
    from formwork.environments import EnvironmentSpec

    source, files = seeded_source
    tmp = tmp_path_factory.mktemp("operated")
    tag = uuid.uuid4().hex[:6]
    src, dst = f"t{tag}-src", f"t{tag}-dst"
    catalogue.add(
        EnvironmentSpec(
            src, pg.dsn(source), filestore=f"file://{files}", backup_store=f"file://{tmp}/backups", tier=2, production=True
        )
    )
    catalogue.add(EnvironmentSpec(dst, pg.dsn(f"t{tag}_dst"), filestore=f"file://{tmp}/dst-files", refresh_from=src))
    receiver = WebhookReceiver()
    pool, said = f"w-{tag}", []
    deploy(DeployOptions(pool=pool, notify_webhook=receiver.url(SECRET_PATH), pause_schedules=True), said.append)
    worker = LocalWorker(
        tmp / "worker",
        pool,
        {"PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_WORKER_QUERY_SECONDS": "1"},
    )
    worker.start(cwd=ROOT)
    try:
        yield {"src": src, "dst": dst, "receiver": receiver, "said": said, "tmp": tmp}
    finally:
        worker.stop()
        receiver.stop()
        with get_client(sync_client=True) as client:
            for automation in client.read_automations_by_name(AUTOMATION):
                client.delete_automation(automation.id)
            for limit in (server_limit("127.0.0.1", pg.port), environment_limit(src), environment_limit(dst)):
                client.delete_global_concurrency_limit_by_name(limit)
        for name in (src, dst):
            catalogue.remove(name)


def formwork(prefect_api: str, tmp: Path, *args: str) -> subprocess.Popen:
    env = {"PATH": "/usr/bin:/bin", "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp / "ci-home")}  # what a CI job has
    return subprocess.Popen(
        [*FORMWORK, *args], env=checkout_env(env), cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def runs_of(api: httpx.Client, flow: str) -> int:
    return len(api.post("/flow_runs/filter", json={"flows": {"name": {"any_": [flow]}}}).json())


def test_an_unknown_parameter_is_refused_before_a_run_exists(operated, prefect_api):
    with rest.prefect(prefect_api) as api:
        before = runs_of(api, "backup")
        done = formwork(
            prefect_api,
            operated["tmp"],
            "trigger",
            "backup",
            "--param",
            f"environment={operated['src']}",
            "--param",
            "colour=blue",
        )
        out, err = done.communicate(timeout=120)
        assert done.returncode == 2, (out, err)
        assert err == "formwork: --param 'colour': deployment 'backup' has no such parameter (it takes: environment, kind)\n"
        assert runs_of(api, "backup") == before

    with prefect_client() as client:
        seed = find_deployment(client, "seed")
        with pytest.raises(InputError, match="--param 'scale=many': expected integer"):
            check_parameters(seed, {"dsn": "postgresql://x@h/db", "scale": "many"})
        with pytest.raises(InputError, match=r"missing --param dsn=\.\.\."):
            check_parameters(seed, {"scale": "2"})
        assert check_parameters(seed, {"dsn": "postgresql://x@h/db", "scale": "2", "replace": "true"}) == {
            "dsn": "postgresql://x@h/db",
            "scale": 2,
            "replace": True,
        }
        with pytest.raises(InputError, match="deployment 'nosuch': not found"):
            find_deployment(client, "nosuch")


def test_wait_exits_with_the_runs_final_state_and_failures_are_notified(operated, prefect_api):
    tmp, receiver = operated["tmp"], operated["receiver"]
    good = formwork(
        prefect_api, tmp, "trigger", "backup", "--param", f"environment={operated['src']}", "--wait", "--timeout", "240"
    )
    bad = formwork(prefect_api, tmp, "trigger", "backup", "--param", "environment=no-such-env", "--wait", "--timeout", "240")
    good_out, good_err = good.communicate(timeout=300)
    bad_out, bad_err = bad.communicate(timeout=300)

    assert good.returncode == 0, (good_out, good_err)
    assert good_out.splitlines()[-1] == f"backup-{operated['src']}: Completed"
    assert any((tmp / "backups").glob("*/manifest.json"))
    assert bad.returncode == 1, (bad_out, bad_err)
    assert "ended Failed: Flow run encountered an exception: InputError: unknown environment 'no-such-env'" in bad_err
    failed_id = bad_out.split()[2]
    call = receiver.wait_for(lambda body: body["flow_run"] == failed_id)
    assert call["state"] == "Failed" and call["name"] == "backup-no-such-env"
    assert "sEcReT" not in " ".join(operated["said"])  # the webhook URL is never printed


def test_a_deployed_refresh_waits_for_the_environment_then_suspends_and_notifies(operated, prefect_api):
    from prefect.concurrency.sync import concurrency

    from cli.runs.trigger import create_run

    receiver = operated["receiver"]
    with rest.prefect(prefect_api) as api, prefect_client() as client:
        with concurrency(f"environment:{operated['dst']}"):  # a drill of the target holds it
            run = create_run(
                client, find_deployment(client, "refresh"), {"source": operated["src"], "target": operated["dst"]}
            ).model_dump(mode="json")
            deadline = time.monotonic() + 120
            while api.get(f"/flow_runs/{run['id']}").json()["state"]["type"] != "RUNNING" and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(4)
            tasks = [t["name"] for t in api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [run["id"]]}}}).json()]
            assert api.get(f"/flow_runs/{run['id']}").json()["state"]["type"] == "RUNNING"
            assert not any(name.startswith("clean up earlier runs") for name in tasks), tasks
        call = receiver.wait_for(lambda body: body["flow_run"] == run["id"], seconds=120)
        assert call["state"] == "Suspended" and call["url"] == f"{prefect_api[: -len('/api')]}/runs/flow-run/{run['id']}"
        waiting = api.get(f"/flow_runs/{run['id']}").json()
        assert waiting["state"]["name"] == "Suspended"
        api.post(f"/flow_runs/{run['id']}/set_state", json={"state": {"type": "CANCELLED", "name": "Cancelled"}, "force": True})
