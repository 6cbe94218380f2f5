"""Background processes of the local stack, found again through their pidfile."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def running_pid(pidfile: Path) -> int | None:
    """The recorded process if it still runs (a finished child of ours is reaped, not mistaken for alive)."""
    try:
        pid = int(pidfile.read_text())
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return None
        except ChildProcessError:
            pass  # not our child: another `formwork` command started it
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def stop_group(pidfile: Path) -> None:
    """SIGTERM to the process group, SIGKILL after 10 s; the pidfile goes."""
    pid = running_pid(pidfile)
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(40):
            if running_pid(pidfile) is None:
                break
            time.sleep(0.25)
        else:
            os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
