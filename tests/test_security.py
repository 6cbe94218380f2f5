"""The shipped stack's Prefect API refuses callers without its auth string (the secrets grep is in test_operating_surface)."""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from tests.support.operating import Shell

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

    refused = Shell(server, tmp_path, {"PREFECT_API_AUTH_STRING": ""})("pending")
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [
        "formwork: the Prefect API refused the credentials: set PREFECT_API_AUTH_STRING=user:password (or PREFECT_API_KEY)"
    ]
