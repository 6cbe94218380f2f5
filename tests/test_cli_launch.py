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
    listed = subprocess.run(
        [*FORMWORK, "env", "list"],
        env=checkout_env({**env, "FORMWORK_HOME": str(home), "PREFECT_HOME": str(tmp_path / "ph")}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert name in listed.stdout
    assert "temporary server" not in listed.stderr and "telemetry" not in listed.stderr, listed.stderr


def test_the_estates_status_reads_without_importing_boto3(prefect_api, pg, tmp_path):
    """boto3 costs a command 0.15 s of its 2 s budget: imported when an s3:// URL is opened, not before."""
    name = f"status-{uuid.uuid4().hex[:6]}"
    catalogue.add(EnvironmentSpec(name, pg.dsn("postgres"), backup_store=f"file://{tmp_path}/backups"))
    try:
        shown = subprocess.run(
            [
                *FORMWORK[:1],
                "-c",
                f"import sys\nfrom cli.main import main\ncode = main(['status', {name!r}])\n"
                "print(code, 'boto3' in sys.modules, file=sys.stderr)",
            ],
            env=checkout_env({**os.environ, "PREFECT_API_URL": prefect_api}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        catalogue.remove(name)
    assert name in shown.stdout, shown.stderr
    assert shown.stderr.strip().splitlines()[-1].endswith(" False"), shown.stderr


def test_the_first_command_starts_the_embedded_server_once_and_later_commands_reuse_it(tmp_path):
    from formwork.postgres_cluster import free_port
    from local.stack import LocalStack

    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(FORMWORK_HOME=str(home), FORMWORK_PREFECT_PORT=str(free_port()), PREFECT_HOME=str(tmp_path / "ph"))
    env.pop("FORMWORK_AUTOSTART", None)
    try:
        first = subprocess.run([*FORMWORK, "env", "list"], env=checkout_env(env), capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        assert "starting the embedded Prefect server" in first.stderr
        assert "no environments yet" in first.stdout
        server = LocalStack(home).prefect
        pid = server.daemon.pid()
        assert pid is not None and server.healthy()
        again = subprocess.run([*FORMWORK, "env", "list"], env=checkout_env(env), capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert "starting" not in again.stderr and "temporary server" not in again.stderr, again.stderr
        assert server.daemon.pid() == pid
    finally:
        LocalStack(home).prefect.stop()


def test_the_command_list_shows_each_commands_own_summary_without_importing_prefect():
    """`formwork --help` lists the commands from cli.main's summaries, not by importing them (and Prefect)."""
    from cli.main import COMMANDS, cli

    for name, (_, summary) in COMMANDS.items():
        assert summary == cli.get_command(None, name).get_short_help_str(limit=1000), name
    listed = subprocess.run(
        [*FORMWORK, "--help"], env=checkout_env(os.environ), capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert all(f"  {name} " in listed for name in COMMANDS)
    shown = subprocess.run(
        [
            *FORMWORK[:1],
            "-c",
            "import sys, runpy; sys.argv = ['formwork', '--help']\n"
            "try:\n    runpy.run_module('cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('prefect' in sys.modules, file=sys.stderr)",
        ],
        env=checkout_env(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stderr.strip().splitlines()[-1] == "False", shown.stderr
