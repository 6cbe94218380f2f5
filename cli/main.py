"""`formwork`: the command line.

Errors are one line on stderr: exit 2 for input we refuse (before anything
changes), exit 1 for a step that failed.
"""

from __future__ import annotations

import importlib
import logging
import sys
import textwrap

import click
import psycopg

from formwork import production_guard
from formwork.errors import FormworkError, first_line
from formwork.production_guard import KnownEnvironment

# Each command's module is imported when that command runs: `formwork env list` does not pay for the release
# pipeline's or the demo's imports (the whole set takes about a second and a half), and `formwork --help` lists
# the commands from their summaries here instead of importing every one (and Prefect with them): 0.5 s, not 3.5 s.
# tests/test_cli_launch.py holds each summary to its command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "env": ("cli.env:env", "Add, list, show and remove Odoo environments."),
    "seed": (
        "cli.seed:seed",
        "Create database DSN with a construction company: Odoo 17 tables at any scale, or a real Odoo 17 database (--odoo-bin) that Odoo serves.",
    ),
    "store": ("cli.store:store", "Save the endpoint and credentials used for s3:// URLs."),
    "local": ("cli.local:local", "Start, stop and inspect the embedded local stack (under $FORMWORK_HOME, default ./.formwork)."),
    "mask": ("cli.mask:mask", "Mask payroll, banking and personal data: `formwork mask ENV --yes`, or `formwork mask plan ENV`."),
    "rewire": (
        "cli.rewire:rewire",
        "Rewire mail, crons, payments, webhooks, tokens, URL and identity: `formwork rewire ENV --yes`, `formwork rewire check ENV`.",
    ),
    "refresh": (
        "cli.refresh:refresh",
        "Refresh TARGET from SOURCE: `formwork refresh SOURCE TARGET --yes`, or `formwork refresh rollback TARGET`.",
    ),
    "release": ("cli.release:release", "Promote one image by digest through the environments' GitOps overlays."),
    "backup": (
        "cli.backup:backup",
        "Back up ENVIRONMENT's database and filestore to its backup store, then apply its retention policy; with point-in-time protection, also a pgBackRest backup on its schedule.",
    ),
    "backups": ("cli.backup:backups", "The backups of an environment."),
    "drill": (
        "cli.backup:drill",
        "Restore a backup into a scratch database (or, with --target-time, a point in time into a scratch server), verify it, measure RPO and RTO; exit 1 when it fails.",
    ),
    "demo": ("cli.demo:demo", "Start the embedded stack, seed production, register prod/staging/dr and run every pipeline."),
    "approve": (
        "cli.approve:approve",
        "Approve RUN_ID, a run waiting for approval (see `formwork pending`): it resumes and carries on.",
    ),
    "reject": (
        "cli.approve:reject",
        "Reject RUN_ID, a run waiting for approval: it fails with your reason, having changed nothing.",
    ),
    "pending": (
        "cli.approve:pending",
        "List the runs waiting for approval: what each waits for, since when, and where to answer it.",
    ),
    "pitr": ("cli.pitr:pitr", "Point-in-time recovery: pgBackRest WAL archiving and backups of an environment's server."),
    "deploy": (
        "cli.deploy:deploy",
        "Register every flow as a deployment, with schedules derived from the environments: nightly refresh of each environment added with --refresh-from, backups at its tier's cadence, drills weekly (tier 1) or monthly.",
    ),
    "trigger": (
        "cli.trigger:trigger",
        "Start a run of DEPLOYMENT (FLOW/NAME, or NAME when both are the same) with its parameters checked first.",
    ),
    "status": ("cli.status:status", "One row per environment: inside, at risk or outside its objectives, with the reasons."),
    "metrics": (
        "cli.metrics:metrics",
        "The estate's posture as Prometheus metrics (formwork_*): scraped, or pushed to a Pushgateway.",
    ),
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        with formatter.section("Commands"):
            formatter.write_dl(
                [(name, textwrap.shorten(summary, limit, placeholder="...")) for name, (_, summary) in COMMANDS.items()]
            )


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """Formwork: environment control for Odoo estates, built on Prefect.

    Environments are Prefect blocks; set PREFECT_API_URL to use a Prefect server, or leave it unset to use
    the embedded one (`formwork local up`), started in the background when none runs.
    """


def _saved_environments() -> list[KnownEnvironment]:
    """The production guard's catalogue: the saved environment blocks, read (and Prefect imported) only when a guard asks."""
    from blocks.catalogue import known_environments

    return known_environments()


def main(argv: list[str] | None = None) -> int:
    # Prefect's event worker announces its exit-time flush as a warning; it is routine here.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    production_guard.use_catalogue(_saved_environments)
    try:
        code = cli.main(args=argv, prog_name="formwork", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("formwork: aborted", err=True)
        return 1
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "formwork"
        click.echo(f"{where}: {exc.format_message()}", err=True)
        return 2
    except FormworkError as exc:
        click.echo(f"formwork: {exc}", err=True)
        return exc.exit_code
    except psycopg.OperationalError as exc:
        first = first_line(exc)
        click.echo(f"formwork: database unreachable: {first}", err=True)
        return 1
    return code if type(code) is int else 0  # a click Exit's code (`status` exits 1): returned in this mode


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
