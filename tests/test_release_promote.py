"""Promotion by digest through a real registry, a real GitOps repository and an HTTP stand-in for Odoo."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from blocks import catalogue
from blocks.stores import open_store
from formwork.backup import catalog
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError, OperationError
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.migration import MODULES
from formwork.release.registry import Registry
from tests.support import rest
from tests.support.approvals import resume_paused
from tests.support.clusters import create_database, drop_database
from tests.support.gitops import make_gitops_repo
from tests.support.odoo_standin import OdooStandIn
from tests.support.registry import push_synthetic_image

CHAIN = ("dev", "test", "staging", "prod")


def calendar(tmp_path, frozen_now: bool) -> str:
    """A company calendar; with `frozen_now`, a one-off freeze around this very moment."""
    start = datetime.now(UTC) - (timedelta(hours=1) if frozen_now else timedelta(days=400))
    path = tmp_path / "calendar.yaml"
    path.write_text(
        f"company: Northbridge Construction Ltd\ntimezone: Europe/London\nfreezes:\n  one_off:\n"
        f'    - {{from: "{start:%Y-%m-%dT%H:%M}+00:00", until: "{start + timedelta(hours=3):%Y-%m-%dT%H:%M}+00:00", reason: month-end close}}\n'
    )
    return str(path)


@pytest.fixture
def estate(pg, prefect_api, registry, tmp_path):
    """dev -> test -> staging -> prod, each an overlay in one GitOps repo and a repository in one registry."""
    repo = make_gitops_repo(tmp_path)
    odoo = OdooStandIn(repo)
    suffix = uuid.uuid4().hex[:6]
    names = {overlay: f"{overlay}-{suffix}" for overlay in CHAIN}
    upstream = None
    databases = {overlay: create_database(pg, f"odoo_{overlay}") for overlay in CHAIN}
    for overlay in CHAIN:
        catalogue.add(
            EnvironmentSpec(
                names[overlay],
                pg.dsn(databases[overlay]),
                production=overlay == "prod",
                base_url=odoo.base_url(overlay),
                backup_store=f"file://{tmp_path}/backups/{overlay}",
                gitops_repo=repo,
                gitops_overlay=f"overlays/{overlay}",
                image_repository=f"{registry.host}/odoo/{overlay}",
                promotes_from=upstream,
                release_calendar=calendar(tmp_path, frozen_now=False) if overlay == "prod" else None,
            )
        )
        upstream = names[overlay]
    yield names, repo, odoo
    odoo.stop()
    for database in databases.values():
        drop_database(pg, database)


def build(registry, tag: str, modules: dict[str, str] | None = None) -> str:
    labels = {MODULES: json.dumps(modules)} if modules else None
    return f"{registry.host}/odoo/build@{push_synthetic_image(registry.host, 'odoo/build', tag, content=tag.encode(), labels=labels)}"


def promote(image: str, to: str, **kwargs):
    from flows.promote import promote as promote_flow

    return promote_flow(image=image, to=to, **{"requested_by": "bob", "rollout_timeout": 10, **kwargs})


def test_the_same_digest_reaches_every_environment_with_the_approval_recorded(estate, registry):
    names, repo, odoo = estate
    image = build(registry, "ci-1")
    for overlay in CHAIN[:3]:
        assert promote(image, names[overlay]).outcome == "done"
    report = promote(image, names["prod"], approver="alice", change_reference="CR-1")
    digest = image.split("@")[1]
    assert report.outcome == "done"
    assert {odoo.running(overlay) for overlay in CHAIN} == {digest}
    with Registry(registry.host) as client:
        assert {client.resolve(f"odoo/{overlay}", names[overlay]) for overlay in CHAIN} == {digest}
    last = GitOpsRepo(repo).history("overlays/prod", "odoo", limit=1)[0]
    assert (
        last.trailers["Approved-by"] == "alice" and last.trailers["Requested-by"] == "bob" and last.trailers["Change"] == "CR-1"
    )
    assert last.trailers["From"] == names["staging"]


def test_production_takes_only_what_staging_runs(estate, registry):
    names, _, _ = estate
    image = build(registry, "ci-untested")
    with pytest.raises(InputError, match=f"is not what {names['staging']} runs"):
        promote(image, names["prod"], approver="alice", change_reference="CR-2")


def test_the_approver_must_not_be_who_asked_and_production_needs_a_change(estate, registry):
    names, _, _ = estate
    image = build(registry, "ci-2")
    for overlay in CHAIN[:3]:
        promote(image, names[overlay])
    with pytest.raises(InputError, match="must not be the person who asked"):
        promote(image, names["prod"], approver="bob", change_reference="CR-3")
    with pytest.raises(InputError, match="needs a change reference"):
        promote(image, names["prod"], approver="alice")


def test_a_freeze_names_the_next_slot_and_an_override_needs_two_approvers(estate, registry, tmp_path):
    names, repo, odoo = estate
    image = build(registry, "ci-3")
    for overlay in CHAIN[:3]:
        promote(image, names[overlay])
    prod = catalogue.load(names["prod"])
    prod.release_calendar = calendar(tmp_path, frozen_now=True)
    prod.save(names["prod"], overwrite=True)

    with pytest.raises(InputError, match="frozen for month-end close until .*; next open slot"):
        promote(image, names["prod"], approver="alice", change_reference="CR-4")
    with pytest.raises(InputError, match="needs two different approvers"):
        promote(
            image,
            names["prod"],
            approver="alice",
            change_reference="CR-4",
            emergency_reason="payroll bug",
            second_approver="alice",
        )
    report = promote(
        image, names["prod"], approver="alice", change_reference="CR-4", emergency_reason="payroll bug", second_approver="carol"
    )
    assert report.outcome == "done" and "EMERGENCY OVERRIDE of month-end close by alice and carol: payroll bug" in report.window
    assert odoo.running("prod") == image.split("@")[1]


def test_a_failed_rollout_is_rolled_back_to_the_previous_digest(estate, registry):
    names, repo, odoo = estate
    good, bad = build(registry, "ci-good"), build(registry, "ci-bad")
    promote(good, names["dev"])
    odoo.broken.add(bad.split("@")[1])
    with pytest.raises(OperationError, match="rolled back to " + good.split("@")[1]):
        promote(bad, names["dev"], rollout_timeout=2)  # the stand-in syncs at once: a broken digest never comes up
    assert odoo.running("dev") == good.split("@")[1]
    pins = GitOpsRepo(repo).history("overlays/dev", "odoo", limit=3)
    assert [p.digest for p in pins[:2]] == [good.split("@")[1], bad.split("@")[1]]
    assert pins[0].trailers["Rollback-of"] == bad.split("@")[1]


def test_a_promotion_holds_the_environment_lock_and_stops_when_it_is_switched_off(estate, registry, prefect_api):
    from prefect import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

    from tasks.concurrency import environment_limit

    names, repo, odoo = estate
    good, other = build(registry, "ci-locked-1"), build(registry, "ci-locked-2")
    promote(good, names["dev"])
    limit = environment_limit(names["dev"])
    with get_client(sync_client=True) as client:  # a lock that would not hold: the promotion must not go on without it
        client.update_global_concurrency_limit(limit, GlobalConcurrencyLimitUpdate(active=False))
    try:
        with pytest.raises(OperationError, match=f"concurrency limit '{limit}' is switched off"):
            promote(other, names["dev"])
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(limit)
    assert odoo.running("dev") == good.split("@")[1]
    assert GitOpsRepo(repo).current("overlays/dev") == good.split("@")[1]


def test_release_status_and_rollback_from_the_command_line(estate, registry, formwork_here, prefect_api):
    names, repo, odoo = estate
    first, second = build(registry, "ci-a"), build(registry, "ci-b")
    for image in (first, second):
        promote(image, names["dev"])
    status = formwork_here("release", "status")
    assert names["dev"] in status.stdout and second.split("@")[1][:19] in status.stdout, status.stderr
    rolled = formwork_here("release", "rollback", names["dev"], "--change", "INC-7")
    assert rolled.returncode == 0, rolled.stderr
    assert odoo.running("dev") == first.split("@")[1]
    assert (
        subprocess.run(["git", "-C", repo, "log", "-1", "--format=%B", "main"], capture_output=True, text=True).stdout.count(
            "INC-7"
        )
        == 1
    )
    assert f"{names['dev']}: pinned back to {first.split('@')[1]} (commit " in rolled.stdout, rolled.stdout
    [(state, report)] = runs_and_reports(prefect_api, f"release-rollback-{names['dev']}")  # a run, with its report
    assert state == "COMPLETED" and "**release rollback of " in report, report
    for expected in (
        f"rolled back from | {second.split('@')[1]}",
        f"rolled back to | {first.split('@')[1]}",
        "INC-7",
        "requested by",
    ):
        assert expected in report, expected


def runs_and_reports(prefect_api: str, run_name: str, key: str = "release-rollback-report") -> list[tuple[str, str]]:
    """The state and the report of each run named `run_name`, oldest first, read over the Prefect API."""

    with rest.prefect(prefect_api) as api:
        runs = api.post("/flow_runs/filter", json={"flow_runs": {"name": {"any_": [run_name]}}, "sort": "START_TIME_ASC"}).json()
        found = []
        for run in runs:
            artifacts = api.post(
                "/artifacts/filter", json={"flow_runs": {"id": {"any_": [run["id"]]}}, "artifacts": {"key": {"any_": [key]}}}
            ).json()
            found.append((run["state"]["type"], artifacts[0]["data"] if artifacts else ""))
    return found


def prod_pins(repo: str) -> list[str]:
    return [pin.commit for pin in GitOpsRepo(repo).history("overlays/prod", "odoo", limit=5)]


def test_a_production_rollback_waits_for_an_approver_other_than_the_requester(estate, prefect_api):
    import threading

    from flows.approval import Rejected
    from flows.release_rollback import release_rollback

    names, repo, odoo = estate
    prod, gitops = names["prod"], GitOpsRepo(repo)
    first, second = (f"sha256:{c * 64}" for c in "ab")
    for digest in (first, second):
        gitops.pin("overlays/prod", digest, new_name="odoo/prod", message=f"pin {digest}", trailers={})
    before = prod_pins(repo)

    def rollback(**given):
        return release_rollback(environment=prod, requested_by="bob", **given)

    with pytest.raises(InputError, match=rf"^roll back {prod}: the approver \(Bob\) must not be the person who asked"):
        rollback(approver="Bob", change_reference="INC-1")
    with pytest.raises(InputError, match=rf"^roll back {prod}: a production release needs a change reference$"):
        rollback(approver="alice")
    assert prod_pins(repo) == before

    outcome: dict = {}

    def in_the_background() -> None:
        try:
            outcome["report"] = rollback()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    answers = (
        {"approver": "carol", "change_reference": "INC-2", "approve": False, "reason": "not during close"},
        {"approver": "alice", "change_reference": "INC-3", "approve": True},
    )
    for answer in answers:
        worker = threading.Thread(target=in_the_background)
        worker.start()
        resume_paused(prefect_api, f"release-rollback-{prod}", answer)
        worker.join(timeout=120)
        if not answer["approve"]:
            assert isinstance(outcome.pop("error"), Rejected) and prod_pins(repo) == before  # rejected: nothing changed
    assert outcome["report"].outcome == "done" and odoo.running("prod") == first
    last = gitops.history("overlays/prod", "odoo", limit=1)[0]
    assert (
        last.trailers["Rollback-of"],
        last.trailers["Approved-by"],
        last.trailers["Change"],
        last.trailers["Requested-by"],
    ) == (second, "alice", "INC-3", "bob")
    reports = runs_and_reports(prefect_api, f"release-rollback-{prod}")
    assert [state for state, _ in reports] == ["FAILED", "FAILED", "FAILED", "COMPLETED"]
    assert "rejected by carol (INC-2): not during close; nothing changed" in reports[2][1]
    assert "approved by alice through the approval form" in reports[3][1]


def test_production_waits_for_a_typed_approval_from_someone_else(estate, registry, prefect_api):
    import threading

    names, _, odoo = estate
    image = build(registry, "ci-paused")
    for overlay in CHAIN[:3]:
        promote(image, names[overlay])
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["report"] = promote(image, names["prod"])
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    for approver, expected in (("bob", "must not be the person who asked"), ("alice", None)):
        worker = threading.Thread(target=run)
        worker.start()
        resume_paused(
            prefect_api, f"promote-to-{names['prod']}", {"approver": approver, "change_reference": "CR-9", "approve": True}
        )
        worker.join(timeout=120)
        if expected:
            assert expected in str(outcome.pop("error")) and odoo.running("prod") != image.split("@")[1]
        else:
            assert outcome["report"].outcome == "done" and outcome["report"].approver == "alice"
            assert odoo.running("prod") == image.split("@")[1]


def test_a_schema_change_waits_for_a_database_approval_and_takes_a_backup_first(estate, registry, tmp_path):
    names, repo, odoo = estate
    first = build(registry, "mod-1", modules={"fw_retainage": "17.0.1.0.0", "fw_payroll": "17.0.2.0.0"})
    second = build(registry, "mod-2", modules={"fw_retainage": "17.0.1.1.0", "fw_payroll": "17.0.2.0.0"})
    promote(first, names["dev"])
    with pytest.raises(InputError, match=r"database-change approver \(bob\) must not be"):
        promote(second, names["dev"], database_approver="bob")
    report = promote(second, names["dev"], database_approver="dana")
    assert report.outcome == "done" and report.schema_changes == ["fw_retainage 17.0.1.0.0 → 17.0.1.1.0"]
    assert [m.id for m in catalog.read(open_store(f"file://{tmp_path}/backups/dev"), names["dev"]).complete] == [
        report.checkpoint
    ]
    last = GitOpsRepo(repo).history("overlays/dev", "odoo", limit=1)[0]
    assert last.trailers["Database-approved-by"] == "dana" and last.trailers["Backup-checkpoint"] == report.checkpoint
    assert odoo.running("dev") == second.split("@")[1]
