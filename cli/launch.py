"""The `formwork` command's entry: Prefect's settings chosen before Prefect is imported (it reads them then).

Telemetry stays off unless asked for. Without PREFECT_API_URL, a command talks to the embedded stack's
Prefect server when `formwork local up` (or `make demo`) runs one under FORMWORK_HOME, found from the
stack's own files: no file to source, and no temporary server started for one command (9-16 s each).
When none runs, the first command that needs one starts the stack's Prefect server in the background
(the one `formwork local up` would start, kept by `formwork local down`), so only that command waits.
FORMWORK_AUTOSTART=0 leaves Prefect to its own temporary server instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Commands that need no Prefect server, or start the whole stack themselves.
_SERVERLESS = {"local", "demo", "seed"}


def run() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect gives a temporary server 20 s to answer: a busy 2-core machine took longer (the command failed).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if "PREFECT_API_URL" not in os.environ:
        os.environ.update(embedded_server_env() or _started_server_env(sys.argv[1:]))
    from cli.main import run as main

    main()


def embedded_server_env(home: Path | None = None) -> dict[str, str]:
    """The client settings of the stack under `home` (FORMWORK_HOME) while its Prefect server answers, else none."""
    from local.prefect_server import LocalPrefectServer, default_home

    home = home or default_home()
    try:
        settings = json.loads((home / "stack.json").read_text())
        server = LocalPrefectServer(home / "prefect", int(settings["prefect_port"]), settings.get("prefect_auth") or None)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if server.daemon.pid() is None or not server.healthy():
        return {}
    return {**server.client_env(), "PGPASSFILE": str(home / "pgpass")}


def _started_server_env(argv: list[str]) -> dict[str, str]:
    """Start the stack's Prefect server for a command that needs one; its client settings, or none if it fails."""
    words = [word for word in argv if not word.startswith("-")]
    if os.environ.get("FORMWORK_AUTOSTART", "1") == "0" or not words or words[0] in _SERVERLESS or {"-h", "--help"} & set(argv):
        return {}
    from formwork.errors import OperationError
    from local.stack import LocalStack

    stack = LocalStack()
    print(
        f"formwork: starting the embedded Prefect server in the background ({stack.prefect.ui_url}; "
        "`formwork local down` stops it)",
        file=sys.stderr,
        flush=True,
    )
    try:
        stack.prefect.start()
    except OperationError as exc:
        print(f"formwork: {exc}; using a temporary server for this command", file=sys.stderr)
        return {}
    return stack.client_env()
