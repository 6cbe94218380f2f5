"""A Docker-API container engine for the image build: DOCKER_HOST, or Podman's API service.

`container_engine(workdir)` yields a docker `base_url`. When DOCKER_HOST is set it is used
as is (Docker, or any Docker-compatible socket). Otherwise, when `podman` is installed, a
private `podman system service` is started on `unix://<workdir>/podman.sock` with its own
config files in `workdir`:

- containers.conf: `runc` (crun cannot set rlimits or use hybrid cgroups in our sandboxes),
  lowered default ulimits, the file events logger and cgroupfs;
- registries.conf: plain HTTP for loopback registries (`127.0.0.1` and `localhost` match
  every port: containers/image matches a location as a prefix up to `:` or `/`);
- storage.conf: image storage under `workdir/storage`, so builds neither share nor lock
  the machine-wide store (a persistent `workdir` keeps the layer cache between runs).

The service is stopped when the context exits. With neither, `OperationError` says why.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from formwork import commands
from formwork.errors import OperationError

INSECURE_LOOPBACK = ("127.0.0.1", "localhost")

CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
events_logger = "file"
cgroup_manager = "cgroupfs"
"""


def _registries_conf(insecure: tuple[str, ...]) -> str:
    entries = [f'[[registry]]\nlocation = "{host}"\ninsecure = true\n' for host in insecure]
    return "\n".join(entries)


def _storage_conf(root: Path) -> str:
    return f'[storage]\ndriver = "overlay"\ngraphroot = "{root / "graph"}"\nrunroot = "{root / "run"}"\n'


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _ping(base_url: str) -> bool:
    import docker

    try:
        client = docker.DockerClient(base_url=base_url, version="auto", timeout=5)
    except Exception:  # noqa: BLE001 - not answering yet
        return False
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not answering yet
        return False
    finally:
        client.close()


def podman_settings(workdir: Path, insecure_registries: tuple[str, ...] = INSECURE_LOOPBACK) -> dict[str, str]:
    """Write the three config files into `workdir` (storage under `workdir/storage`); the variables naming them."""
    workdir.mkdir(parents=True, exist_ok=True)
    files = {
        "CONTAINERS_CONF": (workdir / "containers.conf", CONTAINERS_CONF),
        "CONTAINERS_REGISTRIES_CONF": (workdir / "registries.conf", _registries_conf(tuple(insecure_registries))),
        "CONTAINERS_STORAGE_CONF": (workdir / "storage.conf", _storage_conf(workdir / "storage")),
    }
    for path, text in files.values():
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
    return {variable: str(path) for variable, (path, _) in files.items()}


@contextmanager
def container_engine(
    workdir: Path,
    *,
    insecure_registries: tuple[str, ...] = INSECURE_LOOPBACK,
    timeout: float = 30.0,
) -> Iterator[str]:
    """Yield a docker base_url (`DOCKER_HOST`, or a Podman API service started in `workdir`)."""
    docker_host = os.environ.get("DOCKER_HOST", "").strip()
    if docker_host:
        yield docker_host
        return
    podman = shutil.which("podman")
    if not podman:
        raise OperationError(
            "no container engine: DOCKER_HOST is not set and podman is not installed (run tools/ensure-podman.sh)"
        )
    if not shutil.which("runc"):
        raise OperationError("no container engine: podman is installed but runc is not (apt-get install runc)")

    workdir = Path(workdir).resolve()
    env = {**os.environ, **podman_settings(workdir, insecure_registries)}
    socket = workdir / "podman.sock"
    socket.unlink(missing_ok=True)
    base_url = f"unix://{socket}"
    log_path = workdir / "podman-service.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [podman, "system", "service", "--time=0", base_url],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise OperationError(
                    f"no container engine: podman system service exited with {process.returncode}: "
                    f"{_last_line(log_path.read_text(errors='replace'))}"
                )
            if socket.exists() and _ping(base_url):
                break
            if time.monotonic() > deadline:
                raise OperationError(
                    f"no container engine: podman system service did not answer on {base_url} within {timeout:.0f}s: "
                    f"{_last_line(log_path.read_text(errors='replace'))}"
                )
            time.sleep(0.05)
        yield base_url
    finally:
        _stop(process)
        socket.unlink(missing_ok=True)
        _unmount_under(workdir / "storage")


def _mount_points_under(root: Path) -> list[str]:
    """Mount points at or below `root`, deepest first (from /proc/self/mountinfo)."""
    prefix = str(root)
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) > 4:
            point = fields[4].replace("\\040", " ")
            if point == prefix or point.startswith(prefix + "/"):
                found.append(point)
    return sorted(set(found), key=len, reverse=True)


def _unmount_under(root: Path) -> None:
    """Rootful overlay storage leaves `graph/overlay` bind-mounted on itself after the service stops.

    Unmount it (and anything else the service left under our storage), so `workdir` can be deleted.
    """
    umount = shutil.which("umount")
    if not umount or os.geteuid() != 0:
        return
    for point in _mount_points_under(root):
        commands.run([umount, point], f"umount {point}", check=False, timeout=30)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
