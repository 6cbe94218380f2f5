"""A local OCI registry: Debian's docker-registry (distribution 2.8) serving a folder on 127.0.0.1.

The embedded stack keeps one under FORMWORK_HOME for `make demo`; the tests start
throwaway ones. Plain HTTP on the loopback address, which the registry client,
Podman and syft treat as an insecure registry by default.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import httpx

from formwork.errors import OperationError
from local.daemon import Daemon

DEFAULT_BINARY = "/usr/bin/docker-registry"


def registry_binary() -> str | None:
    """The docker-registry program ($REGISTRY_BIN, /usr/bin/docker-registry, or on PATH), or None."""
    candidate = os.environ.get("REGISTRY_BIN", DEFAULT_BINARY)
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("docker-registry")


class LocalRegistry:
    """`docker-registry serve` with its storage, config, pidfile and log under `root`."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = Path(root), port
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"
        self.daemon = Daemon(self.root / "registry.pid", self.root / "registry.log")

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/v2/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def running(self) -> bool:
        return self.daemon.pid() is not None and self.healthy()

    def start(self, timeout: float = 30) -> None:
        """Start it (reused when already up); raises OperationError naming the reason it did not answer."""
        if self.running():
            return
        binary = registry_binary()
        if not binary:
            raise OperationError(f"docker-registry not found (looked for {DEFAULT_BINARY}; run tools/ensure-registry.sh)")
        if self.healthy():
            raise OperationError(f"port {self.port} already serves a registry that this stack did not start")
        storage = self.root / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        config = self.root / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.host}\n"
        )
        process = self.daemon.spawn([binary, "serve", str(config)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if self.healthy():
                return
            time.sleep(0.05)
        self.daemon.stop()
        raise OperationError(f"docker-registry did not answer on {self.url}: {self.daemon.last_log_line()}")

    def stop(self) -> None:
        self.daemon.stop()
