"""The release part of `make demo`: build one image, scan it, promote its digest dev → test → staging → prod.

Everything runs against the local stack: its registry and its bare GitOps repository. Where Podman runs and
real Odoo is there, the images are real Odoo 17 (the Debian base is built once and cached), each environment's
Odoo is a container the local sync starts from what its overlay pins, production has run `fw_site_diary` 1.0
since it was seeded, a 1.1 release migrates every environment on its way to production (rehearsed first
there), and a 1.2 whose migration fails is rolled back with its data. Elsewhere a stand-in serves whatever each
overlay pins. Production's calendar is written by the demo (a month-end close around now, then the same close
ending a few seconds from now), so the refusal and the wait for the next open slot show the same way on every run.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from formwork.errors import OperationError, last_line
from local.gitops_repo import git
from local.stack import LocalStack

if TYPE_CHECKING:
    from demo.estate import Demo
    from demo.real_release import RealRelease

CHAIN = ("dev", "test", "staging", "prod")
RELEASE_ONLY = ("dev", "test")  # environments the demo registers only for releases (no database of their own)
EPOCH = "1767603600"  # 2026-01-05 09:00 UTC: the demo commit's date and SOURCE_DATE_EPOCH, so rebuilds give the same digest
FREEZE_SECONDS = 6  # how far ahead the shortened freeze ends, for the wait to show
ROLLOUT = "120"  # seconds for an environment to answer from the new digest (a real Odoo starts in a few)

DOCKERFILE = "FROM scratch\nCOPY addons /opt/odoo/addons\nCOPY python /usr/lib/python3/dist-packages\n"
MANIFEST = "{'name': 'Site diary', 'version': '17.0.1.0.0', 'depends': ['project'], 'license': 'LGPL-3'}\n"
MODEL = "# Site diary: weather, labour on site and deliveries per project and day.\n"
STDNUM = "python/python_stdnum-1.19.dist-info"  # a Python dependency of Odoo, for the SBOM to list
ADVISORY = """{"id": "FW-DEMO-2026-0001", "summary": "Example advisory: python-stdnum before 1.9 mis-validates IBANs",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "python-stdnum"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.9"}]}]}],
 "database_specific": {"severity": "HIGH"}}
"""


def folder(stack: LocalStack) -> Path:
    return stack.home / "release"


def write_calendar(stack: LocalStack, freeze_until: datetime | None = None) -> Path:
    """Production's calendar: always open, or in a month-end close that ends at `freeze_until`."""
    path = folder(stack) / "calendar.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "company: Northbridge Construction Ltd\ntimezone: Europe/London\n"
    if freeze_until:
        start = freeze_until - timedelta(hours=2)
        text += (
            f'freezes:\n  one_off:\n    - {{from: "{start:%Y-%m-%dT%H:%M:%S}+00:00", '
            f'until: "{freeze_until:%Y-%m-%dT%H:%M:%S}+00:00", reason: month-end close}}\n'
        )
    path.write_text(text)
    return path


def options(stack: LocalStack, name: str, real: bool) -> list[str]:
    """The `env add` options that put an environment on the release chain; `real`: its Odoo is a container."""
    if name not in CHAIN:
        return []
    index = CHAIN.index(name)
    found = [
        "--base-url",
        f"http://127.0.0.1:{stack.settings.odoo_ports[name]}" if real else stack.odoo.base_url(name),
        "--gitops-repo",
        str(stack.gitops_repo),
        "--gitops-overlay",
        f"overlays/{name}",
        "--image-repository",
        f"{stack.registry.host}/odoo/{name}",
    ]
    if index:
        found += ["--promotes-from", CHAIN[index - 1]]
    if name == "prod":
        found += ["--release-calendar", str(write_calendar(stack))]
    return found


def addons_context(stack: LocalStack) -> Path:
    """A one-commit addons repository with a Dockerfile; the same commit id on every run."""
    root = folder(stack) / "addons-repo"
    shutil.rmtree(root, ignore_errors=True)
    files = {
        "Dockerfile": DOCKERFILE,
        "addons/fw_site_diary/__manifest__.py": MANIFEST,
        "addons/fw_site_diary/models/site_diary.py": MODEL,
        f"{STDNUM}/METADATA": "Metadata-Version: 2.1\nName: python-stdnum\nVersion: 1.19\n",
        f"{STDNUM}/RECORD": "",
        f"{STDNUM}/top_level.txt": "stdnum\n",
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    stamp = {"GIT_AUTHOR_DATE": f"@{EPOCH} +0000", "GIT_COMMITTER_DATE": f"@{EPOCH} +0000"}
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Site diary 1.0", env=stamp)
    return root


def advisories(stack: LocalStack) -> Path:
    path = folder(stack) / "advisories"
    path.mkdir(parents=True, exist_ok=True)
    (path / "FW-DEMO-2026-0001.json").write_text(ADVISORY)
    return path


def build_args(stack: LocalStack, context: Path, tag: str | None = None) -> list[str]:
    """`formwork release build` of `context` into the stack's registry, scanned against the demo's advisories."""
    image = ["--image", f"{stack.registry.host}/odoo/build", *(["--tag", tag] if tag else [])]
    return ["release", "build", "--context", str(context), *image, "--advisories", str(advisories(stack))]


def build(demo: Demo, stack: LocalStack) -> str:
    """Build, push and scan through `formwork release build`; without a container engine, push a stub instead."""
    context = addons_context(stack)
    repository = f"{stack.registry.host}/odoo/build"
    built = demo.run(*build_args(stack, context), check=False, quiet=True)
    if built.returncode == 0:
        click.echo("   built once, pushed, scanned (syft SBOM, offline OSV advisories): nothing blocks it")
        return built.stdout.strip().splitlines()[-1]
    reason = last_line(built.stderr, "no output")
    if "container engine" not in reason:  # the engine is missing or cannot run here (not: the build itself failed)
        click.echo(built.stderr.rstrip(), err=True)
        raise OperationError(f"demo step failed: formwork release build: {reason}")
    from local.stub_image import push_synthetic_image

    click.secho(f"   {reason}\n   so the demo pushes a stub image manifest over the registry API instead", fg="yellow")
    manifest = "addons/fw_site_diary/__manifest__.py"
    digest = push_synthetic_image(
        stack.registry.host,
        "odoo/build",
        "stub",
        files={f"opt/odoo/{manifest}": (context / manifest).read_bytes()},
        labels={"org.odoo.modules": '{"fw_site_diary": "17.0.1.0.0"}'},
    )
    return f"{repository}@{digest}"


def run(demo: Demo, stack: LocalStack, real: RealRelease | None) -> None:
    demo.env.update({"SOURCE_DATE_EPOCH": EPOCH, "FORMWORK_REQUESTED_BY": "ci-pipeline"})
    click.secho("\n8. Release: build one image, scan it, promote the same digest dev → test → staging → prod", bold=True)
    image = real.images["1.0"] if real else build(demo, stack)
    if real:
        real.start_environments(demo, stack)
    click.echo(f"   the one image, by digest: {image}")
    for name in CHAIN[:3]:
        demo.run("release", "promote", image, "--to", name, "--rollout-timeout", ROLLOUT)
    promote_to_production_in_its_window(demo, stack, image)
    if real:
        real.migrate(demo, stack)
    demo.run("release", "status")
    click.echo(
        f"   GitOps history (the audit trail): git -C {stack.gitops_repo} log --format='%h %s%n%(trailers:only,unfold)' main"
    )


def promote_to_production_in_its_window(demo: Demo, stack: LocalStack, image: str) -> None:
    click.secho("   production is in its month-end close: refused, naming the next open slot", fg="yellow")
    write_calendar(stack, datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2))
    approval = ("--yes", "--approver", "alice", "--change", "DEMO-7", "--rollout-timeout", ROLLOUT)
    refused = demo.run("release", "promote", image, "--to", "prod", *approval, check=False, quiet=True)
    click.echo(last_line(refused.stderr, "(no message)"))
    click.secho(
        f"   finance closes the books early (the freeze now ends in {FREEZE_SECONDS} s); the promotion waits for that slot:",
        fg="yellow",
    )
    write_calendar(stack, datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=FREEZE_SECONDS))
    demo.run("release", "promote", image, "--to", "prod", *approval, "--wait-for-window")
    write_calendar(stack)
