"""A command finds the embedded stack's running Prefect server by itself: no file to source, no temporary server."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from urllib.parse import urlsplit

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from tests.support.cli import FORMWORK, checkout_env


def test_a_command_without_prefect_api_url_uses_the_running_embedded_server(prefect_api, pg, tmp_path):
    home = tmp_path / "home"
    (home / "prefect").mkdir(parents=True)
    (home / "stack.json").write_text(json.dumps({"prefect_port": urlsplit(prefect_api).port, "prefect_auth": ""}))
    (home / "prefect" / "server.pid").write_text(str(os.getpid()))  # a live process: the server the stack started
    name = f"launch-{uuid.uuid4().hex[:6]}"
    catalogue.add(EnvironmentSpec(name, pg.dsn("postgres")))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    listed = subprocess.run([*FORMWORK, "env", "list"], env=checkout_env({**env, "FORMWORK_HOME": str(home), "PREFECT_HOME": str(tmp_path / "ph")}),
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert name in listed.stdout
    assert "temporary server" not in listed.stderr and "telemetry" not in listed.stderr, listed.stderr
