"""The embedded default under FORMWORK_HOME: a PostgreSQL cluster, one Prefect server, and for
releases an OCI registry, a bare GitOps repository and what runs what it pins: real Odoo containers
(`local.odoo_sync`, started by the demo where Podman runs), else an HTTP stand-in.
A second, small PostgreSQL cluster is the scratch server production's drills restore to: a
production backup is never restored beside production. Its password reaches libpq through a
password file (`pgpass`, owner-only) that `client.env` and the worker point PGPASSFILE at.

Ports, the database password and the Prefect API auth string are chosen once and kept in
`stack.json` (readable by its owner only), so `make demo` can be run again and finds the same stack.
`client.env` beside it holds what a shell needs to use the stack's Prefect server.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path

from formwork.postgres_cluster import LocalCluster, free_port, new_password, reachable_by_server
from local.gitops_repo import create_gitops_repo
from local.odoo_standin import OdooStandInService
from local.odoo_sync import OdooSyncService
from local.prefect_server import LocalPrefectServer, default_home
from local.registry import LocalRegistry
from local.worker import DEFAULT_POOL, LocalWorker


@dataclass
class StackSettings:
    pg_port: int
    prefect_port: int
    pg_password: str = field(repr=False)
    pg_root: str
    prefect_auth: str = field(default="", repr=False)  # "formwork:<random>": the Prefect API's basic auth and the UI login
    registry_port: int = 0  # 0: not chosen yet (a stack.json from before releases joined the demo)
    odoo_port: int = 0
    scratch_port: int = 0  # 0: not chosen yet (a stack.json from before drills had a scratch server)
    odoo_ports: dict[str, int] = field(default_factory=dict)  # each release environment's Odoo container


RELEASE_CHAIN = ("dev", "test", "staging", "prod")


class LocalStack:
    def __init__(self, home: Path | None = None):
        self.home = home or default_home()
        self.settings = self._settings()
        self.postgres = LocalCluster(Path(self.settings.pg_root), self.settings.pg_port, self.settings.pg_password)
        self.scratch = LocalCluster(
            Path(self.settings.pg_root).with_name("scratch-postgres"), self.settings.scratch_port, self.settings.pg_password
        )
        self.prefect = LocalPrefectServer(self.home / "prefect", self.settings.prefect_port, self.settings.prefect_auth)
        self.worker = LocalWorker(self.home / "worker", DEFAULT_POOL, self.client_env())
        self.registry = LocalRegistry(self.home / "registry", self.settings.registry_port)
        self.odoo = OdooStandInService(self.home / "odoo-standin", self.settings.odoo_port, self.gitops_repo)
        self.odoo_sync = OdooSyncService(self.home / "odoo-sync")

    @property
    def settings_file(self) -> Path:
        """Ports and passwords, owner-only; `prefect_auth` is the Prefect UI's login."""
        return self.home / "stack.json"

    @property
    def client_env_file(self) -> Path:
        """`set -a; . .formwork/client.env; set +a` points a shell's formwork/prefect commands at the stack."""
        return self.home / "client.env"

    @property
    def pgpass_file(self) -> Path:
        return self.home / "pgpass"

    @property
    def scratch_dsn(self) -> str:
        """The scratch server, without its password (libpq reads it from PGPASSFILE)."""
        return f"postgresql://postgres@127.0.0.1:{self.scratch.port}/postgres"

    def client_env(self) -> dict[str, str]:
        """What a client of the stack needs: the Prefect server, and the scratch server's password file."""
        return {**self.prefect.client_env(), "PGPASSFILE": str(self.pgpass_file)}

    @property
    def gitops_repo(self) -> Path:
        """The bare GitOps repository with overlays dev, test, staging and prod."""
        return self.home / "gitops.git"

    @property
    def objects(self) -> Path:
        """The local object store: filestores and backups."""
        return self.home / "objects"

    def _settings(self) -> StackSettings:
        path = self.settings_file
        if path.exists():
            settings = StackSettings(**json.loads(path.read_text()))
            if not (
                settings.prefect_auth
                and settings.registry_port
                and settings.odoo_port
                and settings.scratch_port
                and settings.odoo_ports
            ):  # an older stack.json
                settings.prefect_auth = settings.prefect_auth or _auth_string()
                settings.registry_port = settings.registry_port or _prefer(5000)
                settings.odoo_port = settings.odoo_port or free_port()
                settings.scratch_port = settings.scratch_port or free_port()
                settings.odoo_ports = settings.odoo_ports or _odoo_ports()
                _write(path, settings)
            return settings
        pg_port = int(os.environ.get("FORMWORK_PG_PORT", "0")) or _prefer(55432)
        self.home.mkdir(parents=True, exist_ok=True)
        settings = StackSettings(
            pg_port=pg_port,
            prefect_port=int(os.environ.get("FORMWORK_PREFECT_PORT", "4200")),
            pg_password=new_password(),
            pg_root=str(_cluster_root(self.home)),
            prefect_auth=_auth_string(),
            registry_port=_prefer(5000),
            odoo_port=free_port(),
            scratch_port=free_port(),
            odoo_ports=_odoo_ports(),
        )
        _write(path, settings)
        return settings

    def up(self) -> None:
        self.postgres.root.parent.mkdir(parents=True, exist_ok=True)
        self.postgres.root.parent.chmod(0o755)  # the unprivileged PostgreSQL account must be able to enter it
        for cluster in (self.postgres, self.scratch):
            cluster.init()
            cluster.start()
        _write_private(self.pgpass_file, f"127.0.0.1:{self.scratch.port}:*:postgres:{self.settings.pg_password}\n")
        self.prefect.start()
        _write_private(self.client_env_file, "".join(f"{key}={shlex.quote(value)}\n" for key, value in self.client_env().items()))
        self.worker.start(cwd=Path(__file__).resolve().parents[2], wait=False)  # it gets ready while the caller goes on
        self.registry.start()
        if not self.gitops_repo.exists():
            create_gitops_repo(self.gitops_repo)
        self.odoo.start()

    def down(self) -> None:
        self.worker.stop()
        self.odoo_sync.stop()
        self.odoo.stop()
        self.registry.stop()
        self.prefect.stop()
        self.scratch.stop()
        self.postgres.stop()

    def status(self) -> dict[str, bool]:
        return {
            "postgres": self.postgres.running(),
            "scratch": self.scratch.running(),
            "prefect": self.prefect.healthy(),
            "worker": self.worker.running(),
            "registry": self.registry.running(),
            "odoo": self.odoo.running(),
        }


def _odoo_ports() -> dict[str, int]:
    return {name: free_port() for name in RELEASE_CHAIN}


def _auth_string() -> str:
    return f"formwork:{new_password()}"


def _write(path: Path, settings: StackSettings) -> None:
    _write_private(path, json.dumps(asdict(settings), indent=2))


def _write_private(path: Path, text: str) -> None:
    """Readable by its owner only, from the first byte on: it holds passwords."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


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
