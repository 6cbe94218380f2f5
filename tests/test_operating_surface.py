"""The operating surface end to end, on the stack's own Prefect server (basic auth on):
a refresh waits, `formwork pending` shows it, an approver logs in to the real Prefect UI in headless
Chromium and approves it in the form, the run completes; then a backup and a drill. Nothing any of
them logged, reported or printed contains a secret they used."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from tests.support import browser
from tests.support.operating import Shell, add_pair, as_client, everything_logged, wait_until_final, wait_until_paused

pytestmark = pytest.mark.slow


def test_a_refresh_approved_in_the_prefect_ui_completes_and_no_secret_is_left_behind(
    secured_prefect, pg, pg_other, seeded_source, tmp_path
):
    if browser.unavailable():
        pytest.skip(browser.unavailable())
    _, server = secured_prefect
    token = secrets.token_hex(6)
    db_password, webhook = f"pw-{token}-db", f"http://127.0.0.1:9/hooks/{token}-webhook"
    prod, staging, _ = add_pair(
        server,
        pg,
        pg_other,
        seeded_source,
        tmp_path,
        f"postgresql://postgres:{db_password}@127.0.0.1:{pg.port}/{seeded_source[0]}",
        backup_store=f"file://{tmp_path}/backups",
        alert_webhook=webhook,
        tier=1,
        scratch_dsn=pg_other.dsn(),
    )
    shell = Shell(server, tmp_path)
    shell.env.pop("FORMWORK_MASKING_SALT", None)  # the salt comes from its Secret block, made on first use

    waiting = shell.background("refresh", prod, staging)
    with shell.api() as api:
        paused = wait_until_paused(api, f"refresh-{prod}-to-{staging}", waiting)
        listed = shell("pending")
        assert listed.returncode == 0 and f"refresh/refresh-{prod}-to-{staging}" in listed.stdout, listed.stderr
        assert f"waits for   Refresh {staging} from {prod}" in listed.stdout
        assert f"{server.ui_url}/runs/flow-run/{paused['id']}" in listed.stdout

        with browser.browser_page() as page:
            browser.approve_in_ui(page, server.ui_url, server.auth_string, paused["id"], "ui-approver", "CR-UI-42")
        final = wait_until_final(api, paused["id"])
        assert final["state"]["type"] == "COMPLETED", final["state"]
        refreshed = subprocess.CompletedProcess([], waiting.wait(timeout=120), *waiting.communicate())
        assert refreshed.returncode == 0 and f"refresh {prod} -> {staging}: done" in refreshed.stdout, refreshed.stderr[-3000:]
        report = api.post(
            "/artifacts/filter",
            json={"flow_runs": {"id": {"any_": [paused["id"]]}}, "artifacts": {"key": {"any_": ["refresh-report"]}}},
        )
        assert "ui-approver" in report.text and "CR-UI-42" in report.text

        outputs = [listed, refreshed] + [shell(*args) for args in (("backup", prod), ("drill", prod))]
        assert outputs[-1].returncode == 0 and "PASSED" in outputs[-1].stdout, (
            outputs[-2].stderr[-2000:] + outputs[-1].stderr[-2000:]
        )
        shown = shell("status", prod, staging)
        assert shown.returncode == 0 and "2 environments: 2 inside, 0 at risk, 0 outside" in shown.stdout, (
            shown.stdout + shown.stderr
        )
        with as_client(server):
            _posture_report([prod, staging])
        [artifact] = api.post(
            "/artifacts/filter", json={"artifacts": {"key": {"any_": ["posture-report"]}}, "limit": 1, "sort": "CREATED_DESC"}
        ).json()
        with browser.browser_page() as page:  # the posture report and its charts, as the UI shows them
            browser.log_in(page, server.ui_url, server.auth_string, f"/artifacts/artifact/{artifact['id']}")
            page.get_by_text("Estate posture").first.wait_for()
            page.locator("img[src^='data:image/png']").first.wait_for()
            assert page.locator("img[src^='data:image/png']").count() == 2
        recorded = everything_logged(api)
    with as_client(server):
        salt = _masking_salt()

    for evidence in ("## Masked", "ui-approver", "RPO", "backup files match the manifest", f"# Refresh {prod} → {staging}"):
        assert evidence in recorded, evidence  # the reports and logs were read, not an empty page
    seen = {
        "logs and artifacts": recorded,
        "server log": server.logfile.read_text(errors="replace"),
        "terminal": "\n".join(o.stdout + o.stderr for o in outputs),
    }
    for name, value in {
        "database password": db_password,
        "masking salt": salt,
        "alert webhook": webhook,
        "Prefect auth string": server.auth_string,
    }.items():
        for where, text in seen.items():
            assert value not in text, f"the {name} appears in the {where}"


def _posture_report(names: list[str]) -> None:
    from flows.posture import posture

    assert [record["state"] for record in posture(names=names)] == ["inside", "inside"]


def _masking_salt() -> str:
    from prefect.blocks.system import Secret

    from blocks.masking_salt import BLOCK_NAME

    salt = Secret.load(BLOCK_NAME).get()
    assert len(salt) >= 16
    return salt
