"""A Prefect process worker in the background, so deployed runs (UI buttons, schedules, CI) execute locally.

Managed like the server: a pidfile under FORMWORK_HOME, reused when already running,
stopped by `formwork local down`. It gets the stack's client environment, so whatever
a client needs to reach the server (URL, credentials) the worker and its runs get too.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from formwork.errors import OperationError
from local.daemon import Daemon

DEFAULT_POOL = "formwork-process"  # the process pool `formwork deploy` targets by default
POLL_SECONDS = "3"  # how often the worker asks for runs: a button press starts a run within seconds


@dataclass
class LocalWorker:
    home: Path  # holds the pidfile and the log
    pool: str
    client_env: dict[str, str] = field(default_factory=dict)

    @property
    def pidfile(self) -> Path:
        return self.home / "worker.pid"

    @property
    def logfile(self) -> Path:
        return self.home / "worker.log"

    @property
    def daemon(self) -> Daemon:
        return Daemon(self.pidfile, self.logfile)

    def running(self) -> bool:
        return self.daemon.pid() is not None

    def start(self, cwd: Path, timeout: float = 60, wait: bool = True) -> None:
        """With `wait`, returns once the worker has announced itself to the server (its pool exists then)."""
        if self.running():
            return
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_WORKER_QUERY_SECONDS": POLL_SECONDS, **self.client_env}
        prefect = Path(sys.executable).with_name("prefect")
        started = self.logfile.stat().st_size if self.logfile.exists() else 0
        process = self.daemon.spawn(
            [str(prefect), "worker", "start", "--pool", self.pool, "--type", "process", "--name", f"formwork-{os.getpid()}"],
            env,
            cwd,
        )
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pidfile.unlink(missing_ok=True)
                raise OperationError(f"Prefect worker exited during start (code {process.returncode}); see {self.logfile}")
            with open(self.logfile, "rb") as log:
                log.seek(started)
                if b"started!" in log.read():
                    return
            time.sleep(0.5)
        self.stop()
        raise OperationError(f"Prefect worker not started after {timeout:.0f} s; see {self.logfile}")

    def stop(self) -> None:
        self.daemon.stop()
