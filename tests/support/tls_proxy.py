"""TLS in front of a local HTTP service (the moto S3 server): nginx with a throwaway self-signed certificate.

pgBackRest speaks only HTTPS to S3, and moto's own --ssl mode breaks it, so tests put
Debian's nginx-light in front, as /work/shared/research/infrastructure.md section 7 found.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from formwork.postgres_cluster import free_port

CONFIG = """
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {root}/cert.pem; ssl_certificate_key {root}/key.pem;
    client_max_body_size 0; proxy_request_buffering off; proxy_buffering off;
    location / {{ proxy_pass http://127.0.0.1:{upstream}; proxy_set_header Host $http_host; proxy_http_version 1.1; }}
  }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


class TlsProxy:
    def __init__(self, upstream_port: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="formwork-tls-"))
        self.port = free_port()
        self.endpoint = f"https://127.0.0.1:{self.port}"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(self.root / "key.pem"),
                "-out",
                str(self.root / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        user = "user root;" if os.geteuid() == 0 else ""
        (self.root / "nginx.conf").write_text(CONFIG.format(user=user, root=self.root, port=self.port, upstream=upstream_port))
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.root), "-c", str(self.root / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"nginx did not listen on {self.port}: {(self.root / 'error.log').read_text() if (self.root / 'error.log').exists() else ''}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
