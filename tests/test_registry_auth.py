"""A password-protected registry (docker-registry with htpasswd auth), reached with the standard auth file.

The credentials live only in a containers-auth.json named by REGISTRY_AUTH_FILE: a push to and a copy
within the protected registry work with it; without it the registry refuses in one line naming the
registry and nothing is copied; the password shows in no log line, exception or command line.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

from formwork import commands
from formwork.errors import OperationError
from formwork.postgres_cluster import free_port
from formwork.release.registry import Registry
from local.daemon import Daemon
from tests.support.registry import push_synthetic_image, registry_binary

ROOT = Path(__file__).resolve().parent.parent
USER = "robot"


def _ensure(program: str) -> None:
    if shutil.which(program) is None:
        subprocess.run([str(ROOT / "tools" / f"ensure-{program}.sh")], check=False, capture_output=True)
        if shutil.which(program) is None:
            pytest.skip(f"{program} not found and tools/ensure-{program}.sh could not install it")


@pytest.fixture(scope="module")
def secured():
    """(host, password, log file) of a docker-registry that answers only to USER with a bcrypt htpasswd entry."""
    for program in ("skopeo", "htpasswd"):
        _ensure(program)
    if registry_binary() is None:
        pytest.skip("docker-registry not found")
    root = Path(tempfile.mkdtemp(prefix="formwork-secured-registry-"))
    password = "pw-" + uuid.uuid4().hex
    entry = commands.run(["htpasswd", "-niB", USER], "htpasswd", input=password).stdout  # password on stdin only
    (root / "htpasswd").write_text(entry.strip() + "\n")
    host = f"127.0.0.1:{free_port()}"
    (root / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: info\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'storage'}\n"
        f"auth:\n  htpasswd:\n    realm: formwork-test\n    path: {root / 'htpasswd'}\n"
        f"http:\n  addr: {host}\n"
    )
    daemon = Daemon(root / "registry.pid", root / "registry.log")
    daemon.spawn([registry_binary(), "serve", str(root / "config.yml")])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _up(host):
            time.sleep(0.05)
        assert _up(host), f"secured registry did not answer: {daemon.last_log_line()}"
        yield host, password, root / "registry.log"
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


def _up(host: str) -> bool:
    try:
        return httpx.get(f"http://{host}/v2/", timeout=1).status_code == 401
    except httpx.HTTPError:
        return False


def _auth_file(path: Path, host: str, password: str | None) -> Path:
    auths = {host: {"auth": base64.b64encode(f"{USER}:{password}".encode()).decode()}} if password else {}
    path.write_text(json.dumps({"auths": auths}))
    path.chmod(0o600)
    return path


@pytest.fixture
def credentials(secured, tmp_path, monkeypatch):
    """REGISTRY_AUTH_FILE with the right password; HOME and XDG_RUNTIME_DIR hold no other credentials."""
    host, password, _ = secured
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(_auth_file(tmp_path / "auth.json", host, password)))
    return tmp_path


def _push(source: str, target: str) -> None:
    """Push to the protected registry as a client does: skopeo with the standard auth file."""
    commands.run(
        [
            "skopeo",
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            f"docker://{source}",
            f"docker://{target}",
        ],
        f"push of {source}",
    )


def test_push_and_copy_work_with_credentials_from_the_auth_file(registry, secured, credentials, caplog):
    host, password, log_file = secured
    caplog.set_level(logging.DEBUG, logger="formwork")
    name = f"odoo/app-{uuid.uuid4().hex[:8]}"
    digest = push_synthetic_image(registry.host, name, "build-1", labels={"org.formwork.test": "yes"})
    _push(f"{registry.host}/{name}@{digest}", f"{host}/{name}:build-1")

    with Registry(host) as secure:
        assert secure.resolve(name, "build-1") == digest
        assert secure.copy(digest, name, f"{name}-prod", "prod") == digest
        assert secure.resolve(f"{name}-prod", "prod") == digest
        assert secure.tags(f"{name}-prod") == ["prod"]
        assert secure.labels(f"{name}-prod", digest)["org.formwork.test"] == "yes"

    token = base64.b64encode(f"{USER}:{password}".encode()).decode()
    commands_run = [r.getMessage() for r in caplog.records if r.name == "formwork.commands"]
    assert any("skopeo copy" in line for line in commands_run)
    for text in (caplog.text, log_file.read_text()):
        assert password not in text and token not in text


@pytest.mark.parametrize("password", [None, "wrong-" + uuid.uuid4().hex], ids=["no-credentials", "wrong-password"])
def test_without_credentials_the_copy_is_refused_naming_the_registry(
    registry, secured, credentials, password, monkeypatch, caplog
):
    host, right, _ = secured
    name = f"odoo/app-{uuid.uuid4().hex[:8]}"
    digest = push_synthetic_image(registry.host, name, "build-1", content=b"refused\n")
    _push(f"{registry.host}/{name}@{digest}", f"{host}/{name}:build-1")
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(_auth_file(credentials / "other.json", host, password)))
    caplog.set_level(logging.DEBUG, logger="formwork")

    with Registry(host) as secure, pytest.raises(OperationError) as caught:
        secure.copy(digest, name, f"{name}-prod", "prod")
    message = str(caught.value)
    assert message.startswith(f"registry {host}: ") and "unauthorized" in message and "\n" not in message
    for text in (message, repr(caught.value), caplog.text):
        assert right not in text and (password is None or password not in text)

    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(credentials / "auth.json"))
    with Registry(host) as secure:
        assert secure.tags(f"{name}-prod") == []  # nothing copied
        assert secure.tags(name) == ["build-1"]
