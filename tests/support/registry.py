"""A real OCI registry for tests: a throwaway `local.registry.LocalRegistry`, plus image helpers.

Images are pushed with `local.stub_image` over plain HTTP: no docker, no podman.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import httpx

from formwork.postgres_cluster import free_port
from formwork.release.registry import OCI_INDEX, OCI_MANIFEST  # noqa: F401
from local.registry import LocalRegistry, registry_binary  # noqa: F401  (used by conftest)
from local.stub_image import push_synthetic_image, put_manifest  # noqa: F401


class RegistryServer(LocalRegistry):
    """A registry on a free port with a temporary storage directory, removed by `stop()`."""

    def __init__(self) -> None:
        super().__init__(Path(tempfile.mkdtemp(prefix="formwork-registry-")), free_port())
        self.directory = self.root
        try:
            self.start()
        except Exception as exc:
            shutil.rmtree(self.root, ignore_errors=True)
            raise RuntimeError(str(exc)) from None

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.root, ignore_errors=True)


def python_dist_info(name: str, version: str, site_packages: str = "usr/lib/python3/dist-packages") -> dict[str, bytes]:
    """Files of an installed Python distribution, enough for an SBOM tool to list it."""
    base = f"{site_packages}/{name}-{version}.dist-info"
    return {
        f"{base}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{base}/RECORD": b"",
        f"{base}/top_level.txt": f"{name}\n".encode(),
    }


def push_image_with_files(host: str, repository: str, tag: str, files: dict[str, bytes], *, architecture: str = "amd64") -> str:
    """Push a one-layer image whose layer holds `files` (path -> bytes); returns its manifest digest."""
    return push_synthetic_image(host, repository, tag, b"", architecture=architecture, files=files)


def push_synthetic_index(host: str, repository: str, tag: str, children: dict[str, str]) -> str:
    """Push an OCI index over manifests already in `repository`; `children` maps digest -> architecture."""
    manifests = []
    with httpx.Client(base_url=f"http://{host}", timeout=30) as client:
        for digest, architecture in children.items():
            head = client.head(f"/v2/{repository}/manifests/{digest}", headers={"Accept": OCI_MANIFEST})
            assert head.status_code == 200, f"{digest}: {head.status_code}"
            manifests.append(
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": digest,
                    "size": int(head.headers["Content-Length"]),
                    "platform": {"architecture": architecture, "os": "linux"},
                }
            )
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode()
    return put_manifest(host, repository, tag, body, OCI_INDEX)
