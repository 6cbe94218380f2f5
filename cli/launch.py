"""The `formwork` command's entry: Prefect's settings chosen before Prefect is imported (it reads them then).

Telemetry stays off unless asked for. Without PREFECT_API_URL, a command talks to the embedded stack's
Prefect server when `formwork local up` (or `make demo`) runs one under FORMWORK_HOME, found from the
stack's own files: no file to source, and no temporary server started for one command (9-16 s each).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def run() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "PREFECT_API_URL" not in os.environ:
        os.environ.update(embedded_server_env())
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
