"""Masking's forked workers never outlive a killed run: they hold the run's database connection (inside its
transaction) and its stdout, so a worker left behind kept the copy locked and the caller waiting for ever."""

from __future__ import annotations

import subprocess
import sys
import time

KILLED_MID_RUN = """
import os, signal
from formwork.masking import forked

with forked.executor() as pool:
    jobs = [pool.submit(os.getpid) for _ in range(16)]
    pids = {job.result() for job in jobs}
    print(" ".join(map(str, pids)), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # as a subprocess timeout or an operator would
"""


def test_the_workers_of_a_killed_run_die_with_it_and_release_its_pipes():
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", KILLED_MID_RUN], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30, "the caller waited on a pipe a worker kept open"
    workers = [int(pid) for pid in done.stdout.split()]
    assert workers and done.returncode == -9
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
