"""The small JSON-over-HTTP servers the local stand-ins are made of: a quiet handler and a background server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """Answers with `send_json`; keeps request logs off the terminal."""

    def send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def serve(handler: type[JsonHandler], port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """A server on 127.0.0.1:`port` (0: any free port), already serving in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
