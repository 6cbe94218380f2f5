"""The local stand-in for Argo CD: each environment's Odoo runs as a Podman container from what its overlay pins.

Every `interval` seconds the sync reads what each overlay pins (`newName@digest`, from the bare GitOps repository,
as Argo CD reads its source) and, where the environment's container is not running that digest, replaces it with
one started from it (formwork.release.odoo_container.serve). A container that does not come up stays down, as a
crash-looping pod would: the promotion's rollout check sees it and rolls back, and the next pass starts the
previous digest again. On a cluster, Argo CD or Flux does this and Formwork only watches.

Run in a thread (`OdooSync(...).start()`, the tests) or as a process of the local stack
(`python -m local.odoo_sync CONFIG`, a JSON file of targets; the role's password comes in PGPASSWORD).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from formwork.errors import FormworkError
from formwork.release import odoo_container
from formwork.release.odoo_container import OdooDatabase, Podman
from local.daemon import Daemon
from local.gitops_repo import pinned_image

log = logging.getLogger("formwork.local.odoo_sync")


@dataclass(frozen=True)
class Target:
    """One environment: the overlay that says what it runs, its container's name, its database and HTTP port."""

    overlay: str
    name: str
    database: OdooDatabase
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class OdooSync:
    def __init__(self, gitops_repo: str | Path, podman: Podman, targets: list[Target], interval: float = 1.0):
        self.gitops_repo, self.podman, self.interval = str(gitops_repo), podman, interval
        self.targets = {target.overlay: target for target in targets}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def reconcile(self) -> list[str]:
        """One pass: every target whose container does not run what its overlay pins is replaced; what changed."""
        changed = []
        for target in self.targets.values():
            pinned = pinned_image(self.gitops_repo, target.overlay)
            if pinned is None:
                continue
            digest = pinned.partition("@")[2]
            if odoo_container.running_digest(self.podman, target.name) == digest:
                continue
            try:
                odoo_container.serve(self.podman, target.name, pinned, digest, target.database, target.port)
                changed.append(f"{target.overlay}: started {pinned}")
            except FormworkError as exc:
                changed.append(f"{target.overlay}: {pinned} did not start: {exc}")
            log.info(changed[-1])
        return changed

    def start(self) -> OdooSync:
        def loop():
            while not self._stopping.is_set():
                self.reconcile()
                self._stopping.wait(self.interval)

        self._thread = threading.Thread(target=loop, name="odoo-sync", daemon=True)
        self._thread.start()
        return self

    def stop(self, remove: bool = True) -> None:
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=60)
        if remove:
            for target in self.targets.values():
                odoo_container.stop(self.podman, target.name)


class OdooSyncService:
    """The sync as a background process of the local stack: `start` writes its targets and starts it, `stop`
    stops it and removes its containers."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.config = self.home / "config.json"
        self.daemon = Daemon(self.home / "odoo-sync.pid", self.home / "odoo-sync.log")

    def start(self, gitops_repo: Path, podman_home: Path, targets: list[Target], password: str | None) -> None:
        self.stop()
        self.home.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            json.dumps(
                {
                    "gitops_repo": str(gitops_repo),
                    "podman": str(podman_home),
                    "targets": [
                        {
                            "overlay": t.overlay,
                            "name": t.name,
                            "host": t.database.host,
                            "port": t.database.port,
                            "database": t.database.name,
                            "user": t.database.user,
                            "http_port": t.port,
                        }
                        for t in targets
                    ],
                },
                indent=1,
            )
        )
        env = {key: value for key, value in os.environ.items() if key != "PGPASSWORD"}
        self.daemon.spawn(
            [sys.executable, "-m", "local.odoo_sync", str(self.config)],
            env={**env, "PGPASSWORD": password} if password else env,
            cwd=Path(__file__).resolve().parents[1],
        )

    def stop(self) -> None:
        """Stop the sync and remove its containers (nothing to remove where Podman is gone)."""
        self.daemon.stop()
        if not self.config.is_file():
            return
        try:
            sync = from_config(self.config)
        except FormworkError:
            return
        for target in sync.targets.values():
            odoo_container.stop(sync.podman, target.name)


def from_config(path: Path) -> OdooSync:
    config = json.loads(Path(path).read_text())
    password = os.environ.get("PGPASSWORD")
    targets = [
        Target(t["overlay"], t["name"], OdooDatabase(t["host"], t["port"], t["database"], t["user"], password), t["http_port"])
        for t in config["targets"]
    ]
    return OdooSync(config["gitops_repo"], Podman(Path(config["podman"])), targets, config.get("interval", 1.0))


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sync = from_config(Path(argv[0]))
    try:
        sync.start()._thread.join()
    except KeyboardInterrupt:
        sync.stop(remove=False)


if __name__ == "__main__":
    main(sys.argv[1:])
