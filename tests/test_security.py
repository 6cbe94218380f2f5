"""The shipped stack's API refuses strangers, and no secret ever reaches a log, an artifact or the terminal."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys

import httpx
import pytest

from tests.support.operating import Shell, add_pair, everything_logged, wait_until_paused

pytestmark = pytest.mark.slow


def test_the_api_refuses_calls_without_the_stacks_auth_string(secured_prefect, tmp_path):
    stack, server = secured_prefect
    settings = stack.settings_file
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    auth = json.loads(settings.read_text())["prefect_auth"]
    assert auth == server.auth_string and len(auth) > 20
    user, _, password = auth.partition(":")

    assert httpx.post(f"{server.api_url}/flow_runs/filter", json={}).status_code == 401
    assert httpx.post(f"{server.api_url}/flow_runs/filter", json={}, auth=(user, password + "x")).status_code == 401
    assert httpx.post(f"{server.api_url}/flow_runs/filter", json={}, auth=(user, password)).status_code == 200
    assert httpx.get(f"{server.api_url}/health").status_code == 200  # liveness probes need no credentials

    stranger = Shell(server, tmp_path, {"PREFECT_API_AUTH_STRING": ""})
    refused = stranger("pending")
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [
        "formwork: the Prefect API refused the credentials: set PREFECT_API_AUTH_STRING=user:password (or PREFECT_API_KEY)"]
    assert Shell(server, tmp_path)("pending").returncode == 0


def test_no_secret_in_the_logs_or_artifacts_of_a_refresh_and_a_drill(secured_prefect, pg, pg_other, seeded_source, s3_server, s3_bucket,
                                                                    tmp_path):
    _, server = secured_prefect
    token = secrets.token_hex(6)
    db_password, webhook = f"pw-{token}-db", f"http://127.0.0.1:9/hooks/{token}-webhook"
    s3_key, s3_secret = f"AKIA{token.upper()}", f"s3-{token}-secret-key"
    shell = Shell(server, tmp_path, {"AWS_ACCESS_KEY_ID": s3_key, "AWS_SECRET_ACCESS_KEY": s3_secret})
    shell.env.pop("FORMWORK_MASKING_SALT", None)  # the salt comes from its Secret block, made on first use
    assert shell("store", "add-s3", s3_bucket, "--endpoint-url", s3_server.endpoint).returncode == 0
    outputs = []
    prod_dsn = f"postgresql://postgres:{db_password}@127.0.0.1:{pg.port}/{seeded_source[0]}"
    prod, staging, _ = add_pair(shell, pg, pg_other, seeded_source, tmp_path, prod_dsn,
                                "--backup-store", f"s3://{s3_bucket}/backups", "--alert-webhook", webhook, "--tier", "1")

    waiting = shell.background("refresh", prod, staging, "--change", "CR-SEC-1")
    with shell.api() as api:
        paused = wait_until_paused(api, f"refresh-{prod}-to-{staging}", waiting)
    listed = shell("pending")
    assert listed.returncode == 0 and f"refresh/refresh-{prod}-to-{staging}" in listed.stdout, listed.stderr
    assert f"Refresh {staging} from {prod}" in listed.stdout and server.ui_url + "/runs/flow-run/" + paused["id"] in listed.stdout
    approved = shell("approve", paused["id"], "--approver", "alice", "--change", "CR-SEC-1", timeout=300)
    assert approved.returncode == 0 and f"refresh-{prod}-to-{staging}: completed" in approved.stdout, approved.stderr[-3000:]
    refreshed = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and f"refresh {prod} -> {staging}: done" in refreshed[0], refreshed[1][-3000:]
    outputs += [listed, approved, subprocess.CompletedProcess([], 0, *refreshed)]
    for args in (("backup", prod), ("drill", prod)):
        outputs.append(shell(*args, timeout=300))
        assert outputs[-1].returncode == 0, outputs[-1].stderr[-3000:]
    assert "PASSED" in outputs[-1].stdout

    with shell.api() as api:
        recorded = everything_logged(api)
        salt = _masking_salt(server)
    for evidence in ("## Masked", "Approved by", "alice", "RPO", "backup files match the manifest"):
        assert evidence in recorded, evidence  # the reports and logs were read, not an empty page
    seen = {"logs and artifacts": recorded, "server log": server.logfile.read_text(errors="replace"),
            "terminal": "\n".join(o.stdout + o.stderr for o in outputs)}
    for name, value in {"database password": db_password, "masking salt": salt, "S3 access key": s3_key, "S3 secret key": s3_secret,
                        "alert webhook": webhook, "Prefect auth string": server.auth_string}.items():
        for where, text in seen.items():
            assert value not in text, f"the {name} appears in the {where}"


def _masking_salt(server) -> str:
    """Read back the salt the refresh created, as a client with the credentials would."""
    code = "from blocks.masking_salt import BLOCK_NAME; from prefect.blocks.system import Secret; print(Secret.load(BLOCK_NAME).get())"
    env = {**os.environ, **server.client_env()}
    env.pop("FORMWORK_MASKING_SALT", None)
    salt = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert salt.returncode == 0 and len(salt.stdout.strip()) >= 16, salt.stderr[-2000:]
    return salt.stdout.strip()
