"""A real Odoo 17 image in three layers: the Debian base, Odoo's source with Formwork's config, the project's addons.

Layout: Odoo's source in /opt/odoo, the project's modules in /opt/addons (every module directory committed in
the addons repository, flattened), Formwork's server-wide `formwork_image` module in /opt/formwork, the config
in /etc/odoo/odoo.conf (ODOO_RC), Odoo's data in /var/lib/odoo, run as user `odoo`. The entry point is odoo-bin
itself: `IMAGE --http-port …`, `IMAGE -u MODULES --stop-after-init …`. No database address or password is in the
image; whoever runs it passes them (the password in PGPASSWORD, never on a command line).

The first two layers are built once per package list and per Odoo source and kept in the engine
(`build.cached_image`, at timestamp 0): a release build sends only its addons, and the same addons commit gives
the same digest on every machine.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from formwork.errors import InputError, OperationError
from formwork.refresh.filestore import link_or_copy
from formwork.release import odoo_base
from formwork.release.addons import module_directories
from formwork.release.build import build_image, cached_image
from formwork.release.migration import ODOO_BIN
from formwork.seed.odoo_bin import available_odoo, cache_root

REPORTER = Path(__file__).resolve().parent / "odoo-addons"
ODOO = "/opt/odoo"
ADDONS = "/opt/addons"
FORMWORK_ADDONS = "/opt/formwork"
DATA = "/var/lib/odoo"
HTTP_PORT = 8069
BASE_REPOSITORY = "localhost/formwork/odoo-base"
RUNTIME_REPOSITORY = "localhost/formwork/odoo"

CONFIG = f"""[options]
addons_path = {ODOO}/odoo/addons,{ADDONS},{FORMWORK_ADDONS}
data_dir = {DATA}
server_wide_modules = base,web,formwork_image
list_db = False
"""
RUNTIME_DOCKERFILE = f"""FROM {{base}}
COPY odoo {ODOO}
COPY formwork {FORMWORK_ADDONS}
COPY odoo.conf /etc/odoo/odoo.conf
ENV ODOO_RC=/etc/odoo/odoo.conf
USER odoo
WORKDIR {DATA}
EXPOSE {HTTP_PORT}
ENTRYPOINT ["python3", "{ODOO}/odoo-bin"]
"""
RELEASE_DOCKERFILE = f"FROM {{runtime}}\nCOPY addons {ADDONS}\n"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def build(addons_repo: Path, repository: str, tag: str, *, client, engine: str, labels: dict[str, str]) -> str:
    """Build and push the image of `addons_repo` on real Odoo 17 (the Odoo the tests and the demo use:
    FORMWORK_ODOO_BIN, else ../shared/odoo); the registry's digest."""
    odoo_bin, why = available_odoo()
    if odoo_bin is None:
        raise OperationError(f"a real Odoo image needs Odoo's source: {why}")
    source = odoo_source(odoo_bin)
    rootfs = odoo_base.rootfs(cache_root())
    base = cached_image(client, f"{BASE_REPOSITORY}:{rootfs.stem}", lambda into: _base_context(rootfs, into), engine=engine)
    runtime = cached_image(
        client,
        f"{RUNTIME_REPOSITORY}:{runtime_key(source, base)}",
        lambda into: _runtime_context(source, base, into),
        engine=engine,
    )
    with tempfile.TemporaryDirectory(prefix="formwork-context-") as scratch:
        folder = release_context(addons_repo, runtime, Path(scratch))
        return build_image(folder, repository, tag, client=client, engine=engine, labels={**labels, ODOO_BIN: f"{ODOO}/odoo-bin"})


def odoo_source(odoo_bin: Path) -> Path:
    """Odoo's source tree from the odoo-bin wrapper `ensure-odoo.sh` writes (`DIR/odoo-bin` runs `DIR/src/odoo-bin`),
    or from an odoo-bin inside a source tree."""
    for root in (odoo_bin.parent / "src", odoo_bin.parent):
        if (root / "odoo-bin").is_file() and (root / "odoo" / "release.py").is_file():
            return root
    raise InputError(f"odoo-bin '{odoo_bin}': no Odoo source tree beside it (odoo-bin and odoo/release.py)")


def runtime_key(source: Path, base: str) -> str:
    """The Odoo layer's tag: of the base's id, the layer's recipe and every file of Odoo's source and Formwork's module."""
    digest = hashlib.sha256(f"{base}\n{CONFIG}\n{RUNTIME_DOCKERFILE}".encode())
    for root in (source, REPORTER):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not _IGNORED(str(p.parent), [p.name])):
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def release_context(addons_repo: Path, runtime: str, into: Path) -> Path:
    """Every module directory committed in `addons_repo`, flattened into `addons/`, FROM the Odoo layer."""
    (into / "addons").mkdir(parents=True)
    for module, directory in sorted(module_directories(addons_repo, "HEAD").items()):
        _link_tree(addons_repo / directory, into / "addons" / module)
    (into / "Dockerfile").write_text(RELEASE_DOCKERFILE.format(runtime=runtime))
    return into


def _base_context(rootfs: Path, into: Path) -> None:
    link_or_copy(rootfs, into / "rootfs.tar")  # 400 MB
    (into / "Dockerfile").write_text("FROM scratch\nADD rootfs.tar /\n")


def _runtime_context(source: Path, base: str, into: Path) -> None:
    _link_tree(source, into / "odoo")
    _link_tree(REPORTER, into / "formwork")
    (into / "odoo.conf").write_text(CONFIG)
    (into / "Dockerfile").write_text(RUNTIME_DOCKERFILE.format(base=base))


def _link_tree(source: Path, target: Path) -> None:
    """Hard links where the file system allows: Odoo's source is 9,000 files."""
    shutil.copytree(source, target, ignore=_IGNORED, copy_function=lambda a, b: link_or_copy(Path(a), Path(b)))
