"""A local Prefect server (SQLite) in the background, reused when already up.

With an auth string the server refuses API calls without it (HTTP basic auth; `/api/health` stays
open) and the UI asks for it at login; `client_env()` is what every client needs to talk to it.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from formwork.errors import OperationError
from local.daemon import Daemon


def default_home() -> Path:
    """FORMWORK_HOME, else .formwork in the current folder: where the embedded stack keeps its files."""
    return Path(os.environ.get("FORMWORK_HOME", ".formwork")).resolve()


@dataclass
class LocalPrefectServer:
    home: Path  # becomes PREFECT_HOME; holds the SQLite database and the log
    port: int = 4200
    auth_string: str | None = field(
        default=None, repr=False
    )  # "user:password"; None serves the API to anyone who can reach the port

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

    def client_env(self) -> dict[str, str]:
        """The environment a client (CLI, flow run, worker) needs for this server."""
        env = {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.home)}
        if self.auth_string:
            env["PREFECT_API_AUTH_STRING"] = self.auth_string
        return env

    def open_to_anyone(self) -> bool:
        """Does the API answer a call without credentials?"""
        try:
            return httpx.post(f"{self.api_url}/flows/filter", json={"limit": 1}, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def daemon(self) -> Daemon:
        return Daemon(self.pidfile, self.logfile)

    def start(self, timeout: float = 90) -> None:
        if self.daemon.pid() and self.healthy():
            if not (self.auth_string and self.open_to_anyone()):
                return
            self.stop()  # started before the stack had an auth string: restart it with one
        if self.healthy():
            raise OperationError(
                f"port {self.port} already serves a Prefect API that this stack did not start; stop it or set FORMWORK_PREFECT_PORT"
            )
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
        env.pop("PREFECT_API_AUTH_STRING", None)
        if self.auth_string:
            env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth_string
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
