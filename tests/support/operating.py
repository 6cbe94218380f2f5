"""The shipped operating surface in tests: a Prefect server behind basic auth, as the local stack runs it,
and the `formwork` command pointed at it the way an operator's shell is."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import httpx
import psycopg

from formwork.postgres_cluster import free_port
from local.prefect_server import LocalPrefectServer
from local.stack import LocalStack
from tests.support import rest
from tests.support.cli import FORMWORK, checkout_env


def start_stack_server(home: Path) -> tuple[LocalStack, LocalPrefectServer]:
    """The stack's own Prefect server (its settings, its auth string) on a free port; PostgreSQL is not started."""
    with mock.patch.dict(os.environ, {"FORMWORK_HOME": str(home), "FORMWORK_PREFECT_PORT": str(free_port())}):
        stack = LocalStack(home)
    stack.prefect.start()
    return stack, stack.prefect


class Shell:
    """`formwork ...` as typed in a shell that sourced the stack's client.env (plus `extra`)."""

    def __init__(self, server: LocalPrefectServer, cwd: Path, extra: dict[str, str] | None = None):
        self.server, self.cwd = server, cwd
        self.env = checkout_env({**os.environ, **server.client_env(), **(extra or {})})

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([*FORMWORK, *args], capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=timeout)

    def background(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*FORMWORK, *args],
            env=self.env,
            cwd=self.cwd,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def api(self) -> httpx.Client:
        user, _, password = self.server.auth_string.partition(":")
        return rest.prefect(self.server.api_url, auth=(user, password))


@contextmanager
def as_client(server: LocalPrefectServer):
    """Prefect calls in this process (blocks, environments) go to `server`, with its credentials.

    Prefect's event and log workers are process-wide and keep the server they started with: they are
    drained on the way in and out, else this process's later flows send their events to a stopped server
    and the session's server never records their task runs."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    _drain_prefect_workers()
    with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: server.auth_string}):
        try:
            yield
        finally:
            _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    EventsWorker.drain_all()
    APILogWorker.drain_all()


def add_pair(
    server: LocalPrefectServer, pg, pg_other, seeded_source, tmp_path: Path, prod_dsn: str | None = None, **prod_options
):
    """(prod, staging, staging's database) on `server`: the seeded source as production, an empty staging on the other cluster."""
    from blocks import catalogue
    from formwork.environments import EnvironmentSpec

    source, files = seeded_source
    prod, staging, db = f"p-{uuid.uuid4().hex[:6]}", f"s-{uuid.uuid4().hex[:6]}", f"stg_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    with as_client(server):
        catalogue.add(
            EnvironmentSpec(prod, prod_dsn or pg.dsn(source), filestore=f"file://{files}", production=True, **prod_options)
        )
        catalogue.add(
            EnvironmentSpec(
                staging, pg_other.dsn(db), filestore=f"file://{tmp_path}/filestore/{db}", base_url="https://staging.example.com"
            )
        )
    return prod, staging, db


def wait_until_paused(api: httpx.Client, run_name: str, waiting: subprocess.Popen, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = api.post(
            "/flow_runs/filter", json={"flow_runs": {"name": {"any_": [run_name]}, "state": {"type": {"any_": ["PAUSED"]}}}}
        )
        if runs.json():
            return runs.json()[0]
        if waiting.poll() is not None:
            raise AssertionError(f"{run_name} ended before it paused: {waiting.communicate()[1][-3000:]}")
        time.sleep(0.5)
    raise AssertionError(f"{run_name} never paused for approval")


def wait_until_final(api: httpx.Client, run_id: str, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = api.get(f"/flow_runs/{run_id}").json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish: {run['state']['name']}")


def everything_logged(api: httpx.Client) -> str:
    """Every log line and every artifact the server holds, as one text."""
    texts = []
    for path, body in (("/logs/filter", {}), ("/artifacts/filter", {})):
        offset = 0
        while True:
            page = api.post(path, json={**body, "limit": 200, "offset": offset}).json()
            texts += [
                str(item.get("message") or "") + str(item.get("data") or "") + str(item.get("description") or "") for item in page
            ]
            if len(page) < 200:
                break
            offset += 200
    return "\n".join(texts)
