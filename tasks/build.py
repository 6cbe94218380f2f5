"""Build and scan steps as Prefect tasks: check the addons, build and push once, scan what was pushed."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import docker
from prefect import task
from prefect_docker.host import DockerHost

from formwork import commands
from formwork.errors import OperationError, first_line
from formwork.release import odoo_image
from formwork.release.addons import check_addons, module_versions
from formwork.release.build import build_image
from formwork.release.engine import container_engine
from formwork.release.migration import MODULES
from formwork.release.sbom import sbom
from formwork.release.scan.scanners import choose_scanner
from formwork.release.scan.verdict import Verdict, evaluate
from formwork.release.scan.waivers import load_waivers
from formwork.seed.odoo_bin import cache_root, locked


@contextlib.contextmanager
def engine_client(base_url: str) -> Iterator[docker.DockerClient]:
    """A Docker client of the engine at `base_url` from prefect-docker's `DockerHost`, closed afterwards."""
    try:
        client = DockerHost(base_url=base_url).get_client()
    except docker.errors.DockerException as exc:
        raise OperationError(f"container engine {base_url}: {first_line(exc)}") from None
    try:
        yield client
    finally:
        client.close()


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
        labels[MODULES] = json.dumps(module_versions(context, "HEAD"), sort_keys=True)
    with locked(cache_root() / "engine.lock"), container_engine(cache_root() / "engine") as base_url:
        with engine_client(base_url) as client:
            if (context / "Dockerfile").is_file():  # the project brings its own image recipe
                return build_image(context, repository, tag, client=client, engine=base_url, labels=labels)
            return odoo_image.build(context, repository, tag, client=client, engine=base_url, labels=labels)


@task(name="scan the image")
def scan(image: str, advisories: str | None, waivers: str | None) -> tuple[Verdict, int]:
    """SBOM with syft, then the scanner there is (Trivy, Grype, or the offline OSV folder), then the waivers."""
    with tempfile.TemporaryDirectory(prefix="formwork-sbom-") as scratch:
        components = sbom(image, Path(scratch) / "sbom.cdx.json")
    findings = choose_scanner(advisories).scan(image, components)
    return evaluate(findings, load_waivers(waivers) if waivers else [], date.today()), len(components)
