"""Real Odoo images in tests: they need Podman (and mmdebstrap for the first base)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from formwork.release import odoo_container


def podman_or_skip(workdir: Path) -> None:
    """Skip saying why when podman cannot run here; under FORMWORK_REQUIRE_PODMAN=1 (.ci/run) fail instead."""
    why = odoo_container.available(workdir) or ("" if shutil.which("mmdebstrap") else "mmdebstrap is not installed")
    if why:
        (pytest.fail if os.environ.get("FORMWORK_REQUIRE_PODMAN") == "1" else pytest.skip)(f"no Podman to run Odoo: {why}")
