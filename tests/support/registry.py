"""A real OCI registry for tests: Debian's docker-registry (distribution 2.8), as a subprocess.

`push_synthetic_image` uploads a tiny but complete image (one gzip'd tar layer, an OCI
config with its diff_id, an OCI manifest) over plain HTTP with httpx: no docker, no podman.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import httpx

from formwork.local.postgres import free_port

DEFAULT_BINARY = "/usr/bin/docker-registry"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def registry_binary() -> str | None:
    """The docker-registry program, or None."""
    candidate = os.environ.get("REGISTRY_BIN", DEFAULT_BINARY)
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("docker-registry")


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryServer:
    """`docker-registry serve` on 127.0.0.1 with a throwaway storage directory."""

    def __init__(self, binary: str | None = None) -> None:
        binary = binary or registry_binary()
        if not binary:
            raise RuntimeError(f"docker-registry not found (looked for {DEFAULT_BINARY}; run tools/ensure-registry.sh)")
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        self.directory = Path(tempfile.mkdtemp(prefix="formwork-registry-"))
        storage = self.directory / "storage"
        storage.mkdir()
        config = self.directory / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.host}\n"
        )
        self._log = open(self.directory / "registry.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [binary, "serve", str(config)], stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/v2/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        log = (self.directory / "registry.log").read_text(errors="replace").strip().splitlines()
        self.stop()
        raise RuntimeError(f"docker-registry did not answer on {self.url}: {(log or ['no output'])[-1]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def layer_blob(content: bytes, name: str = "hello.txt") -> tuple[bytes, str]:
    """(gzip'd tar with one file, diff_id = digest of the uncompressed tar); byte-for-byte reproducible."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        info.mtime = 0
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(content))
    raw = tar_bytes.getvalue()
    return gzip.compress(raw, mtime=0), _digest(raw)


def files_layer_blob(files: dict[str, bytes]) -> tuple[bytes, str]:
    """Like `layer_blob`, for several files (parent directories included); reproducible."""
    tar_bytes = io.BytesIO()
    directories = sorted({str(Path(name).parents[i]) for name in files for i in range(len(Path(name).parents) - 1)})
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for directory in directories:
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            archive.addfile(info)
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            archive.addfile(info, io.BytesIO(content))
    raw = tar_bytes.getvalue()
    return gzip.compress(raw, mtime=0), _digest(raw)


def upload_blob(client: httpx.Client, repository: str, data: bytes) -> str:
    """Monolithic upload (POST then PUT ?digest=); returns the blob digest."""
    digest = _digest(data)
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    separator = "&" if "?" in location else "?"
    done = client.put(
        f"{location}{separator}digest={digest}", content=data, headers={"Content-Type": "application/octet-stream"},
    )
    assert done.status_code == 201, done.text
    return digest


def put_manifest(host: str, repository: str, reference: str, body: bytes, media_type: str) -> str:
    """PUT manifest bytes as they are; returns the digest the registry answered (checked against the body)."""
    with httpx.Client(base_url=f"http://{host}", timeout=30) as client:
        response = client.put(f"/v2/{repository}/manifests/{reference}", content=body, headers={"Content-Type": media_type})
    assert response.status_code == 201, response.text
    digest = response.headers["Docker-Content-Digest"]
    assert digest == _digest(body)
    return digest


def synthetic_manifest(
    host: str, repository: str, content: bytes, *, architecture: str = "amd64", files: dict[str, bytes] | None = None,
    labels: dict[str, str] | None = None,
) -> bytes:
    """Upload the blobs of a one-layer image into `repository`; returns the OCI manifest bytes (not yet PUT).

    The layer holds `hello.txt` = `content`, or exactly `files` (path -> bytes) when given.
    """
    layer, diff_id = files_layer_blob(files) if files is not None else layer_blob(content)
    config = json.dumps(
        {
            "architecture": architecture,
            "os": "linux",
            "config": {"Cmd": ["/bin/true"], **({"Labels": labels} if labels else {})},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        },
        sort_keys=True, separators=(",", ":"),
    ).encode()
    with httpx.Client(base_url=f"http://{host}", timeout=30) as client:
        config_digest = upload_blob(client, repository, config)
        layer_digest = upload_blob(client, repository, layer)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": layer_digest, "size": len(layer)}],
    }
    return json.dumps(manifest, indent=3).encode()  # not our own json style: the copy must keep bytes as they are


def push_synthetic_image(
    host: str, repository: str, tag: str, content: bytes = b"formwork synthetic image\n", *, architecture: str = "amd64",
    labels: dict[str, str] | None = None,
) -> str:
    """Push a tiny real image to `host/repository:tag` over HTTP; returns its manifest digest."""
    body = synthetic_manifest(host, repository, content, architecture=architecture, labels=labels)
    return put_manifest(host, repository, tag, body, OCI_MANIFEST)


def python_dist_info(name: str, version: str, site_packages: str = "usr/lib/python3/dist-packages") -> dict[str, bytes]:
    """Files of an installed Python distribution, enough for an SBOM tool to list it."""
    base = f"{site_packages}/{name}-{version}.dist-info"
    return {
        f"{base}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{base}/RECORD": b"",
        f"{base}/top_level.txt": f"{name}\n".encode(),
    }


def push_image_with_files(
    host: str, repository: str, tag: str, files: dict[str, bytes], *, architecture: str = "amd64",
) -> str:
    """Push a one-layer image whose layer holds `files` (path -> bytes); returns its manifest digest."""
    body = synthetic_manifest(host, repository, b"", architecture=architecture, files=files)
    return put_manifest(host, repository, tag, body, OCI_MANIFEST)


def push_synthetic_index(host: str, repository: str, tag: str, children: dict[str, str]) -> str:
    """Push an OCI index over manifests already in `repository`; `children` maps digest -> architecture."""
    manifests = []
    with httpx.Client(base_url=f"http://{host}", timeout=30) as client:
        for digest, architecture in children.items():
            head = client.head(f"/v2/{repository}/manifests/{digest}", headers={"Accept": OCI_MANIFEST})
            assert head.status_code == 200, f"{digest}: {head.status_code}"
            manifests.append({
                "mediaType": OCI_MANIFEST, "digest": digest, "size": int(head.headers["Content-Length"]),
                "platform": {"architecture": architecture, "os": "linux"},
            })
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode()
    return put_manifest(host, repository, tag, body, OCI_INDEX)
