"""`formwork`: the command line.

Errors are one line on stderr: exit 2 for input we refuse (before anything
changes), exit 1 for a step that failed.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click
import psycopg

from formwork import production_guard
from formwork.errors import FormworkError, first_line
from formwork.production_guard import KnownEnvironment

# Each command's module is imported when that command runs: `formwork env list` does not pay for the release
# pipeline's or the demo's imports (the whole set takes about a second and a half).
COMMANDS = {
    "env": "cli.env:env",
    "seed": "cli.seed:seed",
    "store": "cli.store:store",
    "local": "cli.local:local",
    "mask": "cli.mask:mask",
    "rewire": "cli.rewire:rewire",
    "refresh": "cli.refresh:refresh",
    "release": "cli.release:release",
    "backup": "cli.backup:backup",
    "backups": "cli.backup:backups",
    "drill": "cli.backup:drill",
    "demo": "cli.demo:demo",
    "approve": "cli.approve:approve",
    "reject": "cli.approve:reject",
    "pending": "cli.approve:pending",
    "pitr": "cli.pitr:pitr",
    "deploy": "cli.deploy:deploy",
    "trigger": "cli.trigger:trigger",
    "status": "cli.status:status",
    "metrics": "cli.metrics:metrics",
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """Formwork: environment control for Odoo estates, built on Prefect.

    Environments are Prefect blocks; set PREFECT_API_URL to use a Prefect server,
    or leave it unset for Prefect's local ephemeral mode under PREFECT_HOME.
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
        cli.main(args=argv, prog_name="formwork", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
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
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
