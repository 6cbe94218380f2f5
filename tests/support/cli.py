"""The command line in the test's own process: the entry point the installed `formwork` runs (`main`), minus the
two seconds or so a new process spends importing Prefect. For refusals and reads on the session's Prefect server;
what only a process shows (its argv, a kill, another server or PREFECT_HOME) stays with a subprocess."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from collections.abc import Iterator


def in_process(capsys, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`formwork ARGS` with `env` added to this process's environment for the call; output read through capsys."""
    from formwork.cli.main import main

    if any(key.startswith("PREFECT_") for key in env or {}):
        raise ValueError("another Prefect server or home needs a process of its own (run_formwork)")
    capsys.readouterr()
    with _environment(env or {}):
        code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["formwork", *args], code, out, err)


def command_line(capsys, *args: str) -> tuple[int, str, str]:
    """in_process as (exit code, stdout, stderr)."""
    done = in_process(capsys, *args)
    return done.returncode, done.stdout, done.stderr


@contextmanager
def _environment(added: dict[str, str]) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
