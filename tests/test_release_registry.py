"""Promotion by digest against a real registry (docker-registry 2.8) through skopeo."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from formwork.errors import InputError, OperationError
from formwork.release.reference import ImageRef
from formwork.release.registry import OCI_INDEX, OCI_MANIFEST, Registry
from tests.support.registry import push_synthetic_image, push_synthetic_index

DIGEST = "sha256:" + "ab" * 32


def repo(prefix: str) -> str:
    return f"odoo/{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(registry):
    with Registry(registry.host) as reg:
        yield reg


def raw_manifest(host: str, repository: str, reference: str) -> httpx.Response:
    accept = f"{OCI_MANIFEST}, {OCI_INDEX}"
    return httpx.get(f"http://{host}/v2/{repository}/manifests/{reference}", headers={"Accept": accept})


# -- ImageRef ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"reg:5000/odoo/app@{DIGEST}", ImageRef("reg:5000", "odoo/app", None, DIGEST)),
        ("reg.example.com/odoo/app:build-1", ImageRef("reg.example.com", "odoo/app", "build-1")),
        (f"localhost/app:v1.2@{DIGEST}", ImageRef("localhost", "app", "v1.2", DIGEST)),
        ("127.0.0.1:5000/a/b/c", ImageRef("127.0.0.1:5000", "a/b/c")),
        ("[::1]:5000/odoo/app:x", ImageRef("[::1]:5000", "odoo/app", "x")),
    ],
)
def test_parse_accepts(text, expected):
    assert ImageRef.parse(text) == expected


def test_str_is_canonical_and_prefers_the_digest():
    assert str(ImageRef.parse(f"reg:5000/odoo/app:build-1@{DIGEST}")) == f"reg:5000/odoo/app@{DIGEST}"
    assert str(ImageRef.parse("reg:5000/odoo/app:build-1")) == "reg:5000/odoo/app:build-1"
    assert ImageRef.parse(str(ImageRef.parse(f"reg:5000/odoo/app@{DIGEST}"))).digest == DIGEST


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("odoo/app:build-1", "no registry host"),
        ("app", "no registry host"),
        ("reg:5000/odoo/app@sha256:1234", "digest 'sha256:1234'"),
        (f"reg:5000/odoo/app@{DIGEST.upper()}", "is not sha256:<64 lowercase hex>"),
        ("reg:5000/Odoo/App:1", "repository 'Odoo/App'"),
        ("reg:5000/odoo/app:-bad", "tag '-bad'"),
        ("reg:5000/", "no registry host"),
    ],
)
def test_parse_refuses_with_one_line_naming_option_and_value(text, fragment):
    with pytest.raises(InputError) as caught:
        ImageRef.parse(text, option="--image")
    message = str(caught.value)
    assert message.startswith(f"--image {text!r}: ")
    assert fragment in message
    assert "\n" not in message


# -- Registry against a real server --------------------------------------------------------


def test_resolve_and_manifest(registry, client):
    name = repo("app")
    digest = push_synthetic_image(registry.host, name, "build-1")
    assert client.resolve(name, "build-1") == digest
    assert client.resolve(name, digest) == digest
    body, media_type, got = client.manifest(name, "build-1")
    assert (media_type, got) == (OCI_MANIFEST, digest)
    assert body == raw_manifest(registry.host, name, digest).content


def test_copy_to_another_tag_in_the_same_repository(registry, client):
    name = repo("app")
    digest = push_synthetic_image(registry.host, name, "build-1")
    for tag in ("dev", "test", "staging", "prod"):
        assert client.copy(digest, name, name, tag) == digest
        assert client.resolve(name, tag) == digest
    assert raw_manifest(registry.host, name, "prod").content == raw_manifest(registry.host, name, "build-1").content


def test_copy_across_repositories_keeps_digest_and_bytes(registry, client):
    dev, prod = repo("dev"), repo("prod")
    digest = push_synthetic_image(registry.host, dev, "build-7", content=b"release 7\n")
    assert client.copy(digest, dev, prod, "release-7") == digest

    source, target = raw_manifest(registry.host, dev, digest), raw_manifest(registry.host, prod, "release-7")
    assert target.content == source.content
    assert target.headers["Docker-Content-Digest"] == digest
    assert target.headers["Content-Type"] == OCI_MANIFEST
    assert client.resolve(prod, "release-7") == digest
    # Every blob is present in prod (mounted, not re-pushed).
    document = json.loads(target.content)
    for blob in [document["config"], *document["layers"]]:
        head = httpx.head(f"http://{registry.host}/v2/{prod}/blobs/{blob['digest']}")
        assert head.status_code == 200, blob


def test_copy_of_an_index_copies_children_and_keeps_the_digest(registry, client):
    dev, prod = repo("dev"), repo("prod")
    amd = push_synthetic_image(registry.host, dev, "amd64", content=b"amd64 build\n", architecture="amd64")
    arm = push_synthetic_image(registry.host, dev, "arm64", content=b"arm64 build\n", architecture="arm64")
    index = push_synthetic_index(registry.host, dev, "multi", {amd: "amd64", arm: "arm64"})

    assert client.copy(index, dev, prod, "multi") == index
    assert client.resolve(prod, "multi") == index
    body, media_type, _ = client.manifest(prod, "multi")
    assert media_type == OCI_INDEX
    assert body == raw_manifest(registry.host, dev, index).content
    for child in (amd, arm):
        assert client.resolve(prod, child) == child
    assert client.tags(prod) == ["multi"]  # children are copied by digest, without tags


def test_copy_of_an_unknown_digest_names_it(registry, client):
    name = repo("app")
    push_synthetic_image(registry.host, name, "build-1")
    with pytest.raises(OperationError) as caught:
        client.copy(DIGEST, name, repo("prod"), "prod")
    message = str(caught.value)
    assert DIGEST in message and "not found" in message and "MANIFEST_UNKNOWN" in message
    assert "\n" not in message


def test_copy_refuses_bad_input_before_asking(client):
    with pytest.raises(InputError, match="digest 'latest'"):
        client.copy("latest", "odoo/app", "odoo/app", "prod")
    with pytest.raises(InputError, match="tag 'no/slash'"):
        client.copy(DIGEST, "odoo/app", "odoo/app", "no/slash")


def test_tags(registry, client):
    name = repo("app")
    digest = push_synthetic_image(registry.host, name, "build-1")
    client.copy(digest, name, name, "dev")
    client.copy(digest, name, name, "prod")
    assert sorted(client.tags(name)) == ["build-1", "dev", "prod"]
    assert client.tags(repo("never-pushed")) == []


def test_unreachable_registry_is_one_operation_error():
    from formwork.postgres_cluster import free_port

    with Registry(f"127.0.0.1:{free_port()}") as reg, pytest.raises(OperationError, match="cannot reach http://127.0.0.1"):
        reg.resolve("odoo/app", "prod")


# -- transport choice ---------------------------------------------------


@pytest.mark.parametrize(
    ("host", "scheme"),
    [
        ("localhost", "http"),
        ("localhost:5000", "http"),
        ("127.0.0.1:41234", "http"),
        ("[::1]:5000", "http"),
        ("registry.example.com", "https"),
        ("registry.example.com:5000", "https"),
        ("10.0.0.5:5000", "https"),
    ],
)
def test_insecure_default(host, scheme, monkeypatch):
    monkeypatch.delenv("FORMWORK_INSECURE_REGISTRIES", raising=False)
    with Registry(host) as reg:
        assert reg.base_url == f"{scheme}://{host}"


def test_insecure_list_from_environment(monkeypatch):
    monkeypatch.setenv("FORMWORK_INSECURE_REGISTRIES", "mirror.lan:5000, build.lan")
    assert Registry("mirror.lan:5000").base_url == "http://mirror.lan:5000"
    assert Registry("build.lan:443").base_url == "http://build.lan:443"
    assert Registry("mirror.lan:6000").base_url == "https://mirror.lan:6000"
    assert Registry("localhost:5000", insecure=False).base_url == "https://localhost:5000"
