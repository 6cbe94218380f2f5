"""`formwork refresh`: replace a lower environment with a masked, rewired copy of production."""

from __future__ import annotations

import getpass

import click

from cli.groups import DefaultToRun


@click.group(cls=DefaultToRun)
def refresh() -> None:
    """Refresh TARGET from SOURCE: `formwork refresh SOURCE TARGET --yes`, or `formwork refresh rollback TARGET`."""


@refresh.command("run")
@click.argument("source")
@click.argument("target")
@click.option(
    "--yes", is_flag=True, help="Approve now, as the invoking user; without it the run waits for an approver in Prefect."
)
@click.option("--change", "change_reference", default="", help="Change reference recorded with the approval.")
@click.option("--rules", type=click.Path(dir_okay=False), help="Masking rules file (default: masking_rules/odoo17.yaml).")
@click.option(
    "--from-backup", help="Restore this backup of SOURCE (an id, or 'latest'), verified first, instead of reading production."
)
def run(source: str, target: str, yes: bool, change_reference: str, rules: str | None, from_backup: str | None) -> None:
    """Clone SOURCE beside TARGET, mask, rewire, verify, then swap it in atomically."""
    from blocks import catalogue
    from tasks.masking import DEFAULT_RULES
    from tasks.refresh import check_guards

    check_guards.fn(
        source, catalogue.load(source), target, catalogue.load(target), rules or DEFAULT_RULES, from_backup
    )  # before a run starts
    from flows.refresh import refresh as refresh_flow

    report = refresh_flow(
        source=source,
        target=target,
        rules=rules or DEFAULT_RULES,
        approver=getpass.getuser() if yes else None,
        change_reference=change_reference,
        from_backup=from_backup,
    )
    click.echo(report.summary())
    for line in report.notes + [f"warning: {w}" for w in report.warnings]:
        click.echo(f"  {line}")


@refresh.command("rollback")
@click.argument("target")
def rollback(target: str) -> None:
    """Swap TARGET's previous copy back in (and keep the current one as the previous copy)."""
    from blocks import catalogue
    from cli.release import requester
    from formwork.refresh import swap
    from tasks.refresh_rollback import check_rollback_guards

    env = catalogue.load(target)
    check_rollback_guards(target, env)  # before a run starts
    from flows.refresh_rollback import refresh_rollback

    refresh_rollback(target=target, requested_by=requester())
    click.echo(f"{target}: previous copy swapped back in (the replaced one is now {swap.previous_name(env.db_name)})")
