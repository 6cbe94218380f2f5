"""Build and scan steps as Prefect tasks: check the addons, build and push once, scan what was pushed."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from prefect import task

from formwork import commands
from formwork.release.addons import check_addons, module_versions
from formwork.release.build import build_image
from formwork.release.engine import container_engine
from formwork.release.sbom import sbom
from formwork.release.scan.scanners import choose_scanner
from formwork.release.scan.verdict import Verdict, evaluate
from formwork.release.scan.waivers import load_waivers


def git_commit(context: Path) -> str | None:
    found = commands.run(["git", "-C", context, "rev-parse", "HEAD"], f"git rev-parse in {context}", check=False, timeout=60)
    return found.stdout.strip() if found.returncode == 0 else None


@task(name="check the addons")
def addons_problems(context: Path, base_commit: str | None) -> list[str]:
    """Every manifest parses; a module whose models or data changed since `base_commit` bumped its version."""
    return check_addons(context, base_commit) if git_commit(context) else []


@task(name="build and push the image")
def build(context: Path, repository: str, tag: str, series: str) -> str:
    """Labels carry the commit, the Odoo series and the module versions (which tell a later promotion
    whether the release migrates the database schema)."""
    commit = git_commit(context)
    labels = {"org.opencontainers.image.revision": commit or "unknown", "org.odoo.series": series}
    if commit:
        labels["org.odoo.modules"] = json.dumps(module_versions(context, "HEAD"), sort_keys=True)
    with tempfile.TemporaryDirectory(prefix="formwork-engine-") as workdir, container_engine(Path(workdir)) as base_url:
        return build_image(context, repository, tag, base_url=base_url, labels=labels)


@task(name="scan the image")
def scan(image: str, advisories: str | None, waivers: str | None) -> tuple[Verdict, int]:
    """SBOM with syft, then the scanner there is (Trivy, Grype, or the offline OSV folder), then the waivers."""
    with tempfile.TemporaryDirectory(prefix="formwork-sbom-") as scratch:
        components = sbom(image, Path(scratch) / "sbom.cdx.json")
    findings = choose_scanner(advisories).scan(image, components)
    return evaluate(findings, load_waivers(waivers) if waivers else [], date.today()), len(components)
