"""Secrets stay secret, locks hold, S3 speaks in one line: hostile input against the real parts.

Passwords never reach a repr, a message or a command line (`ps` shows argv to every
user of the host); the pgBackRest archive_command survives awkward paths or refuses
them; bucket settings never land on the wrong bucket; a concurrency limit exists
from its first use, deployed or not.
"""

from __future__ import annotations

import base64
import io
import os
import shlex
import shutil
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from prefect.blocks.system import Secret

from formwork.errors import InputError, OperationError
from tests.support.cli import command_line as formwork
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, MotoServer

PASSWORD = "Pa55-w0rd-never-printed"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- reprs and messages -----------------------------------------------------------------------


def test_no_password_in_reprs_or_redacted_uris():
    from formwork.dsn import parse_dsn, redact
    from formwork.environments import EnvironmentSpec
    from formwork.postgres_cluster import LocalCluster

    spec = parse_dsn(f"postgresql://odoo:{PASSWORD}@db.internal:5433/erp?sslmode=require")
    assert spec.password == PASSWORD
    given = EnvironmentSpec(
        "erp", f"postgresql://odoo:{PASSWORD}@db/erp", password=PASSWORD, alert_webhook=f"https://hooks.example/{PASSWORD}"
    )
    for shown in (
        repr(spec),
        str(spec),
        repr([spec]),
        repr(spec.on("postgres")),
        repr(LocalCluster(Path("/srv/pg"), 5432, PASSWORD)),
        repr(given),
    ):
        assert PASSWORD not in shown, shown
    assert "db.internal" in repr(spec) and "erp" in repr(spec)

    assert (
        redact(f"postgresql://db/erp?password={PASSWORD}&sslmode=require") == "postgresql://db/erp?password=***&sslmode=require"
    )
    assert (
        redact(f"postgresql://db/erp?sslmode=require&sslpassword={PASSWORD}")
        == "postgresql://db/erp?sslmode=require&sslpassword=***"
    )
    assert redact(f"host=db password={PASSWORD} dbname=erp") == "host=db password=*** dbname=erp"
    with pytest.raises(InputError) as refused:
        parse_dsn(f"postgresql://db:notaport/erp?password={PASSWORD}")
    assert PASSWORD not in str(refused.value) and "password=***" in str(refused.value)


# -- env add: the password from stdin, a variable or a file -----------------------------------


@pytest.mark.parametrize("source", ["stdin", "env", "file"])
def test_env_add_takes_the_password_off_the_command_line(prefect_api, capsys, monkeypatch, tmp_path, source):
    from blocks import catalogue

    name = unique("pw")
    argv = ["env", "add", name, "--dsn", f"postgresql://odoo@db.internal:5433/{name}"]
    if source == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        argv.append("--password-stdin")
    elif source == "env":
        monkeypatch.setenv("FW_TEST_DB_PASSWORD", PASSWORD)
        argv += ["--password-env", "FW_TEST_DB_PASSWORD"]
    else:
        (tmp_path / "db-password").write_text(PASSWORD + "\n")
        argv += ["--password-file", str(tmp_path / "db-password")]
    code, out, err = formwork(capsys, *argv)
    try:
        assert code == 0, err
        assert PASSWORD not in " ".join(argv), "the password is on the command line"
        assert PASSWORD not in out + err
        assert Secret.load(catalogue.password_block_name(name)).get() == PASSWORD
        assert catalogue.load(name).connection().password == PASSWORD
    finally:
        catalogue.remove(name)


@pytest.mark.parametrize(
    "user, extra, needles",
    [
        (f"odoo:{PASSWORD}", ["--password-env", "FW_TEST_DB_PASSWORD"], ["--password-env", "--dsn", "one"]),
        ("odoo", ["--password-env", "FW_TEST_DB_PASSWORD", "--password-stdin"], ["--password-stdin", "--password-env"]),
        ("odoo", ["--password-env", "FW_TEST_UNSET_VARIABLE"], ["--password-env", "FW_TEST_UNSET_VARIABLE", "not set"]),
        ("odoo", ["--password-file", "/nonexistent/db-password"], ["--password-file", "/nonexistent/db-password"]),
        ("odoo", ["--password-stdin"], ["--password-stdin", "empty"]),
    ],
    ids=["dsn-and-variable", "two-sources", "unset-variable", "missing-file", "empty-stdin"],
)
def test_env_add_refuses_ambiguous_or_missing_passwords_and_saves_nothing(prefect_api, capsys, monkeypatch, user, extra, needles):
    from blocks import catalogue

    name = unique("pw")
    monkeypatch.setenv("FW_TEST_DB_PASSWORD", PASSWORD)
    monkeypatch.delenv("FW_TEST_UNSET_VARIABLE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = formwork(capsys, "env", "add", name, "--dsn", f"postgresql://{user}@db.internal/{name}", *extra)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and all(n in lines[0] for n in needles), err
    assert PASSWORD not in out + err
    assert not catalogue.exists(name)
    with pytest.raises(ValueError):
        Secret.load(catalogue.password_block_name(name))


def test_the_demo_passes_no_password_on_a_command_line(tmp_path):
    from demo.estate import Demo
    from local.stack import LocalStack

    stack = LocalStack(tmp_path / ".formwork")
    demo = Demo(stack)
    password = stack.postgres.password
    assert password
    for argv in (demo.env_add_args("prod", "prod", ["--tier", "1"]), demo.seed_args("prod")):
        assert password not in " ".join(argv), argv
    assert "--password-env" in demo.env_add_args("prod", "prod", [])
    variable = demo.env_add_args("prod", "prod", [])[demo.env_add_args("prod", "prod", []).index("--password-env") + 1]
    assert demo.env[variable] == password


# -- archive_command ----------------------------------------------------------------------------


def test_archive_command_quotes_its_paths():
    from blocks.pitr_protection import PitrProtection
    from formwork.pitr import config

    awkward = "/srv/pg backups/it's $HOME `x`/pgbackrest.conf"
    protection = PitrProtection(stanza="erp", repo_url="file:///srv/repo", pg_data="/srv/pg/data", config_path=awkward)
    command = config.archive_command(protection)
    assert shlex.split(command) == [config.pgbackrest_binary(), f"--config={awkward}", "--stanza=erp", "archive-push", "%p"]
    assert command.count("%") == 1  # PostgreSQL substitutes %p only


@pytest.mark.parametrize(
    "option, value",
    [
        ("--config", "/srv/pg/conf\narchive_command = 'rm -rf /'/pgbackrest.conf"),
        ("--config", "/srv/pg/%p/pgbackrest.conf"),
        ("--config", "/srv/pg/100%/pgbackrest.conf"),
        ("--pg-data", "/srv/pg/data\nrepo1-path=/tmp/elsewhere"),
    ],
    ids=["newline-config", "placeholder-config", "percent-config", "newline-pg-data"],
)
def test_archive_command_refuses_unsafe_paths_before_anything_is_saved(prefect_api, option, value):
    from blocks import pitr_protection as protection
    from blocks.odoo_environment import OdooEnvironment
    from formwork.pitr import config

    name = unique("arch")
    env = OdooEnvironment(db_host="127.0.0.1", db_port=5432, db_name="erp")
    paths = {"config_path": value} if option == "--config" else {"config_path": "/srv/pg/pgbackrest.conf", "pg_data": value}
    with pytest.raises(InputError) as refused:
        protection.declare(
            name,
            env,
            repo="file:///srv/repo",
            stanza="erp",
            pg_data=paths.get("pg_data", "/srv/pg/data"),
            config_path=paths["config_path"],
            managed=False,
        )
    message = str(refused.value)
    assert option in message and "\n" not in message, message
    assert protection.find(name) is None
    if option == "--config":
        from blocks.pitr_protection import PitrProtection

        with pytest.raises(InputError):
            config.archive_command(
                PitrProtection(stanza="erp", repo_url="file:///srv/repo", pg_data="/srv/pg/data", config_path=value)
            )


# -- S3 ---------------------------------------------------------------------------------------


def test_bucket_settings_for_dotted_and_dashed_names_do_not_collide(prefect_api, capsys, monkeypatch):
    from blocks.s3_store import S3Store
    from blocks.stores import open_store, s3_block_name

    tag = uuid.uuid4().hex[:8]
    dotted, dashed = f"prod.backups-{tag}", f"prod-backups-{tag}"
    assert s3_block_name(dotted) != s3_block_name(dashed)
    assert s3_block_name(f"a_b-{tag}") != s3_block_name(f"a-b-{tag}") != s3_block_name(f"A-b-{tag}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for bucket, port in ((dotted, 9001), (dashed, 9002)):
        code, out, err = formwork(capsys, "store", "add-s3", bucket, "--endpoint-url", f"http://127.0.0.1:{port}")
        assert code == 0, err
    assert open_store(f"s3://{dotted}/x").endpoint_url == "http://127.0.0.1:9001"
    assert open_store(f"s3://{dashed}/x").endpoint_url == "http://127.0.0.1:9002"

    S3Store(bucket=dotted, endpoint_url="http://127.0.0.1:9003").save(
        s3_block_name(dashed), overwrite=True
    )  # saved by hand, wrongly
    with pytest.raises(InputError) as refused:
        open_store(f"s3://{dashed}/x", option="--backup-store")
    assert dashed in str(refused.value) and dotted in str(refused.value)

    older = f"old.backups-{tag}"  # saved under the name of before (`s3-old-backups-...`): found, as its block names it
    S3Store(bucket=older, endpoint_url="http://127.0.0.1:9004").save(f"s3-old-backups-{tag}", overwrite=True)
    assert open_store(f"s3://{older}/x").endpoint_url == "http://127.0.0.1:9004"
    assert open_store(f"s3://old_backups-{tag}/x").endpoint_url is None  # same old name, another bucket: not its settings


def one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message, message
    return message


def test_a_missing_bucket_is_one_line_naming_bucket_and_action(s3_server, tmp_path):
    from tests.test_object_store import s3_store

    bucket = unique("fw-missing")
    store = s3_store(s3_server.endpoint, bucket)
    (tmp_path / "dump.bin").write_bytes(b"x" * 10)
    actions = {
        "write": lambda: store.put_bytes("a", b"x"),
        "read": lambda: store.get_bytes("a"),
        "check": lambda: store.exists("a"),
        "list": lambda: list(store.list()),
        "upload": lambda: store.put_file("a", tmp_path / "dump.bin"),
        "download": lambda: store.get_file("a", tmp_path / "back.bin"),
    }
    for action, call in actions.items():
        with pytest.raises(OperationError) as failed:
            call()
        message = one_line(failed.value)
        assert bucket in message and action in message and "NoSuchBucket" in message, message
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    assert bucket not in [b["Name"] for b in client.list_buckets()["Buckets"]]
    assert not (tmp_path / "back.bin").exists() and not list(tmp_path.glob(".tmp-*"))


@pytest.fixture(scope="module")
def s3_with_auth(monkeypatch_module):
    """A second moto server that checks every request's signature (no key is known to it)."""
    monkeypatch_module.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "0")
    server = MotoServer()
    monkeypatch_module.delenv("INITIAL_NO_AUTH_ACTION_COUNT")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_refused_keys_are_one_line_naming_bucket_and_action(s3_with_auth):
    from tests.test_object_store import s3_store

    store = s3_store(s3_with_auth.endpoint, "fw-locked")
    for action, call in {"write": lambda: store.put_bytes("a", b"x"), "list": lambda: list(store.list())}.items():
        with pytest.raises(OperationError) as failed:
            call()
        message = one_line(failed.value)
        assert "fw-locked" in message and action in message and "access denied" in message, message
        assert SECRET_KEY not in message


def test_no_credentials_at_all_is_one_line_naming_bucket_and_action(s3_server, monkeypatch, tmp_path):
    from blocks.s3_store import S3Store

    for variable in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    store = S3Store(bucket="fw-anonymous", endpoint_url=s3_server.endpoint, region="us-east-1")
    with pytest.raises(OperationError) as failed:
        store.put_bytes("a", b"x")
    message = one_line(failed.value)
    assert "fw-anonymous" in message and "write" in message and "no credentials" in message, message


def test_s3_failures_reach_the_command_line_as_one_line(prefect_api, s3_server, capsys):
    from pydantic import SecretStr

    from blocks import catalogue
    from blocks.s3_store import S3Store
    from blocks.stores import s3_block_name
    from formwork.environments import EnvironmentSpec

    name, bucket = unique("s3err"), unique("fw-gone")
    S3Store(
        bucket=bucket,
        endpoint_url=s3_server.endpoint,
        region="us-east-1",
        access_key_id=SecretStr(ACCESS_KEY),
        secret_access_key=SecretStr(SECRET_KEY),
    ).save(s3_block_name(bucket), overwrite=True)
    catalogue.add(EnvironmentSpec(name, f"postgresql://db.internal/{name}", backup_store=f"s3://{bucket}/backups"))
    try:
        code, out, err = formwork(capsys, "backups", "list", name)
        assert code == 1, (out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and bucket in lines[0] and "NoSuchBucket" in lines[0], err
    finally:
        catalogue.remove(name)


# -- git remotes with tokens ------------------------------------------------------------------


class _AuthRecorder(BaseHTTPRequestHandler):
    """Asks for basic auth, records what it gets, then refuses: enough for git to show what it sends."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        header = self.headers.get("Authorization")
        if header:
            self.seen.append(header)
            self.send_response(403)
        else:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="gitops"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_git_token_goes_through_a_credential_helper_never_argv_or_config(monkeypatch, tmp_path):
    from formwork.release.gitops.repository import GitOpsRepo

    server = ThreadingHTTPServer(("127.0.0.1", 0), _AuthRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log = tmp_path / "git-argv.log"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    real_git = shutil.which("git")
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {shlex.quote(str(log))}\nexec {shlex.quote(str(real_git))} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    token = "ghp_s3cr3tT0ken"
    _AuthRecorder.seen = []
    try:
        repo = GitOpsRepo(f"http://ci-bot:{token}@127.0.0.1:{server.server_port}/gitops.git", workdir=tmp_path / "clone")
        with pytest.raises(OperationError) as failed:
            repo.current("overlays/prod")
    finally:
        server.shutdown()
    message = one_line(failed.value)
    assert token not in message and f"127.0.0.1:{server.server_port}" in message, message
    assert _AuthRecorder.seen and base64.b64decode(_AuthRecorder.seen[-1].split()[1]).decode() == f"ci-bot:{token}"
    assert log.read_text().strip() and token not in log.read_text(), "the token was on a git command line"
    assert token not in (tmp_path / "clone" / ".git" / "config").read_text()
    assert token not in repr(repo)

    assert GitOpsRepo(f"https://{token}@git.example/o/r.git").remote == "https://git.example/o/r.git"
    assert GitOpsRepo("ssh://git@git.example/o/r.git").remote == "ssh://git@git.example/o/r.git"  # a user, no secret
    with pytest.raises(InputError) as refused:
        GitOpsRepo(f"ssh://git:{token}@git.example/o/r.git")
    assert token not in one_line(refused.value) and "ssh://" in str(refused.value)


# -- locks ------------------------------------------------------------------------------------


def test_locks_are_created_on_first_use_without_formwork_deploy(prefect_api):
    from prefect import get_client
    from prefect.concurrency.sync import concurrency
    from prefect.exceptions import ObjectNotFound

    from formwork.dsn import ConnectionSpec
    from tasks.concurrency import DEFAULT_SERVER_SLOTS, environment_limit, environment_lock, server_limit, server_slots

    name = unique("lock")
    server = ConnectionSpec(f"{name}.db.internal", 5432, "erp")
    limits = {environment_limit(name): 1, server_limit(server.host, server.port): DEFAULT_SERVER_SLOTS}
    with get_client(sync_client=True) as client:
        for limit in limits:
            with pytest.raises(ObjectNotFound):
                client.read_global_concurrency_limit_by_name(limit)
    try:
        with environment_lock(name, "test"), server_slots(server, why="test"):
            with get_client(sync_client=True) as client:
                for limit, slots in limits.items():
                    held = client.read_global_concurrency_limit_by_name(limit)
                    assert (held.limit, held.active_slots, held.active) == (slots, 1, True), (limit, held)
            with pytest.raises(TimeoutError):  # the environment's one slot is taken: a second job waits
                with concurrency(environment_limit(name), timeout_seconds=1, strict=True):
                    pass
    finally:
        with get_client(sync_client=True) as client:
            for limit in limits:
                client.delete_global_concurrency_limit_by_name(limit)


def test_a_switched_off_lock_stops_the_work(prefect_api):
    from prefect import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from tasks.concurrency import environment_limit, environment_lock

    name = unique("lock")
    limit = environment_limit(name)
    ran = []
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=limit, limit=1, active=False))
    try:
        with pytest.raises(OperationError) as refused:
            with environment_lock(name, "test"):
                ran.append(True)
        assert limit in one_line(refused.value) and not ran
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(limit)
