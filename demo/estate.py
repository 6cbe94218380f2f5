"""`make demo`: the whole product on the embedded default, from one command.

Each step is a real `formwork` command run against the local stack and printed
as the user would type it, so the demo doubles as a runbook.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import replace
from pathlib import Path

import click
import psycopg

from demo import real_release as real_images
from demo import release as demo_release
from demo.odoo import DemoOdoo
from demo.operations import deploy_and_request_a_refresh, show_the_posture, show_the_waiting_refresh
from demo.real_release import RealRelease
from formwork.dsn import parse_dsn, redact
from formwork.errors import OperationError
from formwork.seed import odoo_role
from formwork.seed.odoo_bin import available_odoo
from local.stack import LocalStack

ENVIRONMENTS = {
    # name: (database, extra `env add` options); prod is drilled on the stack's scratch server (added in `register`)
    "prod": ("prod", ["--tier", "1", "--production"]),  # base URL: the Odoo stand-in (demo/release.py)
    "staging": ("staging", ["--tier", "2", "--refresh-from", "prod"]),
    "dr": ("dr", ["--tier", "1", "--base-url", "http://dr.odoo.localhost:8069"]),
}


PASSWORD_VARIABLE = "FORMWORK_DEMO_DB_PASSWORD"  # `env add --password-env` reads it: no password on a command line


class Demo:
    def __init__(self, stack: LocalStack):
        self.stack = stack
        self.env = {**os.environ, **stack.client_env()}
        if stack.postgres.password:
            self.env[PASSWORD_VARIABLE] = stack.postgres.password
        self.formwork = [sys.executable, "-m", "cli"]  # the `formwork` command, from this checkout
        # Commands run in this process, pointed at the stack: Prefect reads its settings once, when first imported.
        os.environ.update(self.env)

    def run(
        self, *args: str, check: bool = True, quiet: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        """`formwork ARGS`, printed as typed. In this process (a new one would spend two seconds or more importing
        Prefect, a minute of the demo's three), except `quiet` ones: their Prefect logs are a process's own stderr."""
        click.secho("$ formwork " + " ".join(redact(a) for a in args), fg="cyan")
        env = {**self.env, **(env or {})}
        if quiet:
            result = subprocess.run([*self.formwork, *args], env=env, text=True, capture_output=True)
        else:
            result = _in_this_process(list(args), env)
            if result.stdout:
                click.echo(result.stdout.rstrip())
        if check and result.returncode != 0:
            raise OperationError(f"demo step failed (exit {result.returncode}): formwork {' '.join(redact(a) for a in args[:2])}")
        return result

    def compare(self, query: str, what: str) -> str:
        values = []
        for database in ("prod", "staging"):
            with psycopg.connect(self.stack.postgres.dsn(database)) as conn:
                values.append(conn.execute(query).fetchone()[0])
        return f"{what}: prod {values[0]!r} -> staging {values[1]!r}"

    @contextmanager
    def flipped_byte(self, backup_id: str) -> Iterator[None]:
        """Corrupt the largest dump file of a backup for a moment, as a failing disk would."""
        victim = max(
            (self.stack.objects / "backups" / "prod" / backup_id / "database").glob("*.dat.gz"), key=lambda p: p.stat().st_size
        )
        original = victim.read_bytes()
        victim.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
        try:
            yield
        finally:
            victim.write_bytes(original)

    def url(self, kind: str) -> str:
        return f"file://{self.stack.objects}/{kind}"

    def dsn(self, database: str) -> str:
        """The database's URI without its password (that goes through the environment, never argv)."""
        return replace(parse_dsn(self.stack.postgres.dsn(database)), password=None).uri()

    def env_add_args(self, name: str, database: str, options: list[str]) -> list[str]:
        secret = ["--password-env", PASSWORD_VARIABLE] if self.stack.postgres.password else []
        return [
            "env",
            "add",
            name,
            "--dsn",
            self.dsn(database),
            *secret,
            "--filestore",
            self.url(f"filestore/{database}"),
            "--backup-store",
            self.url(f"backups/{name}"),
            *options,
        ]

    def seed_args(self, database: str, odoo: DemoOdoo | None = None) -> list[str]:
        """libpq takes the password from PGPASSWORD (see `seed`), Odoo's role its own from FORMWORK_ODOO_DB_PASSWORD."""
        through = ["--odoo-bin", str(odoo.bin)] if odoo else []
        return ["seed", self.dsn(database), "--filestore", self.url(f"filestore/{database}"), "--replace", *through]

    def forget_environments(self, names: list[str]) -> None:
        """An earlier run's environments, removed before production is seeded again: a registered production
        database is never seeded over, and `register` adds them all back."""
        listed = _in_this_process(["env", "list"], self.env).stdout
        for name in names:
            if any(line.split()[:1] == [name] for line in listed.splitlines()):
                self.run("env", "remove", name)

    def register(self, name: str, database: str, options: list[str]) -> None:
        scratch = ["--scratch-dsn", self.stack.scratch_dsn] if "--production" in options else []
        self.run(*self.env_add_args(name, database, [*options, *scratch]))


def real_release(demo: Demo, stack: LocalStack, odoo: DemoOdoo | None) -> RealRelease | None:
    """The release demo on real Odoo images where Podman runs (production gets Site diary 1.0 now), else None."""
    why = real_images.why_not(odoo)
    if why:
        click.secho(f"   releases use stub images and an Odoo stand-in: {why}", fg="yellow")
        return None
    real = RealRelease(stack, odoo)
    demo.env[odoo_role.PASSWORD_VARIABLE] = real.password  # the migrations connect as Odoo's role
    real.install_in_production(demo, stack)
    return real


def run_demo() -> None:
    stack = LocalStack()
    click.secho(
        "1. Start the embedded stack (PostgreSQL and a scratch server for drills, Prefect server, registry, GitOps repository, Odoo stand-in)",
        bold=True,
    )
    stack.up()
    click.echo(f"   postgres {stack.postgres.dsn(with_password=False)}   prefect {stack.prefect.ui_url}")
    demo = Demo(stack)

    odoo_bin, why_not = available_odoo()
    odoo = DemoOdoo(stack, odoo_bin) if odoo_bin else None
    how = "through real Odoo 17: its demo data and a construction company" if odoo else "Odoo 17 tables, construction company"
    click.secho(f"\n2. Seed the production database ({how})", bold=True)
    if not odoo:
        click.secho(f"   no real Odoo ({why_not}): seeding the synthetic database instead", fg="yellow")
    demo.forget_environments([*ENVIRONMENTS, *demo_release.RELEASE_ONLY])
    passwords = {"PGPASSWORD": stack.postgres.password} if stack.postgres.password else {}
    demo.run(*demo.seed_args("prod", odoo), env={**passwords, **(odoo.seed_env() if odoo else {})})
    real = real_release(demo, stack, odoo)

    click.secho("\n3. Register the environments as Prefect blocks", bold=True)
    for name, (database, options) in ENVIRONMENTS.items():
        demo.register(name, database, options + demo_release.options(stack, name, real is not None))
    for name in demo_release.RELEASE_ONLY:
        demo.register(name, name, demo_release.options(stack, name, real is not None))
    demo.run("env", "list")
    demo.run("env", "show", "prod")
    waiting = deploy_and_request_a_refresh(demo)

    click.secho("\n4. Refresh staging from production: clone beside it, mask, rewire, verify, swap", bold=True)
    live = demo.run("rewire", "check", "prod", check=False, quiet=True)
    found = [line for line in live.stdout.splitlines() if line.startswith("LIVE")]
    click.echo(f"   production talks to the world: {len(found)} kinds of live endpoint, e.g.\n     " + "\n     ".join(found[:4]))
    demo.run("refresh", "prod", "staging", "--yes", "--change", "DEMO-1")
    demo.run("rewire", "check", "staging", quiet=True)
    click.echo("   after: nothing live in staging (`formwork rewire check staging` exits 0)")
    click.echo("   " + demo.compare("SELECT name FROM hr_employee ORDER BY id LIMIT 1", "first employee"))
    click.echo("   " + demo.compare("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'", "web.base.url"))

    click.secho("\n5. Production is only ever read", bold=True)
    for args in (("refresh", "staging", "prod", "--yes"), ("mask", "prod", "--yes"), ("rewire", "prod", "--yes")):
        demo.run(*args, check=False)

    click.secho("\n6. Back up production and prove the backup restores (DR drill: RPO and RTO against tier 1)", bold=True)
    backup_id = demo.run("backup", "prod", quiet=True).stdout.strip().splitlines()[-1]
    demo.run("backups", "list", "prod")
    demo.run("drill", "prod")
    click.secho("   one flipped byte in the backup fails the next drill, naming the file:", fg="yellow")
    with demo.flipped_byte(backup_id):
        demo.run("drill", "prod", check=False)

    click.secho("\n7. Point-in-time recovery: archive WAL with pgBackRest, back up, drill to the latest moment", bold=True)
    repo = Path(stack.settings.pg_root).parent / "pgbackrest-repo"
    demo.run("pitr", "setup", "prod", "--repo", f"file://{repo}", "--managed", quiet=True)
    demo.run("pitr", "check", "prod")
    demo.run("backup", "prod", "--type", "pgbackrest", quiet=True)
    demo.run("drill", "prod", "--target-time", "latest")

    demo_release.run(demo, stack, real)

    show_the_waiting_refresh(demo, waiting)
    show_the_posture(demo)

    click.secho("\nWhere to look", bold=True)
    click.echo(f"   Flow runs (seed, refresh, drill, promote):   {stack.prefect.ui_url}/runs")
    click.echo(f"   Environments (Blocks):                       {stack.prefect.ui_url}/blocks")
    click.echo(f"   Production filestore:                        {stack.objects}/filestore/prod")
    if odoo:  # the demo data's administrator: admin / admin on production, masked on staging
        click.echo(f"   Production in real Odoo (admin / admin):     {odoo.open_command('prod')}")
        click.echo(f"   Staging in real Odoo (masked, rewired):      {odoo.open_command('staging')}")
    click.echo(f"   GitOps repository, registry:                 {stack.gitops_repo}, {stack.registry.url}")
    click.echo(f'   UI login (API auth string):                  "prefect_auth" in {stack.settings_file}')
    click.echo(f"   Use the CLI against this stack:              set -a; . {stack.client_env_file}; set +a")
    click.echo("   Stop everything with `make stop` (data stays in .formwork/; delete it to start afresh).")


def _in_this_process(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`formwork ARGS` through the entry point's `main` with `env` as the environment, stdout captured, stderr
    as it comes; what a process would show for an unexpected error (its traceback, exit 1) too."""
    from cli.main import main

    saved = dict(os.environ)
    out = io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    try:
        with redirect_stdout(out):
            code = main(args)
    except Exception:  # a process ends here with exit 1: so does the command
        traceback.print_exc()
        code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["formwork", *args], code, out.getvalue(), None)
