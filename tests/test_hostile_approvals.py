"""Approvals come from approvers: a deployed run cannot approve itself by its parameters, names are compared
trimmed and case-insensitively, and an emergency override needs two approvers besides the requester."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import psycopg
import pytest

from blocks import catalogue
from cli.runs.api import prefect_client
from cli.runs.approvals import Answer, WaitingRun, answer, waiting_run
from cli.runs.trigger import create_run, find_deployment
from formwork.approvers import check_approver, check_second_approver, same_person
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError
from formwork.release.gitops.repository import GitOpsRepo
from tests.support import rest
from tests.support.clusters import create_database, drop_database
from tests.support.operating import wait_until_final
from tests.test_mask_cli import SALT_ENV
from tests.test_release_promote import CHAIN, build, calendar, estate, promote  # noqa: F401  (fixture)

STANDING = "standing approval of ops (nightly schedule)"
SERVE = """
import sys
from prefect import serve
from prefect.schedules import Cron
from deployments.schedules import plan
from flows.promote import promote
from flows.refresh import refresh
from blocks import catalogue
from cli.runs.approvals import Answer, WaitingRun, answer, waiting_run

name, source, target = sys.argv[1:]
nightly = next(s for s in plan({n: catalogue.load(n) for n in (source, target)}, "Europe/London", "02:00", "ops")
               if s.deployment == "refresh")
serve(refresh.to_deployment(name=name, schedules=[Cron(nightly.cron, timezone=nightly.timezone, slug=nightly.slug,
                                                       parameters=nightly.parameters)]),
      promote.to_deployment(name=name), print_starting_message=False)
"""


def test_who_may_approve():
    assert same_person(" Alice ", "alice") and same_person("Mary  Ann", " mary ann") and not same_person("alice", "alicia")
    assert check_approver(" Alice ", "bob", "promote to prod") == "Alice"
    with pytest.raises(
        InputError, match=r"^promote to prod: the approver \(BOB\) must not be the person who asked for the release$"
    ):
        check_approver(" BOB ", "bob", "promote to prod")
    with pytest.raises(InputError, match=r"^promote to prod: the approver must be named$"):
        check_approver("  ", "bob", "promote to prod")
    with pytest.raises(InputError, match=r"the second approver \(Bob\) must not be the person who asked"):
        check_second_approver("Bob ", "alice", " bob", "promote to prod")
    with pytest.raises(InputError, match=r"needs two different approvers; the second approver \(ALICE\) is the first \(alice\)$"):
        check_second_approver(" ALICE", "alice", "bob", "promote to prod")
    assert check_second_approver(" carol ", "alice", "bob", "promote to prod") == "carol"


def test_names_are_compared_trimmed_and_case_insensitively_and_an_override_needs_two_approvers_besides_the_requester(
    estate, registry, prefect_api, tmp_path
):
    names, repo, odoo = estate
    image = build(registry, "hostile-names")
    for overlay in CHAIN[:3]:
        promote(image, names[overlay])
    prod, before = names["prod"], prod_pins(repo)
    with pytest.raises(
        InputError, match=rf"^promote to {prod}: the approver \(BOB\) must not be the person who asked for the release$"
    ):
        promote(image, prod, approver=" BOB ", change_reference="CR-1")
    freeze = catalogue.load(prod)
    freeze.release_calendar = calendar(tmp_path, frozen_now=True)
    freeze.save(prod, overwrite=True)
    with pytest.raises(
        InputError, match=rf"^promote to {prod}: the second approver \(Bob\) must not be the person who asked for the release$"
    ):
        promote(image, prod, approver="alice", change_reference="CR-2", emergency_reason="payroll bug", second_approver=" Bob")
    with pytest.raises(InputError, match=r"needs two different approvers; the second approver \(ALICE\) is the first \(alice\)$"):
        promote(image, prod, approver="alice", change_reference="CR-2", emergency_reason="payroll bug", second_approver="ALICE ")
    assert odoo.running("prod") is None and prod_pins(repo) == before

    outcome: dict = {}  # without --second-approver, the second approval is asked for in the form, after the first
    worker = threading.Thread(
        target=lambda: outcome.update(error=refusal(lambda: promote(image, prod, emergency_reason="payroll bug")))
    )
    worker.start()
    answer_when_waiting(prefect_api, f"promote-to-{prod}", "approval", "alice")
    second = answer_when_waiting(prefect_api, f"promote-to-{prod}", "emergency-override", " BOB")
    worker.join(timeout=120)
    assert "Emergency override of **month-end close**" in second.description and "neither alice nor bob" in second.description
    assert (
        str(outcome["error"]) == f"promote to {prod}: the second approver (BOB) must not be the person who asked for the release"
    )
    assert odoo.running("prod") is None and prod_pins(repo) == before

    report = promote(
        image, prod, approver=" alice", change_reference="CR-3", emergency_reason="payroll bug", second_approver="carol"
    )
    user = getpass.getuser()
    assert report.outcome == "done" and report.approver == "alice"
    assert report.approvals == [
        f"approved on the command line by alice (OS user {user})",
        f"emergency override approved on the command line by carol (OS user {user})",
    ]
    assert f"approved on the command line by alice (OS user {user})" in report.markdown()


@pytest.fixture
def nightly_pair(pg, pg_other, tmp_path):
    """A tiny production and a staging that refreshes from it nightly, its database holding a marker."""
    source, target = create_database(pg, "hsrc"), create_database(pg_other, "hdst")
    with psycopg.connect(pg.dsn(source)) as conn:
        conn.execute("CREATE TABLE note (id serial PRIMARY KEY, body text); INSERT INTO note (body) VALUES ('from production')")
    with psycopg.connect(pg_other.dsn(target)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
    (tmp_path / "src-files").mkdir()
    tag = uuid.uuid4().hex[:6]
    prod, staging = f"hp-{tag}", f"hs-{tag}"
    catalogue.add(EnvironmentSpec(prod, pg.dsn(source), filestore=f"file://{tmp_path}/src-files", production=True))
    catalogue.add(EnvironmentSpec(staging, pg_other.dsn(target), filestore=f"file://{tmp_path}/dst-files", refresh_from=prod))
    yield prod, staging, target
    for name in (prod, staging):
        catalogue.remove(name)
    drop_database(pg, source)
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        for (name,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (target + "%",)).fetchall():
            drop_database(pg_other, name)


def staging_as_it_was(pg_other, target: str) -> bool:
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        found = {n for (n,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (target + "%",))}
    with psycopg.connect(pg_other.dsn(target)) as conn:
        return found == {target} and conn.execute("SELECT text FROM marker").fetchone()[0] == "the old staging"


def test_a_deployed_run_cannot_approve_itself_by_its_parameters(estate, registry, nightly_pair, pg_other, prefect_api, tmp_path):
    names, repo, odoo = estate
    prod, staging, target = nightly_pair
    image, before = f"{registry.host}/odoo/build@sha256:{'0' * 64}", prod_pins(repo)  # refused before it is looked up
    name = f"h-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        **SALT_ENV,
        "PREFECT_API_URL": prefect_api,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    runner = subprocess.Popen(
        [sys.executable, "-c", SERVE, name, prod, staging],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        with rest.prefect(prefect_api) as api, prefect_client() as client:
            refresh, promotion = find_served(client, f"refresh/{name}", runner), find_served(client, f"promote/{name}", runner)
            asked = {"image": image, "to": names["prod"], "requested_by": "bob", "change_reference": "CR-7"}
            refused = {  # what each one-line refusal names
                "parameter approver='alice'": create_run(
                    client, refresh, {"source": prod, "target": staging, "approver": "alice", "change_reference": "CR-7"}
                ).model_dump(mode="json"),
                "parameters approver=' Alice ', second_approver='carol', database_approver='dana'": create_run(
                    client,
                    promotion,
                    {
                        **asked,
                        "approver": " Alice ",
                        "emergency_reason": "payroll bug",
                        "second_approver": "carol",
                        "database_approver": "dana",
                    },
                ).model_dump(mode="json"),
            }
            scheduled, edited = scheduled_runs(api, refresh.model_dump(mode="json"))
            assert (
                scheduled["parameters"]
                == edited["parameters"]
                == {"source": prod, "target": staging, "approver": STANDING, "change_reference": f"nightly refresh of {staging}"}
            )
            # the standing approval, carried over to a run whose parameters were edited after the schedule created it
            call(
                api,
                "PATCH",
                f"/flow_runs/{edited['id']}",
                json={"parameters": {**edited["parameters"], "rules": "my-rules.yaml"}},
            )
            start_now(api, edited["id"])
            refused[f"parameter approver='{STANDING}'"] = edited

            for named, run in refused.items():
                final = wait_until_final(api, run["id"])
                assert final["state"]["type"] == "FAILED", (named, final["state"])
                assert final["state"]["message"].endswith(
                    f"InputError: {named}: a deployed run is approved through its approval form only "
                    "(formwork approve, or Resume in the Prefect UI), never by a parameter"
                ), final["state"]["message"]
                assert not paused(api, run["id"])
            assert staging_as_it_was(pg_other, target)
            assert odoo.running("prod") is None and prod_pins(repo) == before

            start_now(api, scheduled["id"])  # the nightly schedule's standing approval stands, recorded as given
            final = wait_until_final(api, scheduled["id"], seconds=240)
            assert not paused(api, scheduled["id"])
            report = call(
                api,
                "POST",
                "/artifacts/filter",
                json={"flow_runs": {"id": {"any_": [scheduled["id"]]}}, "artifacts": {"key": {"any_": ["refresh-report"]}}},
            )[0]["data"]
            # past the approval without waiting: it cloned production, and rewiring (before masking) refused the tiny hand-made copy
            assert f"Approved by **{STANDING}**" in report and "| clone database |" in report, report
            assert "FAILED at rewire (" in report and final["state"]["type"] == "FAILED"
    finally:
        runner.terminate()
        runner.wait(timeout=30)
        with rest.prefect(prefect_api) as api:  # and the runs its schedule keeps creating
            for flow in ("refresh", "promote"):
                found = api.get(f"/deployments/name/{flow}/{name}")
                if found.status_code == 200:
                    api.delete(f"/deployments/{found.json()['id']}")


def refusal(promotion) -> Exception | None:
    try:
        promotion()
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return exc
    return None


def answer_when_waiting(prefect_api: str, run_name: str, key: str, approver: str) -> WaitingRun:
    """Approve the run named `run_name` once it waits in the form `key`, as `formwork approve` does."""
    with rest.prefect(prefect_api) as api, prefect_client() as client:
        for _ in range(240):
            runs = call(
                api,
                "POST",
                "/flow_runs/filter",
                json={"flow_runs": {"name": {"any_": [run_name]}, "state": {"type": {"any_": ["PAUSED"]}}}},
            )
            if runs and key in (runs[0]["state"]["state_details"].get("run_input_keyset") or {}).get("response", ""):
                run = waiting_run(client, runs[0]["id"])
                answer(client, run, Answer(approver, "CR-4", approve=True))
                return run
            time.sleep(0.5)
    raise AssertionError(f"{run_name} never waited for {key}")


def prod_pins(repo: str) -> list[str]:
    return [pin.commit for pin in GitOpsRepo(repo).history("overlays/prod", "odoo", limit=5)]


def find_served(client, ref: str, runner: subprocess.Popen):
    for _ in range(240):
        try:
            return find_deployment(client, ref)
        except InputError:
            assert runner.poll() is None, runner.communicate()[1][-3000:]
            time.sleep(0.5)
    raise AssertionError(f"{ref} was never served")


def scheduled_runs(api: httpx.Client, deployment: dict) -> list[dict]:
    """Two runs its schedule created, as the scheduler does every night (they start at 02:00 unless moved)."""
    call(api, "POST", f"/deployments/{deployment['id']}/schedule", json={"min_runs": 2})
    runs = call(
        api,
        "POST",
        "/flow_runs/filter",
        json={
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}, "tags": {"all_": ["auto-scheduled"]}},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 2,
        },
    )
    assert len(runs) == 2 and all(run["auto_scheduled"] and run["created_by"]["type"] == "SCHEDULE" for run in runs), runs
    return runs


def start_now(api: httpx.Client, run_id: str) -> None:
    now = datetime.now(UTC).isoformat()
    call(
        api,
        "POST",
        f"/flow_runs/{run_id}/set_state",
        json={"state": {"type": "SCHEDULED", "name": "Scheduled", "state_details": {"scheduled_time": now}}, "force": True},
    )


def paused(api: httpx.Client, run_id: str) -> bool:
    return any(state["type"] == "PAUSED" for state in call(api, "GET", "/flow_run_states/", params={"flow_run_id": run_id}))


def call(api: httpx.Client, method: str, path: str, **kwargs):
    response = api.request(method, path, **kwargs)  # api is rest.prefect's: a busy server's 503 is asked again
    assert response.status_code < 300, response.text
    return response.json() if response.content else None
