"""A background process of the local stack, known by its pidfile, so a later command can find and stop it.

Started in its own session (it outlives the command that started it, and a stop
signals its whole process group); output goes to a log file beside the pidfile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Daemon:
    pidfile: Path
    logfile: Path

    def pid(self) -> int | None:
        """The recorded process id while that process lives, else None."""
        try:
            pid = int(self.pidfile.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if self._alive(pid) else None

    def spawn(self, command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        with open(self.logfile, "ab") as log:
            process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, cwd=cwd
            )
        self.pidfile.write_text(str(process.pid))
        return process

    def last_log_line(self) -> str:
        try:
            lines = [line for line in self.logfile.read_text(errors="replace").splitlines() if line.strip()]
        except FileNotFoundError:
            lines = []
        return (lines or ["no output"])[-1]

    def stop(self, wait: float = 10.0) -> None:
        """SIGTERM to the process group, SIGKILL after `wait` seconds."""
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while self._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pidfile.unlink(missing_ok=True)

    @staticmethod
    def _alive(pid: int) -> bool:
        """Alive and not a zombie (a child of ours that exited but was not reaped yet counts as gone)."""
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
        except OSError:
            return True
