"""Build → scan → promote from a real git checkout: one build, a scan policy with waivers, the digest handed on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from formwork.errors import OperationError
from tests.support.gitops import git
from tests.support.registry import python_dist_info
from tests.test_release_build import engine  # noqa: F401  (fixture)
from tests.test_release_promote import CHAIN, estate  # noqa: F401  (fixture)
from tests.test_release_scan import advisories, waivers_file  # noqa: F401  (fixture)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """An addons repository with a Dockerfile, and a vulnerable requests 2.19.0 inside the image."""
    root = tmp_path / "addons-repo"
    addon = root / "addons" / "fw_retainage"
    (addon / "models").mkdir(parents=True)
    (addon / "__manifest__.py").write_text("{'name': 'Retainage', 'version': '17.0.1.0.0', 'license': 'LGPL-3'}\n")
    (addon / "models" / "retainage.py").write_text("# fields\n")
    for path, data in python_dist_info("requests", "2.19.0", "site-packages").items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "Dockerfile").write_text(
        "FROM scratch\nCOPY addons /opt/odoo/addons\nCOPY site-packages /usr/lib/python3/dist-packages\n"
    )
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "retainage 1.0")
    return root


def test_a_blocking_finding_stops_the_release_until_it_is_waived(
    engine, checkout, registry, advisories, estate, tmp_path, monkeypatch
):  # noqa: F811
    from flows.release import build_and_scan, release

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    names, _, odoo = estate
    image = f"{registry.host}/odoo/build"
    with pytest.raises(
        OperationError,
        match="blocked by .* critical/high findings without a valid waiver: GHSA-x84v-xcm2-53pg in requests 2.19.0",
    ):
        build_and_scan(context=str(checkout), image=image, advisories=str(advisories))

    waivers = waivers_file(
        tmp_path,
        "waivers:\n  - {id: GHSA-x84v-xcm2-53pg, owner: platform-team, reason: not reachable from Odoo, expires: 2099-01-01}\n"
        "  - {id: PYSEC-2014-old, owner: platform-team, reason: fixed by vendor patch, expires: 2099-01-01}\n",
    )
    built = release(
        context=str(checkout), image=image, to=names["dev"], requested_by="ci", advisories=str(advisories), waivers=str(waivers)
    )
    assert odoo.running("dev") == built.split("@")[1]


def test_a_changed_model_without_a_version_bump_stops_the_build_before_it_runs(checkout, registry):
    from flows.release import build_and_scan

    base = git(checkout, "rev-parse", "HEAD").strip()
    (checkout / "addons" / "fw_retainage" / "models" / "retainage.py").write_text("# fields\n# a new field\n")
    git(checkout, "commit", "-q", "-am", "new field")
    with pytest.raises(
        OperationError,
        match="addons check failed: addons/fw_retainage: .*retainage.py changed but the version stayed at 17.0.1.0.0",
    ):
        build_and_scan(context=str(checkout), image=f"{registry.host}/odoo/build", base_commit=base)
