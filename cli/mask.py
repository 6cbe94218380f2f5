"""`formwork mask`: mask an environment's personal data (never production)."""

from __future__ import annotations

import click

from cli.groups import DefaultToRun
from formwork.errors import InputError


@click.group(cls=DefaultToRun)
def mask() -> None:
    """Mask payroll, banking and personal data: `formwork mask ENV --yes`, or `formwork mask plan ENV`."""


def _rules_option(function):
    return click.option("--rules", type=click.Path(dir_okay=False), help="Rules file (default: masking_rules/odoo17.yaml).")(
        function
    )


@mask.command("plan")
@click.argument("environment")
@_rules_option
def plan(environment: str, rules: str | None) -> None:
    """Dry run: every column to be masked, its strategy and row count, kept and uncovered personal-looking columns (a run refuses while any is uncovered)."""
    from blocks import catalogue
    from tasks.masking import DEFAULT_RULES, plan_masking

    env = catalogue.load(environment)
    for line in plan_masking.fn(environment, env, rules or DEFAULT_RULES).lines():
        click.echo(line)


@mask.command("run")
@click.argument("environment")
@_rules_option
@click.option("--yes", is_flag=True, help="Confirm: the environment's database and filestore are changed in place.")
def run(environment: str, rules: str | None, yes: bool) -> None:
    """Mask ENVIRONMENT's database and filestore in place, then check nothing leaked."""
    from blocks import catalogue
    from formwork.production_guard import refuse_production_filestore
    from tasks.guards import refuse_production
    from tasks.masking import DEFAULT_RULES, check_rules

    env = catalogue.load(environment)
    refuse_production(environment, env, "mask")
    if env.filestore_url:
        refuse_production_filestore(env.filestore_url, "mask")
    if not yes:
        raise InputError(f"mask {environment}: this rewrites the database and filestore in place; add --yes to confirm")
    check_rules(env, rules or DEFAULT_RULES)  # bad rules are reported before a flow run starts
    from flows.mask import mask_environment

    report = mask_environment(environment=environment, rules=rules or DEFAULT_RULES)
    click.echo(report.summary())
