"""The release image build against a real engine (Podman's Docker API service) and a real registry."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from formwork.errors import OperationError
from formwork.release.build import CREATED, REVISION, SERIES, build_image
from formwork.release.engine import container_engine
from formwork.release.reference import valid_digest
from formwork.release.registry import IMAGE_MANIFESTS, INDEXES
from tasks.build import engine_client

EPOCH = "1700000000"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    try:
        with container_engine(tmp_path_factory.mktemp("engine")) as base_url:
            yield base_url
    except OperationError as exc:
        pytest.skip(f"no container engine here: {exc}")


@pytest.fixture
def context(tmp_path):
    root = tmp_path / "context"
    addon = root / "addons" / "fw_demo"
    addon.mkdir(parents=True)
    (addon / "__manifest__.py").write_text("{'name': 'Formwork demo', 'version': '17.0.1.0.0', 'license': 'LGPL-3'}\n")
    (root / "Dockerfile").write_text("FROM scratch\nCOPY addons /opt/odoo/addons\n")
    return root


def image_config(host: str, repository: str, digest: str) -> dict:
    base = f"http://{host}/v2/{repository}"
    manifest = httpx.get(f"{base}/manifests/{digest}", headers={"Accept": ", ".join(IMAGE_MANIFESTS + INDEXES)}).json()
    return httpx.get(f"{base}/blobs/{manifest['config']['digest']}", follow_redirects=True).json()


def test_build_pushes_labelled_image_and_returns_registry_digest(engine, registry, context, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with engine_client(engine) as client:
        digest = build_image(
            context,
            f"{registry.host}/odoo/build",
            "build-1",
            client=client,
            engine=engine,
            labels={"org.odoo.series": "16.0", "com.example.estate": "acme"},
        )
    assert valid_digest(digest)
    labels = image_config(registry.host, "odoo/build", digest)["config"]["Labels"]
    assert labels[REVISION] == "unknown"  # a tmp directory is no git checkout
    assert labels[CREATED] == "2023-11-14T22:13:20Z"
    assert labels[SERIES] == "16.0"
    assert labels["com.example.estate"] == "acme"


def test_same_context_and_epoch_give_the_same_digest(engine, registry, context, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with engine_client(engine) as client:
        first = build_image(context, f"{registry.host}/odoo/repro", "a", client=client, engine=engine, no_cache=True)
        os.utime(context / "addons" / "fw_demo" / "__manifest__.py", (1e9, 1e9))  # a fresh checkout has other mtimes
        second = build_image(context, f"{registry.host}/odoo/repro", "b", client=client, engine=engine, no_cache=True)
    assert first == second
    config = image_config(registry.host, "odoo/repro", first)
    assert config["config"]["Labels"][SERIES] == "17.0"


def test_engine_error_is_one_line(engine, registry, context):
    (context / "Dockerfile").write_text("FROM scratch\nCOPY missing /opt/odoo/addons\n")
    with pytest.raises(OperationError) as caught, engine_client(engine) as client:
        build_image(context, f"{registry.host}/odoo/broken", "x", client=client, engine=engine)
    message = str(caught.value)
    assert "\n" not in message and "image build of" in message and "missing" in message, message


def test_labels_serialise(context):
    from formwork.release.build import image_labels

    assert json.loads(json.dumps(image_labels(context)))[SERIES] == "17.0"
