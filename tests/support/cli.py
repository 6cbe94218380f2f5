"""The command line in the test's own process: the entry point the installed `formwork` runs (`main`), minus the
two seconds or so a new process spends importing Prefect. For refusals and reads on the session's Prefect server;
what only a process shows (its argv, a kill, another server or PREFECT_HOME) stays with a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMWORK = [sys.executable, "-m", "cli"]  # what the `formwork` console script runs, from this checkout


def checkout_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with this checkout first on PYTHONPATH: a `formwork` process runs the code under test, installed or not."""
    return {**env, "PYTHONPATH": os.pathsep.join([str(ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])}


def in_process(capsys, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`formwork ARGS` with `env` added to this process's environment for the call; output read through capsys."""
    from cli.main import main

    if any(key.startswith("PREFECT_") for key in env or {}):
        raise ValueError("another Prefect server or home needs a process of its own (run_formwork)")
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patched:
        for key, value in (env or {}).items():
            patched.setenv(key, value)
        code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["formwork", *args], code, out, err)


def command_line(capsys, *args: str) -> tuple[int, str, str]:
    """in_process as (exit code, stdout, stderr)."""
    done = in_process(capsys, *args)
    return done.returncode, done.stdout, done.stderr
