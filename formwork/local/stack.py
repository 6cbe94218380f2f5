"""The embedded default under FORMWORK_HOME: one PostgreSQL cluster, one Prefect server, and for
releases an OCI registry, a bare GitOps repository and an Odoo stand-in that runs what it pins.

Ports and the database password are chosen once and kept in `stack.json`, so
`make demo` can be run again and finds the same stack.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from formwork.local.postgres import LocalCluster, free_port, new_password, reachable_by_server
from formwork.local.gitops_repo import create_gitops_repo
from formwork.local.odoo_standin import OdooStandInService
from formwork.local.prefect_server import LocalPrefectServer
from formwork.local.registry import LocalRegistry


def default_home() -> Path:
    return Path(os.environ.get("FORMWORK_HOME", ".formwork")).resolve()


@dataclass
class StackSettings:
    pg_port: int
    prefect_port: int
    pg_password: str
    pg_root: str
    registry_port: int = 0  # 0: not chosen yet (a stack.json from before releases joined the demo)
    odoo_port: int = 0


class LocalStack:
    def __init__(self, home: Path | None = None):
        self.home = home or default_home()
        self.settings = self._settings()
        self.postgres = LocalCluster(Path(self.settings.pg_root), self.settings.pg_port, self.settings.pg_password)
        self.prefect = LocalPrefectServer(self.home / "prefect", self.settings.prefect_port)
        self.registry = LocalRegistry(self.home / "registry", self.settings.registry_port)
        self.odoo = OdooStandInService(self.home / "odoo-standin", self.settings.odoo_port, self.gitops_repo)

    @property
    def gitops_repo(self) -> Path:
        """The bare GitOps repository with overlays dev, test, staging and prod."""
        return self.home / "gitops.git"

    @property
    def objects(self) -> Path:
        """The local object store: filestores and backups."""
        return self.home / "objects"

    def _settings(self) -> StackSettings:
        path = self.home / "stack.json"
        if path.exists():
            settings = StackSettings(**json.loads(path.read_text()))
            if settings.registry_port and settings.odoo_port:
                return settings
            settings.registry_port = settings.registry_port or _prefer(5000)
            settings.odoo_port = settings.odoo_port or free_port()
            path.write_text(json.dumps(asdict(settings), indent=2))
            return settings
        pg_port = int(os.environ.get("FORMWORK_PG_PORT", "0")) or _prefer(55432)
        self.home.mkdir(parents=True, exist_ok=True)
        settings = StackSettings(
            pg_port=pg_port,
            prefect_port=int(os.environ.get("FORMWORK_PREFECT_PORT", "4200")),
            pg_password=new_password(),
            pg_root=str(_cluster_root(self.home)),
            registry_port=_prefer(5000),
            odoo_port=free_port(),
        )
        path.write_text(json.dumps(asdict(settings), indent=2))
        path.chmod(0o600)
        return settings

    def up(self) -> None:
        self.postgres.root.parent.mkdir(parents=True, exist_ok=True)
        self.postgres.root.parent.chmod(0o755)  # the unprivileged PostgreSQL account must be able to enter it
        self.postgres.init()
        self.postgres.start()
        self.prefect.start()
        self.registry.start()
        if not self.gitops_repo.exists():
            create_gitops_repo(self.gitops_repo)
        self.odoo.start()

    def down(self) -> None:
        self.odoo.stop()
        self.registry.stop()
        self.prefect.stop()
        self.postgres.stop()

    def status(self) -> dict[str, bool]:
        return {"postgres": self.postgres.running(), "prefect": self.prefect.healthy(),
                "registry": self.registry.running(), "odoo": self.odoo.running()}


def _cluster_root(home: Path) -> Path:
    """Under FORMWORK_HOME, unless the account PostgreSQL runs as cannot reach it (a project under /root)."""
    if reachable_by_server(home.parent):
        return home / "postgres"
    tag = hashlib.sha256(str(home).encode()).hexdigest()[:10]
    return Path("/var/tmp") / f"formwork-{tag}" / "postgres"


def _prefer(port: int) -> int:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return port
        except OSError:
            return free_port()
