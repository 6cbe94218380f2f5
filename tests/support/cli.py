"""The command line in the test's own process: the entry point the installed `formwork` runs (`main`), minus the
two seconds or so a new process spends importing Prefect. For refusals and reads on the session's Prefect server;
what only a process shows (its argv, a kill, another server or PREFECT_HOME) stays with a subprocess."""

from __future__ import annotations

import subprocess

import pytest


def in_process(capsys, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`formwork ARGS` with `env` added to this process's environment for the call; output read through capsys."""
    from formwork.cli.main import main

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
