"""`formwork local`: the embedded stack used by `make demo` (PostgreSQL, Prefect server, registry, GitOps, Odoo stand-in)."""

from __future__ import annotations

import click

from local.stack import LocalStack


@click.group()
def local() -> None:
    """Start, stop and inspect the embedded local stack (under $FORMWORK_HOME, default ./.formwork)."""


@local.command("up")
def up() -> None:
    """Start PostgreSQL (and its scratch server), the Prefect server, the registry and the Odoo stand-in in the background (reused if already up)."""
    stack = LocalStack()
    stack.up()
    click.echo(f"postgres  {stack.postgres.dsn(with_password=False)}  (data in {stack.postgres.datadir})")
    click.echo(f"scratch   {stack.scratch_dsn}  (drills of production restore here; password in {stack.pgpass_file})")
    click.echo(
        f'prefect   {stack.prefect.ui_url}  (UI login: "prefect_auth" in {stack.settings_file}; CLI: set -a; . {stack.client_env_file}; set +a)'
    )
    click.echo(f"worker    pool {stack.worker.pool}  (log {stack.worker.logfile})")
    click.echo(f"registry  {stack.registry.host}  (GitOps repository {stack.gitops_repo})")
    click.echo(f"odoo      {stack.odoo.base_url('<overlay>')}  (stand-in: answers for the digest each overlay pins)")


@local.command("down")
def down() -> None:
    """Stop what `formwork local up` started (data is kept)."""
    stack = LocalStack()
    stack.down()
    click.echo(f"stopped the local stack in {stack.home} (data kept; remove the folder to start afresh)")


@local.command("status")
def status() -> None:
    """Say whether each part of the local stack is running."""
    for part, running in LocalStack().status().items():
        click.echo(f"{part:9} {'running' if running else 'stopped'}")
