"""`formwork pitr setup ENV`, `formwork pitr check ENV`, `formwork pitr watch ENV`: WAL archiving with pgBackRest."""

from __future__ import annotations

import click

from formwork.errors import OperationError


@click.group("pitr")
def pitr() -> None:
    """Point-in-time recovery: pgBackRest WAL archiving and backups of an environment's server."""


@pitr.command("setup")
@click.argument("environment")
@click.option(
    "--repo", help="pgBackRest repository: file:///path or s3://bucket/prefix (S3 settings from `formwork store add-s3`)."
)
@click.option("--stanza", help="pgBackRest stanza name [default: the environment's name].")
@click.option("--pg-data", help="The server's data directory [default: asked from the server].")
@click.option("--config", "config_path", help="Where the pgBackRest configuration goes [default: beside the data directory].")
@click.option(
    "--managed/--not-managed", default=None, help="Formwork runs this server (embedded stack): apply settings, restart if needed."
)
@click.option("--full-every-days", type=int, help="Full backup when the last is older than this [default: 7].")
@click.option("--diff-every-hours", type=int, help="Differential when the last full/diff is older than this [default: 24].")
@click.option("--retention-full", type=int, help="Full backups pgBackRest keeps, with their WAL [default: 2].")
@click.option("--retention-diff", type=int, help="Differential backups pgBackRest keeps [default: 7].")
@click.option("--archive-timeout-seconds", type=int, help="Force a WAL switch at least this often under activity [default: 60].")
def setup(environment: str, repo, stanza, pg_data, config_path, managed, **schedule) -> None:
    """Declare ENVIRONMENT's archiving, print the configuration, and apply it where Formwork runs the server."""
    from blocks import catalogue, pitr_protection
    from flows.pitr_setup import instructions, pitr_setup

    pitr_protection.declare(
        environment,
        catalogue.load(environment),
        repo=repo,
        stanza=stanza,
        pg_data=pg_data,
        config_path=config_path,
        managed=managed,
        **schedule,
    )
    click.echo(instructions(environment))
    click.echo(pitr_setup(environment=environment))


@pitr.command("check")
@click.argument("environment")
def check(environment: str) -> None:
    """Run `pgbackrest check` and report the newest archived WAL; exit 1 when archiving fails."""
    from flows.pitr_check import pitr_check

    found = pitr_check(environment=environment)
    click.echo(f"pgbackrest check passed; {found.summary()}")
    if found.at_risk:
        raise OperationError(found.summary())


@pitr.command("watch")
@click.argument("environment")
def watch(environment: str) -> None:
    """One archive-freshness check: alert the webhook when the newest archived WAL is older than the RPO target."""
    from flows.pitr_watch import pitr_watch

    found = pitr_watch(environment=environment)
    click.echo(found.summary())
    if found.at_risk:
        raise OperationError(found.summary())
