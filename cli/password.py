"""Where `formwork env add` reads a password from, so it never has to sit in argv (`ps` shows argv to every user)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from formwork.errors import InputError


def password_options(command=None, *, prefix: str = "password", what: str = "database password"):
    """--PREFIX-stdin, --PREFIX-env VAR and --PREFIX-file PATH: one at most."""

    def decorate(command):
        for option in reversed(
            (
                click.option(f"--{prefix}-stdin", is_flag=True, help=f"Read the {what} from stdin (one line)."),
                click.option(f"--{prefix}-env", metavar="VAR", help=f"Read the {what} from environment variable VAR."),
                click.option(f"--{prefix}-file", metavar="PATH", help=f"Read the {what} from file PATH (first line)."),
            )
        ):
            command = option(command)
        return command

    return decorate(command) if command is not None else decorate


def read_password(
    stdin: bool, variable: str | None, file: str | None, *, prefix: str = "password", what: str = "database password"
) -> str | None:
    """The password from the one source given, None when none is; InputError naming the source at fault."""
    given = [
        name for name, value in ((f"--{prefix}-stdin", stdin), (f"--{prefix}-env", variable), (f"--{prefix}-file", file)) if value
    ]
    if len(given) > 1:
        raise InputError(f"{' and '.join(given)}: give the password one way only")
    if not given:
        return None
    if stdin:
        where = f"--{prefix}-stdin"
        value = getpass.getpass(f"{what}: ") if sys.stdin.isatty() else sys.stdin.readline()
    elif variable:
        where, value = f"--{prefix}-env '{variable}'", os.environ.get(variable)
        if value is None:
            raise InputError(f"{where}: the variable is not set")
    else:
        where = f"--{prefix}-file '{file}'"
        try:
            value = Path(file).read_text(encoding="utf-8").partition("\n")[0]
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{where}: cannot read it ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    value = value.rstrip("\r\n")
    if not value:
        raise InputError(f"{where}: empty password")
    return value
