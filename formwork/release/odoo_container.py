"""Real Odoo from a Formwork-built image, run with Podman: a module upgrade, or a server for one environment.

Every container reaches PostgreSQL on the host's network (`--network host`), connects as the role that owns
the database (Odoo refuses `postgres`), and gets that role's password in PGPASSWORD, passed by name only
(`--env PGPASSWORD`: podman copies it from its own environment), never on a command line. Images are pulled
by digest from the registry; one runtime store (`podman_settings`) serves every container of this machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from formwork import commands
from formwork.errors import OperationError
from formwork.release.engine import podman_settings
from formwork.seed.odoo_bin import LOG_ERROR, cache_root, without_secrets

PREFIX = "formwork-odoo-"
UPGRADE_TIMEOUT = 3600
LOG_LINES = 12
_MODULE = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class OdooDatabase:
    """Where Odoo connects: the database, and the role it runs as (the database's owner)."""

    host: str
    port: int
    name: str
    user: str
    password: str | None = field(default=None, repr=False)

    def options(self) -> list[str]:
        return [f"--db_host={self.host}", f"--db_port={self.port}", f"--db_user={self.user}", "-d", self.name]


@dataclass(frozen=True)
class Upgrade:
    """One `odoo-bin -u` run: what, how long, and the lines of its log a person reads first."""

    modules: tuple[str, ...]
    image: str
    ok: bool
    seconds: float
    excerpt: str


class Podman:
    """The podman command line on the runtime store in `workdir` (runc, lowered ulimits, loopback registries)."""

    def __init__(self, workdir: Path):
        binary = shutil.which("podman")
        if not binary or not shutil.which("runc"):
            raise OperationError("running Odoo images needs podman and runc (tools/ensure-podman.sh installs them)")
        self.binary = binary
        self.settings = podman_settings(Path(workdir).resolve())

    def run(self, args: list[str], what: str, *, password: str | None = None, timeout: float = 600, check: bool = True):
        """podman ARGS; `password` reaches it as PGPASSWORD (and from it the container), nothing else secret."""
        env = {**without_secrets(password), **self.settings}
        return commands.run([self.binary, *args], what, env=env, timeout=timeout, check=check)

    def pull(self, image: str) -> None:
        self.run(["pull", "--quiet", image], f"podman pull {image}", timeout=900)


def runtime() -> Podman:
    """The machine's one runtime store (under Formwork's cache): migrations and the local stack's Odoo containers."""
    return Podman(runtime_home())


def runtime_home() -> Path:
    return cache_root() / "podman"


def upgrade(podman: Podman, image: str, modules: list[str], database: OdooDatabase, log: Path) -> Upgrade:
    """`odoo-bin -u MODULES --stop-after-init` of `image` on `database`. Odoo runs each module's migration scripts
    and brings its tables to the new models; a non-zero exit or an ERROR line is a failed upgrade. The whole log is
    kept in `log`."""
    return _modules(podman, image, "-u", modules, database, log)


def install(podman: Podman, image: str, modules: list[str], database: OdooDatabase, log: Path) -> Upgrade:
    """`odoo-bin -i MODULES --stop-after-init` of `image` on `database`, without demo data."""
    return _modules(podman, image, "-i", modules, database, log, "--without-demo=all")


def _modules(podman: Podman, image: str, flag: str, modules: list[str], database: OdooDatabase, log: Path, *more: str) -> Upgrade:
    for module in modules:
        if not _MODULE.fullmatch(module):
            raise OperationError(f"module name {module!r}: not an Odoo module name")
    podman.pull(image)
    started = time.monotonic()
    done = podman.run(
        ["run", "--rm", "--network", "host", "--env", "PGPASSWORD", image, *database.options()]
        + [flag, ",".join(modules), "--stop-after-init", "--no-http", "--max-cron-threads=0", *more],
        f"odoo-bin {flag} {','.join(modules)} on {database.name}",
        password=database.password,
        timeout=UPGRADE_TIMEOUT,
        check=False,
    )
    seconds = time.monotonic() - started
    output = commands.output_text(done.stdout) + commands.output_text(done.stderr)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(output)
    failed = done.returncode != 0 or LOG_ERROR.search(output) is not None
    return Upgrade(tuple(modules), image, not failed, seconds, excerpt(output, failed))


def excerpt(output: str, failed: bool) -> str:
    """The ERROR lines and what follows the first (its traceback) when it failed, else the last lines."""
    lines = output.splitlines()
    if failed:
        first = next((i for i, line in enumerate(lines) if LOG_ERROR.match(line)), max(len(lines) - LOG_LINES, 0))
        return "\n".join(lines[first : first + 3 * LOG_LINES])
    return "\n".join(lines[-LOG_LINES:])


def serve(podman: Podman, name: str, image: str, digest: str, database: OdooDatabase, http_port: int) -> str:
    """Replace container `formwork-odoo-NAME` by one serving `database` from `image` on `http_port`; its id.

    The container's FORMWORK_IMAGE_DIGEST is the digest it was started from: the image's `formwork_image` module
    answers it in /web/webclient/version_info, which is how a rollout check knows the new image answers."""
    podman.pull(image)
    stop(podman, name)
    started = podman.run(
        ["run", "--detach", "--name", PREFIX + name, "--network", "host", "--env", "PGPASSWORD"]
        + ["--env", f"FORMWORK_IMAGE_DIGEST={digest}", image, *database.options()]
        + [f"--http-port={http_port}", "--http-interface=127.0.0.1", f"--db-filter=^{re.escape(database.name)}$"]
        + ["--max-cron-threads=0"],
        f"podman run {PREFIX + name}",
        password=database.password,
    )
    return started.stdout.strip()


def stop(podman: Podman, name: str) -> None:
    """Remove container `formwork-odoo-NAME` if it exists (stopped within 10 s, then killed)."""
    podman.run(["rm", "--force", "--time", "10", PREFIX + name], f"podman rm {PREFIX + name}", check=False)


def running_digest(podman: Podman, name: str) -> str | None:
    """The digest container `formwork-odoo-NAME` was started from, when it runs."""
    found = podman.run(
        ["inspect", "--format", "{{.State.Running}} {{range .Config.Env}}{{println .}}{{end}}", PREFIX + name],
        f"podman inspect {PREFIX + name}",
        check=False,
    )
    if found.returncode != 0 or not found.stdout.startswith("true"):
        return None
    for line in found.stdout.splitlines():
        if line.startswith("FORMWORK_IMAGE_DIGEST="):
            return line.partition("=")[2].strip()
    return None


def available(workdir: Path) -> str:
    """Why podman cannot run a container here; "" when it can (for the tests' skip and the demo's fallback)."""
    try:
        podman = Podman(workdir)
    except OperationError as exc:
        return str(exc)
    try:
        done = podman.run(["info", "--format", "{{.Host.OCIRuntime.Name}}"], "podman info", check=False, timeout=60)
    except (OperationError, subprocess.SubprocessError) as exc:
        return str(exc)
    return "" if done.returncode == 0 else f"podman info failed: {commands.last_output_line(done)}"
