"""Push a tiny but complete OCI image over the registry API alone: no container engine needed.

One gzip'd tar layer (byte-for-byte reproducible), an OCI config with its diff_id and
labels, an OCI manifest. The tests use it to fill registries; the demo falls back on it
when no container engine can run here.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import httpx

from formwork.errors import OperationError
from formwork.release.reference import sha256_digest
from formwork.release.registry import OCI_MANIFEST

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise OperationError(f"{what}: the registry answered {response.status_code}: {response.text[:200]}")


def layer_blob(content: bytes, name: str = "hello.txt") -> tuple[bytes, str]:
    """(gzip'd tar with one file, diff_id = digest of the uncompressed tar); byte-for-byte reproducible."""
    return files_layer_blob({name: content})


def files_layer_blob(files: dict[str, bytes]) -> tuple[bytes, str]:
    """A gzip'd tar of `files` (path -> bytes, parent directories included) and its diff_id; reproducible."""
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
    return gzip.compress(raw, mtime=0), sha256_digest(raw)


def upload_blob(client: httpx.Client, repository: str, data: bytes) -> str:
    """Monolithic upload (POST then PUT ?digest=); returns the blob digest."""
    digest = sha256_digest(data)
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    _expect(started, 202, f"upload to {repository}")
    location = started.headers["Location"]
    separator = "&" if "?" in location else "?"
    done = client.put(f"{location}{separator}digest={digest}", content=data, headers={"Content-Type": "application/octet-stream"})
    _expect(done, 201, f"upload of {digest} to {repository}")
    return digest


def put_manifest(host: str, repository: str, reference: str, body: bytes, media_type: str) -> str:
    """PUT manifest bytes as they are; returns the digest the registry answered (checked against the body)."""
    with httpx.Client(base_url=f"http://{host}", timeout=30) as client:
        response = client.put(f"/v2/{repository}/manifests/{reference}", content=body, headers={"Content-Type": media_type})
    _expect(response, 201, f"manifest {repository}:{reference}")
    digest = response.headers["Docker-Content-Digest"]
    if digest != sha256_digest(body):
        raise OperationError(
            f"manifest {repository}:{reference}: the registry answered digest {digest}, the body is {sha256_digest(body)}"
        )
    return digest


def synthetic_manifest(
    host: str,
    repository: str,
    content: bytes,
    *,
    architecture: str = "amd64",
    files: dict[str, bytes] | None = None,
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
        sort_keys=True,
        separators=(",", ":"),
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
    return json.dumps(manifest, indent=3).encode()  # not our own json style: a copy must keep the bytes as they are


def push_synthetic_image(
    host: str,
    repository: str,
    tag: str,
    content: bytes = b"formwork synthetic image\n",
    *,
    architecture: str = "amd64",
    labels: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
) -> str:
    """Push a tiny real image to `host/repository:tag` over HTTP; returns its manifest digest."""
    body = synthetic_manifest(host, repository, content, architecture=architecture, files=files, labels=labels)
    return put_manifest(host, repository, tag, body, OCI_MANIFEST)
