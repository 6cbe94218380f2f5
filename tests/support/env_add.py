"""`formwork env add` as a test's setup step: the command's own entry point, run in the test's process against the
session's Prefect server. A process per environment cost ~2 s of the suite each; the command as a process, with its
refusals, is tested in test_env_cli and the hostile tests."""

from __future__ import annotations

from pathlib import Path

from cli.main import main


def env_add(name: str, dsn: str, files: Path | str, *extra: str) -> None:
    code = main(["env", "add", name, "--dsn", dsn, "--filestore", f"file://{files}", *extra])
    assert code == 0, f"formwork env add {name}: exit {code} (its message is in the captured stderr)"
