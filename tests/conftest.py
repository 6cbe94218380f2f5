"""Shared fixtures: real PostgreSQL clusters, a real S3 API, a real Prefect server."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest

from tests.support.clusters import ClusterPool, create_database, drop_database
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, MotoServer

ROOT = Path(__file__).resolve().parent.parent
# A command run without PREFECT_API_URL would start a background Prefect server that outlives the test;
# tests/test_cli_launch.py asks for that on purpose.
os.environ.setdefault("FORMWORK_AUTOSTART", "0")


def pytest_collection_modifyitems(items):
    """Heaviest files first (tests/support/scheduling.py), then the other slow ones; within a file, the order it
    was written in."""
    from tests.support.scheduling import rank

    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (rank(item.nodeid), item.path not in slow_files))  # a file stays in one piece


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # xdist would order the files by their number of tests
        config.option.loadscopereorder = False


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") == "loadfile":
        from tests.support.scheduling import HeaviestFirst

        return HeaviestFirst(config, log)
    return None


@pytest.fixture(scope="session", autouse=True)
def production_catalogue():
    """The production guard reads the environments of the test's Prefect server; with none configured (library
    tests), there are no environments, rather than an ephemeral server started per process."""
    from prefect.settings import PREFECT_API_URL

    from blocks import catalogue
    from formwork import production_guard

    production_guard.use_catalogue(lambda: catalogue.known_environments() if PREFECT_API_URL.value() else [])
    yield
    production_guard.use_catalogue(None)


@pytest.fixture(scope="session")
def clusters():
    pool = ClusterPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def pg(clusters):
    """The main throwaway cluster."""
    return clusters.start("main")


@pytest.fixture(scope="session")
def pg_other(clusters):
    """A second cluster, for source and target that must be different servers."""
    return clusters.start("other")


@pytest.fixture
def database(pg):
    """A fresh empty database on the main cluster; its name."""
    name = create_database(pg)
    yield name
    drop_database(pg, name)


@pytest.fixture(scope="session")
def seeded_source(pg, tmp_path_factory):
    """A scale-1 seeded database ('source') and its filestore, for tests that work on copies."""
    from tests.support.seeded import seed

    filestore = tmp_path_factory.mktemp("source-filestore")
    seed(pg, "source", filestore)
    return "source", filestore


@pytest.fixture(scope="session")
def odoo(pg, tmp_path_factory):
    """Real Odoo 17 and its template database on `pg` (tests/support/odoo.py). Without Odoo the test skips saying why;
    under FORMWORK_REQUIRE_ODOO=1 (.ci/run, when ../shared/odoo exists) it fails instead."""
    from tests.support.odoo import Odoo, OdooUnavailable, find_odoo

    try:
        odoo_bin = find_odoo()
    except OdooUnavailable as exc:
        (pytest.fail if os.environ.get("FORMWORK_REQUIRE_ODOO") == "1" else pytest.skip)(f"no real Odoo: {exc}")
    odoo = Odoo(odoo_bin, pg, tmp_path_factory.mktemp("odoo"))
    odoo.prepare()
    return odoo


@pytest.fixture(scope="session")
def odoo_served(odoo):
    """One real Odoo for the whole session serving every copy of the template (`odoo.copy`, `odoo_copy`), each under
    its own host name (tests/support/odoo_results.py): each boot costs 15-25 s of the suite. (base URL, log file)."""
    from tests.support.odoo_results import serving_all

    with serving_all(odoo, odoo.workdir / "copies") as served:  # where odoo.copy puts every copy
        yield served


@pytest.fixture
def odoo_copy(odoo):
    """A fresh copy of the real Odoo template (database and filestore), dropped afterwards."""
    copy = odoo.copy()
    yield copy
    odoo.drop(copy)


@pytest.fixture(scope="session")
def s3_server():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server):
    name = f"fw-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def prefect_api():
    """A Prefect server for the whole session; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()


@pytest.fixture(autouse=True)
def environments_of_the_test(request):
    """Environments a test registers on the session's Prefect server are removed after it: one test's production
    environment (unreachable, or on a database a later test writes) must not make the production guard refuse
    another test's writes."""
    if "prefect_api" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("prefect_api")
    from blocks import catalogue

    before = set(catalogue.all_environments())
    yield
    for name in set(catalogue.all_environments()) - before:
        catalogue.remove(name)


@pytest.fixture
def run_formwork(prefect_api, tmp_path):
    """Run the `formwork` command as a user would: a subprocess running what the console script runs."""

    from tests.support.cli import FORMWORK, checkout_env

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path / "prefect-home")}
        full_env.update(env or {})
        return subprocess.run(
            [*FORMWORK, *args],
            capture_output=True,
            text=True,
            env=checkout_env(full_env),
            timeout=timeout,
            cwd=tmp_path,
        )

    return run


@pytest.fixture
def formwork_here(prefect_api, capsys):
    """Like run_formwork, in this process (tests/support/cli.py): for refusals and reads, a process each cost the
    suite about two seconds of importing Prefect."""
    from tests.support.cli import in_process

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return in_process(capsys, *args, env=env)

    return run


@pytest.fixture(scope="session")
def registry():
    """A real OCI registry (docker-registry 2.8) on 127.0.0.1 for the whole session."""
    from tests.support.registry import RegistryServer, registry_binary

    if registry_binary() is None:
        installed = subprocess.run([str(ROOT / "tools" / "ensure-registry.sh")], check=False, capture_output=True, text=True)
        if registry_binary() is None:
            reason = (installed.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"docker-registry not found and tools/ensure-registry.sh could not install it: {reason}")
    server = RegistryServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secured_prefect(tmp_path_factory):
    """The local stack's Prefect server, behind its generated basic-auth string, for the whole session."""
    from tests.support.operating import start_stack_server

    stack, server = start_stack_server(tmp_path_factory.mktemp("stack") / ".formwork")
    yield stack, server
    server.stop()
