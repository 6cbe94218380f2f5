"""The base root filesystem of a real Odoo 17 image: Debian's packages of what Odoo imports, built once.

The package list is the Python part of the `Depends` of Odoo 17's own Debian package (`setup/debian/control`),
so the image runs Odoo on the interpreter and libraries Odoo's packagers test it with. `mmdebstrap
--variant=minbase` writes the root filesystem as one tar, with a system user `odoo` (uid 101) whose home
`/var/lib/odoo` is Odoo's data directory. The tar is cached under a key of the suite, the mirror and the package
list: it is rebuilt only when one of those changes, never behind the user's back (a machine with a cached base
builds the same image offline).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from formwork import commands
from formwork.errors import OperationError

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = (
    "python3",
    "python3-babel",
    "python3-chardet",
    "python3-dateutil",
    "python3-decorator",
    "python3-docutils",
    "python3-freezegun",
    "python3-geoip2",
    "python3-jinja2",
    "python3-ldap",
    "python3-libsass",
    "python3-lxml",
    "python3-num2words",
    "python3-ofxparse",
    "python3-openssl",
    "python3-passlib",
    "python3-pil",
    "python3-polib",
    "python3-psutil",
    "python3-psycopg2",
    "python3-pydot",
    "python3-pypdf2",
    "python3-qrcode",
    "python3-renderpm",
    "python3-reportlab",
    "python3-requests",
    "python3-rjsmin",
    "python3-setuptools",  # pkg_resources, which Odoo imports
    "python3-stdnum",
    "python3-tz",
    "python3-vobject",
    "python3-werkzeug",
    "python3-xlrd",
    "python3-xlsxwriter",
    "python3-zeep",
)
UID = 101
HOOK = f'chroot "$1" useradd --system --uid {UID} --user-group --home-dir /var/lib/odoo --create-home odoo'
# Documentation, manual pages and translations: a third of a minbase system, never read in a container.
EXCLUDED = ("/usr/share/doc/*", "/usr/share/man/*", "/usr/share/locale/*", "/usr/share/info/*")
TIMEOUT = 1800


def key(packages: tuple[str, ...] = PACKAGES, suite: str = SUITE, mirror: str = MIRROR) -> str:
    """What the base is made of, as 16 hex digits: a new list, suite or mirror is a new base."""
    text = "\n".join([suite, mirror, HOOK, *EXCLUDED, *sorted(packages)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rootfs(cache: Path, packages: tuple[str, ...] = PACKAGES) -> Path:
    """The cached tar of the base for `packages`, built with mmdebstrap when it is not there yet.

    Written beside its final name and renamed into place: a killed build leaves no half tar that a later build
    would take for the base."""
    path = Path(cache) / f"odoo-base-{SUITE}-{key(packages)}.tar"
    if path.is_file():
        return path
    mmdebstrap = shutil.which("mmdebstrap")
    if not mmdebstrap:
        raise OperationError("the Odoo base image needs mmdebstrap (apt-get install mmdebstrap; tools/ensure-podman.sh)")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{os.getpid()}.{path.name}")  # mmdebstrap writes a tar for a name ending in .tar
    try:
        commands.run(
            [
                mmdebstrap,
                "--variant=minbase",
                "--include=" + ",".join(packages),
                *(f"--dpkgopt=path-exclude={pattern}" for pattern in EXCLUDED),
                f"--customize-hook={HOOK}",
                SUITE,
                partial,
                MIRROR,
            ],
            f"mmdebstrap of the Odoo base ({len(packages)} packages)",
            timeout=TIMEOUT,
            env={**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")},
        )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
