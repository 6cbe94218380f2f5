"""`formwork rewire`: cut a non-production copy off from the outside world, and check it is."""

from __future__ import annotations

import click

from cli.groups import DefaultToRun
from formwork.errors import InputError, OperationError


@click.group(cls=DefaultToRun)
def rewire() -> None:
    """Rewire mail, crons, payments, webhooks, tokens, URL and identity: `formwork rewire ENV --yes`, `formwork rewire check ENV`."""


@rewire.command("check")
@click.argument("environment")
def check(environment: str) -> None:
    """List every live endpoint left in ENVIRONMENT's database; exit 1 if there is any. Changes nothing."""
    from blocks import catalogue
    from tasks.rewiring import check_rules, find_live

    env = catalogue.load(environment)
    check_rules(env)
    live, skipped = find_live.fn(environment, env)
    for item in live:
        click.echo(f"LIVE  {item}")
    for rule, why in skipped:
        click.echo(f"skip  {rule.name}: {why}")
    if live:
        raise OperationError(
            f"{environment}: {len(live)} kind(s) of live endpoint found (formwork rewire {environment} --yes cuts them)"
        )
    click.echo(f"{environment}: nothing live ({len(skipped)} rules skipped, each listed above)")


@rewire.command("run")
@click.argument("environment")
@click.option("--yes", is_flag=True, help="Confirm: the environment's database is changed in place.")
def run(environment: str, yes: bool) -> None:
    """Rewire ENVIRONMENT in place (never production), then check nothing live remains."""
    from blocks import catalogue
    from tasks.guards import refuse_production
    from tasks.rewiring import check_rules

    env = catalogue.load(environment)
    refuse_production(environment, env, "rewire")
    if not yes:
        raise InputError(f"rewire {environment}: this changes the database in place; add --yes to confirm")
    check_rules(env)  # bad rules are reported before a flow run starts
    from flows.rewire import rewire_environment

    report = rewire_environment(environment=environment)
    click.echo(report.summary())
