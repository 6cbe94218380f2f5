"""`make demo`: the whole product on the embedded default, from one command.

Each step is a real `formwork` command run against the local stack and printed
as the user would type it, so the demo doubles as a runbook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import psycopg
from psycopg import sql

from blocks.local_directory_store import LocalDirectoryStore
from formwork.dsn import redact
from formwork.errors import OperationError
from formwork.local.stack import LocalStack

ENVIRONMENTS = {
    # name: (database, extra `env add` options)
    "prod": ("prod", ["--tier", "1", "--production", "--base-url", "https://erp.northbridge-construction.co.uk"]),
    "staging": ("staging", ["--tier", "2", "--base-url", "http://staging.odoo.localhost:8069"]),
    "dr": ("dr", ["--tier", "1", "--base-url", "http://dr.odoo.localhost:8069"]),
}


class Demo:
    def __init__(self, stack: LocalStack):
        self.stack = stack
        self.env = {**os.environ, "PREFECT_API_URL": stack.prefect.api_url, "PREFECT_HOME": str(stack.prefect.home)}
        self.formwork = str(Path(sys.executable).with_name("formwork"))

    def run(self, *args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
        click.secho("$ formwork " + " ".join(redact(a) for a in args), fg="cyan")
        result = subprocess.run([self.formwork, *args], env=self.env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE if quiet else None)
        if result.stdout and not quiet:
            click.echo(result.stdout.rstrip())
        if check and result.returncode != 0:
            raise OperationError(f"demo step failed (exit {result.returncode}): formwork {' '.join(redact(a) for a in args[:2])}")
        return result

    def url(self, kind: str) -> str:
        return f"file://{self.stack.objects}/{kind}"

    def register(self, name: str, database: str, options: list[str]) -> None:
        listed = subprocess.run([self.formwork, "env", "list"], env=self.env, text=True, capture_output=True).stdout
        if any(line.split()[:1] == [name] for line in listed.splitlines()):
            self.run("env", "remove", name)
        self.run("env", "add", name, "--dsn", self.stack.postgres.dsn(database), "--filestore", self.url(f"filestore/{database}"),
                 "--backup-store", self.url(f"backups/{name}"), *options)

    def copy_production_to(self, database: str) -> None:
        """A plain copy of prod for the masking step (the refresh pipeline will do this with approval and swap)."""
        with psycopg.connect(self.stack.postgres.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE prod").format(sql.Identifier(database)))
        source = LocalDirectoryStore(path=str(self.stack.objects / "filestore" / "prod"))
        target = LocalDirectoryStore(path=str(self.stack.objects / "filestore" / database))
        for item in source.list():
            if not target.exists(item.key):
                target.put_file(item.key, Path(source.path) / item.key)


def run_demo() -> None:
    stack = LocalStack()
    click.secho("1. Start the embedded stack (PostgreSQL + Prefect server)", bold=True)
    stack.up()
    click.echo(f"   postgres {stack.postgres.dsn(with_password=False)}   prefect {stack.prefect.ui_url}")
    demo = Demo(stack)

    click.secho("\n2. Seed the production database (Odoo 17 tables, construction company)", bold=True)
    demo.run("seed", stack.postgres.dsn("prod"), "--filestore", demo.url("filestore/prod"), "--replace")

    click.secho("\n3. Register the environments as Prefect blocks", bold=True)
    for name, (database, options) in ENVIRONMENTS.items():
        demo.register(name, database, options)
    demo.run("env", "list")
    demo.run("env", "show", "prod")

    click.secho("\n4. Mask a copy of production in staging (payroll, banking and personal data)", bold=True)
    demo.copy_production_to("staging")
    click.echo("   copied prod -> staging (database and filestore)")
    plan = demo.run("mask", "plan", "staging", quiet=True)
    planned = [line for line in plan.stdout.splitlines() if not line.startswith(("uncovered:", "skipped:"))]
    click.echo(f"   plan: {len(planned)} column rules, e.g. " + "; ".join(planned[:3]))
    demo.run("mask", "staging", "--yes")
    click.secho("   production refuses to be masked:", fg="yellow")
    demo.run("mask", "prod", "--yes", check=False)

    click.secho("\n5. Rewire staging so it never emails, pays, syncs or calls out", bold=True)
    live = demo.run("rewire", "check", "staging", check=False, quiet=True)
    found = [line for line in live.stdout.splitlines() if line.startswith("LIVE")]
    click.echo(f"   before: {len(found)} kinds of live endpoint, e.g.\n     " + "\n     ".join(found[:4]))
    demo.run("rewire", "staging", "--yes")
    demo.run("rewire", "check", "staging", quiet=True)
    click.echo("   after: nothing live (`formwork rewire check staging` exits 0)")
    click.secho("   production refuses to be rewired:", fg="yellow")
    demo.run("rewire", "prod", "--yes", check=False)

    click.secho("\nWhere to look", bold=True)
    click.echo(f"   Flow runs (seed, mask, rewire; reports):    {stack.prefect.ui_url}/runs")
    click.echo(f"   Environments (Blocks):                       {stack.prefect.ui_url}/blocks")
    click.echo(f"   Production filestore:                        {stack.objects}/filestore/prod")
    click.echo(f"   Use the CLI against this stack:              export PREFECT_API_URL={stack.prefect.api_url}")
    click.echo("   Stop everything with `make stop` (data stays in .formwork/; delete it to start afresh).")
