"""The release demo on real Odoo 17: images of `demo.site_diary` built by `formwork release build`, each release
environment's Odoo a Podman container started by the local sync from what its overlay pins.

Production has run Site diary 1.0 since it was seeded (installed by the 1.0 image before the refresh, so staging
has it too; dev and test start as copies of staging). Release 1.1 adds a field: its migration runs in every
environment on its way, rehearsed on the scratch server before production. Release 1.2's migration fails half-way
in dev: the checkpoint is put back and dev keeps running 1.1 on its database as it was.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import click
import psycopg
from psycopg import sql

from demo.odoo import DemoOdoo
from demo.release import CHAIN, ROLLOUT, build_args, folder
from demo.site_diary import MODULE, addons_repo
from formwork.dsn import parse_dsn
from formwork.errors import OperationError, last_line
from formwork.release import odoo_base, odoo_container
from formwork.release.odoo_container import OdooDatabase
from formwork.seed.odoo_bin import cache_root
from formwork.seed.odoo_role import PASSWORD_VARIABLE, ROLE, ensure_role
from local.gitops_repo import git
from local.odoo_sync import Target
from local.stack import LocalStack

if TYPE_CHECKING:
    from demo.estate import Demo

EPOCH_ENV = {"GIT_AUTHOR_DATE": "@1767603600 +0000", "GIT_COMMITTER_DATE": "@1767603600 +0000"}  # the same commits every run


STAND_IN = "FORMWORK_DEMO_RELEASE"  # "stand-in": the stub image and the HTTP stand-in even where Podman runs


def why_not(odoo: DemoOdoo | None) -> str:
    """Why the release demo cannot run real Odoo images here; "" when it can."""
    if os.environ.get(STAND_IN) == "stand-in":
        return f"{STAND_IN}=stand-in"
    if odoo is None:
        return "no real Odoo"
    base_cached = any(cache_root().glob(f"odoo-base-{odoo_base.SUITE}-{odoo_base.key()}.tar"))
    return odoo_container.available(odoo_container.runtime_home()) or (
        "" if base_cached or shutil.which("mmdebstrap") else "mmdebstrap is not installed"
    )


class RealRelease:
    def __init__(self, stack: LocalStack, odoo: DemoOdoo):
        self.password = odoo.seed_env()[PASSWORD_VARIABLE]
        root = folder(stack) / "site-diary"
        shutil.rmtree(root, ignore_errors=True)
        self.repo, self.commits = addons_repo(root, env=EPOCH_ENV)
        self.images: dict[str, str] = {}

    def build(self, demo: Demo, stack: LocalStack, release: str) -> str:
        git(self.repo, "checkout", "--quiet", self.commits[release])
        self.images[release] = demo.run(*build_args(stack, self.repo, release)).stdout.strip().splitlines()[-1]
        return self.images[release]

    def database(self, stack: LocalStack, name: str) -> OdooDatabase:
        return OdooDatabase("127.0.0.1", stack.postgres.port, name, ROLE, self.password)

    def install_in_production(self, demo: Demo, stack: LocalStack) -> None:
        """Before the refresh: production runs Site diary 1.0, installed by the 1.0 image."""
        click.secho("   production's Odoo gets its first custom module, Site diary 1.0, from a real Odoo image", fg="yellow")
        image = self.build(demo, stack, "1.0")
        installed = odoo_container.install(
            odoo_container.runtime(), image, [MODULE], self.database(stack, "prod"), stack.home / "install.log"
        )
        if not installed.ok:
            raise OperationError(f"demo step failed: installing {MODULE} in prod: {installed.excerpt[-500:]}")
        click.echo(f"   {MODULE} 1.0 installed in prod in {installed.seconds:.0f} s")
        scratch = parse_dsn(stack.scratch.dsn())
        with psycopg.connect(stack.scratch.dsn(), autocommit=True) as admin:  # rehearsals restore production there
            ensure_role(admin, scratch, self.password)

    def start_environments(self, demo: Demo, stack: LocalStack) -> None:
        """dev and test as copies of staging (masked), then every environment's Odoo run from what GitOps pins."""
        stack.odoo_sync.stop()
        with psycopg.connect(stack.postgres.dsn(), autocommit=True) as admin:
            for name in ("dev", "test"):
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE staging OWNER {}").format(sql.Identifier(name), sql.Identifier(ROLE))
                )
        targets = [Target(name, f"demo-{name}", self.database(stack, name), stack.settings.odoo_ports[name]) for name in CHAIN]
        stack.odoo_sync.start(stack.gitops_repo, odoo_container.runtime_home(), targets, self.password)
        click.echo("   each environment's Odoo is a Podman container started from the digest its overlay pins")

    def migrate(self, demo: Demo, stack: LocalStack) -> None:
        click.secho("\n   Site diary 1.1 adds labour hours: a release that migrates the database", bold=True)
        image = self.build(demo, stack, "1.1")
        for name in CHAIN[:3]:
            demo.run("release", "promote", image, "--to", name, "--db-approver", "dana", "--rollout-timeout", ROLLOUT)
        click.secho("   production: rehearsed on the checkpoint restored on the scratch server, then migrated", fg="yellow")
        demo.run(
            "release",
            "promote",
            image,
            "--to",
            "prod",
            "--yes",
            "--approver",
            "alice",
            "--change",
            "DEMO-8",
            "--db-approver",
            "dana",
            "--rollout-timeout",
            ROLLOUT,
        )
        click.secho("\n   Site diary 1.2's migration fails half-way in dev: code and data roll back together", bold=True)
        image = self.build(demo, stack, "1.2")
        failed = demo.run(
            "release",
            "promote",
            image,
            "--to",
            "dev",
            "--db-approver",
            "dana",
            "--rollout-timeout",
            ROLLOUT,
            check=False,
            quiet=True,
        )
        if failed.returncode == 0:
            raise OperationError("demo step failed: the 1.2 migration was expected to fail in dev")
        click.echo(last_line(failed.stderr, "(no message)"))
        with psycopg.connect(stack.postgres.dsn("dev")) as conn:
            weather = {w for (w,) in conn.execute("SELECT DISTINCT weather FROM fw_site_diary")}
        click.echo(
            f"   dev still runs 1.1, on its database as it was (no line says 'half-migrated': {'half-migrated' not in weather})"
        )
