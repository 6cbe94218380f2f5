"""`formwork`: the command line.

Errors are one line on stderr: exit 2 for input we refuse (before anything
changes), exit 1 for a step that failed.
"""

from __future__ import annotations

import logging
import sys

import click
import psycopg

from formwork.cli.approve import approve, pending, reject
from formwork.cli.backup import backup, backups, drill
from formwork.cli.demo import demo
from formwork.cli.deploy import deploy
from formwork.cli.env import env
from formwork.cli.local import local
from formwork.cli.mask import mask
from formwork.cli.pitr import pitr
from formwork.cli.refresh import refresh
from formwork.cli.release import release
from formwork.cli.rewire import rewire
from formwork.cli.seed import seed
from formwork.cli.store import store
from formwork.cli.trigger import trigger
from formwork.errors import FormworkError, first_line


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """Formwork: environment control for Odoo estates, built on Prefect.

    Environments are Prefect blocks; set PREFECT_API_URL to use a Prefect server,
    or leave it unset for Prefect's local ephemeral mode under PREFECT_HOME.
    """


cli.add_command(env)
cli.add_command(seed)
cli.add_command(store)
cli.add_command(local)
cli.add_command(mask)
cli.add_command(rewire)
cli.add_command(refresh)
cli.add_command(release)
cli.add_command(backup)
cli.add_command(backups)
cli.add_command(drill)
cli.add_command(demo)
cli.add_command(approve)
cli.add_command(reject)
cli.add_command(pending)
cli.add_command(pitr)
cli.add_command(deploy)
cli.add_command(trigger)


def main(argv: list[str] | None = None) -> int:
    # Prefect's event worker announces its exit-time flush as a warning; it is routine here.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
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
