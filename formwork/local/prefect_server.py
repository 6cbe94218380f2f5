"""A local Prefect server (SQLite) in the background, reused when already up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from formwork.errors import OperationError
from formwork.local.pidfile import running_pid, stop_group


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

    def client_env(self) -> dict[str, str]:
        """The environment a client (CLI, flow run, worker) needs for this server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.home)}

    def _pid(self) -> int | None:
        return running_pid(self.pidfile)

    def start(self, timeout: float = 90) -> None:
        if self._pid() and self.healthy():
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
        with open(self.logfile, "ab") as log:
            process = subprocess.Popen(
                [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.pidfile.write_text(str(process.pid))
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
        stop_group(self.pidfile)
