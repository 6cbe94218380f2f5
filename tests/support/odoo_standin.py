"""A local HTTP server standing in for the Odoo of each environment, as Argo CD would run it.

`/<overlay>/web/health` and `/<overlay>/web/webclient/version_info` answer for the
image the GitOps repository's overlay names right now (read from the bare repo on
every request, as if the sync were instant). Digests listed in `broken` never come
up: health answers 503, as a crash-looping pod would.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml


class OdooStandIn:
    def __init__(self, gitops_repo: str):
        self.gitops_repo = gitops_repo
        self.broken: set[str] = set()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer()

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self):
                overlay, _, path = self.path.lstrip("/").partition("/")
                digest = standin.running(overlay)
                if digest in standin.broken:
                    return self._send(503, {"status": "fail"})
                if path == "web/health":
                    return self._send(200, {"status": "pass"})
                if path == "web/webclient/version_info":
                    return self._send(200, {"jsonrpc": "2.0", "result": {"server_version": "17.0", "image_digest": digest}})
                self._send(404, {})

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def base_url(self, overlay: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{overlay}"

    def running(self, overlay: str) -> str | None:
        shown = subprocess.run(["git", "-C", self.gitops_repo, "show", f"main:overlays/{overlay}/kustomization.yaml"],
                               capture_output=True, text=True)
        images = (yaml.safe_load(shown.stdout) or {}).get("images", []) if shown.returncode == 0 else []
        return next((i.get("digest") for i in images if i.get("name") == "odoo"), None)

    def stop(self) -> None:
        self.server.shutdown()
