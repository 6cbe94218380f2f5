"""`formwork deploy`: every flow a deployment, schedules from the environments, pools, limits; idempotent."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from deployments.catalogue import FLOWS
from deployments.register import DeployOptions, deploy
from tests.support import rest

DIGEST = "127.0.0.1:5000/formwork/runner@sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def estate(prefect_api):
    """prod (tier 1), staging (tier 2, refreshed nightly from prod), qa (tier 3, no backups) on an unreachable
    server: deploying reads the catalogue only."""
    from blocks import catalogue
    from formwork.environments import EnvironmentSpec

    tag = uuid.uuid4().hex[:6]
    names = {"prod": f"d{tag}-prod", "staging": f"d{tag}-staging", "qa": f"d{tag}-qa"}
    host = f"db-{tag}.invalid"
    catalogue.add(
        EnvironmentSpec(
            names["prod"], f"postgresql://odoo@{host}:5432/prod", backup_store="file:///tmp/x/prod", tier=1, production=True
        )
    )
    catalogue.add(
        EnvironmentSpec(
            names["staging"],
            f"postgresql://odoo@{host}:5432/staging",
            backup_store="file:///tmp/x/staging",
            tier=2,
            refresh_from=names["prod"],
        )
    )
    catalogue.add(EnvironmentSpec(names["qa"], f"postgresql://odoo@{host}:5433/qa", tier=3, refresh_from=names["prod"]))
    yield names, host
    for name in names.values():
        catalogue.remove(name)


def test_each_deployment_is_named_after_its_flow():
    """So `formwork trigger refresh` finds refresh/refresh."""
    from deployments.catalogue import load_flow

    assert [load_flow(entry).name for entry in FLOWS] == [entry.name for entry in FLOWS]


def schedules_by_slug(api: httpx.Client, deployment: dict) -> dict[str, dict]:
    return {s["slug"]: s for s in deployment["schedules"]}


def test_deploy_registers_every_flow_with_schedules_pool_and_limits_idempotently(estate, run_formwork, prefect_api):
    names, host = estate
    pool = f"p-{uuid.uuid4().hex[:6]}"
    args = ("deploy", "--pool", pool, "--timezone", "America/Chicago", "--nightly-at", "01:30", "--server-slots", "3")
    first = run_formwork(*args)
    assert first.returncode == 0, first.stderr
    with rest.prefect(prefect_api) as api:
        deployments = {
            f"{d['name']}": d for d in api.post("/deployments/filter", json={"work_pools": {"name": {"any_": [pool]}}}).json()
        }
        assert set(deployments) == {entry.name for entry in FLOWS}
        assert api.get(f"/work_pools/{pool}").json()["type"] == "process"
        refresh = schedules_by_slug(api, deployments["refresh"])
        nightly = refresh[f"nightly-{names['staging']}"]
        assert nightly["schedule"] == {"cron": "30 1 * * *", "timezone": "America/Chicago", "day_or": True}
        assert nightly["active"] is True
        assert nightly["parameters"]["source"] == names["prod"] and nightly["parameters"]["target"] == names["staging"]
        assert f"nightly-{names['qa']}" in refresh and f"nightly-{names['prod']}" not in refresh  # production is never refreshed
        backups = schedules_by_slug(api, deployments["backup"])
        assert backups[f"backup-{names['prod']}"]["schedule"]["cron"] == "*/15 * * * *"  # tier 1: RPO 15 min
        assert backups[f"backup-{names['staging']}"]["schedule"]["cron"] == "0 * * * *"  # tier 2: RPO 1 h
        assert f"backup-{names['qa']}" not in backups  # no backup store
        drills = schedules_by_slug(api, deployments["dr_drill"])
        assert drills[f"drill-{names['prod']}"]["schedule"]["cron"] == "0 4 * * 0"  # weekly for tier 1
        assert drills[f"drill-{names['staging']}"]["schedule"]["cron"] == "0 4 1 * *"  # monthly otherwise
        limits = {limit["name"]: limit["limit"] for limit in api.post("/v2/concurrency_limits/filter", json={}).json()}
        assert limits[f"db-server:{host}:5432"] == 3 and limits[f"db-server:{host}:5433"] == 3
        assert all(limits[f"environment:{name}"] == 1 for name in names.values())
        assert deployments["refresh"]["parameter_openapi_schema"]["required"] == ["source", "target"]

        again = []  # the second time in-process: the same code, without another interpreter start
        deploy(DeployOptions(pool=pool, timezone="America/Chicago", nightly_at="01:30", server_slots=3), again.append)
        assert f"work pool {pool} (process): unchanged" in again
        assert f"concurrency limit db-server:{host}:5432 = 3: unchanged" in again
        redeployed = {
            d["name"]: d for d in api.post("/deployments/filter", json={"work_pools": {"name": {"any_": [pool]}}}).json()
        }
        assert {n: d["id"] for n, d in redeployed.items()} == {n: d["id"] for n, d in deployments.items()}
        assert set(schedules_by_slug(api, redeployed["backup"])) == set(backups)


def test_bad_input_is_one_line_and_exit_2(formwork_here, estate):
    result = formwork_here("deploy", "--timezone", "Mars/Olympus")
    assert (
        result.returncode == 2
        and result.stderr == "formwork: --timezone 'Mars/Olympus': not an IANA time zone (e.g. Europe/London, America/Chicago)\n"
    )


@pytest.mark.parametrize(
    "options, message",
    [
        ({"nightly_at": "25:00"}, "--nightly-at '25:00': use HH:MM"),
        ({"server_slots": 0}, "--server-slots '0': at least 1"),
        ({"pool_type": "kubernetes", "image": "registry.example.com/formwork/runner:latest"}, "pin the image by digest"),
        ({"pool_type": "docker"}, "give the runner image by digest"),
        ({"pool_type": "nomad"}, "--pool-type 'nomad': choose one of process, kubernetes, docker"),
        ({"notify_webhook": "hooks.example.com/services/T0/B0/sEcReTtOkEn"}, "--notify-webhook: expected an http"),
    ],
)
def test_bad_input_is_refused_before_anything_is_registered(estate, prefect_api, options, message):
    from formwork.errors import InputError

    pool = f"p-{uuid.uuid4().hex[:6]}"
    with pytest.raises(InputError, match=re.escape(message)) as refused:
        deploy(DeployOptions(pool=pool, **options), print)
    assert "sEcReTtOkEn" not in str(refused.value)
    with rest.prefect(prefect_api) as api:
        assert api.get(f"/work_pools/{pool}").status_code == 404


@pytest.mark.parametrize("pool_type", ["kubernetes", "docker"])
def test_container_pools_pin_the_runner_image_by_digest(estate, prefect_api, pool_type):
    pool = f"{pool_type[:3]}-{uuid.uuid4().hex[:6]}"
    lines = []
    deploy(DeployOptions(pool=pool, pool_type=pool_type, image=DIGEST, pause_schedules=True), lines.append)
    assert f"work pool {pool} ({pool_type}, image {DIGEST}): created" in lines
    with rest.prefect(prefect_api) as api:
        found = api.get(f"/work_pools/{pool}").json()
        template = found["base_job_template"]
        assert found["type"] == pool_type and template["variables"]["properties"] == {}  # a run sets nothing
        if pool_type == "kubernetes":
            pod = template["job_configuration"]["job_manifest"]["spec"]["template"]["spec"]
            assert (template["job_configuration"]["namespace"], pod["serviceAccountName"]) == ("formwork", "formwork-runner")
            container = pod["containers"][0]
            assert container["image"] == DIGEST and container["resources"] == {
                "limits": {"cpu": "2", "memory": "4Gi"},
                "requests": {"cpu": "500m", "memory": "1Gi"},
            }
        else:
            assert template["job_configuration"]["image"] == DIGEST
        refresh = api.get("/deployments/name/refresh/refresh").json()
        assert refresh["work_pool_name"] == pool and refresh["job_variables"] == {}
        assert refresh["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": "/opt/formwork"}}]
        assert all(not s["active"] for s in refresh["schedules"])


def test_archived_environments_get_a_watch_three_times_per_rpo_period():
    """Issue 9's monitoring as a schedule: an archive that stops is reported within a third of the RPO target."""
    from blocks.odoo_environment import OdooEnvironment
    from deployments.schedules import plan

    estate = {
        "prod": OdooEnvironment(db_host="db", db_name="prod", tier=1, production=True, backup_store_url="file:///b/prod"),
        "erp2": OdooEnvironment(db_host="db", db_name="erp2", tier=2, backup_store_url="file:///b/erp2"),
        "qa": OdooEnvironment(db_host="db", db_name="qa", tier=3),
    }
    watches = {
        s.slug: s
        for s in plan(estate, "Europe/London", "02:00", "ops", frozenset({"prod", "erp2"}))
        if s.deployment == "pitr_watch"
    }
    assert {slug: s.cron for slug, s in watches.items()} == {"watch-prod": "*/5 * * * *", "watch-erp2": "*/20 * * * *"}
    assert watches["watch-prod"].parameters == {"environment": "prod"}
    assert not [s for s in plan(estate, "Europe/London", "02:00", "ops") if s.deployment == "pitr_watch"]
