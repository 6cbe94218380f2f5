"""A scratch server restored to a point in time: pgBackRest restore into a new data directory, a temporary
PostgreSQL on a free port, run as the unprivileged server account, stopped and removed afterwards.

The scratch server must never archive into the environment's repository (it would
add a new timeline to production's archive), never listen beyond a socket only we
can reach, and never load the source's TLS settings: the restore turns archiving
off and its pg_hba.conf is replaced with socket-only trust. Its data directory is
never production's, nor inside or around it (FORMWORK_SCRATCH_DIR could point
there), and the restore starts only when the folder has room for the backup.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg

from formwork.dsn import ConnectionSpec
from formwork.environments import check_name
from formwork.errors import InputError, OperationError
from formwork.locations import overlaps
from formwork.pitr import pgbackrest
from formwork.pitr.pgbackrest import server_account
from formwork.pitr.settings import PitrProtection
from formwork.pitr.target import RecoveryTarget
from formwork.postgres_cluster import LocalCluster, free_port
from formwork.refresh import space

SCRATCH_OPTIONS = "-c archive_mode=off -c ssl=off -c hot_standby=on -c shared_preload_libraries=''"
BASE = Path(os.environ.get("FORMWORK_SCRATCH_DIR", "/var/tmp"))


def new_cluster(environment: str) -> LocalCluster:
    """An empty folder the server account owns, on a free port."""
    root = Path(tempfile.mkdtemp(prefix=_prefix(environment), dir=BASE))
    root.chmod(0o700)
    (root / "data").mkdir(mode=0o700)
    return LocalCluster(root, free_port())


def check_room(size: int) -> str:
    """Refuse a restore the scratch folder has no room for; returns what was measured."""
    room = space.directory_room(BASE, size)
    if not room.enough:
        raise InputError(f"point-in-time drill: not enough free space: {room} (set FORMWORK_SCRATCH_DIR to a larger folder)")
    return f"space checked: {room}"


def refuse_production_data(root: Path, protection: PitrProtection) -> None:
    """The scratch folder is not production's data directory, nor inside or around it."""
    if overlaps(f"file://{root.resolve()}", f"file://{Path(protection.pg_data).resolve()}"):
        raise InputError(
            f"scratch folder {root} overlaps production's data directory {protection.pg_data}: "
            "set FORMWORK_SCRATCH_DIR to a folder outside it"
        )


def restore(protection: PitrProtection, target: RecoveryTarget, cluster: LocalCluster) -> None:
    refuse_production_data(cluster.root, protection)
    account = server_account(protection.pg_data)
    if account:
        for path in (cluster.root, cluster.datadir):
            shutil.chown(path, user=account)
    pgbackrest.run(protection, "restore", f"--pg1-path={cluster.datadir}", "--archive-mode=off", *target.pgbackrest_options())
    (cluster.datadir / "pg_hba.conf").write_text("local all all trust\n")


def start(cluster: LocalCluster, user: str, timeout: float) -> ConnectionSpec:
    """Start it and wait until recovery has reached the target and promoted; a failed recovery names its reason."""
    try:
        cluster.start(SCRATCH_OPTIONS)
    except OperationError as exc:
        raise OperationError(f"the restored server did not start: {_recovery_failure(cluster) or exc}") from None
    spec = ConnectionSpec(str(cluster.root), cluster.port, "postgres", user)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(**spec.kwargs(), connect_timeout=5) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return spec
        except psycopg.OperationalError:
            if not cluster.running():
                raise OperationError(f"recovery failed: {_recovery_failure(cluster) or 'the restored server stopped'}") from None
        time.sleep(0.2)
    raise OperationError(f"recovery did not finish within {timeout:.0f} s")


def _recovery_failure(cluster: LocalCluster) -> str:
    """The server log's first FATAL line (e.g. recovery ended before the target was reached)."""
    if not cluster.logfile.exists():
        return ""
    lines = cluster.logfile.read_text(errors="replace").splitlines()
    fatal = [line.split("FATAL:", 1)[1].strip() for line in lines if "FATAL:" in line]
    return fatal[0] if fatal else ""


def last_transaction(spec: ConnectionSpec):
    """When the last transaction replayed from the archive committed: the newest recovered point."""
    with psycopg.connect(**spec.kwargs()) as conn:
        return conn.execute("SELECT pg_last_xact_replay_timestamp()").fetchone()[0]


def remove(cluster: LocalCluster) -> None:
    cluster.destroy()


def remove_leftovers(environment: str, protection: PitrProtection) -> list[str]:
    """Scratch servers an earlier, killed drill of this environment left running: stopped and removed.
    Only this environment's: `prod`'s clean-up never touches `prod-eu`'s scratch servers."""
    prefix = _prefix(check_name(environment))
    found = sorted(path for path in BASE.iterdir() if path.name.startswith(prefix)) if BASE.is_dir() else []
    for root in found:
        refuse_production_data(root, protection)
    for root in found:
        LocalCluster(root, 0).destroy()
    return [str(root) for root in found]


def _prefix(environment: str) -> str:
    """Ends with a dot, which no environment name holds: no environment's prefix starts another's."""
    return f"formwork-pitr-drill-{environment}."
