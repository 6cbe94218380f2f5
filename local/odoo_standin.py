"""An HTTP stand-in for the Odoo of each environment, as Argo CD would run it from the GitOps repository.

`/<overlay>/web/health` and `/<overlay>/web/webclient/version_info` answer for the
image the overlay pins right now (read from the bare repository on every request,
as if the sync were instant). Digests in `broken` never come up: health answers
503, as a crash-looping pod would. There is no Kubernetes cluster and no Odoo on
the demo machine; this is what lets the demo watch real rollouts and rollbacks.

Run in a thread (`OdooStandIn(repo)`, the tests) or as a process of the local stack
(`python -m local.odoo_standin REPO PORT`, see `OdooStandInService`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

from formwork.errors import OperationError
from local.daemon import Daemon
from local.gitops_repo import pinned_digest
from local.json_http import JsonHandler, serve


class OdooStandIn:
    def __init__(self, gitops_repo: str, port: int = 0):
        self.gitops_repo = gitops_repo
        self.broken: set[str] = set()
        standin = self

        class Handler(JsonHandler):
            def do_GET(self):
                self._answer()

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self):
                overlay, _, path = self.path.lstrip("/").partition("/")
                digest = standin.running(overlay)
                if digest in standin.broken:
                    return self.send_json(503, {"status": "fail"})
                if path == "web/health":
                    return self.send_json(200, {"status": "pass"})
                if path == "web/webclient/version_info":
                    return self.send_json(200, {"jsonrpc": "2.0", "result": {"server_version": "17.0", "image_digest": digest}})
                self.send_json(404, {})

        self.server, self._thread = serve(Handler, port)

    def base_url(self, overlay: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{overlay}"

    def running(self, overlay: str) -> str | None:
        return pinned_digest(self.gitops_repo, overlay)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class OdooStandInService:
    """The stand-in as a background process of the local stack, on a fixed port."""

    def __init__(self, home: Path, port: int, gitops_repo: Path):
        self.port, self.gitops_repo = port, gitops_repo
        self.daemon = Daemon(Path(home) / "odoo-standin.pid", Path(home) / "odoo-standin.log")

    def base_url(self, overlay: str) -> str:
        return f"http://127.0.0.1:{self.port}/{overlay}"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/-/web/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def running(self) -> bool:
        return self.daemon.pid() is not None and self.healthy()

    def start(self, timeout: float = 20) -> None:
        if self.running():
            return
        if self.healthy():
            raise OperationError(f"port {self.port} already answers HTTP, and not from this stack's Odoo stand-in")
        process = self.daemon.spawn([sys.executable, "-m", "local.odoo_standin", str(self.gitops_repo), str(self.port)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if self.healthy():
                return
            time.sleep(0.1)
        self.daemon.stop()
        raise OperationError(f"the Odoo stand-in did not answer on port {self.port}: {self.daemon.last_log_line()}")

    def stop(self) -> None:
        self.daemon.stop()


def main(argv: list[str]) -> None:
    repo, port = argv
    standin = OdooStandIn(repo, int(port))
    try:
        standin._thread.join()
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
