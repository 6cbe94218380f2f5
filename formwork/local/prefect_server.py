"""A local Prefect server (SQLite) in the background, reused when already up."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from formwork.errors import OperationError
from formwork.local.daemon import Daemon


@dataclass
class LocalPrefectServer:
    home: Path  # becomes PREFECT_HOME; holds the SQLite database and the log
    port: int = 4200

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pidfile(self) -> Path:
        return self.home / "server.pid"

    @property
    def logfile(self) -> Path:
        return self.home / "server.log"

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def daemon(self) -> Daemon:
        return Daemon(self.pidfile, self.logfile)

    def start(self, timeout: float = 90) -> None:
        if self.daemon.pid() and self.healthy():
            return
        if self.healthy():
            raise OperationError(f"port {self.port} already serves a Prefect API that this stack did not start; stop it or set FORMWORK_PREFECT_PORT")
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(self.port),
            "PREFECT_UI_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        env.pop("PREFECT_API_URL", None)
        prefect = Path(sys.executable).with_name("prefect")
        process = self.daemon.spawn([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)], env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise OperationError(f"Prefect server exited during start (code {process.returncode}); see {self.logfile}")
            if self.healthy():
                return
            time.sleep(0.5)
        self.stop()
        raise OperationError(f"Prefect server not healthy after {timeout:.0f} s; see {self.logfile}")

    def stop(self) -> None:
        self.daemon.stop()
